// Script templates and call flows in the store (issue 18 §5): the built-in
// scripts are every workspace's rows (seeded on creation and by migration
// 11), template families are versioned, another workspace's rows are not
// found, and a stored call's use updates the templates' usage and success
// rate and the steps' measured durations as running means.
#include <gtest/gtest.h>

#include "model/builtin_scripts.hpp"
#include "store/script_templates.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

class ScriptTemplateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    ws_ = test::default_workspace(*st_);
  }
  store::ScriptTemplateRepository& scripts() { return st_->script_templates(); }
  json builtins(const WorkspaceId& ws) {
    store::ListQuery q;
    q.conditions.push_back({store::Condition::Op::equals, {"is_builtin"}, int64_t{1}});
    auto page = scripts().templates().list(ws, q);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->items : json::array();
  }
  json body() {
    return {{"name", "Rentals"}, {"opening", "Hi {{first_name}}, got a minute?"}, {"discoveryQuestions", {"How many units?"}},
            {"objectionResponses", {{{"objection", "price"}, {"response", "It pays for itself."}}}}};
  }
  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  WorkspaceId ws_;
};

TEST_F(ScriptTemplateStoreTest, BuiltinsAreRowsOfEveryWorkspaceAndEditable) {
  for (const WorkspaceId& ws : {ws_, st_->access().create_workspace("Tenant B", "enterprise")->id}) {
    const json rows = builtins(ws);
    ASSERT_EQ(rows.size(), 3u);
    for (const json& r : rows) {
      EXPECT_EQ(r["isBuiltin"], true);
      EXPECT_EQ(r["version"], 1);
      EXPECT_EQ(r["parentId"], r["id"]);
      EXPECT_EQ(r["opening"], model::builtin_script_template(r["name"].get<std::string>())["opening"]);
      EXPECT_EQ(r["workspaceId"], ws.value);
    }
  }
  const std::string id = builtins(ws_)[0]["id"];
  auto edited = scripts().templates().update(ws_, id, {{"closing", "Shall we talk on Friday?"}, {"isActive", false}});
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ((*edited)["closing"], "Shall we talk on Friday?");
  EXPECT_EQ((*edited)["isBuiltin"], true);
  // is_builtin is the server's: a body cannot set it.
  json forged_body = body();
  forged_body["isBuiltin"] = true;
  auto forged = scripts().create(ws_, forged_body);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().fields.at(0).field, "isBuiltin");
}

TEST_F(ScriptTemplateStoreTest, MigrationSeedsExistingWorkspacesOnce) {
  auto w = st_->access().create_workspace("Tenant C", "free");
  ASSERT_TRUE(w);
  // A workspace from before version 11 has none: the migration's step adds them, and only once.
  ASSERT_TRUE(st_->db().write([&](store::Connection& c) -> Result<void> {
    return c.exec("DELETE FROM swarm_script_templates WHERE workspace_id = '" + w->id.value + "'");
  }));
  EXPECT_EQ(builtins(w->id).size(), 0u);
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(st_->db().write([](store::Connection& c) { return store::ScriptTemplateRepository::seed_all_workspaces(c); }));
  EXPECT_EQ(builtins(w->id).size(), 3u);
  EXPECT_EQ(builtins(ws_).size(), 3u);
}

TEST_F(ScriptTemplateStoreTest, VersionsShareTheFamilyAndKeepTheOldOne) {
  auto v1 = scripts().create(ws_, body());
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ((*v1)["version"], 1);
  EXPECT_EQ((*v1)["parentId"], (*v1)["id"]);
  auto v2 = scripts().new_version(ws_, (*v1)["id"], {{"opening", "Hello {{first_name}}!"}});
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ((*v2)["version"], 2);
  EXPECT_EQ((*v2)["parentId"], (*v1)["id"]);
  EXPECT_EQ((*v2)["discoveryQuestions"], (*v1)["discoveryQuestions"]);  // copied
  EXPECT_EQ((*v2)["opening"], "Hello {{first_name}}!");
  // A version of a version still joins the family, numbered after the highest.
  auto v3 = scripts().new_version(ws_, (*v2)["id"], {{"closing", "Friday?"}});
  ASSERT_TRUE(v3) << v3.error().message;
  EXPECT_EQ((*v3)["version"], 3);
  auto all = scripts().versions(ws_, (*v1)["id"]);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0]["version"], 3);
  EXPECT_EQ((*all)[2]["version"], 1);
  EXPECT_EQ((*all)[2]["opening"], "Hi {{first_name}}, got a minute?");  // the old one is unchanged
  // Bad changes name the field; read-only ones are refused.
  auto bad = scripts().new_version(ws_, (*v1)["id"], {{"version", 9}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().fields.at(0).field, "version");
  // Another workspace's template is not found.
  auto other = st_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other);
  EXPECT_EQ(scripts().versions(other->id, (*v1)["id"]).error().code, ErrorCode::not_found);
  EXPECT_EQ(scripts().new_version(other->id, (*v1)["id"], json::object()).error().code, ErrorCode::not_found);
  EXPECT_FALSE(scripts().check_exists(other->id, (*v1)["id"], "scriptTemplateId"));
  EXPECT_TRUE(scripts().check_exists(ws_, (*v1)["id"], "scriptTemplateId"));
}

TEST_F(ScriptTemplateStoreTest, ASwarmAgentsScriptVersionPicksThatVersionOfEachStepsTemplate) {
  EXPECT_EQ(store::script_version_number("2"), 2);
  EXPECT_EQ(store::script_version_number("v3"), 3);
  EXPECT_EQ(store::script_version_number("V12"), 12);
  for (const char* label : {"", "v", "B", "0", "v0", "2b", "-1", "99999999"}) EXPECT_FALSE(store::script_version_number(label)) << label;
  auto v1 = scripts().create(ws_, body());
  ASSERT_TRUE(v1);
  auto v2 = scripts().new_version(ws_, (*v1)["id"], {{"opening", "Version two opening?"}});
  ASSERT_TRUE(v2);
  auto camp = st_->campaigns().create(ws_, {{"name", "Variants"}});
  ASSERT_TRUE(camp);
  const std::string cid = (*camp)["id"];
  ASSERT_TRUE(scripts().flows().create(ws_, {{"phase", "opening"}, {"scriptTemplateId", (*v1)["id"]}}, cid));
  auto opening = [&](const std::string& version) {
    auto flow = scripts().flow_for_call(ws_, cid, version);
    EXPECT_TRUE(flow) << flow.error().message;
    return (*flow)[0]["scriptTemplate"].value("opening", "");
  };
  EXPECT_EQ(opening(""), "Hi {{first_name}}, got a minute?");
  EXPECT_EQ(opening("v2"), "Version two opening?");
  EXPECT_EQ(opening("2"), "Version two opening?");
  EXPECT_EQ(opening("1"), "Hi {{first_name}}, got a minute?");
  EXPECT_EQ(opening("v7"), "Hi {{first_name}}, got a minute?") << "a version the family lacks keeps the step's own";
  EXPECT_EQ(opening("B"), "Hi {{first_name}}, got a minute?");
  // An inactive version is not spoken.
  ASSERT_TRUE(scripts().templates().update(ws_, (*v2)["id"], {{"isActive", false}}));
  EXPECT_TRUE((*scripts().flow_for_call(ws_, cid, "v2"))[0]["scriptTemplate"].is_null());
}

TEST_F(ScriptTemplateStoreTest, StoredCallsUpdateUsageSuccessRateAndStepDurations) {
  auto tpl = scripts().create(ws_, body());
  ASSERT_TRUE(tpl);
  auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
  ASSERT_TRUE(camp);
  const std::string cid = (*camp)["id"];
  auto opening = scripts().flows().create(ws_, {{"phase", "opening"}, {"scriptTemplateId", (*tpl)["id"]}, {"order", 1}}, cid);
  ASSERT_TRUE(opening) << opening.error().message;
  auto closing = scripts().flows().create(ws_, {{"phase", "closing"}, {"fallbackScript", "Friday?"}, {"order", 2}}, cid);
  ASSERT_TRUE(closing) << closing.error().message;
  // The phase is unique in the campaign.
  auto twice = scripts().flows().create(ws_, {{"phase", "opening"}}, cid);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);

  auto flow = scripts().flow_for_call(ws_, cid);
  ASSERT_TRUE(flow) << flow.error().message;
  ASSERT_EQ(flow->size(), 2u);
  EXPECT_EQ((*flow)[0]["phase"], "opening");
  EXPECT_EQ((*flow)[0]["scriptTemplate"]["id"], (*tpl)["id"]);
  EXPECT_TRUE((*flow)[1]["scriptTemplate"].is_null());

  const std::string tid = (*tpl)["id"];
  store::CallFlowUse a{ws_, cid, {tid, tid}, {{"opening", 4.0}, {"closing", 10.0}}, true};
  store::CallFlowUse b{ws_, cid, {tid}, {{"opening", 8.0}}, false};
  for (const auto& use : {a, b})
    ASSERT_TRUE(st_->db().write([&](store::Connection& c) { return store::ScriptTemplateRepository::record_call(c, use); }));
  auto t = scripts().templates().get(ws_, tid);
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)["usageCount"], 2);  // a call that used it twice counts once
  EXPECT_DOUBLE_EQ((*t)["averageSuccessRate"].get<double>(), 0.5);
  auto o = scripts().flows().get(ws_, (*opening)["id"], cid);
  ASSERT_TRUE(o);
  EXPECT_DOUBLE_EQ((*o)["averageDurationS"].get<double>(), 6.0);
  EXPECT_EQ((*o)["sampleCount"], 2);
  auto cl = scripts().flows().get(ws_, (*closing)["id"], cid);
  EXPECT_DOUBLE_EQ((*cl)["averageDurationS"].get<double>(), 10.0);
  EXPECT_EQ((*cl)["sampleCount"], 1);

  // Another workspace's use of the same ids changes nothing here.
  auto other = st_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other);
  store::CallFlowUse foreign{other->id, cid, {tid}, {{"opening", 100.0}}, true};
  ASSERT_TRUE(st_->db().write([&](store::Connection& c) { return store::ScriptTemplateRepository::record_call(c, foreign); }));
  EXPECT_EQ((*scripts().templates().get(ws_, tid))["usageCount"], 2);
  EXPECT_DOUBLE_EQ((*scripts().flows().get(ws_, (*opening)["id"], cid))["averageDurationS"].get<double>(), 6.0);
  EXPECT_TRUE(scripts().flow_for_call(other->id, cid)->empty());

  // An inactive template is not given to calls; the step keeps its fallback.
  ASSERT_TRUE(scripts().templates().update(ws_, tid, {{"isActive", false}}));
  EXPECT_TRUE((*scripts().flow_for_call(ws_, cid))[0]["scriptTemplate"].is_null());
}

}  // namespace
