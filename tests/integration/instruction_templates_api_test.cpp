// Instruction templates over the API (issue 19 §2): a template that uses an
// unknown or undeclared variable is refused with 422 naming the field and
// the variable and nothing is stored; an agent's greeting is checked the
// same way against its template's declarations; another workspace reads a
// public template but cannot change it (404) and does not see a private one
// (404); system templates are read-only (409).
#include <gtest/gtest.h>

#include "support/api_server.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

class InstructionTemplatesApiTest : public ::testing::Test {
 protected:
  json create(const std::string& target, const json& body) {
    auto r = api_.post(target, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return test::body_json(r);
  }
  void expect_problem(const test::HttpResult& r, int status, const std::string& field, const std::string& named = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    EXPECT_EQ(test::body_json(r).value("field", ""), field) << r.body;
    if (!named.empty()) {
      EXPECT_NE(r.body.find(named), std::string::npos) << r.body;
    }
  }
  std::size_t own_count() {
    return test::body_json(api_.get("/api/instruction-templates?visibility=own"))["items"].size();
  }
  json tpl() {
    return {{"name", "Renewals"},
            {"category", "sales"},
            {"content", "You are {{agent.name}}, calling {{contact.name}} of {{lead.company}} about {{vars.offer}}."},
            {"variables", {{{"name", "offer"}, {"type", "string"}, {"default", "a renewal discount"}}}},
            {"rating", 4.5}};
  }
  json with(const json& changes) {
    json t = tpl();
    t.update(changes);
    return t;
  }
  json agent(const json& extra) {
    json a = {{"name", "Renewer"}, {"systemPrompt", "You help customers renew their plans."}};
    a.update(extra);
    return a;
  }
  test::ApiServer api_;
};

TEST_F(InstructionTemplatesApiTest, UnknownVariableIsRejectedNamingTheFieldAndNothingIsStored) {
  const std::size_t before = own_count();
  EXPECT_EQ(before, 3u);  // the system templates
  json bad = tpl();
  bad["content"] = "Hi {{contact.age}}, about {{vars.offer}}";
  expect_problem(api_.post("/api/instruction-templates", bad), 422, "content", "contact.age");
  bad["content"] = "Hi {{discount}}";  // a custom variable nobody declared
  expect_problem(api_.post("/api/instruction-templates", bad), 422, "content", "discount");
  bad["content"] = "Hi {{contact.name";
  expect_problem(api_.post("/api/instruction-templates", bad), 422, "content", "{{");
  bad = tpl();
  bad["variables"][0]["type"] = "number";  // "a renewal discount" is not a number
  expect_problem(api_.post("/api/instruction-templates", bad), 422, "variables[0].default", "offer");
  expect_problem(api_.post("/api/instruction-templates", with({{"rating", 7}})), 422, "rating");
  EXPECT_EQ(own_count(), before);

  // A good one is stored; a PATCH that drops a declaration still in use is refused.
  const json t = create("/api/instruction-templates", tpl());
  EXPECT_EQ(t["usageCount"], 0);
  EXPECT_EQ(t["isSystem"], false);
  EXPECT_EQ(t["isPublic"], false);
  const std::string id = t["id"];
  EXPECT_EQ(own_count(), before + 1);
  expect_problem(api_.patch("/api/instruction-templates/" + id, {{"variables", json::array()}}), 422, "content", "offer");
  auto ok = api_.patch("/api/instruction-templates/" + id, {{"content", "Hello {{contact.first_name}} on {{now:date}}."}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(test::body_json(api_.get("/api/instruction-templates/" + id))["content"], "Hello {{contact.first_name}} on {{now:date}}.");
}

TEST_F(InstructionTemplatesApiTest, AgentsGreetingIsCheckedAgainstItsTemplate) {
  const std::string id = create("/api/instruction-templates", tpl())["id"];
  // Without the template, {{offer}} is undeclared.
  expect_problem(api_.post("/api/agents", agent({{"greetingMessage", "Hi {{contact.name}}, about {{offer}}?"}})), 422,
                 "greetingMessage", "offer");
  expect_problem(api_.post("/api/agents", agent({{"voicemailMessage", "Hi {{lead.}}"}})), 422, "voicemailMessage", "lead.");
  expect_problem(api_.post("/api/agents", agent({{"instructionTemplateId", "nope"}})), 422, "instructionTemplateId");
  const json a = create("/api/agents", agent({{"instructionTemplateId", id},
                                              {"greetingMessage", "Hi {{contact.name}}, about {{offer}}?"},
                                              {"voicemailMessage", "Hi {{contact.first_name}}, call us back about {{vars.offer}}."}}));
  EXPECT_EQ(a["instructionTemplateId"], id);
  const std::string agent_id = a["id"];
  // Unsetting the template makes the greeting's {{offer}} undeclared.
  expect_problem(api_.patch("/api/agents/" + agent_id, {{"instructionTemplateId", nullptr}}), 422, "greetingMessage", "offer");
  expect_problem(api_.patch("/api/agents/" + agent_id, {{"systemPrompt", "You are {{agent.nickname}} today."}}), 422,
                 "systemPrompt", "agent.nickname");
  EXPECT_EQ(api_.patch("/api/agents/" + agent_id, {{"greetingMessage", "Hello {{contact.name}}!"}}).status, 200);
}

TEST_F(InstructionTemplatesApiTest, VisibilityAcrossWorkspacesAndSystemTemplatesAreReadOnly) {
  json pub = tpl();
  pub["name"] = "Shared";
  pub["isPublic"] = true;
  const std::string shared = create("/api/instruction-templates", pub)["id"];
  const std::string secret = create("/api/instruction-templates", tpl())["id"];
  const WorkspaceId b = api_.create_workspace("Tenant B", "enterprise");
  const std::string key = api_.create_key(b, {"agents:read", "agents:write"});
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key},
                                                                 {"Content-Type", "application/json"}};
  EXPECT_EQ(api_.raw("GET", "/api/instruction-templates/" + shared, "", auth).status, 200);
  EXPECT_EQ(api_.raw("PATCH", "/api/instruction-templates/" + shared, R"({"name":"B"})", auth).status, 404);
  EXPECT_EQ(api_.raw("DELETE", "/api/instruction-templates/" + shared, "", auth).status, 404);
  for (const char* method : {"GET", "DELETE"})
    EXPECT_EQ(api_.raw(method, "/api/instruction-templates/" + secret, "", auth).status, 404) << method;
  EXPECT_EQ(api_.raw("PATCH", "/api/instruction-templates/" + secret, R"({"name":"B"})", auth).status, 404);
  const json listed = test::body_json(api_.raw("GET", "/api/instruction-templates?visibility=public", "", auth));
  ASSERT_EQ(listed["items"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["items"][0]["id"], shared);
  // B's agent may use A's public template.
  const auto b_agent = api_.raw("POST", "/api/agents",
                                json{{"name", "B agent"}, {"systemPrompt", "Help the customer politely."},
                                     {"instructionTemplateId", shared}, {"greetingMessage", "Hi, about {{offer}}?"}}
                                    .dump(),
                                auth);
  EXPECT_EQ(b_agent.status, 201) << b_agent.body;
  expect_problem(api_.raw("GET", "/api/instruction-templates?visibility=everyone", "", auth), 422, "visibility");

  // System templates: listed, readable, not writable.
  const json system = test::body_json(api_.get("/api/instruction-templates?visibility=system"));
  ASSERT_EQ(system["items"].size(), 3u);
  const std::string sys = system["items"][0]["id"];
  expect_problem(api_.patch("/api/instruction-templates/" + sys, {{"name", "Mine"}}), 409, "isSystem");
  expect_problem(api_.del("/api/instruction-templates/" + sys), 409, "isSystem");
  expect_problem(api_.post("/api/instruction-templates", with({{"isSystem", true}})), 422, "isSystem");
  // Scopes: without agents:write no template is created.
  const std::string reader = api_.create_key(b, {"agents:read"});
  EXPECT_EQ(api_.raw("POST", "/api/instruction-templates", tpl().dump(),
                     {{"Authorization", "Bearer " + reader}, {"Content-Type", "application/json"}}).status, 403);
}

}  // namespace
}  // namespace voqo
