// The dialer runs jobs against a real SIP peer (sipp as the callee, one
// process answering every call of a job): pacing, retries, do-not-call,
// calling windows on a fake clock, callbacks, pause/resume/cancel, a trunk
// that refuses everything, and bad jobs.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "campaign/do_not_call.hpp"
#include "core/time.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// Ends every call at once with a scheduled callback (the scripted brain's
/// "Call Back Later"), for the callback rule alone.
class CallbackBrain final : public brain::Brain {
 public:
  explicit CallbackBrain(std::chrono::system_clock::time_point at) : at_(at) {}
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override {
    sink("Hello.");
    return brain::Reply{};
  }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink&, std::stop_token) override { return brain::Reply{}; }
  void interrupted(std::string_view) override {}
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    brain::CallResult r;
    r.outcome = brain::Outcome::call_back_later;
    r.callback_at = at_;
    return r;
  }

 private:
  std::chrono::system_clock::time_point at_;
};

class DialerTest : public test::SipSuite {
 protected:
  /// A sipp UAS playing `scenario` for every call.
  std::unique_ptr<test::Subprocess> start_uas(const std::string& scenario, uint16_t& port) {
    port = test::free_loopback_port();
    // In the foreground (killed with the test), its screen output discarded so it never blocks on a full pipe.
    auto p = std::make_unique<test::Subprocess>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec /usr/bin/sipp -sf " + std::string(VOQO_SOURCE_DIR) + "/tests/data/sipp/" + scenario + " -i 127.0.0.1 -p " +
            std::to_string(port) + " -mp " + std::to_string(test::free_loopback_port()) + " -nostdin >/dev/null 2>&1"});
    std::this_thread::sleep_for(300ms);
    return p;
  }

  /// A sipp UAS, a call service trunked to it and a dialer (destroyed in reverse).
  struct Rig {
    std::unique_ptr<test::Subprocess> uas;
    std::unique_ptr<calls::CallService> service;
    std::unique_ptr<campaign::Dialer> dialer;
  };
  Rig start(const std::string& scenario, campaign::DialerConfig dc = {.enforce_callee_hours = false},
            std::function<std::unique_ptr<brain::Brain>(const brain::CallContext&)> brain = {}) {
    Rig rig;
    uint16_t port = 0;
    rig.uas = start_uas(scenario, port);
    auto cfg = loopback_config();
    cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(port));
    if (brain) cfg.brain_factory = std::move(brain);
    // A set-up failure ends the test with its message (gtest reports the
    // exception), rather than going on with what was not created.
    auto service = calls::CallService::create(*store_, cfg);
    if (!service) throw std::runtime_error("call service: " + service.error().message);
    rig.service = std::move(*service);
    auto dialer = campaign::Dialer::create(*store_, *rig.service, nullptr, std::move(dc));
    if (!dialer) throw std::runtime_error("dialer: " + dialer.error().message);
    rig.dialer = std::move(*dialer);
    return rig;
  }

  /// The Default workspace, where the suite's Tester agent lives.
  WorkspaceId ws() { return test::default_workspace(*store_); }
  /// A second workspace (created on first use), for the isolation checks.
  WorkspaceId other_workspace() {
    auto found = store_->access().workspace_by_name("Dialer tenant B");
    if (found && *found) return (*found)->id;
    auto made = store_->access().create_workspace("Dialer tenant B", "enterprise");
    if (!made) throw std::runtime_error("workspace: " + made.error().message);
    return made->id;
  }

  /// A campaign with an upload of `n` numbers +1415555 01<10+i>.
  std::pair<std::string, std::string> campaign_with(int n) {
    auto c = store_->campaigns().create(ws(), {{"name", "dialer " + std::to_string(++campaigns_)}});
    EXPECT_TRUE(c.has_value());
    std::string csv = "name,phone\n";
    for (int i = 0; i < n; ++i) csv += "Person " + std::to_string(i) + ",+1415555" + std::to_string(1100 + campaigns_ * 10 + i) + "\n";
    std::istringstream in(csv);
    auto r = campaign::import_contacts(store_->uploads(), ws(), (*c)["id"], "list.csv", in, {.region = "US"});
    EXPECT_TRUE(r.has_value());
    return {(*c)["id"].get<std::string>(), r->upload_id};
  }

  std::string tester_id() {
    // By name: the list is newest first, and a test adds agents of its own.
    auto a = store_->agents().records().list(
        ws(), store::ListQuery{.limit = 1, .conditions = {{store::Condition::Op::equals, {"name"}, std::string("Tester")}}});
    return a->items.at(0)["id"];
  }

  /// Waits until the job's status is final (or `timeout`).
  json wait_final(campaign::Dialer& d, const std::string& job_id, std::chrono::seconds timeout = 60s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto j = store_->jobs().records().get(ws(), job_id);
      const std::string s = j->value("status", "");
      if (s == "completed" || s == "failed" || s == "cancelled") return *j;
      d.poke();
      std::this_thread::sleep_for(100ms);
    }
    return *store_->jobs().records().get(ws(), job_id);
  }

  /// The job's calls as {status → count} straight from job_calls (the tallies).
  std::map<std::string, int64_t> tallies(const std::string& job_id) {
    std::map<std::string, int64_t> out;
    auto page = store_->jobs().job_calls().list(ws(), store::ListQuery{.limit = 500, .conditions = {{store::Condition::Op::equals, {"job_id"}, job_id}}});
    for (const auto& jc : page->items) ++out[jc["status"].get<std::string>()];
    return out;
  }

  std::vector<json> events(const std::string& job_id, const std::string& type) {
    std::vector<json> out;
    store::ListQuery q;
    q.limit = 500;
    q.conditions = {{store::Condition::Op::equals, {"job_id"}, job_id}};
    auto page = store_->job_events().list(ws(), q);
    for (const auto& e : page->items)
      if (e["type"] == type) out.push_back(e);
    return out;
  }

  static inline int campaigns_ = 0;
};

TEST_F(DialerTest, JobCallsEveryContactWithinConcurrencyAndCountersEqualTallies) {
  auto rig = start("answer_hold_1s.xml");
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(6);
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()},
                                    {"maxConcurrent", 2}, {"callsPerSecond", 20}});
  ASSERT_TRUE(job) << job.error().message;
  const std::string id = (*job)["id"];
  // Sample the calls in progress while the job runs: never more than maxConcurrent.
  std::atomic<bool> done{false};
  std::size_t peak = 0;
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak, (*dialer)->in_flight());
      std::this_thread::sleep_for(5ms);
    }
  });
  auto final = wait_final(**dialer, id);
  done = true;
  sampler.join();
  EXPECT_EQ(final["status"], "completed");
  EXPECT_EQ(final["totalCalls"], 6);
  EXPECT_EQ(final["completedCalls"], 6);
  EXPECT_EQ(final["failedCalls"], 0);
  auto t = tallies(id);
  EXPECT_EQ(t["completed"], final["completedCalls"].get<int64_t>());
  EXPECT_LE(peak, 2u);
  EXPECT_GE(peak, 1u);
  EXPECT_EQ(events(id, "dial").size(), 6u);
  // Each call record names its job.
  auto calls = store_->calls().list(ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"job_id"}, id}}});
  EXPECT_EQ(calls->items.size(), 6u);
}

TEST_F(DialerTest, BusyCalleesAreRetriedThenTheJobFailsWithTheReasonNotAHotLoop) {
  auto rig = start("busy.xml");
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(2);
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()},
                                    {"retry", {{"maxAttempts", 3}, {"backoffMinutes", 0}}}, {"callsPerSecond", 20}});
  ASSERT_TRUE(job);
  const std::string id = (*job)["id"];
  auto final = wait_final(**dialer, id);
  EXPECT_EQ(final["status"], "failed");
  EXPECT_NE(final["errorMessage"].get<std::string>().find("all 2 calls failed"), std::string::npos) << final.dump();
  EXPECT_NE(final["errorMessage"].get<std::string>().find("busy: SIP 486 Busy Here after 3 attempts"), std::string::npos) << final.dump();
  EXPECT_EQ(final["failedCalls"], 2);
  EXPECT_EQ(events(id, "dial").size(), 6u);  // 2 contacts × 3 attempts, not one more
  EXPECT_EQ(events(id, "retry").size(), 4u);
  auto calls = store_->calls().list(ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"job_id"}, id}}});
  ASSERT_EQ(calls->items.size(), 6u);
  for (const auto& c : calls->items) EXPECT_EQ(c["status"], "busy");
}

TEST_F(DialerTest, ANumberTheTrunkSaysDoesNotExistIsNotRetried) {
  // 404 Not Found: the call's typed outcome says invalid_number (calls::CallOutcome), so the retry policy
  // that redials busy callees gives up after the first attempt.
  auto rig = start("not_found.xml");
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(2);
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()},
                                    {"retry", {{"maxAttempts", 3}, {"backoffMinutes", 0}}}, {"callsPerSecond", 20}});
  ASSERT_TRUE(job);
  const std::string id = (*job)["id"];
  auto final = wait_final(**dialer, id);
  EXPECT_EQ(final["status"], "failed");
  EXPECT_EQ(final["failedCalls"], 2);
  EXPECT_EQ(events(id, "dial").size(), 2u) << "one attempt per contact";
  EXPECT_TRUE(events(id, "retry").empty());
  auto results = events(id, "result");
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_NE(r["message"].get<std::string>().find("404"), std::string::npos) << r.dump();
    EXPECT_EQ(r["message"].get<std::string>().find("attempt"), std::string::npos) << "no attempt count for a bad number: " << r.dump();
  }
  auto calls = store_->calls().list(ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"job_id"}, id}}});
  ASSERT_EQ(calls->items.size(), 2u);
  for (const auto& c : calls->items) {
    EXPECT_EQ(c["status"], "failed");
    EXPECT_EQ(c["sipCode"], 404);
  }
}

TEST_F(DialerTest, DoNotCallNumbersAreSkippedWithTheReasonAndNeverDialed) {
  auto rig = start("answer_hold_1s.xml");
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(3);
  auto contacts = store_->batch_contacts().list(ws(), store::ListQuery{.limit = 10, .conditions = {{store::Condition::Op::equals, {"upload_id"}, upload_id}}});
  const std::string listed = contacts->items.at(1)["phone"];
  campaign::DoNotCallList dnc(store_->db());
  ASSERT_TRUE(dnc.add(ws(), listed, "asked on an earlier call"));
  // Another workspace's list does not stop this workspace's calls.
  const std::string listed_elsewhere = contacts->items.at(0)["phone"];
  ASSERT_TRUE(dnc.add(other_workspace(), listed_elsewhere, "asked another tenant"));
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()}, {"callsPerSecond", 20}});
  const std::string id = (*job)["id"];
  auto final = wait_final(**dialer, id);
  EXPECT_EQ(final["status"], "completed");
  EXPECT_EQ(final["completedCalls"], 2);
  EXPECT_EQ(final["failedCalls"], 1);
  auto skips = events(id, "skip");
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_NE(skips[0]["message"].get<std::string>().find("do-not-call"), std::string::npos);
  auto calls = store_->calls().list(ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"to_phone"}, listed}}});
  EXPECT_TRUE(calls->items.empty()) << "a do-not-call number was dialed";
  calls = store_->calls().list(ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"to_phone"}, listed_elsewhere}}});
  EXPECT_EQ(calls->items.size(), 1u) << "another workspace's do-not-call entry applied here";
}

TEST_F(DialerTest, OutsideTheCallingWindowCallsWaitUntilItOpensOnTheFakeClock) {
  // Saturday 2026-11-21 12:00 UTC; the window is weekdays 09:00–17:00 in UTC.
  auto seconds_of = [](const char* iso) {
    return std::chrono::duration_cast<std::chrono::seconds>(parse_iso8601(iso)->time_since_epoch()).count();
  };
  std::atomic<int64_t> now_s{seconds_of("2026-11-21T12:00:00Z")};
  campaign::DialerConfig dc;
  dc.enforce_callee_hours = false;
  dc.clock = [&] { return std::chrono::system_clock::time_point(std::chrono::seconds(now_s.load())); };
  auto rig = start("answer_hold_1s.xml", dc);
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(2);
  auto job = (*dialer)->create_job(ws(), 
      {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()}, {"callsPerSecond", 20},
       {"callingWindow", {{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", {1, 2, 3, 4, 5}}}}});
  ASSERT_TRUE(job) << job.error().message;
  const std::string id = (*job)["id"];
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(events(id, "dial").empty()) << "dialed on a Saturday";
  auto waits = events(id, "wait");
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_NE(waits[0]["message"].get<std::string>().find("2026-11-23T09:00:00"), std::string::npos) << waits[0].dump();
  auto p = (*dialer)->progress(ws(), id);
  EXPECT_EQ(p->waiting, 2);
  // Monday 09:00: the window opens and both are called.
  now_s = seconds_of("2026-11-23T09:00:00Z");
  auto final = wait_final(**dialer, id);
  EXPECT_EQ(final["status"], "completed");
  EXPECT_EQ(final["completedCalls"], 2);
}

TEST_F(DialerTest, CallBackLaterSchedulesTheNextAttemptAtTheParsedTime) {
  const auto when = *parse_iso8601("2031-03-04T15:00:00Z");
  auto rig = start("answer_hold_1s.xml", {.enforce_callee_hours = false},
                   [when](const brain::CallContext&) { return std::make_unique<CallbackBrain>(when); });
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(1);
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()}});
  const std::string id = (*job)["id"];
  for (int i = 0; i < 100 && events(id, "retry").empty(); ++i) std::this_thread::sleep_for(100ms);
  auto calls = store_->jobs().job_calls().list(ws(), store::ListQuery{.limit = 5, .conditions = {{store::Condition::Op::equals, {"job_id"}, id}}});
  ASSERT_EQ(calls->items.size(), 1u);
  const auto& jc = calls->items[0];
  EXPECT_EQ(jc["status"], "pending");
  EXPECT_EQ(jc["outcome"], "Call Back Later");
  EXPECT_EQ(jc["attempts"], 1);
  EXPECT_EQ(parse_iso8601(jc["nextAttemptAt"].get<std::string>()), when) << jc.dump();
  EXPECT_EQ(store_->jobs().records().get(ws(), id)->value("status", ""), "running");
  ASSERT_TRUE((*dialer)->cancel(ws(), id));
  EXPECT_EQ(store_->jobs().records().get(ws(), id)->value("status", ""), "cancelled");
  EXPECT_EQ(tallies(id)["failed"], 1);
}

TEST_F(DialerTest, PauseStopsNewCallsResumeContinuesCancelEndsTheRest) {
  auto rig = start("answer_hold_1s.xml");
  auto* dialer = &rig.dialer;
  auto [campaign_id, upload_id] = campaign_with(6);
  auto job = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()},
                                    {"maxConcurrent", 1}, {"callsPerSecond", 20}});
  const std::string id = (*job)["id"];
  for (int i = 0; i < 100 && events(id, "dial").empty(); ++i) std::this_thread::sleep_for(50ms);
  auto paused = (*dialer)->pause(ws(), id);
  ASSERT_TRUE(paused);
  EXPECT_FALSE((*paused)["pausedAt"].is_null());
  const auto dials_at_pause = events(id, "dial").size();
  std::this_thread::sleep_for(3s);  // the call in progress ends; nothing new starts
  EXPECT_EQ(events(id, "dial").size(), dials_at_pause);
  EXPECT_EQ((*dialer)->in_flight(), 0u);
  ASSERT_TRUE((*dialer)->resume(ws(), id));
  for (int i = 0; i < 100 && events(id, "dial").size() == dials_at_pause; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_GT(events(id, "dial").size(), dials_at_pause);
  auto cancelled = (*dialer)->cancel(ws(), id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ((*cancelled)["status"], "cancelled");
  // The call in progress finishes; no job call stays pending; the counters equal the tallies.
  for (int i = 0; i < 100 && (*dialer)->in_flight() > 0; ++i) std::this_thread::sleep_for(100ms);
  auto final = *store_->jobs().records().get(ws(), id);
  auto t = tallies(id);
  EXPECT_EQ(t["pending"], 0);
  EXPECT_EQ(t["calling"], 0);
  EXPECT_EQ(final["completedCalls"].get<int64_t>(), t["completed"]);
  EXPECT_EQ(final["failedCalls"].get<int64_t>(), t["failed"]);
  EXPECT_EQ(t["completed"] + t["failed"], 6);
  EXPECT_FALSE((*dialer)->resume(ws(), id).has_value()) << "a cancelled job resumed";
}

TEST_F(DialerTest, BadJobsAreRefusedNamingTheField) {
  auto cfg = loopback_config();
  auto service = calls::CallService::create(*store_, cfg);
  auto dialer = campaign::Dialer::create(*store_, **service, nullptr, {.enforce_callee_hours = false});
  auto [campaign_id, upload_id] = campaign_with(1);
  // An upload with no callable contact (its only row is rejected).
  auto empty = store_->campaigns().create(ws(), {{"name", "empty"}});
  std::istringstream none("name,phone\nNobody,not a number\n");
  auto report = campaign::import_contacts(store_->uploads(), ws(), (*empty)["id"], "empty.csv", none, {.region = "US"});
  ASSERT_TRUE(report);
  auto r = (*dialer)->create_job(ws(), {{"campaignId", (*empty)["id"]}, {"uploadId", report->upload_id}, {"agentId", tester_id()}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "uploadId");
  // A disabled agent.
  auto agent = store_->agents().create(ws(), {{"name", "Disabled one"}, {"systemPrompt", "You are disabled for this test."}, {"enabled", false}});
  ASSERT_TRUE(agent) << agent.error().message;
  r = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", (*agent)["id"]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_EQ(r.error().field(), "agentId");
  // A bad retry policy and a bad window.
  r = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()}, {"retry", {{"maxAttempts", 0}}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "retry.maxAttempts");
  r = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()},
                             {"callingWindow", {{"start", "9am"}, {"end", "17:00"}, {"timezone", "UTC"}}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "callingWindow.start");
  // Another workspace's agent, campaign or upload is not found from this one,
  // and this workspace's job cannot be driven from the other.
  const WorkspaceId b = other_workspace();
  auto b_agent = store_->agents().create(b, {{"name", "Tester"}, {"systemPrompt", "You are B's agent for this test."}});
  ASSERT_TRUE(b_agent) << b_agent.error().message;
  auto b_camp = store_->campaigns().create(b, {{"name", "B's campaign"}});
  ASSERT_TRUE(b_camp);
  std::istringstream b_csv("name,phone\nBea,+14155559901\n");
  auto b_upload = campaign::import_contacts(store_->uploads(), b, (*b_camp)["id"], "b.csv", b_csv, {.region = "US"});
  ASSERT_TRUE(b_upload) << b_upload.error().message;
  r = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", (*b_agent)["id"]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().field(), "agentId");
  r = (*dialer)->create_job(ws(), {{"campaignId", (*b_camp)["id"]}, {"uploadId", b_upload->upload_id}, {"agentId", tester_id()}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  auto mine = (*dialer)->create_job(ws(), {{"campaignId", campaign_id}, {"uploadId", upload_id}, {"agentId", tester_id()}});
  ASSERT_TRUE(mine) << mine.error().message;
  const std::string job_id = (*mine)["id"];
  for (auto result : {(*dialer)->pause(b, job_id), (*dialer)->resume(b, job_id), (*dialer)->cancel(b, job_id)}) {
    ASSERT_FALSE(result) << "B drove A's job: " << result->dump();
    EXPECT_EQ(result.error().code, ErrorCode::not_found) << result.error().message;
  }
  auto progress = (*dialer)->progress(b, job_id);
  ASSERT_FALSE(progress);
  EXPECT_EQ(progress.error().code, ErrorCode::not_found);
  EXPECT_NE(store_->jobs().records().get(ws(), job_id)->value("status", ""), "cancelled");
  ASSERT_TRUE((*dialer)->cancel(ws(), job_id));
}

}  // namespace
}  // namespace voqo
