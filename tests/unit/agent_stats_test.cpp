// An agent's statistics (agents.total_calls, success_rate,
// avg_call_duration_s: the dashboard's agents list) follow its call records.
#include <gtest/gtest.h>

#include "store/calls.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"

using namespace voqo;

namespace {

TEST(AgentStats, FollowTheAgentsCallRecords) {
  test::TempDir dir;
  auto opened = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& st = **opened;
  auto agent = st.agents().create({{"name", "Sales Bot"}, {"systemPrompt", "You sell houses."}});
  ASSERT_TRUE(agent) << agent.error().message;
  auto other = st.agents().create({{"name", "Other Bot"}, {"systemPrompt", "You help people."}});
  ASSERT_TRUE(other);
  const std::string id = (*agent)["id"];
  store::CallStore calls(st.db());
  int n = 0;
  auto call = [&](const std::string& agent_id, const std::string& status, std::optional<std::string> outcome,
                  std::optional<int64_t> duration) {
    store::CallRecord r;
    r.id = "call-" + std::to_string(++n);
    r.agent_id = agent_id;
    r.direction = "outbound";
    r.status = status;
    r.from_phone = "+14155550100";
    r.to_phone = "+14155550101";
    r.outcome = std::move(outcome);
    r.duration_s = duration;
    ASSERT_TRUE(calls.insert(r));
  };
  auto stats = [&](const std::string& agent_id) { return st.agents().records().get(agent_id).value(); };
  EXPECT_EQ(stats(id)["totalCalls"], 0);

  call(id, "completed", "Demo Scheduled", 60);
  call(id, "completed", "Not Interested", 30);
  call(id, "no_answer", "No Answer", std::nullopt);
  call(id, "completed", "Transferred", 90);
  call((*other)["id"], "completed", "Demo Scheduled", 500);

  auto s = stats(id);
  EXPECT_EQ(s["totalCalls"], 4);
  EXPECT_DOUBLE_EQ(s["successRate"].get<double>(), 50.0) << "2 of 4 moved the prospect on";
  EXPECT_DOUBLE_EQ(s["avgCallDurationS"].get<double>(), 60.0) << "(60 + 30 + 90) / 3: unanswered calls do not count";
  EXPECT_EQ(stats((*other)["id"])["totalCalls"], 1) << "per agent";

  // A record stored twice is refused and counted once.
  store::CallRecord again;
  again.id = "call-1";
  again.agent_id = id;
  again.direction = "outbound";
  again.status = "completed";
  again.from_phone = again.to_phone = "+14155550100";
  again.outcome = "Demo Scheduled";
  again.duration_s = 1000;
  EXPECT_FALSE(calls.insert(again));
  EXPECT_EQ(stats(id)["totalCalls"], 4);
  EXPECT_DOUBLE_EQ(stats(id)["avgCallDurationS"].get<double>(), 60.0);

  // Upgrading a database whose calls were stored before the running sums
  // (migration 5) back-fills them from the calls table. Such a database has
  // none of the later migrations either.
  ASSERT_TRUE(st.db().write([](store::Connection& c) -> Result<void> {
    if (auto e = c.exec("DROP TABLE agent_call_stats"); !e) return e;
    if (auto e = c.exec("DROP INDEX idx_job_calls_due_order"); !e) return e;  // migration 6
    return c.exec("DELETE FROM schema_migrations WHERE version >= 5");
  }));
  auto applied = store::migrate(st.db());
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(store::migrations().size()) - 4);
  call(id, "completed", "Follow-up Needed", 120);
  s = stats(id);
  EXPECT_EQ(s["totalCalls"], 5);
  EXPECT_DOUBLE_EQ(s["successRate"].get<double>(), 60.0) << "3 of 5";
  EXPECT_DOUBLE_EQ(s["avgCallDurationS"].get<double>(), 75.0) << "(60 + 30 + 90 + 120) / 4";
}

}  // namespace
