// The abandon rate against a real callee (issue 18 §9, done-when "a
// callee-sim persona that answers and hangs up if the agent is silent for 2 s
// is counted as abandoned; the cap slows the campaign"): `voqo callee-sim`
// with every number on the impatient persona, swarm campaigns run by the
// dialer in this process, and the metrics API of a real server over the same
// store. An agent that waits for the callee's hello (greetOnAnswer false, the
// default) leaves the impatient callee 2 s in silence: it hangs up, and the
// call is stored abandoned; the campaign's abandon cap then halves its pace
// and concurrency until one call runs at a time. An agent that greets on the
// answer keeps the same callee on the line: not abandoned, "Not Interested".
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "campaign/swarm.hpp"
#include "store/store.hpp"
#include "support/api_server.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using test::body_json;
using namespace std::chrono_literals;

class AbandonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto config = dir_.path() / "impatient.json";
    std::ofstream(config) << R"({"rules": [], "default": "impatient"})";
    port_ = test::free_loopback_port();
    sim_ = std::make_unique<test::Subprocess>(std::vector<std::string>{
        VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(port_), "--log-level", "info",
        "--answer-delay-ms", "0", "--config", config.string()});
    ASSERT_TRUE(sim_->wait_for_line("callee-sim listening", 60s)) << sim_->output();

    calls::CallServiceConfig cfg;
    cfg.sip_listen_ip = "127.0.0.1";
    cfg.sip_port = 0;
    cfg.recordings_dir = dir_.path() / "recordings";
    cfg.brain_factory = {};  // no LLM configured: the scripted brain
    cfg.worker_threads = 8;
    cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(port_));
    cfg.ring_timeout = 5s;
    auto service = calls::CallService::create(api_.store(), cfg);
    for (int i = 0; i < 5 && !service && service.error().code == ErrorCode::io; ++i)
      service = calls::CallService::create(api_.store(), cfg);
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    auto dialer = campaign::Dialer::create(api_.store(), *service_, nullptr, {.enforce_callee_hours = false});
    ASSERT_TRUE(dialer) << dialer.error().message;
    dialer_ = std::move(*dialer);
    swarm_ = std::make_unique<campaign::SwarmService>(api_.store(), dialer_.get(), campaign::SwarmConfig{.run_thread = false});
  }
  void TearDown() override {
    swarm_.reset();
    dialer_.reset();
    service_.reset();
  }

  WorkspaceId ws() { return api_.workspace(); }

  /// An agent on the property_sales script, through the API (so the setting is validated there).
  std::string agent(json body) {
    body["systemPrompt"] = "You are calling homeowners about a free valuation.";
    body["template"] = "property_sales";
    auto r = api_.post("/api/agents", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return body_json(r).value("id", "");
  }
  /// A campaign with `n` leads and `members` swarm agents of `agent_id`.
  std::string campaign(json body, int n, int members, const std::string& agent_id) {
    body["name"] = "abandon " + std::to_string(++campaigns_);
    auto r = api_.post("/api/campaigns", body);
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string id = body_json(r).value("id", "");
    std::string csv = "name,phone\n";
    for (int i = 0; i < n; ++i) csv += "Lead " + std::to_string(i) + ",+1415555" + std::to_string(3000 + campaigns_ * 100 + i) + "\n";
    std::istringstream in(csv);
    auto up = campaign::import_contacts(api_.store().uploads(), ws(), id, "leads.csv", in, {.region = "US"});
    EXPECT_TRUE(up) << up.error().message;
    for (int i = 0; i < members; ++i) {
      auto m = api_.store().swarm().add_member(ws(), id, {{"voiceAgentId", agent_id}, {"name", "M" + std::to_string(i)}});
      EXPECT_TRUE(m) << m.error().message;
    }
    return id;
  }
  std::vector<json> calls_of(const std::string& job_id) {
    auto page = api_.store().calls().list(
        ws(), store::ListQuery{.limit = 500, .conditions = {{store::Condition::Op::equals, {"job_id"}, job_id}}});
    EXPECT_TRUE(page);
    return page ? std::vector<json>(page->items.begin(), page->items.end()) : std::vector<json>{};
  }
  campaign::JobProgress progress(const std::string& job_id) {
    auto p = dialer_->progress(ws(), job_id);
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : campaign::JobProgress{};
  }
  /// Waits until `done` holds (polling every 50 ms, poking the dialer), at
  /// most `timeout`; returns the most job calls seen `calling` at once meanwhile.
  int64_t run_until(const std::string& job_id, const std::function<bool()>& done, std::chrono::seconds timeout = 180s) {
    int64_t most = 0;
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) {
        ADD_FAILURE() << "timed out; job " << job_id;
        break;
      }
      most = std::max(most, progress(job_id).calling);
      dialer_->poke();
      std::this_thread::sleep_for(50ms);
    }
    return most;
  }
  json compliance(const std::string& campaign_id) {
    auto r = api_.get("/api/campaigns/" + campaign_id + "/metrics?period=daily");
    EXPECT_EQ(r.status, 200) << r.body;
    return body_json(r)["compliance"];
  }
  std::vector<json> alerts(const std::string& campaign_id) {
    auto page = api_.store().swarm().activity().list(
        ws(), store::ListQuery{.limit = 500, .conditions = {{store::Condition::Op::equals, {"campaign_id"}, campaign_id}}});
    std::vector<json> out;
    if (page)
      for (const auto& a : page->items)
        if (a["activityType"] == "alert") out.push_back(a);
    return out;
  }

  static inline int campaigns_ = 0;
  test::ApiServer api_;
  test::TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<test::Subprocess> sim_;
  std::unique_ptr<calls::CallService> service_;
  std::unique_ptr<campaign::Dialer> dialer_;
  std::unique_ptr<campaign::SwarmService> swarm_;
};

TEST_F(AbandonTest, AnAgentThatGreetsOnTheAnswerKeepsTheImpatientCallee) {
  const std::string prompt = agent({{"name", "Prompt"}, {"greetOnAnswer", true}, {"responseDelayMs", 0}});
  const std::string id = campaign({{"maxAgents", 2}, {"callsPerSecond", 10}}, 2, 2, prompt);
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];
  run_until(job_id, [&] {
    auto p = progress(job_id);
    return p.pending == 0 && p.calling == 0;
  });
  const auto records = calls_of(job_id);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r["status"], "completed") << r.dump(2);
    EXPECT_EQ(r["answeredByPerson"], true) << r.dump(2);
    ASSERT_TRUE(r["agentAudioAfterAnswerMs"].is_number()) << r.dump(2);
    EXPECT_LE(r["agentAudioAfterAnswerMs"].get<int64_t>(), calls::kAbandonAfterMs) << r.dump(2);
    EXPECT_EQ(r["abandoned"], false) << r.dump(2);
    // The callee stayed and refused, as not_interested does; the agent ended the call.
    EXPECT_EQ(r["outcome"], "Not Interested") << r.dump(2);
    EXPECT_EQ(r["systemInfo"]["remoteHangup"], false) << r.dump(2);
  }
  const json c = compliance(id);
  EXPECT_EQ(c["answeredByPerson"], 2) << c.dump();
  EXPECT_EQ(c["abandonedCalls"], 0) << c.dump();
  EXPECT_DOUBLE_EQ(c["abandonRate"].get<double>(), 0.0) << c.dump();

  sim_->signal(SIGINT);
  EXPECT_EQ(sim_->wait(20s), 0) << sim_->output();
  EXPECT_NE(sim_->output().find("0 impatient hang-ups"), std::string::npos) << sim_->output();
}

TEST_F(AbandonTest, ImpatientCalleesLeftSilentAreAbandonedAndTheCapSlowsTheCampaign) {
  // Waits for the callee's hello (the default), then answering-machine
  // detection's 2.5 s of silence, then 1 s more: the impatient callee is gone at 2 s.
  const std::string slow = agent({{"name", "Slow"}, {"responseDelayMs", 1000}});
  const int leads = 28;
  const std::string id = campaign({{"maxAgents", 4}, {"callsPerSecond", 10}, {"abandonCapPercent", nullptr}}, leads, 4, slow);
  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];

  // Without a cap: 20 calls, several at once, and the scheduler leaves the pace alone.
  const int64_t most_uncapped = run_until(job_id, [&] { return calls_of(job_id).size() >= 20; });
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 1.0) << "no cap, no throttle";
  EXPECT_GE(most_uncapped, 2) << "4 members, pace 10/s: calls overlap";
  EXPECT_TRUE(alerts(id).empty());

  // Every call so far: answered by a person, no agent audio in 2 s, the callee hung up.
  for (const auto& r : calls_of(job_id)) {
    EXPECT_EQ(r["answeredByPerson"], true) << r.dump(2);
    EXPECT_EQ(r["abandoned"], true) << r.dump(2);
    if (r["agentAudioAfterAnswerMs"].is_number()) {
      EXPECT_GT(r["agentAudioAfterAnswerMs"].get<int64_t>(), calls::kAbandonAfterMs) << r.dump(2);
    }
    EXPECT_EQ(r["systemInfo"]["remoteHangup"], true) << r.dump(2);
  }
  // The metrics API counts them.
  json c = compliance(id);
  const auto stored = static_cast<int64_t>(calls_of(job_id).size());
  EXPECT_GE(c["answeredByPerson"].get<int64_t>(), 20) << c.dump();
  EXPECT_EQ(c["abandonedCalls"], c["answeredByPerson"]) << c.dump();
  EXPECT_DOUBLE_EQ(c["abandonRate"].get<double>(), 100.0) << c.dump();
  EXPECT_LE(c["answeredByPerson"].get<int64_t>(), stored) << c.dump();

  // The cap (3 %) set while it runs: each scheduler pass halves pace and concurrency.
  auto patched = swarm_->update(ws(), id, {{"abandonCapPercent", 3}});
  ASSERT_TRUE(patched) << patched.error().message;
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 0.5);
  swarm_->tick();
  EXPECT_EQ(dialer_->throttle(job_id), 0.25) << "4 members × 0.25: one call at a time";
  auto logged = alerts(id);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_DOUBLE_EQ(logged[0]["details"]["abandonRatePercent"].get<double>(), 100.0) << logged[0].dump();

  // Once the calls placed before the cap have ended, the rest go one at a time.
  run_until(job_id, [&] { return progress(job_id).calling <= 1; });
  ASSERT_GT(progress(job_id).pending, 0) << "leads left to call under the cap";
  const int64_t most_capped = run_until(job_id, [&] {
    auto p = progress(job_id);
    return p.pending == 0 && p.calling == 0;
  });
  EXPECT_EQ(most_capped, 1) << "the cap slowed the campaign to one call at a time (was " << most_uncapped << ")";

  const auto all = calls_of(job_id);
  EXPECT_EQ(all.size(), static_cast<size_t>(leads)) << "every lead called once";
  c = compliance(id);
  EXPECT_EQ(c["answeredByPerson"], leads) << c.dump();
  EXPECT_EQ(c["abandonedCalls"], leads) << c.dump();

  sim_->signal(SIGINT);
  EXPECT_EQ(sim_->wait(20s), 0) << sim_->output();
  EXPECT_NE(sim_->output().find(std::to_string(leads) + " impatient hang-ups"), std::string::npos) << sim_->output();
}

TEST_F(AbandonTest, GreetOnAnswerMustBeABoolean) {
  auto r = api_.post("/api/agents", {{"name", "Odd"}, {"systemPrompt", "You are calling homeowners."}, {"greetOnAnswer", "yes"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(body_json(r).value("field", ""), "greetOnAnswer") << r.body;
  auto d = api_.post("/api/agents", {{"name", "Plain"}, {"systemPrompt", "You are calling homeowners."}});
  ASSERT_EQ(d.status, 201) << d.body;
  EXPECT_EQ(body_json(d)["greetOnAnswer"], false) << "the documented default: wait for the callee's hello";
}

}  // namespace
}  // namespace voqo
