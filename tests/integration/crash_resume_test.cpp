// Crash safety (issue 4 §6): `voqo serve` runs a campaign against sipp; the
// test kills it with SIGKILL at random moments, starts it again on the same
// database, and checks that the job resumes and ends with every contact
// final, no contact dialed outside the retry policy (sipp's own message log
// is the witness), every attempt leaving a call record, calls in flight
// closed as failed "interrupted", a call.ended webhook event per call, and
// the counters equal to the tallies.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
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

struct Server {
  std::unique_ptr<test::Subprocess> process;
  uint16_t port = 0;
};

/// The admin key of the database the servers of this test run on (created
/// once per database, before its first server): every request sends it.
std::string g_key;
std::map<std::string, std::string> g_keys;
std::pair<std::string, std::string> auth() { return {"Authorization", "Bearer " + g_key}; }

/// The server started last: what it printed is reported when a request to it cannot connect.
const test::Subprocess* g_latest_server = nullptr;

Server start_server(const std::string& db, const std::string& trunk) {
  Server s;
  const std::string db_key = std::filesystem::path(db).string();
  if (!g_keys.count(db_key)) g_keys[db_key] = test::create_admin_key(db_key);
  g_key = g_keys[db_key];
  s.process = std::make_unique<test::Subprocess>(std::vector<std::string>{
      VOQO_BINARY, "serve", "--port", "0", "--sip-ip", "127.0.0.1", "--sip-port", "0", "--db", db, "--trunk", trunk,
      "--ring-timeout", "5"});
  auto line = s.process->wait_for_line("listening on http://", 60s);
  EXPECT_TRUE(line) << s.process->output();
  std::smatch m;
  if (line && std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) s.port = static_cast<uint16_t>(std::stoi(m[1]));
  g_latest_server = s.process.get();
  EXPECT_NE(s.port, 0) << "no port in the listening line: " << (line ? *line : "") << "\n" << s.process->output();
  // It answers before the test goes on; if not, what it printed says why.
  try {
    if (s.port) (void)test::http_request(s.port, "GET", "/api/jobs?limit=1", "", {auth()});
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the server does not answer (" << e.what() << "):\n" << s.process->output();
    s.port = 0;
  }
  return s;
}

json api(uint16_t port, std::string_view method, const std::string& target, const json& body = nullptr) {
  test::HttpResult r;
  try {
    auto headers = kJson;
    headers.push_back(auth());
    r = test::http_request(port, method, target, body.is_null() ? std::string() : body.dump(), headers);
  } catch (const std::exception& e) {
    ADD_FAILURE() << method << " " << target << ": " << e.what() << "; the server printed:\n"
                  << (g_latest_server ? g_latest_server->output() : std::string());
    throw;
  }
  EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
  return json::parse(r.body.empty() ? "null" : r.body, nullptr, false);
}

/// All items of a list endpoint (follows cursors).
std::vector<json> all(uint16_t port, const std::string& target) {
  std::vector<json> out;
  std::string cursor;
  do {
    auto page = api(port, "GET", target + (target.find('?') == std::string::npos ? "?" : "&") + "limit=500" +
                                     (cursor.empty() ? "" : "&cursor=" + cursor));
    for (auto& item : page["items"]) out.push_back(item);
    cursor = page.value("nextCursor", json()).is_string() ? page["nextCursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return out;
}

/// Distinct INVITE dialogs per dialed user, from sipp's message trace.
std::map<std::string, std::set<std::string>> invites_by_number(const std::filesystem::path& log) {
  std::map<std::string, std::set<std::string>> out;
  std::ifstream in(log);
  std::string line, user;
  bool in_invite = false;
  const std::regex request(R"(^INVITE sip:([^@;>]+)@)"), call_id(R"(^Call-ID:\s*(\S+))", std::regex::icase);
  std::smatch m;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_search(line, m, request)) {
      in_invite = true;
      user = m[1];
    } else if (in_invite && std::regex_search(line, m, call_id)) {
      out[user].insert(m[1]);
      in_invite = false;
    } else if (line.rfind("SIP/2.0", 0) == 0 || line.rfind("ACK", 0) == 0 || line.rfind("BYE", 0) == 0) {
      in_invite = false;
    }
  }
  return out;
}

TEST(CrashResume, KilledServerResumesTheJobWithoutLosingOrRedialingAnyone) {
  test::TempDir dir;
  const std::string db = (dir / "voqo.db").string();
  const auto sip_port = test::free_loopback_port();
  const auto trace = dir / "sipp_messages.log";
  // In the foreground (killed with the test), its screen output discarded so it never blocks on a full pipe.
  test::Subprocess sipp({"/bin/sh", "-c",
                         "exec /usr/bin/sipp -sf " + std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/answer_hold_1s.xml -i 127.0.0.1 -p " +
                             std::to_string(sip_port) + " -mp " + std::to_string(test::free_loopback_port()) +
                             " -nostdin -trace_msg -message_file " + trace.string() + " >/dev/null 2>&1"});
  std::this_thread::sleep_for(300ms);
  const std::string trunk = "sip:127.0.0.1:" + std::to_string(sip_port);

  auto server = start_server(db, trunk);
  ASSERT_NE(server.port, 0);
  // Simulated callees: their local hours do not matter (the rule itself is tested elsewhere).
  api(server.port, "PUT", "/api/settings/callee_local_hours", {{"value", {{"start", "00:00"}, {"end", "24:00"}}}});
  auto agent = api(server.port, "POST", "/api/agents",
                   {{"name", "Crash Tester"}, {"systemPrompt", "You are a test agent for crash safety."},
                    {"greetingMessage", "Hello, this is a test."}, {"responseDelayMs", 0},
                    {"webhookUrl", "http://127.0.0.1:9/hooks"}});
  auto campaign = api(server.port, "POST", "/api/campaigns", {{"name", "Crash campaign"}});
  std::string csv = "name,phone\n";
  const int contacts = 12;
  for (int i = 0; i < contacts; ++i) csv += "Person " + std::to_string(i) + ",+1415555" + std::to_string(2100 + i) + "\n";
  auto upload = test::http_request(server.port, "POST", "/api/campaigns/" + campaign["id"].get<std::string>() + "/uploads", csv,
                                   {{"Content-Type", "text/csv"}, auth()});
  ASSERT_EQ(upload.status, 201) << upload.body;
  auto job = api(server.port, "POST", "/api/jobs",
                 {{"campaignId", campaign["id"]}, {"uploadId", json::parse(upload.body)["uploadId"]},
                  {"agentId", agent["id"]}, {"maxConcurrent", 3}, {"callsPerSecond", 5},
                  {"retry", {{"maxAttempts", 2}, {"backoffMinutes", 0}}}});
  const std::string job_id = job["id"];

  // Kill it three times at random moments while it runs, restarting each time.
  std::mt19937 rng(std::random_device{}());
  for (int k = 0; k < 3; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(400, 2500)(rng)));
    server.process->signal(SIGKILL);
    server.process->wait(10s);
    server = start_server(db, trunk);
    ASSERT_NE(server.port, 0) << "restart " << k;
  }
  json final;
  for (int i = 0; i < 600; ++i) {
    final = api(server.port, "GET", "/api/jobs/" + job_id);
    if (final["status"] != "running" && final["status"] != "pending") break;
    std::this_thread::sleep_for(200ms);
  }
  if (final["status"] != "completed") {
    for (const auto& jc : all(server.port, "/api/jobs/" + job_id + "/calls")) ADD_FAILURE() << jc.dump();
    for (const auto& e : all(server.port, "/api/jobs/" + job_id + "/events")) ADD_FAILURE() << e.dump();
    ADD_FAILURE() << server.process->output();
  }
  ASSERT_EQ(final["status"], "completed") << final.dump();

  auto job_calls = all(server.port, "/api/jobs/" + job_id + "/calls");
  ASSERT_EQ(job_calls.size(), static_cast<std::size_t>(contacts));
  int completed = 0, failed = 0, attempts = 0;
  std::map<std::string, int> attempts_by_phone;
  for (const auto& jc : job_calls) {
    const std::string status = jc["status"];
    EXPECT_TRUE(status == "completed" || status == "failed") << jc.dump();
    completed += status == "completed";
    failed += status == "failed";
    EXPECT_GE(jc["attempts"].get<int>(), 1);
    EXPECT_LE(jc["attempts"].get<int>(), 2) << jc.dump();
    attempts += jc["attempts"].get<int>();
    attempts_by_phone[jc["phone"]] = jc["attempts"];
  }
  EXPECT_EQ(final["completedCalls"], completed);
  EXPECT_EQ(final["failedCalls"], failed);
  EXPECT_EQ(final["totalCalls"], contacts);

  // Every attempt left a call record; calls cut by a kill are failed "interrupted".
  auto calls = all(server.port, "/api/calls?jobId=" + job_id);
  EXPECT_EQ(calls.size(), static_cast<std::size_t>(attempts));
  int interrupted = 0;
  for (const auto& c : calls) interrupted += c.value("errorMessage", json()).is_string() && c["errorMessage"] == "interrupted";
  EXPECT_GE(interrupted, 1) << "no call was in flight at any of the three kills";
  // A call cut while live keeps its live data as history (call_analytics), like any ended call.
  int with_analytics = 0;
  for (const auto& c : calls) {
    if (!c.value("errorMessage", json()).is_string() || c["errorMessage"] != "interrupted") continue;
    auto a = test::http_request(server.port, "GET", "/api/calls/" + c["id"].get<std::string>() + "/analytics", "", {auth()});
    if (a.status != 200) continue;
    EXPECT_EQ(json::parse(a.body)["details"].value("errorMessage", ""), "interrupted") << a.body;
    ++with_analytics;
  }
  EXPECT_GE(with_analytics, 1) << "no interrupted call got its call_analytics record";

  // sipp saw no INVITE that the dialer did not record as an attempt.
  server.process->signal(SIGTERM);
  server.process->wait(20s);
  sipp.signal(SIGINT);  // sipp exits cleanly and closes its message trace
  sipp.wait(5s);
  auto invites = invites_by_number(trace);
  int total_invites = 0;
  for (const auto& [user, dialogs] : invites) {
    total_invites += static_cast<int>(dialogs.size());
    ASSERT_TRUE(attempts_by_phone.contains(user)) << "dialed a number outside the job: " << user;
    EXPECT_LE(static_cast<int>(dialogs.size()), attempts_by_phone[user]) << user << " was dialed more often than recorded";
  }
  EXPECT_GE(total_invites, contacts);

  // One call.ended webhook event per call record (the receiver is down: they wait in the outbox).
  auto restarted = start_server(db, trunk);
  ASSERT_NE(restarted.port, 0);
  auto events = all(restarted.port, "/api/webhook-events?event=call.ended");
  std::set<std::string> ended;
  for (const auto& e : events) ended.insert(e["callId"].get<std::string>());
  EXPECT_EQ(ended.size(), calls.size());
  EXPECT_EQ(events.size(), calls.size()) << "a call.ended event was queued twice";
}

}  // namespace
}  // namespace voqo
