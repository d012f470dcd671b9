// A swarm agent's figures fed from its calls (issue 18 §2, store/swarm.hpp):
// its quality score is the running mean of its calls' call-intelligence
// quality, moved in the transaction that writes a call's intelligence and
// never counted twice when a call is scored again; the recent-calls feed
// carries each call's score whichever of the dialer's result and the
// intelligence comes first; its CPU ms and API calls are the sums of its
// calls' and its memory the largest of them, added by record_result on
// every attempt. Migration 13 back-fills members from calls scored before it.
// The feed's sentiment is the call's overall sentiment from its archived
// intelligence (LiveStore::finish), in either order too; migration 15
// back-fills it from the archive.
#include <gtest/gtest.h>

#include "store/analytics.hpp"
#include "store/calls.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store/swarm.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using namespace voqo;

namespace {

class SwarmMemberFigures : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(opened) << opened.error().message;
    st_ = std::move(*opened);
    ws_ = test::default_workspace(*st_);
    auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
    ASSERT_TRUE(camp) << camp.error().message;
    campaign_ = (*camp)["id"];
    auto agent = st_->agents().create(ws_, {{"name", "Ava"}, {"systemPrompt", "You call people about houses."}});
    ASSERT_TRUE(agent) << agent.error().message;
    agent_ = (*agent)["id"];
    auto m = st_->swarm().add_member(ws_, campaign_, {{"voiceAgentId", agent_}, {"name", "Ava 1"}});
    ASSERT_TRUE(m) << m.error().message;
    member_ = (*m)["id"];
    ASSERT_TRUE(st_->swarm().set_status(ws_, campaign_, "active", "campaign_started", "started"));
  }

  /// The member claims a call, which is stored with its measured cost.
  void place(const std::string& call_id, int64_t cpu_ms, int64_t memory_bytes, int64_t api_calls) {
    auto claimed = st_->db().write([&](store::Connection& c) -> Result<bool> {
      auto m = store::SwarmRepository::claim_member(c, campaign_, "jc-" + call_id, call_id, "Jane");
      if (!m) return std::unexpected(m.error());
      return m->has_value();
    });
    ASSERT_TRUE(claimed && *claimed) << "no idle member";
    store::CallRecord r;
    r.id = call_id;
    r.workspace_id = ws_;
    r.agent_id = agent_;
    r.campaign_id = campaign_;
    r.swarm_agent_id = member_;
    r.direction = "outbound";
    r.status = "completed";
    r.answered_by_person = true;
    r.outcome = "Follow-up Needed";
    r.duration_s = 60;
    r.cpu_ms = cpu_ms;
    r.memory_bytes = memory_bytes;
    r.api_calls = api_calls;
    auto stored = store::CallStore(st_->db()).insert(r);
    ASSERT_TRUE(stored) << stored.error().message;
  }

  void result(const std::string& call_id, bool final = true) {
    store::SwarmCallResult res{ws_, campaign_, call_id, "jc-" + call_id, "completed", "Follow-up Needed", 60, "", "done", final};
    auto ok = st_->db().write([&](store::Connection& c) { return store::SwarmRepository::record_result(c, res); });
    ASSERT_TRUE(ok) << ok.error().message;
  }

  void intelligence(const std::string& call_id, std::optional<double> quality) {
    auto ok = st_->db().write([&](store::Connection& c) {
      return store::AnalyticsRepository::record_intelligence_in(c, call_id, {.quality = quality, .adherence = 50.0});
    });
    ASSERT_TRUE(ok) << ok.error().message;
  }

  nlohmann::json member() {
    auto m = st_->swarm().agents().get(ws_, member_, campaign_);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : nlohmann::json::object();
  }

  nlohmann::json feed_quality(const std::string& call_id) { return feed(call_id, "quality_score"); }
  nlohmann::json feed_sentiment(const std::string& call_id) { return feed(call_id, "sentiment"); }

  /// The call's live row and its intelligence as the live monitor saves it, then archived (LiveStore::finish).
  Result<std::optional<nlohmann::json>> archive(const std::string& call_id, const std::string& overall,
                                                const nlohmann::json& details) {
    store::LiveCall l;
    l.workspace_id = ws_.value;
    l.call_id = call_id;
    l.agent_id = agent_;
    l.agent_name = "Ava";
    l.direction = "outbound";
    l.status = "connected";
    l.start_time = "2026-12-07T10:00:00.000Z";
    l.node = "local";
    l.campaign_id = campaign_;
    if (auto ok = store::CallStore(st_->db()).live_begin(l); !ok) return std::unexpected(ok.error());
    if (auto ok = st_->live().save_insights(
            call_id, {{"sentiment", {{"positive", 20}, {"neutral", 30}, {"negative", 50}, {"overall", overall},
                                     {"trend", "declining"}, {"lastPositive", nullptr}, {"lastNegative", nullptr}}},
                      {"metrics", {{"conversationQuality", 65}, {"scriptAdherence", 80}}}});
        !ok)
      return std::unexpected(ok.error());
    return st_->live().finish(call_id, details);
  }

  nlohmann::json feed(const std::string& call_id, const std::string& column) {
    auto rows = st_->db().read([&](store::Connection& c) -> Result<nlohmann::json> {
      auto s = c.prepare("SELECT " + column + " FROM swarm_recent_calls WHERE workspace_id = ? AND call_id = ?");
      if (!s) return std::unexpected(s.error());
      (*s)->bind_text(1, ws_.value);
      (*s)->bind_text(2, call_id);
      auto row = (*s)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return nlohmann::json("no row");
      if ((*s)->is_null(0)) return nlohmann::json(nullptr);
      return column == "sentiment" ? nlohmann::json(std::string((*s)->column_text(0))) : nlohmann::json((*s)->column_double(0));
    });
    EXPECT_TRUE(rows);
    return rows ? *rows : nlohmann::json("error");
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  WorkspaceId ws_;
  std::string campaign_, agent_, member_;
};

TEST_F(SwarmMemberFigures, QualityIsTheMeanOfItsScoredCallsAndAReScoreIsNotCountedTwice) {
  EXPECT_TRUE(member()["qualityScore"].is_null()) << "no call scored yet";
  place("call-1", 0, 0, 0);
  result("call-1");
  EXPECT_TRUE(feed_quality("call-1").is_null());
  intelligence("call-1", 80);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 80);
  EXPECT_EQ(member()["qualitySamples"], 1);
  EXPECT_EQ(feed_quality("call-1"), 80.0) << "the feed's row written first takes the score";
  intelligence("call-1", 80);  // the same figures again: nothing moves
  intelligence("call-1", 80);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 80);
  EXPECT_EQ(member()["qualitySamples"], 1);
  intelligence("call-1", 60);  // re-analysed: the new score replaces the old
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 60);
  EXPECT_EQ(member()["qualitySamples"], 1);
  EXPECT_EQ(feed_quality("call-1"), 60.0);

  // The second call is scored before the dialer records its result.
  place("call-2", 0, 0, 0);
  intelligence("call-2", 100);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 80);
  EXPECT_EQ(member()["qualitySamples"], 2);
  EXPECT_EQ(feed_quality("call-2"), "no row");
  result("call-2");
  EXPECT_EQ(feed_quality("call-2"), 100.0) << "the feed's row takes the call's score when it is written";

  // A score withdrawn (intelligence without one) leaves the mean of the others.
  intelligence("call-1", std::nullopt);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 100);
  EXPECT_EQ(member()["qualitySamples"], 1);
  EXPECT_TRUE(feed_quality("call-1").is_null());
  intelligence("call-2", std::nullopt);
  EXPECT_TRUE(member()["qualityScore"].is_null());
  EXPECT_EQ(member()["qualitySamples"], 0);
}

TEST_F(SwarmMemberFigures, TheFeedTakesTheCallsSentimentWhenItsIntelligenceIsArchivedInEitherOrder) {
  // The dialer's result first: the feed's row has no sentiment until the intelligence is stored.
  place("call-1", 0, 0, 0);
  result("call-1");
  EXPECT_TRUE(feed_sentiment("call-1").is_null());
  auto archived = archive("call-1", "negative", {{"outcome", "Follow-up Needed"}, {"objections", {{"raised", 2}, {"answered", 2}}}});
  ASSERT_TRUE(archived) << archived.error().message;
  EXPECT_EQ(feed_sentiment("call-1"), "negative") << "written in the transaction that archives the intelligence";
  EXPECT_EQ(feed_quality("call-1"), 65.0);
  // The REST feed returns it.
  auto listed = st_->swarm().recent_calls().list(
      ws_, store::ListQuery{.limit = 50, .conditions = {{store::Condition::Op::equals, {"campaign_id"}, campaign_}}});
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0]["sentiment"], "negative");
  // The call holds the objection counts; the campaign's rows count it raised and handled (Follow-up Needed is interested).
  auto counted = st_->db().read([&](store::Connection& c) -> Result<std::vector<int64_t>> {
    auto s = c.prepare(
        "SELECT (SELECT objections_raised FROM calls WHERE id = 'call-1'), (SELECT objections_answered FROM calls WHERE id = 'call-1'), "
        "objections_raised, objections_handled FROM swarm_performance_metrics WHERE scope_key = ? AND period = 'monthly'");
    if (!s) return std::unexpected(s.error());
    (*s)->bind_text(1, "c:" + campaign_);
    auto row = (*s)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::vector<int64_t>{};
    return std::vector<int64_t>{(*s)->column_int(0), (*s)->column_int(1), (*s)->column_int(2), (*s)->column_int(3)};
  });
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, (std::vector<int64_t>{2, 2, 1, 1}));

  // The intelligence first: the feed's row takes the call's sentiment when the dialer writes it.
  place("call-2", 0, 0, 0);
  ASSERT_TRUE(archive("call-2", "positive", {{"outcome", "Follow-up Needed"}}));
  EXPECT_EQ(feed_sentiment("call-2"), "no row");
  result("call-2");
  EXPECT_EQ(feed_sentiment("call-2"), "positive");

  // Objection counts that cannot be are refused with the field named.
  place("call-3", 0, 0, 0);
  auto bad = archive("call-3", "neutral", {{"objections", {{"raised", 1}, {"answered", 2}}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "objections.answered");
}

TEST_F(SwarmMemberFigures, Migration15BackFillsTheFeedsSentimentFromTheArchive) {
  place("call-1", 0, 0, 0);
  result("call-1");
  ASSERT_TRUE(archive("call-1", "negative", nlohmann::json::object()));
  place("call-2", 0, 0, 0);  // never archived
  result("call-2");
  // A database as version 14 left it: the archive's overall sentiment, no column on the calls, none in the feed.
  auto back = st_->db().write([](store::Connection& c) -> Result<void> {
    for (const char* sql : {"UPDATE swarm_recent_calls SET sentiment = NULL", "ALTER TABLE calls DROP COLUMN objections_answered",
                            "ALTER TABLE calls DROP COLUMN objections_raised", "ALTER TABLE calls DROP COLUMN sentiment",
                            "DELETE FROM schema_migrations WHERE version = 15"})
      if (auto r = c.exec(sql); !r) return r;
    return {};
  });
  ASSERT_TRUE(back) << back.error().message;
  auto applied = store::migrate(st_->db());
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  EXPECT_EQ(feed_sentiment("call-1"), "negative");
  EXPECT_TRUE(feed_sentiment("call-2").is_null());
}

TEST_F(SwarmMemberFigures, ResourceUseIsSummedOverEveryAttemptAndMemoryIsTheLargestCall) {
  place("call-1", 120, 5'000'000, 3);
  result("call-1", false);  // a retry: the attempt still ran and cost
  auto m = member();
  EXPECT_EQ(m["cpuMs"], 120);
  EXPECT_EQ(m["memoryBytes"], 5'000'000);
  EXPECT_EQ(m["apiCalls"], 3);
  EXPECT_EQ(m["totalCalls"], 0) << "not a final result";
  place("call-2", 30, 2'000'000, 1);
  result("call-2");
  m = member();
  EXPECT_EQ(m["cpuMs"], 150);
  EXPECT_EQ(m["memoryBytes"], 5'000'000) << "the largest call, not a sum";
  EXPECT_EQ(m["apiCalls"], 4);
  EXPECT_EQ(m["totalCalls"], 1);
  // The call records carry their own figures (read-only in the API).
  auto call = st_->calls().get(ws_, "call-2");
  ASSERT_TRUE(call) << call.error().message;
  EXPECT_EQ((*call)["cpuMs"], 30);
  EXPECT_EQ((*call)["memoryBytes"], 2'000'000);
  EXPECT_EQ((*call)["apiCalls"], 1);
  // An attempt that was never stored (no call record) adds nothing.
  auto claimed = st_->db().write([&](store::Connection& c) -> Result<bool> {
    auto mm = store::SwarmRepository::claim_member(c, campaign_, "jc-ghost", "ghost", "Jane");
    if (!mm) return std::unexpected(mm.error());
    return mm->has_value();
  });
  ASSERT_TRUE(claimed && *claimed);
  result("ghost");
  m = member();
  EXPECT_EQ(m["cpuMs"], 150);
  EXPECT_EQ(m["apiCalls"], 4);
}

TEST_F(SwarmMemberFigures, AnotherWorkspacesCallOfTheSameIdMovesNothingHere) {
  // The call row is read in the result's workspace: a result naming another
  // workspace finds no record, so the member's totals stay as they are.
  place("call-1", 500, 1'000, 7);
  store::SwarmCallResult res{WorkspaceId("another"), campaign_, "call-1", "jc-call-1", "completed", "", 60, "", "done", false};
  auto ok = st_->db().write([&](store::Connection& c) { return store::SwarmRepository::record_result(c, res); });
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(member()["cpuMs"], 0);
  EXPECT_EQ(member()["apiCalls"], 0);
}

TEST_F(SwarmMemberFigures, Migration13BackFillsMembersAndTheFeedFromCallsScoredBeforeIt) {
  place("call-1", 0, 0, 0);
  result("call-1");
  place("call-2", 0, 0, 0);
  result("call-2");
  place("call-3", 0, 0, 0);  // never scored
  result("call-3");
  // A database as version 12 left it: scores on the calls, none on the member or the feed.
  auto back = st_->db().write([](store::Connection& c) -> Result<void> {
    for (const char* sql : {"UPDATE calls SET quality_score = 70 WHERE id = 'call-1'",
                            "UPDATE calls SET quality_score = 90 WHERE id = 'call-2'",
                            "UPDATE swarm_recent_calls SET quality_score = NULL",
                            "UPDATE swarm_agents SET quality_score = NULL",
                            "ALTER TABLE calls DROP COLUMN cpu_ms", "ALTER TABLE calls DROP COLUMN memory_bytes",
                            "ALTER TABLE calls DROP COLUMN api_calls", "ALTER TABLE swarm_agents DROP COLUMN quality_samples",
                            "DELETE FROM schema_migrations WHERE version = 13"})
      if (auto r = c.exec(sql); !r) return r;
    return {};
  });
  ASSERT_TRUE(back) << back.error().message;
  auto applied = store::migrate(st_->db());
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 80);
  EXPECT_EQ(member()["qualitySamples"], 2);
  EXPECT_EQ(feed_quality("call-1"), 70.0);
  EXPECT_EQ(feed_quality("call-2"), 90.0);
  EXPECT_TRUE(feed_quality("call-3").is_null());
  EXPECT_EQ(member()["cpuMs"], 0);
  // And from there on the running mean goes on from the back-filled count.
  intelligence("call-3", 20);
  EXPECT_DOUBLE_EQ(member()["qualityScore"].get<double>(), 60);
  EXPECT_EQ(member()["qualitySamples"], 3);
}

}  // namespace
