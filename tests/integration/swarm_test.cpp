// Swarm campaigns (issue 18) against `voqo callee-sim` (the real binary, on
// loopback, personas by the dialed number's last digit): a team of swarm
// agents of two script versions places the campaign's calls one each, an
// autoscaling rule grows the team 2 → 4 and says so in the activity log,
// objectives advance with the results, the recent-calls feed and the
// campaign's totals equal the stored calls, and pausing, editing the pace
// and resuming lose and repeat nothing. Then leads added to a running
// campaign are dialed once, a campaign without recording writes none, and a
// scheduled campaign starts and ends by itself on a fake clock.
#include <gtest/gtest.h>

#include <array>

#include <atomic>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "brain/scripted_brain.hpp"
#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "campaign/swarm.hpp"
#include "core/time.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class SwarmTest : public test::SipSuite {
 protected:
  static void SetUpTestSuite() {
    test::SipSuite::SetUpTestSuite();
    // The callee simulator: answers at once and hangs up each call after 2 s.
    start_sim(2);
  }
  static void start_sim(int max_call_seconds) {
    port_ = test::free_loopback_port();
    sim_ = new test::Subprocess({VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(port_),
                                 "--log-level", "info", "--answer-delay-ms", "0", "--max-call-seconds",
                                 std::to_string(max_call_seconds)});
    auto line = sim_->wait_for_line("callee-sim listening", 60s);
    ASSERT_TRUE(line) << sim_->output();
  }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
    test::SipSuite::TearDownTestSuite();
  }

  void SetUp() override {
    auto cfg = loopback_config();
    cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(port_));
    cfg.ring_timeout = 5s;
    auto service = calls::CallService::create(*store_, cfg);
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    campaign::DialerConfig dc{.clock = [this] { return now(); }, .enforce_callee_hours = false};
    auto dialer = campaign::Dialer::create(*store_, *service_, nullptr, dc);
    ASSERT_TRUE(dialer) << dialer.error().message;
    dialer_ = std::move(*dialer);
    swarm_ = std::make_unique<campaign::SwarmService>(
        *store_, dialer_.get(), campaign::SwarmConfig{.clock = [this] { return now(); }, .run_thread = false});
  }
  void TearDown() override {
    swarm_.reset();
    dialer_.reset();
    service_.reset();
  }

  std::chrono::system_clock::time_point now() const { return std::chrono::system_clock::now() + offset_.load(); }
  WorkspaceId ws() { return test::default_workspace(*store_); }

  std::string tester_id() {
    auto a = store_->agents().records().list(
        ws(), store::ListQuery{.limit = 1, .conditions = {{store::Condition::Op::equals, {"name"}, std::string("Tester")}}});
    return a->items.at(0)["id"];
  }

  /// A campaign from `body` (name added) with an upload of `phones`.
  std::string campaign(json body, const std::vector<std::string>& phones) {
    body["name"] = "swarm " + std::to_string(++campaigns_);
    auto c = store_->campaigns().create(ws(), body);
    EXPECT_TRUE(c) << c.error().message;
    const std::string id = (*c)["id"];
    if (!phones.empty()) upload(id, phones);
    return id;
  }
  std::string upload(const std::string& campaign_id, const std::vector<std::string>& phones) {
    std::string csv = "name,phone,company\n";
    for (const auto& p : phones) csv += "Lead " + p.substr(p.size() - 3) + "," + p + ",Acme " + p.substr(p.size() - 2) + "\n";
    std::istringstream in(csv);
    auto r = campaign::import_contacts(store_->uploads(), ws(), campaign_id, "leads.csv", in, {.region = "US"});
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->upload_id : std::string();
  }
  /// Numbers +1415555 2<n><last digit>: the callee-sim's persona is the last digit.
  static std::string phone(int n, int persona) { return "+1415555" + std::to_string(2000 + n * 10 + persona); }

  json member(const std::string& campaign_id, json body) {
    if (!body.contains("voiceAgentId")) body["voiceAgentId"] = tester_id();
    auto m = store_->swarm().add_member(ws(), campaign_id, body);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : json();
  }

  json get(const std::string& campaign_id) { return *store_->campaigns().get(ws(), campaign_id); }
  std::vector<json> rows(store::Repository& repo, const std::string& column, const std::string& value) {
    auto page = repo.list(ws(), store::ListQuery{.limit = 500, .conditions = {{store::Condition::Op::equals, {column}, value}}});
    EXPECT_TRUE(page);
    return page ? std::vector<json>(page->items.begin(), page->items.end()) : std::vector<json>{};
  }
  std::vector<json> activity(const std::string& campaign_id, const std::string& type) {
    std::vector<json> out;
    for (auto& a : rows(store_->swarm().activity(), "campaign_id", campaign_id))
      if (a["activityType"] == type) out.push_back(a);
    return out;
  }

  /// Waits until the campaign's job has no pending or calling job call (or `timeout`).
  void wait_idle(const std::string& job_id, std::chrono::seconds timeout = 120s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto p = dialer_->progress(ws(), job_id);
      if (p && p->pending == 0 && p->calling == 0) return;
      dialer_->poke();
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "job " << job_id << " still has calls to place";
  }

  static inline int campaigns_ = 0;
  static inline int synthetic_ = 0;
  static inline uint16_t port_ = 0;
  static inline test::Subprocess* sim_ = nullptr;
  std::atomic<std::chrono::system_clock::duration> offset_{std::chrono::system_clock::duration::zero()};
  std::unique_ptr<calls::CallService> service_;
  std::unique_ptr<campaign::Dialer> dialer_;
  std::unique_ptr<campaign::SwarmService> swarm_;
};

TEST_F(SwarmTest, AgentsScaleTwoToFourObjectivesAdvanceAndPauseEditResumeLoseNothing) {
  // 16 leads: personas interested (0), not interested (1), wrong number (3), busy (6).
  std::vector<std::string> phones;
  for (int i = 0; i < 16; ++i) phones.push_back(phone(i, std::array{0, 1, 3, 6}[i % 4]));
  const std::string id = campaign({{"minAgents", 2}, {"maxAgents", 4}, {"autoscalingEnabled", true},
                                   {"callsPerSecond", 2}, {"retry", {{"maxAttempts", 1}, {"backoffMinutes", 0}}}},
                                  phones);
  const json a = member(id, {{"name", "Ava"}, {"scriptVersion", "A"}});
  const json b = member(id, {{"name", "Ben"}, {"scriptVersion", "B"}, {"personalityProfile", "FRIENDLY"}});
  EXPECT_EQ(a["agentId"], a["id"]) << "the reply carries the specification's agentId";
  EXPECT_EQ(a["status"], "offline") << "a member of a campaign that is not running is offline";
  auto rule = store_->swarm().rules().create(ws(), {{"name", "queue deep"}, {"ruleType", "queue_based"}, {"metric", "queue_depth"},
                                                    {"operator", ">"}, {"threshold", 3}, {"action", "scale_up"},
                                                    {"scaleAmount", 2}, {"cooldownSeconds", 0}}, id);
  ASSERT_TRUE(rule) << rule.error().message;
  auto calls_obj = store_->swarm().objectives().create(ws(), {{"objective", "Reach everyone"}, {"targetValue", 16}, {"unit", "calls"}}, id);
  auto connects_obj = store_->swarm().objectives().create(ws(), {{"objective", "Talk to 5"}, {"targetValue", 5}, {"unit", "connects"}}, id);
  ASSERT_TRUE(calls_obj && connects_obj);

  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ((*started)["status"], "active");
  EXPECT_EQ((*started)["activeAgents"], 2);
  const std::string job_id = (*started)["jobId"];
  EXPECT_EQ(store_->jobs().records().get(ws(), job_id)->value("totalCalls", 0), 16);
  swarm_->tick();  // queue_depth (16, less what left at once) > 3: 2 → 4
  EXPECT_EQ(get(id)["activeAgents"], 4);
  auto scaled = activity(id, "auto_scaled");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0]["details"]["metric"], "queue_depth");
  EXPECT_GT(scaled[0]["details"]["value"].get<double>(), 3) << "contacts due now (a call may have left before the pause)";
  EXPECT_EQ(scaled[0]["details"]["fromAgents"], 2);
  EXPECT_EQ(scaled[0]["details"]["toAgents"], 4);
  auto team = rows(store_->swarm().agents(), "campaign_id", id);
  ASSERT_EQ(team.size(), 4u);
  std::set<std::string> versions;
  for (const auto& m : team) versions.insert(m.value("scriptVersion", ""));
  EXPECT_EQ(versions, (std::set<std::string>{"A", "B"})) << "the clones are of the campaign's two variants";
  swarm_->tick();  // cooldown 0, but at max agents: nothing more
  EXPECT_EQ(activity(id, "auto_scaled").size(), 1u);

  // Run: sample the members' states while calls go out.
  std::map<std::string, std::vector<std::string>> seen;  // member → its states in order (changes only)
  std::atomic<bool> done{false};
  int peak_calling = 0;
  std::thread sampler([&] {
    while (!done) {
      int calling = 0;
      for (const auto& m : rows(store_->swarm().agents(), "campaign_id", id)) {
        auto& states = seen[m["id"]];
        const std::string s = m["status"];
        if (states.empty() || states.back() != s) states.push_back(s);
        calling += s == "calling";
      }
      peak_calling = std::max(peak_calling, calling);
      std::this_thread::sleep_for(20ms);
    }
  });
  // Pause once some results are in; edit the pace; resume.
  const auto until = std::chrono::steady_clock::now() + 120s;
  while (get(id)["totalCalls"].get<int>() < 5 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  auto paused = swarm_->pause(ws(), id);
  ASSERT_TRUE(paused) << paused.error().message;
  auto edited = swarm_->update(ws(), id, {{"callsPerSecond", 5}, {"maxAgents", 3}});
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(store_->jobs().records().get(ws(), job_id)->value("callsPerSecond", 0.0), 5.0) << "the job takes the new pace";
  // Calls in progress finish (their members go idle); then nothing new leaves.
  auto calling = [&] {
    int n = 0;
    for (const auto& m : rows(store_->swarm().agents(), "campaign_id", id)) n += m["status"] == "calling";
    return n;
  };
  const auto drained = std::chrono::steady_clock::now() + 60s;
  while (calling() > 0 && std::chrono::steady_clock::now() < drained) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(calling(), 0) << "the calls in progress when it paused have ended";
  const int while_paused = get(id)["totalCalls"];
  EXPECT_LT(while_paused, 16);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(calling(), 0) << "a paused campaign places no call";
  EXPECT_EQ(get(id)["totalCalls"], while_paused) << "a paused campaign places no call";
  ASSERT_TRUE(swarm_->resume(ws(), id));
  wait_idle(job_id);
  done = true;
  sampler.join();

  // Every lead called exactly once; the job and the campaign finished.
  auto job_calls = rows(store_->jobs().job_calls(), "job_id", job_id);
  ASSERT_EQ(job_calls.size(), 16u);
  for (const auto& jc : job_calls) {
    EXPECT_EQ(jc["attempts"], 1) << jc.dump();
    EXPECT_TRUE(jc["status"] == "completed" || jc["status"] == "failed") << jc.dump();
    EXPECT_TRUE(jc["swarmAgentId"].is_string()) << "placed by a swarm agent: " << jc.dump();
  }
  auto records = rows(store_->calls(), "job_id", job_id);
  EXPECT_EQ(records.size(), 16u) << "one call per lead, none repeated";
  std::this_thread::sleep_for(300ms);
  const json c = get(id);
  EXPECT_EQ(c["status"], "completed") << "every lead has a final result";
  EXPECT_EQ(c["totalCalls"], 16);
  int connected = 0;
  std::map<std::string, json> by_call;
  for (const auto& r : records) {
    connected += r["status"] == "completed";
    by_call[r["id"]] = r;
  }
  EXPECT_EQ(c["failedCalls"], 16 - connected);
  EXPECT_GE(connected, 8) << "personas 0, 1 and 3 answer";
  EXPECT_LE(peak_calling, 4) << "one call per agent, at most maxAgents";
  EXPECT_GE(peak_calling, 2);

  // The feed equals the stored calls.
  auto feed = rows(store_->swarm().recent_calls(), "campaign_id", id);
  ASSERT_EQ(feed.size(), 16u);
  for (const auto& f : feed) {
    ASSERT_TRUE(by_call.contains(f["callId"])) << f.dump();
    const json& r = by_call[f["callId"]];
    EXPECT_EQ(f["status"], r["status"]);
    EXPECT_EQ(f["outcome"], r["outcome"]);
    EXPECT_EQ(f["phone"], r["toPhone"]);
    EXPECT_EQ(f["duration"], r["duration"]);
    EXPECT_TRUE(f["company"].get<std::string>().starts_with("Acme ")) << f.dump();
  }
  // Objectives advanced with the outcomes.
  auto calls_now = *store_->swarm().objectives().get(ws(), (*calls_obj)["id"], id);
  EXPECT_EQ(calls_now["currentValue"], 16);
  EXPECT_EQ(calls_now["status"], "completed");
  EXPECT_EQ(calls_now["completionPercentage"], 100);
  auto connects_now = *store_->swarm().objectives().get(ws(), (*connects_obj)["id"], id);
  EXPECT_EQ(connects_now["currentValue"].get<int>(), connected) << "a met objective keeps counting";
  EXPECT_EQ(connects_now["status"], "completed");
  EXPECT_EQ(activity(id, "objective_completed").size(), 2u);

  // Members went idle → calling → idle; the totals add up.
  int member_calls = 0;
  for (const auto& m : rows(store_->swarm().agents(), "campaign_id", id)) {
    member_calls += m["totalCalls"].get<int>();
    if (m["answeredCalls"].get<int>() > 0) {
      EXPECT_DOUBLE_EQ(m["averageDurationS"].get<double>(),
                       m["totalDurationS"].get<double>() / m["answeredCalls"].get<double>()) << m.dump();
    }
    EXPECT_TRUE(m["currentCallId"].is_null()) << m.dump();
    if (m["totalCalls"].get<int>() == 0) continue;
    const auto& states = seen[m["id"]];
    auto calling = std::find(states.begin(), states.end(), "calling");
    ASSERT_NE(calling, states.end()) << m["name"];
    // After its call a member is idle, or paused when maxAgents 3 let it go
    // (idle → paused may fall between two samples).
    EXPECT_TRUE(std::find_if(calling, states.end(), [](const std::string& s) { return s == "idle" || s == "paused"; }) !=
                states.end())
        << m["name"] << " back to idle (or let go) after its call; states: " << json(states).dump();
  }
  EXPECT_EQ(member_calls, 16);

  // Measured resource use (issue 18 §2): every answered call ran stages that
  // cost CPU and held memory; a member's figures are its calls' (CPU and API
  // calls summed, memory the largest).
  std::map<std::string, std::array<int64_t, 3>> by_member;  // cpu, memory, api
  for (const auto& r : records) {
    if (r["status"] == "completed") {
      EXPECT_GE(r["cpuMs"].get<int64_t>(), 1) << r.dump();
      EXPECT_GT(r["memoryBytes"].get<int64_t>(), 0) << r.dump();
    }
    auto& m = by_member[r["swarmAgentId"].get<std::string>()];
    m[0] += r["cpuMs"].get<int64_t>();
    m[1] = std::max(m[1], r["memoryBytes"].get<int64_t>());
    m[2] += r["apiCalls"].get<int64_t>();
  }
  for (const auto& m : rows(store_->swarm().agents(), "campaign_id", id)) {
    const auto want = by_member[m["id"].get<std::string>()];
    EXPECT_EQ(m["cpuMs"].get<int64_t>(), want[0]) << m.dump();
    EXPECT_EQ(m["memoryBytes"].get<int64_t>(), want[1]) << m.dump();
    EXPECT_EQ(m["apiCalls"].get<int64_t>(), want[2]) << m.dump();
  }
}

TEST_F(SwarmTest, LeadsAddedToARunningCampaignAreDialedOnce) {
  // An API-fed campaign keeps running when its queue empties.
  const std::string id = campaign({{"leadSource", "api_webhook"}, {"callsPerSecond", 10}, {"minAgents", 2}, {"maxAgents", 2}},
                                  {phone(30, 1), phone(31, 1)});
  member(id, {{"name", "Cy"}});
  member(id, {{"name", "Di"}});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];
  wait_idle(job_id);
  EXPECT_EQ(get(id)["status"], "active") << "an API-fed campaign waits for more leads";
  // One new lead, one already called, one twice in the same file.
  upload(id, {phone(31, 1), phone(32, 1), phone(33, 1), phone(33, 1)});
  EXPECT_EQ(store_->jobs().records().get(ws(), job_id)->value("totalCalls", 0), 4);
  wait_idle(job_id);
  std::map<std::string, int> per_phone;
  for (const auto& r : rows(store_->calls(), "job_id", job_id)) ++per_phone[r["toPhone"]];
  EXPECT_EQ(per_phone.size(), 4u);
  for (const auto& [p, n] : per_phone) EXPECT_EQ(n, 1) << p << " dialed " << n << " times";
  EXPECT_EQ(activity(id, "leads_added").size(), 1u);
  ASSERT_TRUE(swarm_->stop(ws(), id));
  EXPECT_EQ(get(id)["status"], "stopped");
  for (const auto& m : rows(store_->swarm().agents(), "campaign_id", id)) EXPECT_EQ(m["status"], "offline");
}

TEST_F(SwarmTest, TheLeadFilterDecidesWhichLeadsTheCampaignCalls) {
  const std::string id = campaign({{"callsPerSecond", 10},
                                   {"leadFilter", {{"minLeadScore", 50}, {"excludeStatuses", {"unqualified"}}}}},
                                  {phone(60, 1), phone(61, 1), phone(62, 1), phone(63, 1)});
  // Scores and statuses as a lead source writes them: 80 new, 20 new, none, 90 unqualified.
  ASSERT_TRUE(store_->db().write([&](store::Connection& c) -> Result<void> {
    for (const auto& [p, score, status] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {phone(60, 1), "80", "new"}, {phone(61, 1), "20", "new"}, {phone(63, 1), "90", "unqualified"}})
      if (auto r = c.exec("UPDATE batch_contacts SET lead_score = " + score + ", lead_status = '" + status +
                          "' WHERE phone = '" + p + "'");
          !r)
        return r;
    return {};
  }));
  member(id, {{"name", "Jo"}});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];
  auto job_calls = rows(store_->jobs().job_calls(), "job_id", job_id);
  ASSERT_EQ(job_calls.size(), 1u) << "only the lead scored 80 and not unqualified";
  EXPECT_EQ(job_calls[0]["phone"], phone(60, 1));
  wait_idle(job_id);
  ASSERT_TRUE(swarm_->stop(ws(), id).has_value() || get(id)["status"] == "completed");
}

TEST_F(SwarmTest, AnAbandonRateOverTheCapSlowsTheCampaignAndRecoveringSpeedsItUp) {
  // An API-fed campaign stays active with an empty queue: its job is there to slow.
  const std::string id = campaign({{"leadSource", "api_webhook"}, {"abandonCapPercent", 3}}, {phone(70, 1)});
  member(id, {{"name", "Kit"}});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];
  wait_idle(job_id);
  // 40 calls answered by a person in the last 30 days, 4 of them abandoned: 10 % > 3 %.
  store::CallStore calls(store_->db());
  auto add = [&](int n, bool abandoned) {
    for (int i = 0; i < n; ++i) {
      store::CallRecord r;
      r.id = "ab" + std::to_string(++synthetic_);
      r.workspace_id = ws();
      r.agent_id = tester_id();
      r.direction = "outbound";
      r.status = "completed";
      r.to_phone = phone(71, 1);
      r.campaign_id = id;
      r.answered_by_person = true;
      r.abandoned = abandoned;
      r.duration_s = 30;
      ASSERT_TRUE(calls.insert(r));
    }
  };
  add(36, false);
  add(4, true);
  EXPECT_EQ(dialer_->throttle(job_id), 1.0);
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 0.5) << "over the cap: half the pace and concurrency";
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 0.25) << "still over: slower again";
  auto alerts = activity(id, "alert");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0]["status"], "warning");
  // The 40 above, and the campaign's own call (a person answered it; abandoned or not).
  EXPECT_GE(alerts[0]["details"]["abandoned"].get<int>(), 4);
  EXPECT_EQ(alerts[0]["details"]["answeredByPerson"], 41);
  // 200 more calls with agent audio in time: at most 5 / 241 ≈ 2.1 % < 80 % of the cap.
  add(200, false);
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 0.5) << "back under the cap: speeding up again";
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 1.0);
  ASSERT_TRUE(swarm_->stop(ws(), id));
}

TEST_F(SwarmTest, ACampaignWithoutRecordingWritesNoneAndItsCallsSaySo) {
  const std::string id = campaign({{"recordingEnabled", false}, {"callsPerSecond", 10}}, {phone(40, 0)});
  member(id, {{"name", "Ed"}, {"voiceModel", "rms"}});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  wait_idle((*started)["jobId"]);
  auto records = rows(store_->calls(), "job_id", (*started)["jobId"]);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["status"], "completed");
  EXPECT_TRUE(records[0]["recordingUrl"].is_null()) << records[0].dump();
  EXPECT_EQ(records[0]["systemInfo"]["recording"], "disabled by the campaign");
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "recordings" / (records[0]["id"].get<std::string>() + ".wav")));
}

TEST_F(SwarmTest, TheCallRecordSaysWhatBecameOfEachCallFlowStep) {
  // Issue 18 §5: a step whose skipConditions match is skipped (the opening here: the agent
  // always has a name), the call's record keeps each step's result beside phaseSeconds.
  const std::string id = campaign({{"callsPerSecond", 10}}, {phone(41, 0)});
  member(id, {{"name", "Flo"}});
  auto& flows = store_->script_templates().flows();
  ASSERT_TRUE(flows.create(ws(), {{"phase", "opening"}, {"fallbackScript", "This opening is never said."}, {"order", 1},
                                  {"skipConditions", {{"variable", "agent_name"}, {"exists", true}}}}, id));
  ASSERT_TRUE(flows.create(ws(), {{"phase", "ownership"}, {"fallbackScript", "Do you own the property?"}, {"order", 2}}, id));
  // The scripted brain walks the flow (the suite's RepeatBrain knows none).
  swarm_.reset();
  dialer_.reset();
  service_.reset();
  auto cfg = loopback_config();
  cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(port_));
  cfg.ring_timeout = 5s;
  cfg.brain_factory = [](const brain::CallContext& c) { return std::make_unique<brain::ScriptedBrain>(c); };
  auto service = calls::CallService::create(*store_, cfg);
  ASSERT_TRUE(service) << service.error().message;
  service_ = std::move(*service);
  auto dialer = campaign::Dialer::create(*store_, *service_, nullptr,
                                         campaign::DialerConfig{.clock = [this] { return now(); }, .enforce_callee_hours = false});
  ASSERT_TRUE(dialer) << dialer.error().message;
  dialer_ = std::move(*dialer);
  swarm_ = std::make_unique<campaign::SwarmService>(
      *store_, dialer_.get(), campaign::SwarmConfig{.clock = [this] { return now(); }, .run_thread = false});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  wait_idle((*started)["jobId"]);
  auto records = rows(store_->calls(), "job_id", (*started)["jobId"]);
  ASSERT_EQ(records.size(), 1u);
  const json& info = records[0]["systemInfo"];
  ASSERT_TRUE(info["callFlowSteps"].is_array()) << info.dump();
  EXPECT_EQ(info["callFlowSteps"][0], json({{"phase", "opening"}, {"result", "skipped"}})) << info.dump();
  EXPECT_EQ(info["callFlowSteps"][1], json({{"phase", "ownership"}, {"result", "reached"}})) << info.dump();
  EXPECT_FALSE(info["phaseSeconds"].contains("opening")) << "a skipped step's phase is never entered: " << info.dump();
  for (const auto& line : records[0]["transcript"])
    EXPECT_EQ(line.value("text", "").find("never said"), std::string::npos) << line.dump();
}

TEST_F(SwarmTest, ACallCutOffByStopStillCountsInTheTotalsAndTheFeed) {
  const std::string id = campaign({{"callsPerSecond", 10}}, {phone(70, 0), phone(71, 0), phone(72, 0)});
  member(id, {{"name", "Lou"}});
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];
  // Stop while the first call is in progress: placed by the call service,
  // not only claimed by the dialer (a stop between the two places nothing,
  // which is right but not what this test is about).
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until) {
    auto p = dialer_->progress(ws(), job_id);
    if (p && p->calling > 0 && service_->active_calls() > 0) break;
    dialer_->poke();
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(dialer_->progress(ws(), job_id)->calling, 1) << "a call in progress";
  ASSERT_TRUE(swarm_->stop(ws(), id));
  // The call ends (the simulator hangs up after 2 s) and its result is applied.
  const auto settled = std::chrono::steady_clock::now() + 30s;
  std::vector<json> records;
  while (std::chrono::steady_clock::now() < settled) {
    records = rows(store_->calls(), "job_id", job_id);
    if (!records.empty() && rows(store_->swarm().recent_calls(), "campaign_id", id).size() == records.size()) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(records.size(), 1u) << "only the call in progress was placed";
  EXPECT_EQ(rows(store_->swarm().recent_calls(), "campaign_id", id).size(), 1u);
  EXPECT_EQ(get(id)["totalCalls"], 1);
  EXPECT_EQ(get(id)["status"], "stopped");
  auto agents = rows(store_->swarm().agents(), "campaign_id", id);
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0]["totalCalls"], 1);
  EXPECT_TRUE(agents[0]["currentCallId"].is_null()) << "the member holds no call after the stop";
}

TEST_F(SwarmTest, AScheduledCampaignStartsOnItsStartDateAndCompletesAtItsEndDate) {
  const auto t0 = now();
  const std::string id = campaign({{"startDate", to_iso8601(t0 + 1h)}, {"endDate", to_iso8601(t0 + 3h)},
                                   {"leadSource", "manual_entry"}, {"callsPerSecond", 10}},
                                  {phone(50, 1)});
  member(id, {{"name", "Flo"}});
  swarm_->tick();
  EXPECT_EQ(get(id)["status"], "scheduled") << "before its start date";
  offset_ = 2h;
  swarm_->tick();
  EXPECT_EQ(get(id)["status"], "active");
  EXPECT_EQ(activity(id, "campaign_started").size(), 1u);
  wait_idle(get(id)["jobId"]);
  offset_ = 4h;
  swarm_->tick();
  const json c = get(id);
  EXPECT_EQ(c["status"], "completed");
  EXPECT_TRUE(c["completedAt"].is_string());
  EXPECT_FALSE(swarm_->start(ws(), id)) << "a completed campaign does not start again";
}

TEST_F(SwarmTest, BadSwarmInputIsRefusedNamingTheField) {
  const std::string id = campaign({}, {});
  EXPECT_EQ(campaign::check_campaign_body({{"activeHours", {{"start", "09:00"}, {"end", "17:00"}, {"timezone", "Mars/Base"}}}}, json())
                .error().field(),
            "activeHours.timezone");
  EXPECT_EQ(campaign::check_campaign_body({{"activeHours", {{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", {7}}}}}, json())
                .error().field(),
            "activeHours.daysOfWeek");
  EXPECT_EQ(campaign::check_campaign_body({{"minAgents", 5}, {"maxAgents", 2}}, json()).error().field(), "minAgents");
  EXPECT_EQ(campaign::check_campaign_body({{"leadFilter", {{"minLeadScore", 101}}}}, json()).error().field(), "leadFilter.minLeadScore");
  EXPECT_EQ(campaign::check_campaign_body({{"startDate", "2026-12-10T00:00:00Z"}, {"endDate", "2026-12-09T00:00:00Z"}}, json())
                .error().field(),
            "endDate");
  // Starting without agents or leads.
  EXPECT_EQ(swarm_->start(ws(), id).error().field(), "agents");
  member(id, {{"name", "Gus"}});
  EXPECT_EQ(swarm_->start(ws(), id).error().field(), "leads");
  // A voice agent of another workspace is not found; a member name is unique in its campaign.
  auto other = store_->access().create_workspace("Swarm tenant B", "enterprise");
  ASSERT_TRUE(other);
  auto foreign = store_->agents().create(other->id, {{"name", "Foreign"}, {"systemPrompt", "You are a foreign agent."}});
  ASSERT_TRUE(foreign);
  auto m = store_->swarm().add_member(ws(), id, {{"voiceAgentId", (*foreign)["id"]}, {"name", "Hal"}});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::not_found);
  EXPECT_EQ(m.error().field(), "voiceAgentId");
  auto dup = store_->swarm().add_member(ws(), id, {{"voiceAgentId", tester_id()}, {"name", "Gus"}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  // The campaign of another workspace is not found through this one.
  EXPECT_EQ(store_->swarm().add_member(other->id, id, {{"voiceAgentId", (*foreign)["id"]}, {"name", "Ivy"}}).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(swarm_->start(other->id, id).error().code, ErrorCode::not_found);
}

// Issue 18 §6 against the simulator with conversations long enough to talk:
// the campaign's configuration escalates on a keyword the callee says, the
// agent hands off and transfers (SIP REFER) to the configured number, and the
// escalation leaves its alert (activity row, webhook) and the call says so.
class SwarmEscalationTest : public SwarmTest {
 protected:
  static void SetUpTestSuite() {
    test::SipSuite::SetUpTestSuite();
    start_sim(25);
  }
};

TEST_F(SwarmEscalationTest, AKeywordEscalatesAlertsAndTransfersToTheConfiguredHuman) {
  const std::string id = campaign({{"callsPerSecond", 10}}, {phone(60, 1)});  // not_interested: "No thanks, I am not interested."
  member(id, {{"name", "Kim"}});
  auto conf = store_->swarm_configurations().put(ws(), id,
                                                 {{"escalateOnHumanRequest", false},
                                                  {"escalationKeywords", {"not interested"}},
                                                  {"autoTransfer", true},
                                                  {"transferNumber", "+1 415 555 0999"},
                                                  {"alertWebhookUrl", "http://127.0.0.1:9/alerts"},
                                                  {"maxCallDurationMin", 1}});
  ASSERT_TRUE(conf) << conf.error().message;
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  wait_idle((*started)["jobId"]);
  auto records = rows(store_->calls(), "job_id", (*started)["jobId"]);
  ASSERT_EQ(records.size(), 1u);
  const json& info = records[0]["systemInfo"];
  EXPECT_EQ(info["configuration"], conf->first["id"]) << info.dump();
  ASSERT_TRUE(info["escalation"].is_object()) << records[0]["transcript"].dump() << "\n" << info.dump();
  EXPECT_EQ(info["escalation"]["trigger"], "keyword");
  EXPECT_EQ(info["escalation"]["detail"], "not interested");
  EXPECT_EQ(info["escalation"]["transferTo"], "+14155550999") << "normalised to E.164";
  EXPECT_TRUE(info["transfer"].is_object()) << "a REFER was sent: " << info.dump();
  // The agent said the hand-off line.
  bool handed_off = false;
  for (const auto& line : records[0]["transcript"])
    if (line.value("speaker", "") == "agent" && line.value("text", "").find("connect you with a colleague") != std::string::npos)
      handed_off = true;
  EXPECT_TRUE(handed_off) << records[0]["transcript"].dump();
  const std::string call_id = records[0]["id"];
  auto escalations = activity(id, "escalation");
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0]["callId"], call_id);
  EXPECT_EQ(escalations[0]["status"], "warning");
  EXPECT_EQ(escalations[0]["details"]["trigger"], "keyword");
  auto hooks = rows(store_->webhook_events(), "call_id", call_id);
  int escalated = 0;
  for (const auto& h : hooks)
    if (h["event"] == "call.escalated") {
      ++escalated;
      EXPECT_EQ(h["url"], "http://127.0.0.1:9/alerts");
    }
  EXPECT_EQ(escalated, 1);
}

}  // namespace
}  // namespace voqo
