// Script templates and call flows over the API (issue 18 §5): the built-ins
// are editable rows, templates are created, edited and versioned, a
// campaign's call-flow steps have the objectives' CRUD shape, bad bodies get
// 422 naming the field, another workspace's objects answer 404, and a
// key without the campaigns scopes is refused.
#include <gtest/gtest.h>

#include <set>

#include "support/api_server.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

class ScriptTemplatesApiTest : public ::testing::Test {
 protected:
  json create(const std::string& target, const json& body) {
    auto r = api_.post(target, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return test::body_json(r);
  }
  void expect_problem(const test::HttpResult& r, int status, const std::string& field = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    if (!field.empty()) {
      EXPECT_EQ(test::body_json(r).value("field", ""), field) << r.body;
    }
  }
  /// tpl() with `changes` applied.
  json with(const json& changes) {
    json t = tpl();
    t.update(changes);
    return t;
  }
  json tpl() {
    return {{"name", "Rentals"},
            {"category", "property_management"},
            {"opening", "Hi {{first_name}}, got a minute?"},
            {"discoveryQuestions", {"How many units do you manage?"}},
            {"valueProposition", "We halve repair calls. Would that help?"},
            {"objectionResponses", {{{"objection", "price"}, {"response", "It pays for itself."}}}},
            {"closing", "Can we book a demo?"},
            {"variables", {"first_name", "units"}}};
  }
  test::ApiServer api_;
};

TEST_F(ScriptTemplatesApiTest, BuiltinsAreListedAndEditable) {
  auto page = test::body_json(api_.get("/api/script-templates?isBuiltin=true"));
  ASSERT_EQ(page["items"].size(), 3u) << page.dump();
  std::set<std::string> names;
  for (const auto& t : page["items"]) names.insert(t["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"custom", "property_sales", "property_manager"}));
  const std::string id = page["items"][0]["id"];
  auto edited = api_.patch("/api/script-templates/" + id, {{"opening", "Hello {{first_name}}, a quick minute?"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(test::body_json(edited)["opening"], "Hello {{first_name}}, a quick minute?");
  EXPECT_EQ(test::body_json(edited)["isBuiltin"], true);
  expect_problem(api_.patch("/api/script-templates/" + id, {{"isBuiltin", false}}), 422, "isBuiltin");
  expect_problem(api_.patch("/api/script-templates/" + id, {{"usageCount", 5}}), 422, "usageCount");
}

TEST_F(ScriptTemplatesApiTest, CrudAndVersions) {
  const json v1 = create("/api/script-templates", tpl());
  EXPECT_EQ(v1["version"], 1);
  EXPECT_EQ(v1["parentId"], v1["id"]);
  EXPECT_EQ(v1["usageCount"], 0);
  EXPECT_EQ(v1["isActive"], true);
  const std::string id = v1["id"];

  auto v2r = api_.post("/api/script-templates/" + id + "/versions", {{"closing", "Friday at ten?"}});
  ASSERT_EQ(v2r.status, 201) << v2r.body;
  EXPECT_EQ(v2r.header("location"), "/api/script-templates/" + test::body_json(v2r)["id"].get<std::string>());
  const json v2 = test::body_json(v2r);
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["parentId"], id);
  EXPECT_EQ(v2["opening"], v1["opening"]);
  EXPECT_EQ(test::body_json(api_.get("/api/script-templates/" + id))["closing"], "Can we book a demo?");  // old one stays

  auto versions = test::body_json(api_.get("/api/script-templates/" + v2["id"].get<std::string>() + "/versions"));
  ASSERT_EQ(versions["items"].size(), 2u);
  EXPECT_EQ(versions["items"][0]["version"], 2);
  EXPECT_EQ(versions["items"][1]["version"], 1);

  auto patched = api_.patch("/api/script-templates/" + id, {{"isActive", false}});
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(test::body_json(api_.get("/api/script-templates?isActive=false"))["items"].size(), 1u);
  EXPECT_EQ(api_.del("/api/script-templates/" + id).status, 204);
  expect_problem(api_.get("/api/script-templates/" + id), 404);
  expect_problem(api_.get("/api/script-templates/" + id + "/versions"), 404);
}

TEST_F(ScriptTemplatesApiTest, BadBodiesName422Fields) {
  expect_problem(api_.post("/api/script-templates", {{"name", "x"}}), 422, "opening");
  expect_problem(api_.post("/api/script-templates", with({{"name", ""}})), 422, "name");
  expect_problem(api_.post("/api/script-templates", with({{"discoveryQuestions", "one"}})), 422, "discoveryQuestions");
  expect_problem(api_.post("/api/script-templates", with({{"discoveryQuestions", {"ok?", 3}}})), 422,
                 "discoveryQuestions[1]");
  expect_problem(api_.post("/api/script-templates", with({{"objectionResponses", {{{"objection", "price"}}}}})),
                 422, "objectionResponses[0].response");
  expect_problem(api_.post("/api/script-templates",
                           with({{"objectionResponses", {{{"objection", "price"}, {"response", "r"}, {"x", 1}}}}})),
                 422, "objectionResponses[0].x");
  expect_problem(api_.post("/api/script-templates", with({{"variables", {"ok", "{{bad}}"}}})), 422, "variables[1]");
  expect_problem(api_.post("/api/script-templates", with({{"opening", std::string(4001, 'a')}})), 422, "opening");
  // Floods: more than 50 questions, a huge list of variables.
  expect_problem(api_.post("/api/script-templates", with({{"discoveryQuestions", json(std::vector<std::string>(51, "q?"))}})),
                 422, "discoveryQuestions");
  expect_problem(api_.post("/api/script-templates", with({{"variables", json(std::vector<std::string>(101, "v"))}})),
                 422, "variables");
  const std::string id = create("/api/script-templates", tpl())["id"];
  expect_problem(api_.post("/api/script-templates/" + id + "/versions", {{"version", 7}}), 422, "version");
  expect_problem(api_.post("/api/script-templates/" + id + "/versions", {{"discoveryQuestions", {""}}}), 422,
                 "discoveryQuestions[0]");
  expect_problem(api_.post("/api/script-templates/" + id + "/versions", json::array()), 422);
}

TEST_F(ScriptTemplatesApiTest, CallFlowStepsOfACampaign) {
  const std::string campaign = create("/api/campaigns", {{"name", "Spring"}})["id"];
  const std::string script = create("/api/script-templates", tpl())["id"];
  const std::string base = "/api/campaigns/" + campaign + "/call-flow";
  auto r = api_.post(base, {{"phase", "opening"}, {"description", "Permission to talk"}, {"targetDurationS", 20},
                            {"scriptTemplateId", script}, {"skipConditions", {{"variable", "returningContact"}, {"exists", true}}},
                            {"successCriteria", "caller agrees to talk"}, {"order", 1}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json step = test::body_json(r);
  EXPECT_EQ(r.header("location"), base + "/" + step["id"].get<std::string>());
  EXPECT_EQ(step["campaignId"], campaign);
  EXPECT_EQ(step["averageDurationS"], 0);
  EXPECT_EQ(step["sampleCount"], 0);
  EXPECT_EQ(step["skipConditions"]["variable"], "returningContact");
  create(base, {{"phase", "closing"}, {"fallbackScript", "Friday?"}, {"order", 2}});
  EXPECT_EQ(test::body_json(api_.get(base))["items"].size(), 2u);

  const std::string one = base + "/" + step["id"].get<std::string>();
  EXPECT_EQ(test::body_json(api_.get(one))["phase"], "opening");
  auto p = api_.patch(one, {{"targetDurationS", 30}, {"scriptTemplateId", nullptr}});
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(test::body_json(p)["targetDurationS"], 30);
  EXPECT_TRUE(test::body_json(p)["scriptTemplateId"].is_null());

  expect_problem(api_.post(base, {{"phase", "opening"}}), 409, "phase");
  expect_problem(api_.post(base, {{"description", "no phase"}}), 422, "phase");
  expect_problem(api_.post(base, {{"phase", "x"}, {"targetDurationS", 99999}}), 422, "targetDurationS");
  expect_problem(api_.post(base, {{"phase", "y"}, {"averageDurationS", 3}}), 422, "averageDurationS");
  expect_problem(api_.post(base, {{"phase", std::string(101, 'p')}}), 422, "phase");
  expect_problem(api_.post(base, {{"phase", "z"}, {"scriptTemplateId", "c" + std::string(24, 'x')}}), 404, "scriptTemplateId");
  expect_problem(api_.post("/api/campaigns/" + std::string(25, 'q') + "/call-flow", {{"phase", "o"}}), 404);

  // Deleting a template a step speaks leaves the step with its fallback (scriptTemplateId null).
  const json second = create(base, {{"phase", "pitch"}, {"scriptTemplateId", script}, {"fallbackScript", "We help."}});
  EXPECT_EQ(api_.del("/api/script-templates/" + script).status, 204);
  const json after = test::body_json(api_.get(base + "/" + second["id"].get<std::string>()));
  EXPECT_TRUE(after["scriptTemplateId"].is_null()) << after.dump();
  EXPECT_EQ(after["fallbackScript"], "We help.");

  EXPECT_EQ(api_.del(one).status, 204);
  expect_problem(api_.get(one), 404);
  // Deleting the campaign takes its flow with it.
  EXPECT_EQ(api_.del("/api/campaigns/" + campaign).status, 204);
  expect_problem(api_.get(base), 404);
}

TEST_F(ScriptTemplatesApiTest, BadStepConditionsAreRefusedNamingTheFieldAndNothingIsStored) {
  const std::string campaign = create("/api/campaigns", {{"name", "Conditions"}})["id"];
  const std::string base = "/api/campaigns/" + campaign + "/call-flow";
  struct Bad {
    json body;
    const char* field;
  };
  const std::vector<Bad> bad = {
      {{{"phase", "a"}, {"skipConditions", json::array({{{"intentHeard", "yes"}}, {{"intentHeard", "maybe"}}})}},
       "skipConditions[1].intentHeard"},
      {{{"phase", "b"}, {"skipConditions", {{"variable", "owner"}, {"exists", true}, {"since", 3}}}}, "skipConditions.since"},
      {{{"phase", "c"}, {"skipConditions", json::array({{{"variable", "owner"}, {"exists", "yes"}}})}},
       "skipConditions[0].exists"},
      {{{"phase", "d"}, {"skipConditions", json::array({{{"variable", "x"}, {"in", {"a", json::array({"b"})}}}})}},
       "skipConditions[0].in[1]"},
      {{{"phase", "e"}, {"skipConditions", "when returning"}}, "skipConditions"},
      {{{"phase", "f"}, {"successCriteria", {{"intent", "interested"}}}}, "successCriteria.intent"},
      {{{"phase", "g"}, {"successCriteria", {{"intent", "yes"}, {"maxTurns", "2"}}}}, "successCriteria.maxTurns"},
      {{{"phase", "h"}, {"successCriteria", {{"anyIntent", {"yes", 3}}}}}, "successCriteria.anyIntent[1]"},
      {{{"phase", "i"}, {"successCriteria", 42}}, "successCriteria"},
  };
  for (const auto& b : bad) expect_problem(api_.post(base, b.body), 422, b.field);
  EXPECT_EQ(test::body_json(api_.get(base))["items"].size(), 0u) << "nothing stored";

  // Good ones are stored as given; a PATCH with a bad one changes nothing.
  const json good = create(base, {{"phase", "ownership"},
                                  {"skipConditions", json::array({{{"variable", "owner"}, {"equals", "yes"}},
                                                                  {{"intentHeard", "not_interested"}}})},
                                  {"successCriteria", {{"intent", "yes"}, {"maxTurns", 3}}}});
  const std::string one = base + "/" + good["id"].get<std::string>();
  expect_problem(api_.patch(one, {{"description", "changed"}, {"skipConditions", {{"intentHeard", "perhaps"}}}}), 422,
                 "skipConditions.intentHeard");
  expect_problem(api_.patch(one, {{"successCriteria", {{"minTurns", 0}}}}), 422, "successCriteria.minTurns");
  const json stored = test::body_json(api_.get(one));
  EXPECT_TRUE(stored["description"].is_null()) << stored.dump();
  EXPECT_EQ(stored["skipConditions"], good["skipConditions"]);
  EXPECT_EQ(stored["successCriteria"]["maxTurns"], 3);
  auto p = api_.patch(one, {{"successCriteria", "They confirmed ownership"}, {"skipConditions", nullptr}});
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(test::body_json(p)["successCriteria"], "They confirmed ownership");
}

TEST_F(ScriptTemplatesApiTest, AnotherWorkspacesObjectsAreNotFound) {
  const std::string campaign = create("/api/campaigns", {{"name", "A"}})["id"];
  const std::string script = create("/api/script-templates", tpl())["id"];
  const std::string step = create("/api/campaigns/" + campaign + "/call-flow", {{"phase", "opening"}})["id"];
  const WorkspaceId b = api_.create_workspace("Tenant B", "enterprise");
  const std::string key = api_.create_key(b, {"campaigns:read", "campaigns:write"});
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  EXPECT_EQ(api_.raw("GET", "/api/script-templates/" + script, "", auth).status, 404);
  EXPECT_EQ(api_.raw("PATCH", "/api/script-templates/" + script, R"({"name":"B"})", auth).status, 404);
  EXPECT_EQ(api_.raw("GET", "/api/script-templates/" + script + "/versions", "", auth).status, 404);
  EXPECT_EQ(api_.raw("POST", "/api/script-templates/" + script + "/versions", "{}", auth).status, 404);
  EXPECT_EQ(api_.raw("DELETE", "/api/script-templates/" + script, "", auth).status, 404);
  EXPECT_EQ(api_.raw("GET", "/api/campaigns/" + campaign + "/call-flow/" + step, "", auth).status, 404);
  EXPECT_EQ(api_.raw("POST", "/api/campaigns/" + campaign + "/call-flow", R"({"phase":"b"})", auth).status, 404);
  // B's own step may not point at A's template.
  const auto mine = api_.raw("POST", "/api/campaigns", R"({"name":"B's"})", auth);
  ASSERT_EQ(mine.status, 201) << mine.body;
  const std::string b_campaign = test::body_json(mine)["id"];
  const auto foreign = api_.raw("POST", "/api/campaigns/" + b_campaign + "/call-flow",
                                json{{"phase", "opening"}, {"scriptTemplateId", script}}.dump(), auth);
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(test::body_json(foreign).value("field", ""), "scriptTemplateId");
  // B sees only its own built-ins.
  const auto list = test::body_json(api_.raw("GET", "/api/script-templates", "", auth));
  EXPECT_EQ(list["items"].size(), 3u);
  for (const auto& t : list["items"]) EXPECT_EQ(t["workspaceId"], b.value);
  // Scopes: a key without campaigns:write cannot create; without a key, nothing.
  const std::string reader = api_.create_key(b, {"campaigns:read"});
  EXPECT_EQ(api_.raw("POST", "/api/script-templates", tpl().dump(),
                     {{"Authorization", "Bearer " + reader}, {"Content-Type", "application/json"}}).status, 403);
  EXPECT_EQ(api_.anonymous("GET", "/api/script-templates").status, 401);
}

}  // namespace
}  // namespace voqo
