// The swarm campaign's realtime queries (issue 18 §10, live/swarm_feed.hpp)
// through the hub, as the WebSocket transport drives it (a session bound to
// the subscriber's workspace): a campaign runs against `voqo callee-sim` and
// the subscriber sees its agents go calling and back to idle, activity rows
// and recent calls arrive, objectives advance and the header's totals grow,
// without polling; another workspace's campaign is not found; bad args name
// the field.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "campaign/swarm.hpp"
#include "live/live_monitor.hpp"
#include "realtime/hub.hpp"
#include "store/store.hpp"
#include "support/sip_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// A hub session's messages, as a transport would send them.
class Client {
 public:
  Client(realtime::Hub& hub, const WorkspaceId& ws) {
    session_ = hub.open_session(
        [this](std::string text) {
          std::lock_guard lock(mutex_);
          messages_.push_back(json::parse(text));
          cv_.notify_all();
        },
        [](int, std::string) {}, json{{"workspaceId", ws.value}});
  }
  ~Client() { session_->close(); }
  void subscribe(const std::string& id, const std::string& query, const json& args) {
    session_->on_message(json{{"type", "subscribe"}, {"id", id}, {"query", query}, {"args", args}}.dump());
  }
  /// Waits (up to `timeout`) until a message satisfies `pred`; returns it (null on timeout).
  json wait_for(const std::function<bool(const json&)>& pred, std::chrono::seconds timeout = 120s) {
    std::unique_lock lock(mutex_);
    json found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_)
        if (pred(m)) {
          found = m;
          return true;
        }
      return false;
    });
    return found;
  }
  std::vector<json> of(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (const auto& m : messages_)
      if (m.value("id", "") == id) out.push_back(m);
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<json> messages_;
  std::shared_ptr<realtime::Session> session_;
};

/// m at `path` (null where a member is missing: `m` is const, and operator[] would not be safe).
json at(const json& m, std::initializer_list<const char*> path) {
  const json* j = &m;
  for (const char* k : path) {
    if (!j->is_object() || !j->contains(k)) return nullptr;
    j = &(*j)[k];
  }
  return *j;
}

bool is(const json& m, const std::string& id, const std::string& type) {
  return m.value("id", "") == id && m.value("type", "") == type;
}

class SwarmRealtimeTest : public test::SipSuite {
 protected:
  static void SetUpTestSuite() {
    test::SipSuite::SetUpTestSuite();
    port_ = test::free_loopback_port();
    sim_ = new test::Subprocess({VOQO_BINARY, "callee-sim", "--sip-ip", "127.0.0.1", "--sip-port", std::to_string(port_),
                                 "--log-level", "info", "--answer-delay-ms", "0", "--max-call-seconds", "2"});
    ASSERT_TRUE(sim_->wait_for_line("callee-sim listening", 60s)) << sim_->output();
  }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
    test::SipSuite::TearDownTestSuite();
  }
  void SetUp() override {
    auto monitor = live::LiveMonitor::create(*store_, hub_);
    ASSERT_TRUE(monitor) << monitor.error().message;
    monitor_ = std::move(*monitor);
    auto cfg = loopback_config();
    cfg.trunk = *telephony::parse_trunk_uri("sip:127.0.0.1:" + std::to_string(port_));
    cfg.ring_timeout = 5s;
    cfg.observers.push_back(monitor_);
    auto service = calls::CallService::create(*store_, cfg);
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    auto dialer = campaign::Dialer::create(*store_, *service_, nullptr, {.enforce_callee_hours = false});
    ASSERT_TRUE(dialer) << dialer.error().message;
    dialer_ = std::move(*dialer);
    monitor_->set_dialer(dialer_.get());
    swarm_ = std::make_unique<campaign::SwarmService>(*store_, dialer_.get(), campaign::SwarmConfig{.run_thread = false});
  }
  void TearDown() override {
    swarm_.reset();
    monitor_->set_dialer(nullptr);
    dialer_.reset();
    service_.reset();
    monitor_->stop();
  }
  WorkspaceId ws() { return test::default_workspace(*store_); }
  std::string tester_id() {
    auto a = store_->agents().records().list(
        ws(), store::ListQuery{.limit = 1, .conditions = {{store::Condition::Op::equals, {"name"}, std::string("Tester")}}});
    return a->items.at(0)["id"];
  }

  static inline uint16_t port_ = 0;
  static inline test::Subprocess* sim_ = nullptr;
  realtime::Hub hub_;
  std::shared_ptr<live::LiveMonitor> monitor_;
  std::unique_ptr<calls::CallService> service_;
  std::unique_ptr<campaign::Dialer> dialer_;
  std::unique_ptr<campaign::SwarmService> swarm_;
};

TEST_F(SwarmRealtimeTest, ASubscriberSeesAgentsActivityRecentCallsAndObjectivesChangeLive) {
  auto c = store_->campaigns().create(ws(), {{"name", "live swarm"}, {"maxAgents", 2}, {"callsPerSecond", 10}});
  ASSERT_TRUE(c) << c.error().message;
  const std::string id = (*c)["id"];
  std::istringstream csv("name,phone\nA,+14155554010\nB,+14155554011\nC,+14155554013\n");
  ASSERT_TRUE(campaign::import_contacts(store_->uploads(), ws(), id, "leads.csv", csv, {.region = "US"}));
  for (const char* name : {"Ada", "Bo"})
    ASSERT_TRUE(store_->swarm().add_member(ws(), id, {{"voiceAgentId", tester_id()}, {"name", name}}));
  ASSERT_TRUE(store_->swarm().objectives().create(ws(), {{"objective", "Reach all"}, {"targetValue", 3}, {"unit", "calls"}}, id));

  Client client(hub_, ws());
  client.subscribe("head", "swarmCampaign", {{"id", id}});
  client.subscribe("agents", "swarmAgents", {{"campaignId", id}});
  client.subscribe("activity", "swarmActivity", {{"campaignId", id}});
  client.subscribe("recent", "swarmRecentCalls", {{"campaignId", id}});
  client.subscribe("goals", "swarmObjectives", {{"campaignId", id}});
  // The snapshots: the campaign before it starts, two idle members, one objective at 0, empty feeds.
  auto head = client.wait_for([](const json& m) { return is(m, "head", "snapshot"); }, 10s);
  ASSERT_FALSE(head.is_null());
  EXPECT_EQ(head["data"]["status"], "scheduled") << head.dump();
  auto agents = client.wait_for([](const json& m) { return is(m, "agents", "snapshot"); }, 10s);
  ASSERT_EQ(agents["data"]["items"].size(), 2u) << agents.dump();
  auto recent = client.wait_for([](const json& m) { return is(m, "recent", "snapshot"); }, 10s);
  EXPECT_TRUE(recent["data"]["items"].empty()) << recent.dump();
  auto goals = client.wait_for([](const json& m) { return is(m, "goals", "snapshot"); }, 10s);
  ASSERT_EQ(goals["data"]["items"].size(), 1u) << goals.dump();
  EXPECT_EQ(goals["data"]["items"][0]["currentValue"], 0) << goals.dump();

  auto started = swarm_->start(ws(), id);
  ASSERT_TRUE(started) << started.error().message;
  const std::string job_id = (*started)["jobId"];

  // Changes arrive as the campaign runs: the header goes active, a member calls, then is idle again.
  EXPECT_FALSE(client.wait_for([](const json& m) {
    return is(m, "head", "change") && at(m, {"data", "campaign", "status"}) == "active";
  }).is_null());
  auto calling = client.wait_for([](const json& m) {
    return is(m, "agents", "change") && at(m, {"data", "kind"}) == "upsert" && at(m, {"data", "agent", "status"}) == "calling";
  });
  ASSERT_FALSE(calling.is_null()) << "a member calling, published";
  const std::string member = calling["data"]["agent"]["id"];
  EXPECT_FALSE(calling["data"]["agent"]["currentCallId"].is_null()) << calling.dump();
  // (A member that ends a call and takes the next within one publishing
  // pass is seen calling throughout; the last calls' members go idle and stay so.)
  EXPECT_FALSE(client.wait_for([&](const json& m) {
    return is(m, "agents", "change") && at(m, {"data", "agent", "status"}) == "idle" &&
           at(m, {"data", "agent", "totalCalls"}).is_number() && at(m, {"data", "agent", "totalCalls"}).get<int>() >= 1;
  }).is_null()) << "a member back to idle with its call counted";

  // Every call reaches the recent-calls feed, the header's totals and the objective.
  auto three_calls = [&] {
    std::set<std::string> ids;
    for (const auto& m : client.of("recent"))
      if (m["type"] == "change" && at(m, {"data", "kind"}) == "append") ids.insert(at(m, {"data", "call", "callId"}).get<std::string>());
    return ids.size() == 3;
  };
  for (auto until = std::chrono::steady_clock::now() + 120s; !three_calls() && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(three_calls()) << "3 recent calls appended";
  EXPECT_FALSE(client.wait_for([](const json& m) {
    return is(m, "head", "change") && at(m, {"data", "campaign", "totalCalls"}) == 3;
  }).is_null());
  EXPECT_FALSE(client.wait_for([](const json& m) {
    return is(m, "goals", "change") && at(m, {"data", "kind"}) == "upsert" && at(m, {"data", "objective", "currentValue"}) == 3;
  }).is_null());
  // The activity log's rows arrive as appends (a call's result is logged).
  EXPECT_FALSE(client.wait_for([](const json& m) {
    return is(m, "activity", "change") && at(m, {"data", "kind"}) == "append" && at(m, {"data", "activity"}).contains("activityType");
  }).is_null());
  // Appends are published once each.
  std::set<std::string> appended;
  for (const auto& m : client.of("activity"))
    if (m["type"] == "change") {
      EXPECT_TRUE(appended.insert(at(m, {"data", "activity", "id"}).get<std::string>()).second) << "published twice: " << m.dump();
    }
  // Every stored recent call was published, with the stored row.
  auto stored = store_->swarm().recent_calls().list(
      ws(), store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"campaign_id"}, id}}});
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->items.size(), 3u);
  for (const auto& row : stored->items) {
    bool seen = false;
    for (const auto& m : client.of("recent"))
      if (m["type"] == "change" && at(m, {"data", "call", "id"}) == row["id"]) seen = seen || at(m, {"data", "call"}) == row;
    EXPECT_TRUE(seen) << row.dump();
  }
  ASSERT_TRUE(swarm_->stop(ws(), id).has_value() || store_->campaigns().get(ws(), id)->value("status", "") == "completed");
}

TEST_F(SwarmRealtimeTest, AnotherWorkspacesCampaignIsNotFoundAndBadArgsNameTheField) {
  auto c = store_->campaigns().create(ws(), {{"name", "private swarm"}});
  ASSERT_TRUE(c) << c.error().message;
  const std::string id = (*c)["id"];
  auto other = store_->access().create_workspace("Elsewhere", "free");
  ASSERT_TRUE(other) << other.error().message;
  Client stranger(hub_, other->id);
  const char* queries[][2] = {{"swarmCampaign", "id"},
                              {"swarmAgents", "campaignId"},
                              {"swarmObjectives", "campaignId"},
                              {"swarmActivity", "campaignId"},
                              {"swarmRecentCalls", "campaignId"},
                              {"swarmRules", "campaignId"}};
  for (const auto& [query, key] : queries) {
    stranger.subscribe(query, query, {{key, id}});
    auto m = stranger.wait_for([&](const json& x) { return x.value("id", "") == query; }, 10s);
    ASSERT_FALSE(m.is_null()) << query;
    EXPECT_EQ(m["type"], "error") << query << ": " << m.dump();
    EXPECT_NE(m.value("message", "").find("not found"), std::string::npos) << m.dump();
  }
  // Its own workspace sees it.
  Client owner(hub_, ws());
  owner.subscribe("mine", "swarmCampaign", {{"id", id}});
  auto mine = owner.wait_for([](const json& x) { return x.value("id", "") == "mine"; }, 10s);
  EXPECT_EQ(mine["type"], "snapshot") << mine.dump();
  EXPECT_EQ(mine["data"]["name"], "private swarm");
  // Bad args: the field is named.
  owner.subscribe("bad", "swarmAgents", {{"id", id}});
  auto bad = owner.wait_for([](const json& x) { return x.value("id", "") == "bad"; }, 10s);
  EXPECT_EQ(bad["type"], "error") << bad.dump();
  EXPECT_EQ(bad["field"], "args.campaignId") << bad.dump();
  owner.subscribe("huge", "swarmActivity", {{"campaignId", std::string(10000, 'x')}});
  auto huge = owner.wait_for([](const json& x) { return x.value("id", "") == "huge"; }, 10s);
  EXPECT_EQ(huge["type"], "error") << huge.dump();
  EXPECT_EQ(huge["field"], "args.campaignId") << huge.dump();
}

}  // namespace
}  // namespace voqo
