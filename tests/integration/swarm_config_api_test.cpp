// A campaign's configuration over the API (issue 18 §6): PUT creates it
// (201) and then changes the fields given (200), GET reads it, DELETE removes
// it; bad bodies get 422 problem+json naming the field and store nothing;
// another workspace's campaign answers 404 on every verb; scopes hold; the
// review queue is a list filter on calls.
#include <gtest/gtest.h>

#include "support/api_server.hpp"

namespace voqo {
namespace {

using json = nlohmann::json;

class SwarmConfigApiTest : public ::testing::Test {
 protected:
  void expect_problem(const test::HttpResult& r, int status, const std::string& field = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    if (!field.empty()) {
      EXPECT_EQ(test::body_json(r).value("field", ""), field) << r.body;
    }
  }
  std::string campaign(const std::string& name) {
    auto r = api_.post("/api/campaigns", {{"name", name}});
    EXPECT_EQ(r.status, 201) << r.body;
    return test::body_json(r)["id"];
  }
  test::ApiServer api_;
};

TEST_F(SwarmConfigApiTest, PutCreatesPatchChangesGetReadsDeleteRemoves) {
  const std::string base = "/api/campaigns/" + campaign("Spring") + "/configuration";
  expect_problem(api_.get(base), 404);
  auto none = api_.get(base + "s");  // the list form: an empty page, not a 404
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(test::body_json(none)["items"].empty());
  auto made = api_.put(base, {{"model", "gpt-4o-mini"},
                              {"personality", "CONSULTATIVE"},
                              {"objectionStyle", "EMPATHETIC"},
                              {"escalationKeywords", {"cancel", "lawyer"}},
                              {"negativeSentimentTurns", 3},
                              {"autoTransfer", true},
                              {"transferNumber", "+14155550999"},
                              {"qualityCheck", true},
                              {"successThreshold", 55}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.header("location"), base);
  const json c = test::body_json(made);
  EXPECT_EQ(c["escalateOnHumanRequest"], true) << "defaults fill what was not given";
  EXPECT_EQ(c["supervisorAlerts"], true);
  auto again = api_.put(base, {{"tone", "warm"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(test::body_json(again)["personality"], "CONSULTATIVE");
  auto patched = api_.patch(base, {{"temperature", 0.3}, {"transferNumber", nullptr}, {"autoTransfer", false}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(test::body_json(patched)["transferNumber"].is_null());
  const json listed = test::body_json(api_.get(base + "s"));
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["id"], c["id"]);
  const json read = test::body_json(api_.get(base));
  EXPECT_EQ(read["tone"], "warm");
  EXPECT_DOUBLE_EQ(read["temperature"].get<double>(), 0.3);
  EXPECT_EQ(read["id"], c["id"]);
  EXPECT_EQ(api_.del(base).status, 204);
  expect_problem(api_.get(base), 404);
  expect_problem(api_.del(base), 404);
  expect_problem(api_.get("/api/campaigns/nope/configuration"), 404);
}

TEST_F(SwarmConfigApiTest, BadBodiesGet422NamingTheFieldAndStoreNothing) {
  const std::string base = "/api/campaigns/" + campaign("Bad") + "/configuration";
  expect_problem(api_.put(base, {{"temperature", "hot"}}), 422, "temperature");
  expect_problem(api_.put(base, {{"personality", "GRUMPY"}}), 422, "personality");
  expect_problem(api_.put(base, {{"autoTransfer", true}}), 422, "transferNumber");
  expect_problem(api_.put(base, {{"escalationKeywords", {1, 2}}}), 422, "escalationKeywords");
  expect_problem(api_.put(base, {{"maxCallDurationMin", 0}}), 422, "maxCallDurationMin");
  expect_problem(api_.put(base, {{"queueTimeoutS", 5}}), 422, "queueTimeoutS");
  expect_problem(api_.put(base, {{"unknownThing", 1}}), 422, "unknownThing");
  expect_problem(api_.put(base, {{"id", "mine"}}), 422, "id");
  const auto raw = api_.raw("PUT", base, "[1,2]", {{"Content-Type", "application/json"}});
  EXPECT_EQ(raw.status / 100, 4) << raw.body;
  expect_problem(api_.get(base), 404);
}

TEST_F(SwarmConfigApiTest, AnotherWorkspacesCampaignIsNotFoundAndScopesHold) {
  const std::string base = "/api/campaigns/" + campaign("Mine") + "/configuration";
  ASSERT_EQ(api_.put(base, {{"tone", "warm"}}).status, 201);
  const WorkspaceId b = api_.create_workspace("Tenant B", "enterprise");
  const std::string key = api_.create_key(b, {"campaigns:read", "campaigns:write"});
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  EXPECT_EQ(api_.raw("GET", base, "", auth).status, 404);
  EXPECT_EQ(api_.raw("GET", base + "s", "", auth).status, 404);
  EXPECT_EQ(api_.raw("PUT", base, R"({"tone":"cold"})", auth).status, 404);
  EXPECT_EQ(api_.raw("PATCH", base, R"({"tone":"cold"})", auth).status, 404);
  EXPECT_EQ(api_.raw("DELETE", base, "", auth).status, 404);
  EXPECT_EQ(test::body_json(api_.get(base))["tone"], "warm");
  const std::string reader = api_.create_key(b, {"campaigns:read"});
  EXPECT_EQ(api_.raw("PUT", base, R"({"tone":"x"})", {{"Authorization", "Bearer " + reader}, {"Content-Type", "application/json"}}).status,
            403);
  EXPECT_EQ(api_.anonymous("GET", base).status, 401);
  // The review queue: calls flagged by the quality check.
  EXPECT_EQ(api_.get("/api/calls?flaggedForReview=true").status, 200);
  expect_problem(api_.get("/api/calls?flaggedForReview=maybe"), 422, "flaggedForReview");
}

}  // namespace
}  // namespace voqo
