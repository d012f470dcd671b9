// A database written by the previous release (tests/data/schema_v6.db: a demo
// campaign's agent, contacts, calls with transcripts, live data, memories,
// SMS rows, a custom function with credentials, a do-not-call entry, settings
// with secrets) served after migration 7 (issue 16, "Done when: migration"):
// every documented read answers as documented, everything lands in Default,
// its rows can be changed, and a second workspace sees none of it.
#include <gtest/gtest.h>

#include "support/api_server.hpp"

using namespace voqo;
using nlohmann::json;
using test::body_json;

namespace {

const std::filesystem::path kFixture = std::filesystem::path(VOQO_SOURCE_DIR) / "tests/data/schema_v6.db";

TEST(MigratedApi, APreviousReleasesDatabaseServesEveryReadFromDefault) {
  test::ApiServer api({}, {}, {}, kFixture);
  const json doc = body_json(api.get("/api/openapi.json"));
  // Every list the document has, read with Default's key.
  std::map<std::string, json> lists;
  for (const auto& [path, ops] : doc["paths"].items()) {
    if (!ops.contains("get") || path.find('{') != std::string::npos) continue;
    auto r = api.get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body.substr(0, 200);
    lists[path] = body_json(r);
  }
  ASSERT_EQ(lists["/api/agents"]["items"].size(), 1u);
  EXPECT_EQ(lists["/api/calls"]["items"].size(), 10u);
  EXPECT_EQ(lists["/api/contacts"]["items"].size(), 9u);
  EXPECT_EQ(lists["/api/do-not-call"]["items"].size(), 2u) << "the caller who said stop, and one added through the API";
  for (const auto& item : lists["/api/calls"]["items"]) EXPECT_EQ(item["workspaceId"], api.workspace().value);
  // One of every kind, read by its id, with its children.
  const std::string agent = lists["/api/agents"]["items"][0]["id"];
  for (const std::string& path :
       {"/api/agents/" + agent, "/api/agents/" + agent + "/configurations", "/api/agents/" + agent + "/functions",
        "/api/calls/" + lists["/api/calls"]["items"][0]["id"].get<std::string>(),
        "/api/calls/" + lists["/api/calls"]["items"][0]["id"].get<std::string>() + "/analytics",
        "/api/contacts/" + lists["/api/contacts"]["items"][0]["id"].get<std::string>(),
        "/api/campaigns/" + lists["/api/campaigns"]["items"][0]["id"].get<std::string>() + "/uploads",
        "/api/uploads/" + lists["/api/uploads"]["items"][0]["id"].get<std::string>(),
        "/api/jobs/" + lists["/api/jobs"]["items"][0]["id"].get<std::string>(),
        "/api/jobs/" + lists["/api/jobs"]["items"][0]["id"].get<std::string>() + "/events"}) {
    auto r = api.get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body.substr(0, 200);
  }
  auto call = body_json(api.get("/api/calls/" + lists["/api/calls"]["items"][0]["id"].get<std::string>()));
  EXPECT_FALSE(call["transcript"].empty()) << "transcripts came through";
  // Secrets came through sealed, and still masked; the function's header too.
  auto settings = body_json(api.get("/api/settings"));
  EXPECT_EQ(settings["llm"]["apiKey"], "********");
  auto functions = body_json(api.get("/api/agents/" + agent + "/functions"));
  ASSERT_EQ(functions["items"].size(), 1u);
  EXPECT_EQ(functions["items"][0]["headers"]["Authorization"], "********");
  // Its rows change as any row does, and a new workspace sees nothing of them.
  EXPECT_EQ(api.patch("/api/agents/" + agent, {{"speechRate", 1.1}}).status, 200);
  EXPECT_EQ(body_json(api.get("/api/agents/" + agent + "/configurations"))["items"].size(), 2u);
  EXPECT_EQ(api.post("/api/contacts", {{"name", "New after migration"}, {"phone", "+14155550188"}}).status, 201);
  const std::string other = api.create_key(api.create_workspace("After"), {"admin"});
  auto theirs = api.raw("GET", "/api/calls", "", {{"Authorization", "Bearer " + other}});
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(body_json(theirs)["items"].size(), 0u);
  EXPECT_EQ(api.raw("GET", "/api/agents/" + agent, "", {{"Authorization", "Bearer " + other}}).status, 404);
}

}  // namespace
