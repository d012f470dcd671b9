// The seam between the store's call flow and the brain (issue 18 §5): the
// rows flow_for_call() returns, given to the engine factory as
// EngineRequest::call_flow, make the call's scripted brain speak the steps'
// scripts under the steps' names (a step whose stored skipConditions match is
// skipped), and the call's systemInfo names the flow.
#include <gtest/gtest.h>

#include "brain/call_flow.hpp"
#include "calls/engines.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

TEST(EnginesCallFlow, TheStoredFlowDrivesTheScriptedBrainsPhases) {
  test::TempDir dir;
  auto st = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(st) << st.error().message;
  const WorkspaceId ws = test::default_workspace(**st);
  auto& scripts = (*st)->script_templates();
  auto tpl = scripts.create(ws, {{"name", "Rentals"}, {"opening", "Hi {{first_name}}, this is {{agent_name}}. Got a minute?"},
                                 {"discoveryQuestions", {"How many units in {{city}}?"}}});
  ASSERT_TRUE(tpl) << tpl.error().message;
  auto camp = (*st)->campaigns().create(ws, {{"name", "Spring"}});
  ASSERT_TRUE(camp);
  const std::string cid = (*camp)["id"];
  ASSERT_TRUE(scripts.flows().create(ws, {{"phase", "greeting"}, {"scriptTemplateId", (*tpl)["id"]}, {"order", 1}}, cid));
  ASSERT_TRUE(scripts.flows().create(ws, {{"phase", "qualification"}, {"scriptTemplateId", (*tpl)["id"]}, {"order", 3}}, cid));
  // A step whose stored skip condition matches the call's variables is never said.
  ASSERT_TRUE(scripts.flows().create(ws, {{"phase", "budget"}, {"fallbackScript", "What is your budget?"},
                                          {"skipConditions", json::array({{{"variable", "City"}, {"in", {"austin", "dallas"}}}})},
                                          {"order", 2}}, cid));
  auto rows = scripts.flow_for_call(ws, cid);
  ASSERT_TRUE(rows) << rows.error().message;

  calls::EngineRequest r;
  r.agent.workspace_id = ws.value;
  r.agent.name = "Ava";
  r.contact_name = "Maria Lopez";
  r.variables = {{"city", "Austin"}};
  r.listen = false;  // no recogniser needed to check the brain
  r.call_flow = std::make_shared<const brain::CallFlow>(brain::call_flow_from_rows(*rows));
  calls::Engines engines;
  auto built = engines.build(**st, r);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->system_info["callFlow"]["steps"], json({"greeting", "budget", "qualification"}));
  EXPECT_EQ(built->system_info["callFlow"]["scriptTemplateIds"], json({(*tpl)["id"]}));

  auto greet = built->brain->greet({}, {});
  ASSERT_TRUE(greet);
  EXPECT_EQ(greet->text, "Hi Maria, this is Ava. Got a minute?");
  EXPECT_EQ(greet->phase, "greeting");
  auto next = built->brain->respond("yes", {}, {});
  ASSERT_TRUE(next);
  EXPECT_NE(next->text.find("How many units in Austin?"), std::string::npos) << next->text;
  EXPECT_EQ(next->phase, "qualification");
  EXPECT_EQ(next->text.find("budget"), std::string::npos) << next->text;
  auto result = built->brain->finish({}, {});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->flow_steps.size(), 3u);
  EXPECT_EQ(result->flow_steps[1].phase, "budget");
  EXPECT_EQ(result->flow_steps[1].result, "skipped");
  EXPECT_EQ(result->flow_steps[2].result, "reached");
}

}  // namespace
}  // namespace voqo
