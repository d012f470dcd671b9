// Issue 16 over real HTTP: sign-in, sessions and the Origin rule, keys
// (shown once, revoked at once, rate limited), tier limits, exact JSON,
// the Host allow-list, secrets sealed and bound to their endpoint, members.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "access/password.hpp"
#include "support/api_server.hpp"

using namespace voqo;
using nlohmann::json;
using test::body_json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr const char* kPassword = "correct horse battery";

class AccessApi : public ::testing::Test {
 protected:
  /// A user with a password, member of `ws` with `role`.
  std::string user(const std::string& email, const WorkspaceId& ws, const std::string& role) {
    auto u = api_.store().access().create_user(email, email);
    EXPECT_TRUE(u);
    EXPECT_TRUE(api_.store().access().set_password_hash(u->id, *access::hash_password(kPassword)));
    EXPECT_TRUE(api_.store().access().add_member(ws, u->id, role));
    return u->id;
  }
  /// Signs in; returns the `Cookie` header value of the session.
  std::string sign_in(const std::string& email, const std::string& password = kPassword) {
    auto r = api_.anonymous("POST", "/api/auth/login", json{{"email", email}, {"password", password}}.dump(),
                            {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string cookie = r.header("set-cookie");
    return cookie.substr(0, cookie.find(';'));
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(api_.port()); }
  Headers session(const std::string& cookie) const {
    return {{"Cookie", cookie}, {"Origin", origin()}, {"Content-Type", "application/json"}};
  }
  static std::string agent(const std::string& name) {
    return json{{"name", name}, {"systemPrompt", "You help tenants with their questions."}}.dump();
  }

  test::ApiServer api_;
};

TEST_F(AccessApi, AKeyLimitedToFivePerSecondGets429WithItsHeadersOnTheSixth) {
  const std::string key = api_.create_key(api_.workspace(), {"agents:read"}, 5);
  const Headers auth = {{"Authorization", "Bearer " + key}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(api_.raw("GET", "/api/agents", "", auth).status, 200) << i;
  auto sixth = api_.raw("GET", "/api/agents", "", auth);
  ASSERT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_EQ(sixth.header("content-type"), "application/problem+json");
  EXPECT_EQ(sixth.header("retry-after"), "1");
  EXPECT_EQ(sixth.header("ratelimit-limit"), "5");
  EXPECT_EQ(sixth.header("ratelimit-remaining"), "0");
  EXPECT_GE(std::stoi(sixth.header("ratelimit-reset")), 1);
  // Other keys are not affected.
  EXPECT_EQ(api_.get("/api/agents").status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(sixth.header("retry-after"))));
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", auth).status, 200) << "after Retry-After it succeeds";
}

TEST_F(AccessApi, AFreeWorkspaceCannotHaveASecondAgentOrAPremiumVoice) {
  const WorkspaceId free = api_.create_workspace("Free tenant", "free");
  const Headers auth = {{"Authorization", "Bearer " + api_.create_key(free, {"admin"})}, {"Content-Type", "application/json"}};
  auto first = api_.raw("POST", "/api/agents", agent("Only One"), auth);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = api_.raw("POST", "/api/agents", agent("One Too Many"), auth);
  EXPECT_EQ(second.status, 403) << second.body;
  EXPECT_EQ(body_json(second)["field"], "agents");
  const std::string id = body_json(first)["id"];
  auto voice = api_.raw("PATCH", "/api/agents/" + id, json{{"voiceProvider", "elevenlabs"}, {"voiceId", "x"}}.dump(), auth);
  EXPECT_EQ(voice.status, 403) << voice.body;
  EXPECT_EQ(body_json(voice)["field"], "premiumVoices");
  auto preview = api_.raw("POST", "/api/tts/preview", json{{"voiceProvider", "elevenlabs"}, {"voiceId", "x"}}.dump(), auth);
  EXPECT_EQ(body_json(preview)["field"], "premiumVoices") << preview.body;
  // The Default workspace is enterprise: no agent limit.
  for (const char* name : {"Default One", "Default Two"}) EXPECT_EQ(api_.post("/api/agents", json::parse(agent(name))).status, 201);
  // A server admin lifts the limit for the free workspace; every member sees the effective limits.
  ASSERT_TRUE(api_.store().access().update_workspace(free, {{"limits", {{"agents", 2}}}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the authenticator caches limits for 1 s
  EXPECT_EQ(api_.raw("POST", "/api/agents", agent("Now Allowed"), auth).status, 201);
  EXPECT_EQ(body_json(api_.raw("GET", "/api/me", "", auth))["workspace"]["effectiveLimits"]["agents"], 2);
}

TEST_F(AccessApi, ASessionsChangesNeedThisServersOrigin) {
  user("owner@example.com", api_.workspace(), "owner");
  const std::string cookie = sign_in("owner@example.com");
  ASSERT_NE(cookie.find("voqo_session="), std::string::npos);
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", {{"Cookie", cookie}}).status, 200) << "reads need no Origin";
  auto bare = api_.raw("POST", "/api/agents", agent("No Origin"), {{"Cookie", cookie}, {"Content-Type", "application/json"}});
  EXPECT_EQ(bare.status, 403) << bare.body;
  auto foreign = api_.raw("POST", "/api/agents", agent("Foreign"),
                          {{"Cookie", cookie}, {"Origin", "http://evil.example"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  auto own = api_.raw("POST", "/api/agents", agent("Same Origin"), session(cookie));
  EXPECT_EQ(own.status, 201) << own.body;
  // The configuration version names the real user.
  auto versions = body_json(api_.get("/api/agents/" + body_json(own)["id"].get<std::string>() + "/configurations"));
  EXPECT_TRUE(versions["items"][0]["createdBy"].get<std::string>().starts_with("user:")) << versions;
  // A key from a foreign page is refused too (a browser sends Origin with it).
  EXPECT_EQ(api_.raw("POST", "/api/agents", agent("Keyed"), {{"Origin", "http://evil.example"}, {"Content-Type", "application/json"}})
                .status,
            403);
  // Sign-out ends the session.
  EXPECT_EQ(api_.raw("POST", "/api/auth/logout", "", session(cookie)).status, 204);
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(AccessApi, OnlyApplicationJsonIsJson) {
  // text/plain is what a page of another origin can send without a preflight.
  for (const char* type : {"text/plain; x=json", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                           "application/json; charset=latin1"}) {
    auto r = api_.raw("POST", "/api/agents", agent("Typed"), {{"Content-Type", type}});
    EXPECT_EQ(r.status, 415) << type << ": " << r.body;
  }
  {
    // A body without any Content-Type (written by hand: the test client adds JSON's).
    test::HttpConnection c(api_.port());
    const std::string body = agent("No Type");
    c.send_all("POST /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_.key() +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(c.read_response().status, 415) << "a body needs its type";
  }
  EXPECT_EQ(api_.raw("POST", "/api/agents", agent("Utf8"), {{"Content-Type", "application/json; charset=UTF-8"}}).status, 201);
  EXPECT_EQ(body_json(api_.get("/api/agents"))["items"].size(), 1u) << "nothing else was created";
}

TEST_F(AccessApi, AForeignHostIsMisdirected) {
  for (const char* target : {"/api/health", "/api/agents", "/"}) {
    auto r = api_.raw("GET", target, "", {{"Host", "evil.example:" + std::to_string(api_.port())}});
    EXPECT_EQ(r.status, 421) << target << ": " << r.body;
  }
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", {{"Host", "localhost:" + std::to_string(api_.port())}}).status, 200);
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", {{"Host", "[::1]:" + std::to_string(api_.port())}}).status, 200);
  // Behind a proxy or on a DNS name, the name is allowed by configuration.
  api::ServerConfig sc;
  sc.allowed_hosts = {"voqo.example.com"};
  test::ApiServer named({}, sc);
  EXPECT_EQ(named.raw("GET", "/api/agents", "", {{"Host", "voqo.example.com"}}).status, 200);
  EXPECT_EQ(named.raw("GET", "/api/agents", "", {{"Host", "evil.example"}}).status, 421);
}

TEST_F(AccessApi, SignInIsThrottledPerAccountAndAudited) {
  user("ops@example.com", api_.workspace(), "admin");
  // An unknown account answers as a wrong password does.
  auto unknown = api_.anonymous("POST", "/api/auth/login", json{{"email", "nobody@example.com"}, {"password", kPassword}}.dump(),
                                {{"Content-Type", "application/json"}});
  EXPECT_EQ(unknown.status, 401) << unknown.body;
  for (int i = 0; i < 4; ++i) {
    auto r = api_.anonymous("POST", "/api/auth/login", json{{"email", "ops@example.com"}, {"password", "wrong password"}}.dump(),
                            {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 401) << r.body;
  }
  auto locked = api_.anonymous("POST", "/api/auth/login", json{{"email", "ops@example.com"}, {"password", kPassword}}.dump(),
                               {{"Content-Type", "application/json"}});
  EXPECT_EQ(locked.status, 429) << "even the right password waits: " << locked.body;
  EXPECT_GE(std::stoi(locked.header("retry-after")), 1);
  auto log = body_json(api_.get("/api/audit-log?action=auth.login_failed"));
  EXPECT_EQ(log["items"].size(), 4u) << log;
  EXPECT_EQ(log["items"][0]["actorName"], "ops@example.com");
  EXPECT_EQ(log["items"][0]["address"], "127.0.0.1");
}

TEST_F(AccessApi, KeysAreShownOnceStoredAsHashesAndRevokedAtOnce) {
  auto made = api_.post("/api/keys", {{"name", "Reporting"}, {"scopes", {"calls:read"}}, {"rateLimitPerSecond", 10}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json k = body_json(made);
  const std::string secret = k["key"];
  EXPECT_TRUE(std::regex_match(secret, std::regex("ak_[0-9A-Za-z]{49}"))) << secret;
  EXPECT_EQ(k["prefix"], secret.substr(0, 8));
  EXPECT_EQ(made.header("cache-control"), "no-store");
  const Headers auth = {{"Authorization", "Bearer " + secret}};
  EXPECT_EQ(api_.raw("GET", "/api/calls", "", auth).status, 200);
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", auth).status, 403) << "only its scopes";
  auto listed = api_.get("/api/keys");
  EXPECT_EQ(listed.body.find(secret), std::string::npos) << "never shown again";
  EXPECT_EQ(listed.body.find(secret.substr(8)), std::string::npos);
  // A key whose checksum is wrong is recognised offline and refused.
  std::string forged = secret;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(api_.raw("GET", "/api/calls", "", {{"Authorization", "Bearer " + forged}}).status, 401);
  ASSERT_EQ(api_.del("/api/keys/" + k["id"].get<std::string>()).status, 204);
  EXPECT_EQ(api_.raw("GET", "/api/calls", "", auth).status, 401) << "refused on the next request";
  auto log = body_json(api_.get("/api/audit-log"));
  std::set<std::string> actions;
  for (const auto& e : log["items"]) actions.insert(e["action"]);
  EXPECT_TRUE(actions.count("POST /api/keys") && actions.count("DELETE /api/keys/{id}")) << log;
}

TEST_F(AccessApi, SecretsAreSealedAtRestAndBoundToTheirEndpoint) {
  const json secrets = {
      {"llm", {{"baseUrl", "https://llm.example/v1"}, {"apiKey", "sk-secret-llm-4711"}, {"model", "m"}}},
      {"speech_providers",
       {{"stt", "pocketsphinx"},
        {"openai", {{"baseUrl", "https://stt.example/v1"}, {"apiKey", "sk-secret-openai-4712"}, {"model", "w"}}},
        {"deepgram", {{"apiKey", "dg-secret-4713"}}},
        {"elevenlabs", {{"apiKey", "el-secret-4714"}}}}},
      {"sip_trunk", {{"uri", "sip:198.51.100.7:5060"}, {"transport", "udp"}, {"username", "u"}, {"password", "sip-secret-4715"}, {"callerId", ""}}},
      {"sms_provider",
       {{"provider", "twilio"}, {"twilio", {{"accountSid", "AC1"}, {"authToken", "tw-secret-4716"}, {"from", "+14155550100"}}}}},
      {"webhook_secret", "whsec-secret-4717"}};
  auto r = api_.patch("/api/settings", secrets);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("secret-47"), std::string::npos) << "answers mask them";
  // The engines read them in clear through the store.
  EXPECT_EQ(api_.store().settings().get(api_.workspace(), "llm")->at("apiKey"), "sk-secret-llm-4711");
  // The stored key never goes to a new host: a changed baseUrl needs the key again.
  auto moved = api_.patch("/api/settings", {{"llm", {{"baseUrl", "https://attacker.example/v1"}, {"apiKey", "********"}, {"model", "m"}}}});
  EXPECT_EQ(moved.status, 422) << moved.body;
  EXPECT_EQ(body_json(moved)["field"], "llm.apiKey");
  auto trunk = api_.put("/api/settings/sip_trunk", {{"value", {{"uri", "sip:203.0.113.9:5060"}, {"password", "********"}}}});
  EXPECT_EQ(trunk.status, 422) << trunk.body;
  EXPECT_EQ(api_.patch("/api/settings", {{"llm", {{"baseUrl", "https://llm.example/v1"}, {"apiKey", "********"}, {"model", "m2"}}}})
                .status,
            200)
      << "the same endpoint keeps the stored key";
  // The raw database file (and its WAL) holds none of them.
  std::string bytes;
  for (const auto& suffix : {"", "-wal"}) {
    std::ifstream in(api_.db_path().string() + suffix, std::ios::binary);
    bytes += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 10000u);
  for (const char* s : {"sk-secret-llm-4711", "sk-secret-openai-4712", "dg-secret-4713", "el-secret-4714", "sip-secret-4715",
                        "tw-secret-4716", "whsec-secret-4717"})
    EXPECT_EQ(bytes.find(s), std::string::npos) << s << " is in the database file in clear";
}

TEST_F(AccessApi, CustomFunctionCredentialsAreSealedMaskedAndBoundToTheEndpoint) {
  const std::string agent_id = body_json(api_.post("/api/agents", json::parse(agent("Tool User"))))["id"];
  const std::string base = "/api/agents/" + agent_id + "/functions";
  auto made = api_.post(base, {{"name", "lookup"},
                               {"description", "Looks an order up"},
                               {"endpoint", "https://tools.example.com/orders"},
                               {"headers", {{"Authorization", "Bearer tool-secret-9931"}, {"X-Team", "sales-9932"}}},
                               {"authType", "bearer"},
                               {"authConfig", {{"token", "auth-secret-9933"}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string fn = body_json(made)["id"];
  EXPECT_EQ(body_json(made)["headers"], json({{"Authorization", "********"}, {"X-Team", "********"}}));
  auto listed = api_.get(base);
  EXPECT_EQ(listed.body.find("tool-secret-9931"), std::string::npos) << "lists mask them too";
  // The engines read them in clear.
  auto headers = api_.store().custom_functions().read_secret(api_.workspace(), fn, "headers");
  ASSERT_TRUE(headers && *headers);
  EXPECT_EQ((**headers)["Authorization"], "Bearer tool-secret-9931");
  // Sending the masks back keeps them; one new value replaces only itself.
  ASSERT_EQ(api_.patch(base + "/" + fn, {{"headers", {{"Authorization", "********"}, {"X-Team", "sales-2"}}}}).status, 200);
  headers = api_.store().custom_functions().read_secret(api_.workspace(), fn, "headers");
  EXPECT_EQ((**headers)["Authorization"], "Bearer tool-secret-9931");
  EXPECT_EQ((**headers)["X-Team"], "sales-2");
  // A new endpoint needs the credentials again (they are never sent to a new host).
  auto moved = api_.patch(base + "/" + fn, {{"endpoint", "https://attacker.example/steal"}});
  EXPECT_EQ(moved.status, 422) << moved.body;
  EXPECT_EQ(body_json(moved)["field"], "authConfig");
  auto masked_move = api_.patch(base + "/" + fn, {{"endpoint", "https://attacker.example/steal"},
                                                  {"authConfig", {{"token", "new-token"}}},
                                                  {"headers", {{"Authorization", "********"}}}});
  EXPECT_EQ(masked_move.status, 422) << masked_move.body;
  EXPECT_EQ(body_json(masked_move)["field"], "headers.Authorization");
  EXPECT_EQ(api_.patch(base + "/" + fn, {{"endpoint", "https://tools2.example.com/orders"},
                                         {"authConfig", {{"token", "auth-secret-2"}}},
                                         {"headers", {{"Authorization", "Bearer other"}}}})
                .status,
            200);
  std::string bytes;
  for (const auto& suffix : {"", "-wal"}) {
    std::ifstream in(api_.db_path().string() + suffix, std::ios::binary);
    bytes += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  for (const char* s : {"tool-secret-9931", "sales-9932", "auth-secret-9933", "Bearer other"})
    EXPECT_EQ(bytes.find(s), std::string::npos) << s << " is in the database file in clear";
}

TEST_F(AccessApi, AnOwnerDeletesAWorkspaceWithEverythingInIt) {
  user("founder@example.com", api_.workspace(), "admin");
  const Headers founder = session(sign_in("founder@example.com"));
  auto made = api_.raw("POST", "/api/workspaces", json{{"name", "Short lived"}}.dump(), founder);
  ASSERT_EQ(made.status, 201) << made.body;
  const WorkspaceId gone(body_json(made)["id"].get<std::string>());
  EXPECT_EQ(body_json(made)["role"], "owner");
  EXPECT_EQ(body_json(made)["tier"], "free");
  const std::string key = api_.create_key(gone, {"admin"});
  const Headers in_gone = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
  ASSERT_EQ(api_.raw("POST", "/api/agents", agent("Doomed"), in_gone).status, 201);
  ASSERT_EQ(api_.raw("POST", "/api/contacts", json{{"name", "Doomed"}, {"phone", "+14155550166"}}.dump(), in_gone).status, 201);
  ASSERT_EQ(api_.raw("POST", "/api/campaigns", json{{"name", "Doomed"}}.dump(), in_gone).status, 201);
  // Only its owner deletes it; Default is never deleted; another workspace's id is not found.
  EXPECT_EQ(api_.raw("DELETE", "/api/workspaces/" + gone.value, "", in_gone).status, 403) << "not a key";
  auto not_default = api_.raw("DELETE", "/api/workspaces/" + api_.workspace().value, "", founder);
  EXPECT_EQ(not_default.status, 403) << "an admin of Default is not its owner: " << not_default.body;
  EXPECT_EQ(api_.raw("DELETE", "/api/workspaces/" + api_.create_workspace("Stranger").value, "", founder).status, 404);
  ASSERT_EQ(api_.raw("DELETE", "/api/workspaces/" + gone.value, "", founder).status, 204);
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", in_gone).status, 401) << "its keys went with it";
  // Not a row of it is left in any table.
  ASSERT_TRUE(api_.store().db().read([&](store::Connection& c) -> Result<void> {
    auto tables = c.prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS "
                            "(SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'workspace_id')");
    if (!tables) return std::unexpected(tables.error());
    int checked = 0;
    while (*(*tables)->step()) {
      const std::string t((*tables)->column_text(0));
      auto n = c.prepare("SELECT count(*) FROM \"" + t + "\" WHERE workspace_id = ?");
      if (!n) return std::unexpected(n.error());
      (*n)->bind_text(1, gone.value);
      (void)(*n)->step();
      EXPECT_EQ((*n)->column_int(0), 0) << t;
      ++checked;
    }
    EXPECT_GE(checked, 30);
    return {};
  }));
  EXPECT_EQ(api_.get("/api/agents").status, 200) << "Default is untouched";
}

TEST_F(AccessApi, OwnersInviteMembersAViewerOnlyReadsAndTheLastOwnerStays) {
  const std::string owner_id = user("boss@example.com", api_.workspace(), "owner");
  const Headers owner = session(sign_in("boss@example.com"));
  auto invited = api_.raw("POST", "/api/members", json{{"email", "viewer@example.com"}, {"role", "viewer"}}.dump(), owner);
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string link = body_json(invited)["setPasswordUrl"];
  std::smatch m;
  ASSERT_TRUE(std::regex_search(link, m, std::regex(R"(/login\?token=([A-Za-z0-9_-]+)&purpose=set_password$)"))) << link;
  // The viewer sets a password with the link (once) and is signed in.
  const std::string body = json{{"token", m[1].str()}, {"password", "a viewer's own words"}}.dump();
  auto set = api_.anonymous("POST", "/api/auth/login", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(api_.anonymous("POST", "/api/auth/login", body, {{"Content-Type", "application/json"}}).status, 401) << "once";
  const Headers viewer = session(set.header("set-cookie").substr(0, set.header("set-cookie").find(';')));
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", viewer).status, 200);
  auto write = api_.raw("POST", "/api/agents", agent("Viewer's"), viewer);
  EXPECT_EQ(write.status, 403) << write.body;
  EXPECT_EQ(body_json(write)["field"], "scope");
  EXPECT_EQ(api_.raw("POST", "/api/keys", json{{"name", "x"}, {"scopes", {"agents:read"}}}.dump(), viewer).status, 403);
  // Only an owner manages members; the last owner cannot leave or be demoted.
  const std::string viewer_id = body_json(invited)["userId"];
  EXPECT_EQ(api_.raw("PATCH", "/api/members/" + owner_id, json{{"role", "viewer"}}.dump(), viewer).status, 403);
  auto demote = api_.raw("PATCH", "/api/members/" + owner_id, json{{"role", "viewer"}}.dump(), owner);
  EXPECT_EQ(demote.status, 409) << demote.body;
  EXPECT_EQ(api_.raw("PATCH", "/api/members/" + viewer_id, json{{"role", "supervisor"}}.dump(), owner).status, 200);
  EXPECT_EQ(api_.raw("DELETE", "/api/members/" + viewer_id, "", owner).status, 204);
  // The owner renames a workspace of theirs, but Default keeps its name (it is found by it).
  auto renamed = api_.raw("PATCH", "/api/workspaces/" + api_.workspace().value, json{{"name", "Mine"}}.dump(), owner);
  EXPECT_EQ(renamed.status, 422) << renamed.body;
  EXPECT_EQ(body_json(renamed)["field"], "name");
  EXPECT_EQ(api_.raw("GET", "/api/agents", "", viewer).status, 403) << "a removed member belongs to no workspace";
}

}  // namespace
