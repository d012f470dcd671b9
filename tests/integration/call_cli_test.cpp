// `voqo call` places one call and prints its record; `voqo serve` places
// calls for POST /api/calls and serves recordings with byte ranges. Both
// against sipp (answer, let the agent speak, BYE).
#include <gtest/gtest.h>

#include <regex>

#include "store/store.hpp"
#include "support/http_client.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

const std::string kVoqo = VOQO_BINARY;

/// A database with one agent, "Tester".
std::string database(const test::TempDir& dir) {
  const std::string db = (dir / "calls.db").string();
  auto st = store::Store::open(db);
  EXPECT_TRUE(st);
  EXPECT_TRUE((*st)->agents().create(test::default_workspace(**st), {{"name", "Tester"},
                                      {"systemPrompt", "You are a test agent for SIP calls."},
                                      {"greetingMessage", "Hello from the command line."},
                                      {"responseDelayMs", 0}}));
  (*st)->close();
  return db;
}

std::unique_ptr<test::Subprocess> sipp_answering(uint16_t port) {
  return std::make_unique<test::Subprocess>(std::vector<std::string>{
      "/usr/bin/sipp", "-sf", std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/answer_bye.xml", "-i", "127.0.0.1", "-p",
      std::to_string(port), "-m", "1", "-nostdin", "-timeout", "30s", "-timeout_error"});
}

TEST(CallCli, VoqoCallPrintsTheFinishedCallRecord) {
  test::TempDir dir;
  const std::string db = database(dir);
  const uint16_t peer = test::free_loopback_port();
  auto sipp = sipp_answering(peer);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto [status, out] = test::run({kVoqo, "call", "+14155550123", "--agent", "Tester", "--trunk",
                                  "sip:127.0.0.1:" + std::to_string(peer), "--sip-ip", "127.0.0.1", "--sip-port", "0",
                                  "--json", "--db", db, "--log-level", "warn"},
                                 std::chrono::seconds(40));
  ASSERT_EQ(status, 0) << out;
  // The record is the last line (logs may precede it).
  const auto start = out.rfind("\n{");
  auto record = nlohmann::json::parse(out.substr(start == std::string::npos ? 0 : start + 1), nullptr, false);
  ASSERT_FALSE(record.is_discarded()) << out;
  EXPECT_EQ(record.value("status", ""), "completed");
  EXPECT_EQ(record.value("direction", ""), "outbound");
  EXPECT_EQ(record.value("toPhone", ""), "+14155550123");
  EXPECT_EQ(record.value("recordingUrl", ""), "/api/calls/" + record.value("id", "") + "/recording");
  EXPECT_EQ(sipp->wait(std::chrono::seconds(10)), 0) << sipp->output();
  // An unknown agent is refused before anything is dialed, naming the field.
  auto [bad, bad_out] = test::run({kVoqo, "call", "+14155550123", "--agent", "Nobody", "--trunk", "sip:127.0.0.1:9",
                                   "--sip-ip", "127.0.0.1", "--sip-port", "0", "--db", db});
  EXPECT_EQ(bad, 1);
  EXPECT_NE(bad_out.find("(agentId)"), std::string::npos) << bad_out;
}

TEST(CallCli, ServePlacesCallsAndServesRecordingsWithRanges) {
  test::TempDir dir;
  const std::string db = database(dir);
  const uint16_t peer = test::free_loopback_port();
  auto sipp = sipp_answering(peer);
  const std::pair<std::string, std::string> auth{"Authorization", "Bearer " + test::create_admin_key(db)};
  test::Subprocess server({kVoqo, "serve", "--port", "0", "--sip-ip", "127.0.0.1", "--sip-port", "0", "--trunk",
                           "sip:127.0.0.1:" + std::to_string(peer), "--db", db});
  auto line = server.wait_for_line("listening on http://");
  ASSERT_TRUE(line) << server.output();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))")));
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  auto placed = test::http_request(port, "POST", "/api/calls", R"({"agentId":"Tester","to":"+14155550123"})",
                                   {{"Content-Type", "application/json"}, auth});
  ASSERT_EQ(placed.status, 202) << placed.body;
  const std::string id = nlohmann::json::parse(placed.body)["id"];
  test::HttpResult call;
  for (int i = 0; i < 200; ++i) {  // the record appears when the call ends (~4 s)
    call = test::http_request(port, "GET", "/api/calls/" + id, "", {auth});
    if (call.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(nlohmann::json::parse(call.body).value("status", ""), "completed");

  auto whole = test::http_request(port, "GET", "/api/calls/" + id + "/recording", "", {auth});
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.header("content-type"), "audio/wav");
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");
  ASSERT_GT(whole.body.size(), 44u + 16000u * 4);  // > 1 s of 16 kHz stereo
  EXPECT_EQ(whole.body.substr(0, 4), "RIFF");
  auto head = test::http_request(port, "GET", "/api/calls/" + id + "/recording", "", {{"Range", "bytes=0-43"}, auth});
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.body, whole.body.substr(0, 44));
  EXPECT_EQ(head.header("content-range"), "bytes 0-43/" + std::to_string(whole.body.size()));
  auto tail = test::http_request(port, "GET", "/api/calls/" + id + "/recording", "", {{"Range", "bytes=-100"}, auth});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, whole.body.substr(whole.body.size() - 100));
  auto beyond = test::http_request(port, "GET", "/api/calls/" + id + "/recording", "",
                                   {{"Range", "bytes=" + std::to_string(whole.body.size()) + "-"}, auth});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), "bytes */" + std::to_string(whole.body.size()));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(), 0) << server.output();
}

}  // namespace
}  // namespace voqo
