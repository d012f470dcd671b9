// The hardening soak (issue 15, "Done when"): a real `voqo serve` places 20
// calls to `voqo callee-sim` personas while, on loopback, a hostile client
// sends 1,000 INVITEs with unusable offers, 200 requests with deeply nested
// JSON to every kind of JSON route, and opens 100 recording downloads that
// it never reads. The server must stay up, the 20 calls complete with
// transcripts, and its RSS return to within 10% of where it started (after
// a first round of 20 calls, so that the allocator's steady state is the
// baseline, not an empty process).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/voqo_serve.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::pair<std::string, std::string>> kJson = {{"Content-Type", "application/json"}};

/// VmRSS of a process in KiB (0 when it is gone).
long rss_kib_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}


/// A TCP connection that sends one request and never reads the answer.
int open_and_never_read(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int small = 4096;  // a small receive window: the server's writes stall at once
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  return fd;
}

class SoakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_port_ = test::free_loopback_port();
    sim_ = std::make_unique<test::Subprocess>(std::vector<std::string>{
        VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(sim_port_), "--log-level", "warn"});
    ASSERT_TRUE(sim_->wait_for_line("callee-sim listening", 60s)) << sim_->output();
    server_ = std::make_unique<test::VoqoServe>(
        dir_.path(), std::vector<std::string>{"--trunk", "sip:127.0.0.1:" + std::to_string(sim_port_), "--ring-timeout", "8",
                                              "--log-level", "warn"});
    port_ = server_->port();
    sip_port_ = server_->sip_port();
    auto agent = api("POST", "/api/agents",
                     {{"name", "Sally"},
                      {"systemPrompt", "You are Sally, calling homeowners about a free valuation."},
                      {"template", "property_sales"},
                      {"voiceId", "slt"},
                      {"responseDelayMs", 200}});
    agent_id_ = agent.value("id", "");
    ASSERT_FALSE(agent_id_.empty()) << agent.dump();
  }

  /// JSON and the server's admin key.
  std::vector<std::pair<std::string, std::string>> headers() const {
    auto h = kJson;
    h.push_back(server_->auth_header());
    return h;
  }

  /// Drains what the server printed so its pipe never fills.
  void drain() { (void)server_->output(); }

  json api(std::string_view method, const std::string& target, const json& body = nullptr) {
    auto r = test::http_request(port_, method, target, body.is_null() ? std::string() : body.dump(), headers());
    EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
    return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
  }

  /// Places 20 calls to personas that talk (last digits 0-3, 8, 9) and waits for their records.
  std::vector<json> twenty_calls(int round, const std::function<void()>& meanwhile = {}) {
    static constexpr int kTalking[] = {0, 1, 2, 3, 8, 9};
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
      // +1 415 51r 1ii d: distinct per round and call, the persona from the last digit.
      const std::string to = "+141551" + std::to_string(round) + std::to_string(100 + i) + std::to_string(kTalking[i % 6]);
      auto placed = api("POST", "/api/calls", {{"agentId", agent_id_}, {"to", to}});
      ids.push_back(placed.value("id", ""));
      EXPECT_FALSE(ids.back().empty()) << placed.dump();
    }
    if (meanwhile) meanwhile();
    std::vector<json> records(ids.size());
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    for (std::size_t done = 0; done < ids.size() && std::chrono::steady_clock::now() < deadline;) {
      drain();
      done = 0;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (records[i].is_object()) {
          ++done;
          continue;
        }
        auto r = test::http_request(port_, "GET", "/api/calls/" + ids[i], "", headers());
        if (r.status == 200) records[i] = json::parse(r.body);
      }
      if (done < ids.size()) std::this_thread::sleep_for(500ms);
    }
    return records;
  }

  test::TempDir dir_;
  std::unique_ptr<test::Subprocess> sim_;
  std::unique_ptr<test::VoqoServe> server_;
  uint16_t sim_port_ = 0, sip_port_ = 0, port_ = 0;
  std::string agent_id_;
};

TEST_F(SoakTest, TwentyCallsCompleteWhileAHostileClientFloodsTheServer) {
  // Round 1: the baseline (engines loaded, allocator warm, recordings to fetch).
  auto first = twenty_calls(0);
  std::string recording;
  for (const auto& r : first)
    if (r.is_object() && r.value("status", "") == "completed" && r.contains("recordingUrl") && r["recordingUrl"].is_string())
      recording = r["recordingUrl"];
  ASSERT_FALSE(recording.empty()) << "no recorded call in the first round";
  std::this_thread::sleep_for(2s);
  drain();
  const long rss_start = rss_kib_of(server_->pid());
  ASSERT_GT(rss_start, 0);

  // Round 2, with the floods running while the calls do.
  std::vector<int> readers;
  int deep_answers = 0, deep_rejected = 0, invites_answered = 0;
  auto records = twenty_calls(1, [&] {
    // 100 recording downloads that never read.
    for (int i = 0; i < 100; ++i) {
      const int fd = open_and_never_read(port_, "GET " + recording + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " +
                                                    server_->key() + "\r\n\r\n");
      if (fd >= 0) readers.push_back(fd);
    }
    // 1,000 INVITEs with offers nothing can be negotiated from (opus only,
    // c=0.0.0.0, no m=, port 0, port 70000), from one source: answered 488
    // or, past the per-source rate, 503.
    const std::vector<std::string> bodies = {
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n",
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n",
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n",
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n"};
    test::UdpSocket sip;
    for (int i = 0; i < 1000; ++i) {
      const std::string& body = bodies[static_cast<std::size_t>(i) % bodies.size()];
      const std::string id = "soak" + std::to_string(i);
      (void)sip.send_to(sip_port_, "INVITE sip:agent@127.0.0.1:" + std::to_string(sip_port_) +
                                       " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(sip.port()) +
                                       ";branch=z9hG4bK-" + id + ";rport\r\nMax-Forwards: 70\r\nFrom: <sip:+14155550123@127.0.0.1>;tag=" +
                                       id + "\r\nTo: <sip:agent@127.0.0.1>\r\nCall-ID: " + id +
                                       "@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: " +
                                       std::to_string(body.size()) + "\r\n\r\n" + body);
      if (i % 50 == 49)  // read what came back so far (and let the server breathe between bursts)
        while (auto reply = sip.receive(20ms)) {
          const int status = test::sip_status(*reply);
          EXPECT_TRUE(status == 488 || status == 503 || status == 100) << reply->substr(0, 80);
          if (status >= 400) ++invites_answered;
        }
    }
    // 200 deep-JSON requests over the JSON routes the issue names.
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"PUT", "/api/settings/inbound_numbers"},
        {"PATCH", "/api/settings"},
        {"POST", "/api/calls"},
        {"POST", "/api/agents/" + agent_id_ + "/functions"}};
    for (int i = 0; i < 200; ++i) {
      const auto& [method, target] = routes[static_cast<std::size_t>(i) % routes.size()];
      const std::string body = i % 8 < 4 ? "{\"value\":" + test::deep_json(150'000, i % 2 == 0) + "}" : test::deep_json(150'000, i % 2 == 0);
      auto r = test::http_request(port_, method, target, body, headers());
      ++deep_answers;
      if (r.status == 400 || r.status == 413) ++deep_rejected;
    }
  });
  for (int fd : readers) ::close(fd);
  std::printf("[ figure ] soak: %zu readers that never read, %d INVITE rejections seen, %d/%d deep-JSON requests rejected\n",
              readers.size(), invites_answered, deep_rejected, deep_answers);
  EXPECT_EQ(readers.size(), 100u);
  EXPECT_EQ(deep_rejected, 200) << "every deep body is refused (400)";
  EXPECT_GT(invites_answered, 0);

  // The server is up, and the calls completed with transcripts.
  EXPECT_EQ(test::http_request(port_, "GET", "/api/health").status, 200) << server_->output();
  int completed = 0;
  for (const auto& r : records) {
    ASSERT_TRUE(r.is_object()) << "a call did not end";
    EXPECT_EQ(r.value("status", ""), "completed") << r.dump(2);
    bool caller_line = false;
    for (const auto& e : r.value("transcript", json::array()))
      caller_line = caller_line || (e.value("speaker", "") == "caller" && !e.value("text", "").empty());
    EXPECT_TRUE(caller_line) << "no caller words: " << r.dump(2);
    completed += r.value("status", "") == "completed" && caller_line;
  }
  // Nothing of the flood is left: no live call but none, and memory back.
  auto live = api("GET", "/api/live-calls");
  const json items = live.is_object() ? live.value("items", json::array()) : live;
  EXPECT_TRUE(items.empty()) << live.dump();
  std::this_thread::sleep_for(3s);
  drain();
  const long rss_end = rss_kib_of(server_->pid());
  std::printf("[ figure ] soak: %d/20 calls completed with caller words; server RSS %ld KiB after round 1, %ld KiB after the "
              "flood (%+.1f%%)\n",
              completed, rss_start, rss_end, 100.0 * static_cast<double>(rss_end - rss_start) / static_cast<double>(rss_start));
  EXPECT_LE(rss_end, rss_start + rss_start / 10) << "RSS did not return within 10% of its start";
}

}  // namespace
}  // namespace voqo
