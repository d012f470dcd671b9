// An agent's statistics (agents.total_calls, success_rate,
// avg_call_duration_s: the dashboard's agents list) follow its call records.
#include <gtest/gtest.h>

#include "store/calls.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using namespace voqo;

namespace {

TEST(AgentStats, FollowTheAgentsCallRecords) {
  test::TempDir dir;
  auto opened = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& st = **opened;
  const WorkspaceId ws = test::default_workspace(st);
  auto agent = st.agents().create(ws, {{"name", "Sales Bot"}, {"systemPrompt", "You sell houses."}});
  ASSERT_TRUE(agent) << agent.error().message;
  auto other = st.agents().create(ws, {{"name", "Other Bot"}, {"systemPrompt", "You help people."}});
  ASSERT_TRUE(other);
  const std::string id = (*agent)["id"];
  store::CallStore calls(st.db());
  int n = 0;
  auto call = [&](const std::string& agent_id, const std::string& status, std::optional<std::string> outcome,
                  std::optional<int64_t> duration) {
    store::CallRecord r;
    r.id = "call-" + std::to_string(++n);
    r.workspace_id = ws;
    r.agent_id = agent_id;
    r.direction = "outbound";
    r.status = status;
    r.from_phone = "+14155550100";
    r.to_phone = "+14155550101";
    r.outcome = std::move(outcome);
    r.duration_s = duration;
    ASSERT_TRUE(calls.insert(r));
  };
  auto stats = [&](const std::string& agent_id) { return st.agents().records().get(ws, agent_id).value(); };
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
  again.workspace_id = ws;
  again.agent_id = id;
  again.direction = "outbound";
  again.status = "completed";
  again.from_phone = again.to_phone = "+14155550100";
  again.outcome = "Demo Scheduled";
  again.duration_s = 1000;
  EXPECT_FALSE(calls.insert(again));
  EXPECT_EQ(stats(id)["totalCalls"], 4);
  EXPECT_DOUBLE_EQ(stats(id)["avgCallDurationS"].get<double>(), 60.0);

}

// Upgrading a database whose calls were stored before the running sums
// (migration 5) back-fills them from the calls table. The database is a real
// version-4 one (migrations 1–4 only, rows written with their SQL, the agent's figures as version 4 kept them): the
// later migrations, the workspaces of 7 included, then run on it.
TEST(AgentStats, UpgradeFromVersion4BackFillsTheSumsInTheDefaultWorkspace) {
  test::TempDir dir;
  {
    auto db = store::Database::open_sqlite(dir / "voqo.db");
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(store::schema_version(**db));  // creates schema_migrations, as migrate() does
    for (const auto& m : store::migrations()) {
      if (m.version > 4) break;
      auto r = (*db)->write([&](store::Connection& c) -> Result<void> {
        if (auto e = c.exec(m.sql); !e) return e;
        if (m.run)
          if (auto e = m.run(c); !e) return e;
        return c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" + std::to_string(m.version) +
                      ", 'v" + std::to_string(m.version) + "', '2026-01-01T00:00:00.000Z')");
      });
      ASSERT_TRUE(r) << "migration " << m.version << ": " << r.error().message;
    }
    auto version = store::schema_version(**db);
    ASSERT_TRUE(version);
    ASSERT_EQ(*version, 4);
    ASSERT_TRUE((*db)->write([](store::Connection& c) -> Result<void> {
      // Version 4 recomputed the agent's figures from its calls on every insert: they match the calls below.
      if (auto e = c.exec("INSERT INTO agents (id, name, system_prompt, total_calls, success_rate, avg_call_duration_s, "
                          "created_at, updated_at) VALUES ('agent-1', 'Sales Bot', 'You sell houses.', 4, 50, 60, "
                          "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
          !e)
        return e;
      return c.exec(
          "INSERT INTO calls (id, agent_id, direction, status, from_phone, to_phone, outcome, duration, created_at) VALUES "
          "('c1', 'agent-1', 'outbound', 'completed', '+14155550100', '+14155550101', 'Demo Scheduled', 60, '2026-01-01T00:00:01.000Z'),"
          "('c2', 'agent-1', 'outbound', 'completed', '+14155550100', '+14155550101', 'Not Interested', 30, '2026-01-01T00:00:02.000Z'),"
          "('c3', 'agent-1', 'outbound', 'no_answer', '+14155550100', '+14155550101', 'No Answer', NULL, '2026-01-01T00:00:03.000Z'),"
          "('c4', 'agent-1', 'outbound', 'completed', '+14155550100', '+14155550101', 'Transferred', 90, '2026-01-01T00:00:04.000Z')");
    }));
    auto applied = store::migrate(**db);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(*applied, static_cast<int>(store::migrations().size()) - 4);
    (*db)->close();
  }
  auto opened = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& st = **opened;
  const WorkspaceId ws = test::default_workspace(st);
  auto stats = [&] { return st.agents().records().get(ws, "agent-1").value(); };
  auto s = stats();
  EXPECT_EQ(s["totalCalls"], 4);
  EXPECT_DOUBLE_EQ(s["successRate"].get<double>(), 50.0) << "2 of 4";
  EXPECT_DOUBLE_EQ(s["avgCallDurationS"].get<double>(), 60.0) << "(60 + 30 + 90) / 3";
  // The running sums go on from the back-filled ones (without the back-fill,
  // the next call would make it 1 call, 100 %, 120 s).
  store::CallRecord r;
  r.id = "c5";
  r.workspace_id = ws;
  r.agent_id = "agent-1";
  r.direction = "outbound";
  r.status = "completed";
  r.from_phone = "+14155550100";
  r.to_phone = "+14155550101";
  r.outcome = "Follow-up Needed";
  r.duration_s = 120;
  ASSERT_TRUE(store::CallStore(st.db()).insert(r));
  s = stats();
  EXPECT_EQ(s["totalCalls"], 5);
  EXPECT_DOUBLE_EQ(s["successRate"].get<double>(), 60.0) << "3 of 5";
  EXPECT_DOUBLE_EQ(s["avgCallDurationS"].get<double>(), 75.0) << "(60 + 30 + 90 + 120) / 4";
}

}  // namespace
