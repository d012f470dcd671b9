// The live monitor between a call's events and the live tables / realtime
// hub: a call driven through the CallEvents interface as CallService drives
// it; a hub subscriber sees the snapshot and then each change; the store ends
// up with what the REST API shows (transcript with sentiment, intelligence
// rows the tables accept, analytics at the end), and actions are recorded.
#include <gtest/gtest.h>

#include <map>

#include <mutex>

#include "live/live_monitor.hpp"
#include "realtime/hub.hpp"
#include "store/calls.hpp"
#include "store/live.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

class LiveMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    ws_ = test::default_workspace(*st_);
    auto agent = st_->agents().create(ws_, {{"name", "Ava"}, {"systemPrompt", "You sell property management."},
                                       {"purpose", "sales"}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_id_ = (*agent)["id"];
    auto m = live::LiveMonitor::create(*st_, hub_, {.tick = std::chrono::milliseconds(20)});
    ASSERT_TRUE(m) << m.error().message;
    monitor_ = *m;
    session_ = hub_.open_session(
        [this](std::string text) {
          std::lock_guard lock(mutex_);
          received_.push_back(json::parse(text));
        },
        [](int, std::string) {});
  }
  void TearDown() override {
    session_.reset();
    monitor_.reset();
    st_.reset();
  }

  /// What CallService does when a call is created: the live row, then the event.
  calls::CallInfo begin_call(const std::string& id) {
    store::CallStore calls(st_->db());
    store::LiveCall row{id, agent_id_, "Ava", "Jane Doe", "+14155550101", "outbound", "connecting",
                        "2026-11-23T10:00:00.000Z"};
    row.workspace_id = ws_.value;
    EXPECT_TRUE(calls.live_begin(row));
    calls::CallInfo info;
    info.call_id = id;
    info.agent_id = agent_id_;
    info.agent_name = "Ava";
    info.customer_name = "Jane Doe";
    info.customer_phone = "+14155550101";
    info.direction = "outbound";
    info.started_at = row.start_time;
    info.workspace_id = ws_.value;
    monitor_->call_created(info);
    return info;
  }

  /// A subscribe message as the transport forwards it: args carry the
  /// subscriber's workspace (bound from its credential), `ws` or Default.
  std::string subscribe(const std::string& id, const std::string& query, json args = json::object(),
                        const WorkspaceId* ws = nullptr) {
    args["workspaceId"] = (ws ? *ws : ws_).value;
    return json{{"type", "subscribe"}, {"id", id}, {"query", query}, {"args", std::move(args)}}.dump();
  }

  std::vector<json> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<json> changes(const std::string& sub, const std::string& kind) {
    std::vector<json> out;
    for (const auto& m : received())
      if (m.value("type", "") == "change" && m.value("id", "") == sub && m["data"].value("kind", "") == kind)
        out.push_back(m["data"]);
    return out;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  realtime::Hub hub_;
  std::shared_ptr<live::LiveMonitor> monitor_;
  std::shared_ptr<realtime::Session> session_;
  std::string agent_id_;
  WorkspaceId ws_;
  std::mutex mutex_;
  std::vector<json> received_;
};

TEST_F(LiveMonitorTest, ACallFlowsIntoTheTablesAndTheSubscribers) {
  session_->on_message(subscribe("list", "liveCalls"));
  begin_call("call-1");
  monitor_->flush();
  session_->on_message(subscribe("one", "liveCall", {{"id", "call-1"}}));
  monitor_->call_status("call-1", "ringing");
  monitor_->call_status("call-1", "connected");
  model::TranscriptLine greet{"a1", "agent", "Hi, this is Ava. Do you have a minute?", 0, 2500, 1.0, true, false};
  monitor_->transcript("call-1", greet);
  model::TranscriptLine interim{"c1", "caller", "yes this is", 3000, 3600, 0.6, false, false};
  monitor_->transcript("call-1", interim);
  model::TranscriptLine final_line{"c1", "caller", "Yes, this is great, I love it.", 3000, 4800, 0.9, true, false};
  monitor_->transcript("call-1", final_line);
  brain::Reply reply;
  reply.phase = "discovery";
  reply.intent = "yes";
  monitor_->agent_turn("call-1", reply);
  monitor_->levels("call-1", 40, 10, "agent");
  monitor_->flush();

  // The liveCalls subscriber saw the call arrive and change state, in order.
  std::vector<std::string> statuses;
  for (const auto& c : changes("list", "upsert"))
    if (statuses.empty() || statuses.back() != c["call"].value("status", "")) statuses.push_back(c["call"].value("status", ""));
  EXPECT_EQ(statuses, (std::vector<std::string>{"connecting", "ringing", "connected"}));
  // ... and its overall sentiment once there was one (the list shows it), as a new snapshot does.
  EXPECT_EQ(changes("list", "upsert").back()["call"].value("sentiment", ""), "positive");
  auto list = st_->live().live_calls(ws_, std::nullopt);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].value("sentiment", ""), "positive") << (*list)[0].dump();
  // The single-call subscriber: transcript interim then final with one entry id and a sentiment.
  auto lines = changes("one", "transcript");
  ASSERT_GE(lines.size(), 3u);
  EXPECT_FALSE(lines[1]["line"].value("isFinal", true));
  EXPECT_TRUE(lines[2]["line"].value("isFinal", false));
  EXPECT_EQ(lines[1]["line"]["entryId"], lines[2]["line"]["entryId"]);
  EXPECT_EQ(lines[2]["line"].value("sentiment", ""), "positive");
  // Intelligence was stored (the tables accepted its shape) and published.
  auto insights = changes("one", "insights");
  ASSERT_FALSE(insights.empty());
  auto bundle = st_->live().live_call(ws_, "call-1");
  ASSERT_TRUE(bundle) << bundle.error().message;
  ASSERT_FALSE((*bundle)["phases"].empty()) << bundle->dump();
  EXPECT_EQ((*bundle)["transcript"].size(), 2u) << "the interim line was replaced by its final";
  EXPECT_FALSE((*bundle)["objectives"].empty());
  EXPECT_TRUE((*bundle)["sentiment"].is_object());
  EXPECT_TRUE((*bundle)["metrics"].is_object());
  EXPECT_TRUE((*bundle)["systemConfig"].is_object());
  EXPECT_EQ((*bundle)["call"]["currentPhase"], "discovery") << (*bundle)["call"].dump();
  auto levels = changes("one", "levels");
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels[0].value("agentGain", 0), 40);

  // A record-only action is stored and published with the call time.
  auto note = monitor_->act(ws_, "call-1", "ADD_NOTE", {{"text", "warm lead"}}, "sup-1", "Sam");
  ASSERT_TRUE(note) << note.error().message;
  EXPECT_EQ(note->value("action", ""), "ADD_NOTE");
  EXPECT_EQ(changes("one", "action").size(), 1u);
  // Acting on the call needs a call service.
  auto coach = monitor_->act(ws_, "call-1", "COACH_AGENT", {{"text", "ask about budget"}}, "sup-1", "Sam");
  EXPECT_FALSE(coach);
  EXPECT_FALSE(monitor_->act(ws_, "nope", "ADD_NOTE", {{"text", "x"}}, "sup-1", "Sam"));

  // The end: analytics, the call leaves the list.
  store::CallStore(st_->db()).live_end("call-1");
  calls::CallOutcome outcome;
  outcome.call_id = "call-1";
  outcome.workspace = ws_;
  outcome.status = calls::CallStatus::completed;
  outcome.outcome = brain::Outcome::demo_scheduled;
  outcome.end_reason = "BYE from peer";
  monitor_->call_ended(outcome);
  monitor_->flush();
  auto ended = changes("one", "ended");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0]["analytics"].value("transcriptEntries", 0), 2) << ended[0].dump();
  EXPECT_EQ(ended[0]["analytics"]["details"].value("outcome", ""), "Demo Scheduled");
  EXPECT_EQ(ended[0]["analytics"]["details"].value("status", ""), "completed");
  EXPECT_EQ(ended[0]["analytics"]["details"].value("errorMessage", ""), "BYE from peer");
  auto removed = changes("list", "remove");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].value("callId", ""), "call-1");
  auto analytics = st_->live().analytics(ws_, "call-1");
  ASSERT_TRUE(analytics) << analytics.error().message;
  for (const auto& c : (*analytics)["coaching"]) EXPECT_FALSE(c.value("isActive", true));
  // The seq of changes only grows.
  uint64_t last = 0;
  for (const auto& m : received()) {
    if (m.value("type", "") != "change") continue;
    EXPECT_GT(m.value("seq", uint64_t{0}), last);
    last = m.value("seq", uint64_t{0});
  }
}

TEST_F(LiveMonitorTest, ACampaignsCallFlowStepsArePlannedSoAPassedOverStepShowsSkipped) {
  // Issue 18 §5: the brain never enters a step whose skipConditions matched; the live
  // monitor plans the campaign's steps, so that step reads "skipped" in call_phases.
  auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
  ASSERT_TRUE(camp) << camp.error().message;
  const std::string cid = (*camp)["id"];
  auto& flows = st_->script_templates().flows();
  ASSERT_TRUE(flows.create(ws_, {{"phase", "opening"}, {"fallbackScript", "Hi."}, {"order", 1}}, cid));
  ASSERT_TRUE(flows.create(ws_, {{"phase", "ownership"}, {"fallbackScript", "Do you own it?"}, {"order", 2},
                                 {"skipConditions", {{"variable", "owner"}, {"exists", true}}}}, cid));
  ASSERT_TRUE(flows.create(ws_, {{"phase", "units"}, {"fallbackScript", "How many units?"}, {"order", 3}}, cid));

  store::CallStore calls(st_->db());
  store::LiveCall row{"call-f", agent_id_, "Ava", "Jane Doe", "+14155550101", "outbound", "connecting",
                      "2026-11-23T10:00:00.000Z"};
  row.workspace_id = ws_.value;
  ASSERT_TRUE(calls.live_begin(row));
  calls::CallInfo info;
  info.call_id = "call-f";
  info.agent_id = agent_id_;
  info.direction = "outbound";
  info.started_at = row.start_time;
  info.workspace_id = ws_.value;
  info.campaign_id = cid;
  monitor_->call_created(info);
  monitor_->call_status("call-f", "connected");
  brain::Reply reply;
  reply.phase = "opening";
  monitor_->agent_turn("call-f", reply);
  monitor_->transcript("call-f", {"c1", "caller", "Yes, I own it.", 3000, 4800, 0.9, true, false});
  reply.phase = "units";
  reply.intent = "yes";
  monitor_->agent_turn("call-f", reply);
  monitor_->flush();

  auto bundle = st_->live().live_call(ws_, "call-f");
  ASSERT_TRUE(bundle) << bundle.error().message;
  std::map<std::string, std::string> status;
  std::vector<std::string> names;
  for (const auto& p : (*bundle)["phases"]) {
    names.push_back(p.value("name", ""));
    status[p.value("name", "")] = p.value("status", "");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"opening", "ownership", "units"})) << (*bundle)["phases"].dump();
  EXPECT_EQ(status["opening"], "completed");
  EXPECT_EQ(status["ownership"], "skipped");
  EXPECT_EQ(status["units"], "active");
}

TEST_F(LiveMonitorTest, QueriesValidateTheirArguments) {
  session_->on_message(subscribe("a", "liveCalls", {{"status", "sleeping"}}));
  session_->on_message(subscribe("b", "liveCall"));
  session_->on_message(subscribe("c", "campaignStats", {{"id", "missing"}}));
  session_->on_message(subscribe("d", "job", {{"id", "missing"}}));
  auto got = received();
  ASSERT_EQ(got.size(), 4u);
  for (const auto& m : got) EXPECT_EQ(m.value("type", ""), "error") << m.dump();
  // The query names its argument, the hub puts it under args once (issue 15:
  // "args.args.status").
  EXPECT_EQ(got[0].value("field", ""), "args.status") << got[0].dump();
  EXPECT_EQ(got[1].value("field", ""), "args.id") << got[1].dump();
  for (const auto& m : got) EXPECT_EQ(m.dump().find("args.args"), std::string::npos) << m.dump();
}

TEST_F(LiveMonitorTest, AStatusFilteredSubscriberIsToldWhenACallLeavesItsView) {
  session_->on_message(subscribe("ringing", "liveCalls", {{"status", "ringing"}}));
  begin_call("call-2");
  monitor_->call_status("call-2", "ringing");
  monitor_->call_status("call-2", "connected");
  monitor_->flush();
  std::vector<std::string> kinds;
  for (const auto& m : received())
    if (m.value("type", "") == "change" && (kinds.empty() || kinds.back() != m["data"].value("kind", "")))
      kinds.push_back(m["data"].value("kind", ""));
  // connecting: not in view (remove), ringing: upsert, connected: out of view again (remove; later
  // changes of the connected call, such as its first sentiment, are removes for this view too).
  EXPECT_EQ(kinds, (std::vector<std::string>{"remove", "upsert", "remove"}));
}

TEST_F(LiveMonitorTest, AnotherWorkspaceNeitherSeesNorActsOnTheCall) {
  auto other = st_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other) << other.error().message;
  const WorkspaceId b = other->id;
  session_->on_message(subscribe("b-list", "liveCalls", json::object(), &b));
  session_->on_message(subscribe("a-list", "liveCalls"));
  begin_call("call-3");
  // B asks for A's call by id: its topic is B's, where A's call never appears.
  session_->on_message(subscribe("b-one", "liveCall", {{"id", "call-3"}}, &b));
  monitor_->call_status("call-3", "ringing");
  model::TranscriptLine line{"a1", "agent", "Hi, this is Ava.", 0, 1500, 1.0, true, false};
  monitor_->transcript("call-3", line);
  monitor_->flush();
  EXPECT_FALSE(changes("a-list", "upsert").empty()) << "A's own subscriber sees its call";
  int b_one_errors = 0;
  for (const auto& m : received()) {
    const std::string id = m.value("id", "");
    if (id == "b-one") {
      // B's subscription to A's call is refused as an unknown call.
      EXPECT_EQ(m.value("type", ""), "error") << m.dump();
      b_one_errors += m.value("type", "") == "error";
      EXPECT_EQ(m.dump().find("Hi, this is Ava"), std::string::npos) << m.dump();
      EXPECT_EQ(m.dump().find("Jane Doe"), std::string::npos) << m.dump();
      continue;
    }
    if (id != "b-list") continue;
    EXPECT_EQ(m.dump().find("call-3"), std::string::npos) << "B received A's call: " << m.dump();
    EXPECT_EQ(m.dump().find("Jane Doe"), std::string::npos) << m.dump();
  }
  EXPECT_EQ(b_one_errors, 1);
  // A subscription without its workspace is refused, not given a default.
  session_->on_message(R"({"type":"subscribe","id":"anon","query":"liveCalls","args":{}})");
  bool refused = false;
  for (const auto& m : received())
    if (m.value("id", "") == "anon") refused = m.value("type", "") == "error";
  EXPECT_TRUE(refused);
  // B can neither act on A's call nor read it.
  auto note = monitor_->act(b, "call-3", "ADD_NOTE", {{"text", "not mine"}}, "sup-b", "Bea");
  ASSERT_FALSE(note);
  EXPECT_EQ(note.error().code, ErrorCode::not_found);
  EXPECT_FALSE(st_->live().live_call(b, "call-3"));
  auto b_list = st_->live().live_calls(b, std::nullopt);
  ASSERT_TRUE(b_list);
  EXPECT_TRUE(b_list->empty());
  auto actions = st_->live().supervisor_actions(ws_, "call-3");
  ASSERT_TRUE(actions);
  EXPECT_TRUE(actions->empty()) << actions->dump();
}

// The call's end archives its intelligence and, in the same transaction,
// puts the objection counts and the overall sentiment on the stored call
// (issue 18 §8: objection-handling success, the recent-calls feed's sentiment).
TEST_F(LiveMonitorTest, TheEndPutsTheCallersObjectionsAndSentimentOnTheStoredCall) {
  begin_call("call-2");
  monitor_->call_status("call-2", "connected");
  auto say = [&](const char* id, const char* speaker, const char* text, int64_t start, int64_t end) {
    monitor_->transcript("call-2", model::TranscriptLine{id, speaker, text, start, end, 0.9, true, false});
  };
  say("a1", "agent", "Hi, this is Ava from Acme. Do you have a minute?", 0, 2500);
  say("c1", "caller", "That's too expensive, I am not happy about it", 3000, 5000);
  say("a2", "agent", "I understand the budget concern. It costs 49 dollars a month.", 5500, 9000);
  say("c2", "caller", "It is still too expensive, I hate this", 9500, 11000);
  monitor_->flush();
  // What CallService stores before it tells the observers that the call ended.
  store::CallRecord r;
  r.id = "call-2";
  r.workspace_id = ws_;
  r.agent_id = agent_id_;
  r.direction = "outbound";
  r.status = "completed";
  r.answered_by_person = true;
  r.outcome = "Not Interested";
  r.duration_s = 11;
  ASSERT_TRUE(store::CallStore(st_->db()).insert(r));
  store::CallStore(st_->db()).live_end("call-2");
  calls::CallOutcome outcome;
  outcome.call_id = "call-2";
  outcome.workspace = ws_;
  outcome.status = calls::CallStatus::completed;
  outcome.outcome = brain::Outcome::not_interested;
  monitor_->call_ended(outcome);
  monitor_->flush();
  auto analytics = st_->live().analytics(ws_, "call-2");
  ASSERT_TRUE(analytics) << analytics.error().message;
  EXPECT_EQ((*analytics)["details"]["objections"], (json{{"raised", 2}, {"answered", 1}})) << analytics->dump();
  auto row = st_->db().read([&](store::Connection& c) -> Result<json> {
    auto s = c.prepare("SELECT objections_raised, objections_answered, sentiment FROM calls WHERE id = 'call-2'");
    if (!s) return std::unexpected(s.error());
    auto found = (*s)->step();
    if (!found) return std::unexpected(found.error());
    if (!*found) return json(nullptr);
    return json::array({(*s)->column_int(0), (*s)->column_int(1), std::string((*s)->column_text(2))});
  });
  ASSERT_TRUE(row);
  EXPECT_EQ(*row, json::array({2, 1, (*analytics)["overallSentiment"]}));
  EXPECT_EQ((*analytics)["overallSentiment"], "negative");
}

}  // namespace
}  // namespace voqo
