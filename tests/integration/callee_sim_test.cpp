// `voqo callee-sim` end to end: the real binary answers on loopback while
// this process places calls with voqo's CallService and an agent on the
// property_sales template with the embedded scripted brain, which hears the
// simulator through pocketsphinx. One call per persona (dialed number ending
// in 0..7, the built-in last-digit rule), all at once; each call record must
// carry the persona's status / outcome / systemInfo, and SIGTERM stops the
// simulator cleanly with its counters. Then a config file remaps numbers and
// the simulator hangs up by itself on silence. A disabled test prints
// capacity figures (many media-only calls at once).
#include <gtest/gtest.h>
#include <signal.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <unistd.h>

#include "calls/call_service.hpp"
#include "store/store.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

class CalleeSimTest : public test::SipSuite {
 protected:
  static void SetUpTestSuite() {
    test::SipSuite::SetUpTestSuite();
    auto agent = store_->agents().create(test::default_workspace(*store_), {{"name", "Sally"},
                                          {"systemPrompt", "You are Sally, calling homeowners about a free valuation."},
                                          {"template", "property_sales"},
                                          {"purpose", "sales"},
                                          {"voiceId", "slt"},
                                          {"responseDelayMs", 200},
                                          {"voicemailMessage", "Hi, this is Sally from our team, calling about a free "
                                                               "valuation of your property. I will try you again soon."}});
    ASSERT_TRUE(agent) << agent.error().message;
  }

  /// Starts `voqo callee-sim` on a free port and waits for its "listening" line.
  std::unique_ptr<test::Subprocess> start_sim(std::vector<std::string> extra = {}) {
    port_ = test::free_loopback_port();
    std::vector<std::string> argv{VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(port_),
                                  "--log-level", "info"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto sim = std::make_unique<test::Subprocess>(argv);
    auto line = sim->wait_for_line("callee-sim listening", std::chrono::seconds(60));
    EXPECT_TRUE(line) << "no listening line: " << sim->output();
    if (line) {
      EXPECT_NE(line->find("udp/tcp 127.0.0.1:" + std::to_string(port_)), std::string::npos) << *line;
    }
    return sim;
  }

  /// Places a call to each user at the simulator, all at once; returns the
  /// finished call records by user. `conversation` false: the agent only greets.
  std::map<std::string, nlohmann::json> call_all(const std::vector<std::string>& users, bool conversation = true,
                                                 const std::string& agent = "Sally") {
    calls::CallServiceConfig cfg = loopback_config();
    cfg.conversation = conversation;
    cfg.brain_factory = {};  // the settings' choice: no LLM configured → the scripted brain
    cfg.ring_timeout = std::chrono::seconds(6);
    cfg.worker_threads = 8;
    std::map<std::string, nlohmann::json> records;
    // With port 0, SIP takes a free UDP port and the same port for TCP, which
    // another process may hold (SipUserAgent::create then fails with io): try again.
    auto service = calls::CallService::create(*store_, cfg);
    for (int i = 0; i < 5 && !service && service.error().code == ErrorCode::io; ++i)
      service = calls::CallService::create(*store_, cfg);
    EXPECT_TRUE(service) << service.error().message;
    if (!service) return records;
    std::mutex m;
    std::condition_variable cv;
    for (const auto& user : users) {
      const std::string uri = "sip:" + user + "@127.0.0.1:" + std::to_string(port_);
      auto id = (*service)->place_call(test::with_record({test::default_workspace(*store_), agent, uri, nlohmann::json::object(), ""}, *store_, [&, user](const nlohmann::json& r) {
        std::lock_guard lock(m);
        records[user] = r;
        cv.notify_all();
      }));
      EXPECT_TRUE(id) << user << ": " << id.error().message;
    }
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(240), [&] { return records.size() == users.size(); }))
        << records.size() << " of " << users.size() << " calls ended";
    lock.unlock();
    service->reset();  // hangs up whatever is left
    return records;
  }

  static std::string transcript_of(const nlohmann::json& r) {
    std::string out;
    for (const auto& e : r.value("transcript", nlohmann::json::array()))
      out += "  " + e.value("speaker", "") + ": " + e.value("text", "") + "\n";
    return out;
  }

  /// CPU seconds (user + system) a process has used, from /proc/<pid>/stat.
  static double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  /// One line per call and its transcript (the figures the report quotes).
  static void print(const std::map<std::string, nlohmann::json>& records) {
    for (const auto& [user, r] : records)
      std::printf("%s: %s / %s, %s s\n%s", user.c_str(), r.value("status", "").c_str(),
                  r.contains("outcome") && r["outcome"].is_string() ? r["outcome"].get<std::string>().c_str() : "-",
                  r.contains("duration") ? r["duration"].dump().c_str() : "-", transcript_of(r).c_str());
  }

  uint16_t port_ = 0;
};

TEST_F(CalleeSimTest, EveryPersonaYieldsItsOutcomeWithCallsAtOnce) {
  auto sim = start_sim();
  const std::vector<std::string> users{"+12125550100", "+12125550101", "+12125550102", "+12125550103",
                                       "+12125550104", "+12125550105", "+12125550106", "+12125550107"};
  const auto t0 = std::chrono::steady_clock::now();
  auto records = call_all(users);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(records.size(), users.size());
  print(records);
  std::printf("callee-sim: %zu calls at once in %.1f s of wall time, %.2f CPU seconds\n", users.size(), wall,
              cpu_seconds(sim->pid()));
  auto check = [&](const std::string& user, const std::string& status, const std::string& outcome) {
    const auto& r = records[user];
    EXPECT_EQ(r.value("status", ""), status) << user << "\n" << r.dump(2);
    if (!outcome.empty()) {
      EXPECT_EQ(r.value("outcome", ""), outcome) << user << " heard:\n" << transcript_of(r) << r["systemInfo"].dump();
    }
  };
  check("+12125550100", "completed", "Demo Scheduled");
  check("+12125550101", "completed", "Not Interested");
  check("+12125550102", "completed", "Call Back Later");
  EXPECT_TRUE(records["+12125550102"]["systemInfo"].contains("callbackAt")) << records["+12125550102"].dump(2);
  check("+12125550103", "completed", "Wrong Number");
  check("+12125550104", "completed", "Voicemail");
  // Answering-machine detection heard the long greeting and the beep: the agent left its message.
  EXPECT_NE(transcript_of(records["+12125550104"]).find("I will try you again soon"), std::string::npos)
      << records["+12125550104"].dump(2);
  check("+12125550105", "no_answer", "");
  check("+12125550106", "busy", "");
  EXPECT_EQ(records["+12125550106"].value("sipCode", 0), 486);
  check("+12125550107", "completed", "Not Interested");
  EXPECT_TRUE(records["+12125550107"]["systemInfo"].value("doNotCall", false)) << records["+12125550107"].dump(2);
  // The agent, not the simulator, ended the conversations (goodbye, voicemail left).
  for (const char* u : {"+12125550100", "+12125550101", "+12125550102", "+12125550103", "+12125550107"})
    EXPECT_FALSE(records[u]["systemInfo"].value("remoteHangup", true)) << u << ":\n" << transcript_of(records[u]);

  sim->signal(SIGTERM);
  EXPECT_EQ(sim->wait(std::chrono::seconds(20)), 0) << sim->output();
  const std::string& out = sim->output();
  EXPECT_NE(out.find("callee-sim stopped: 8 calls, 6 answered, 1 busy, 1 cancelled while ringing, 0 hung up by the sim"),
            std::string::npos)
      << out;
}

TEST_F(CalleeSimTest, ConfigRulesPickThePersonaAndTheSimHangsUpOnSilence) {
  const auto config = *dir_ / "sim.json";
  std::ofstream(config) << R"({"rules": [{"match": "^sales-busy$", "persona": "busy"},
                                         {"match": "^quiet", "persona": "interested"}],
                               "default": "voicemail"})";
  auto sim = start_sim({"--config", config.string(), "--idle-hangup-seconds", "3"});
  auto records = call_all({"sales-busy", "+12125550100"});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records["sales-busy"].value("status", ""), "busy") << records["sales-busy"].dump(2);
  const auto& vm = records["+12125550100"];  // the last digit would say interested; the default says voicemail
  EXPECT_EQ(vm.value("outcome", ""), "Voicemail") << vm.dump(2);

  // An agent that only greets (media plane only, nothing listens): the
  // simulator says "Hello?", answers the greeting, hears nothing more and
  // hangs up after 3 s of silence from both sides.
  auto quiet = call_all({"quiet-1"}, /*conversation=*/false);
  ASSERT_EQ(quiet.size(), 1u);
  const auto& q = quiet["quiet-1"];
  EXPECT_EQ(q.value("status", ""), "completed") << q.dump(2);
  EXPECT_TRUE(q["systemInfo"].value("remoteHangup", false)) << q.dump(2);
  EXPECT_LT(q.value("duration", 99), 30) << "hung up long before the agent's max call duration";

  sim->signal(SIGINT);
  EXPECT_EQ(sim->wait(std::chrono::seconds(20)), 0) << sim->output();
  EXPECT_NE(sim->output().find("callee-sim stopped: 3 calls, 2 answered, 1 busy, 0 cancelled while ringing, "
                               "1 hung up by the sim"),
            std::string::npos)
      << sim->output();
}

// Issue 18 §9: a call a person answers is abandoned when no agent audio
// follows within 2 s of the answer (Ofcom's abandoned call, the FTC TSR's 2 s
// rule). An agent that greets at once is not; one that waits for the
// callee's "Hello?" to end (1.5 s of silence) and then 2 s more is.
TEST_F(CalleeSimTest, AnAgentSilentForTwoSecondsAfterTheAnswerAbandonsTheCall) {
  auto slow = store_->agents().create(test::default_workspace(*store_),
                                      {{"name", "Slow"},
                                       {"systemPrompt", "You are Slow, calling homeowners about a free valuation."},
                                       {"template", "property_sales"},
                                       {"responseDelayMs", 2000},
                                       {"silenceThresholdMs", 1500}});
  ASSERT_TRUE(slow) << slow.error().message;
  const auto config = *dir_ / "abandon.json";
  std::ofstream(config) << R"({"rules": [], "default": "interested"})";
  auto sim = start_sim({"--config", config.string(), "--idle-hangup-seconds", "3"});

  auto quick = call_all({"quick-1"}, /*conversation=*/false);  // greets on the answer
  ASSERT_EQ(quick.size(), 1u);
  const auto& q = quick["quick-1"];
  ASSERT_EQ(q.value("status", ""), "completed") << q.dump(2);
  EXPECT_EQ(q["answeredByPerson"], true) << q.dump(2);
  ASSERT_TRUE(q["agentAudioAfterAnswerMs"].is_number()) << q.dump(2);
  EXPECT_LT(q["agentAudioAfterAnswerMs"].get<int64_t>(), 2000) << q.dump(2);
  EXPECT_EQ(q["abandoned"], false) << q.dump(2);
  ASSERT_TRUE(q["ringTimeMs"].is_number()) << q.dump(2);
  EXPECT_GT(q["ringTimeMs"].get<int64_t>(), 0) << "INVITE to the simulator's answer";

  auto slow_calls = call_all({"slow-1"}, /*conversation=*/true, "Slow");
  ASSERT_EQ(slow_calls.size(), 1u);
  const auto& s = slow_calls["slow-1"];
  ASSERT_EQ(s.value("status", ""), "completed") << s.dump(2);
  EXPECT_EQ(s["answeredByPerson"], true) << s.dump(2);
  EXPECT_EQ(s["abandoned"], true) << s.dump(2);
  // The agent spoke late, or never (the simulator may hang up on the silence first).
  if (s["agentAudioAfterAnswerMs"].is_number()) {
    EXPECT_GT(s["agentAudioAfterAnswerMs"].get<int64_t>(), 2000) << s.dump(2);
  }
  sim->signal(SIGINT);
  EXPECT_EQ(sim->wait(std::chrono::seconds(20)), 0) << sim->output();
}

// Capacity figures, run by hand (--gtest_also_run_disabled_tests;
// VOQO_SIM_LOAD_CALLS, default 100): many calls at once to agents that only
// greet (no recogniser on the voqo side, so the simulator is what is
// measured). Each call: "Hello?", the agent's opening, one reply, then
// silence until the simulator hangs up at its 20 s max call time. Prints the
// simulator's CPU time.
TEST_F(CalleeSimTest, DISABLED_LoadFigures) {
  const char* env = std::getenv("VOQO_SIM_LOAD_CALLS");
  const int n = env ? std::atoi(env) : 100;
  auto sim = start_sim({"--max-call-seconds", "20"});
  const double cpu0 = cpu_seconds(sim->pid());
  std::vector<std::string> users;
  for (int i = 0; i < n; ++i) users.push_back("load-" + std::to_string(i) + "0");
  const auto t0 = std::chrono::steady_clock::now();
  auto records = call_all(users, /*conversation=*/false);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds(sim->pid()) - cpu0;
  int completed = 0;
  for (const auto& [u, r] : records) completed += r.value("status", "") == "completed";
  sim->signal(SIGTERM);
  EXPECT_EQ(sim->wait(std::chrono::seconds(30)), 0);
  const auto& out = sim->output();
  const auto at = out.find("callee-sim stopped");
  std::printf("%d calls, %d completed, %.1f s wall, simulator %.2f CPU s (%.1f%% of one core)\n%s\n", n, completed, wall,
              cpu, 100.0 * cpu / wall, at == std::string::npos ? "" : out.substr(at).c_str());
  EXPECT_EQ(completed, n);
}

TEST_F(CalleeSimTest, BadConfigIsRefusedWithTheField) {
  const auto config = *dir_ / "bad.json";
  std::ofstream(config) << R"({"rules": [{"match": "(", "persona": "busy"}]})";
  auto [status, out] = test::run({VOQO_BINARY, "callee-sim", "--sip-port", "0", "--config", config.string()});
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("rules[0].match"), std::string::npos) << out;
}

}  // namespace
}  // namespace voqo
