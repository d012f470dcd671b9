// The seam between the store's instruction templates and the brain (issue 19
// §2): an agent's instructionTemplateId makes the engines put the template's
// content and declarations in the call's context, so the brain greets with the
// contact's name and a lead column, the voicemail message is rendered, the
// call's systemInfo names the template, and its usageCount grows by one.
#include <gtest/gtest.h>

#include "calls/engines.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

TEST(EnginesInstructionTemplate, TheAgentsTemplateRendersGreetingVoicemailAndIsCounted) {
  test::TempDir dir;
  auto st = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(st) << st.error().message;
  const WorkspaceId ws = test::default_workspace(**st);
  auto tpl = (*st)->instruction_templates().create(
      ws, {{"name", "Renewals"},
           {"content", "You are {{agent.name}} calling {{contact.name}} about {{vars.offer}}."},
           {"variables", json::parse(R"([{"name":"offer","type":"string","default":"a renewal discount"}])")}});
  ASSERT_TRUE(tpl) << tpl.error().message;
  const std::string id = (*tpl)["id"];

  calls::EngineRequest r;
  r.agent.workspace_id = ws.value;
  r.agent.name = "Ava";
  r.agent.instruction_template_id = id;
  r.agent.greeting_message = "Hi {{contact.first_name}}, this is {{agent.name}} from {{lead.company}} about {{offer}}.";
  r.agent.voicemail_message = "Hi {{contact.first_name}}, please call {{lead.company}} back about {{vars.offer}}.";
  r.contact_name = "Maria Lopez";
  r.variables = {{"company", "Acme Insurance"}};
  r.listen = false;
  calls::Engines engines;
  auto built = engines.build(**st, r);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->system_info["instructionTemplateId"], id);
  EXPECT_EQ(built->pipeline.voicemail_message, "Hi Maria, please call Acme Insurance back about a renewal discount.");
  auto greet = built->brain->greet({}, {});
  ASSERT_TRUE(greet);
  EXPECT_EQ(greet->text, "Hi Maria, this is Ava from Acme Insurance about a renewal discount.");
  auto stored = (*st)->instruction_templates().get(ws, id);
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["usageCount"], 1);
}

}  // namespace
}  // namespace voqo
