// An agent's statistics (agents.total_calls, success_rate,
// avg_call_duration_s: the dashboard's agents list) follow its call records.
#include <gtest/gtest.h>

#include "store/calls.hpp"
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
}

}  // namespace
