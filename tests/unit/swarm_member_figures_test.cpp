// A swarm agent's figures fed from its calls (issue 18 §2, store/swarm.hpp):
// its quality score is the running mean of its calls' call-intelligence
// quality, moved in the transaction that writes a call's intelligence and
// never counted twice when a call is scored again; the recent-calls feed
// carries each call's score whichever of the dialer's result and the
// intelligence comes first; its CPU ms and API calls are the sums of its
// calls' and its memory the largest of them, added by record_result on
// every attempt. Migration 13 back-fills members from calls scored before it.
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
      return store::AnalyticsRepository::record_intelligence_in(c, call_id, quality, 50.0);
    });
    ASSERT_TRUE(ok) << ok.error().message;
  }

  nlohmann::json member() {
    auto m = st_->swarm().agents().get(ws_, member_, campaign_);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : nlohmann::json::object();
  }

  nlohmann::json feed_quality(const std::string& call_id) {
    auto rows = st_->db().read([&](store::Connection& c) -> Result<nlohmann::json> {
      auto s = c.prepare("SELECT quality_score FROM swarm_recent_calls WHERE workspace_id = ? AND call_id = ?");
      if (!s) return std::unexpected(s.error());
      (*s)->bind_text(1, ws_.value);
      (*s)->bind_text(2, call_id);
      auto row = (*s)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return nlohmann::json("no row");
      return (*s)->is_null(0) ? nlohmann::json(nullptr) : nlohmann::json((*s)->column_double(0));
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
