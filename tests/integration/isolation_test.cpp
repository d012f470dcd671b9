// Tenants never see each other (issue 16, "Done when: isolation, generated
// from the API itself"). Workspace A gets one object of every kind; then
// every operation of /api/openapi.json is called against A's ids with
// workspace B's credentials (an admin key, and a signed-in owner), without
// any credential, and with a revoked key: 404 (or 401) every time, nothing
// of A in any of B's answers, and nothing of A changed. The operations come
// from the document, so a route added later is covered without editing
// this test.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "access/token.hpp"
#include "core/id.hpp"
#include "core/time.hpp"
#include "api/http_server.hpp"
#include "live/live_monitor.hpp"
#include "realtime/hub.hpp"
#include "store/calls.hpp"
#include "support/api_server.hpp"
#include "support/ws_client.hpp"

using namespace voqo;
using nlohmann::json;
using test::body_json;

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = api_.workspace();
    b_ = api_.create_workspace("Tenant B", "enterprise");
    b_key_ = api_.create_key(b_, {"admin"});
    // B's owner, signed in (a session of its own, as the dashboard has).
    auto owner = api_.store().access().create_user("owner@b.example", "B Owner");
    ASSERT_TRUE(owner);
    ASSERT_TRUE(api_.store().access().add_member(b_, owner->id, "owner"));
    const std::string token = access::random_token();
    ASSERT_TRUE(api_.store().access().create_session(owner->id, access::token_hash(token),
                                                     to_iso8601(std::chrono::system_clock::now() + std::chrono::hours(1)),
                                                     "127.0.0.1", "test"));
    b_session_ = {{"Cookie", "voqo_session=" + token},
                  {"X-Workspace-Id", b_.value},
                  {"Origin", "http://127.0.0.1:" + std::to_string(api_.port())}};
    doc_ = body_json(api_.get("/api/openapi.json"));
    seed_a();
  }

  /// One object of every kind in A (through A's admin key, and the store
  /// for what only the engines write: calls, outboxes, live calls).
  void seed_a() {
    auto made = [&](const test::HttpResult& r) {
      EXPECT_LT(r.status, 300) << r.body;
      return body_json(r).value("id", std::string());
    };
    ids_["agent"] = made(api_.post("/api/agents", {{"name", "A Agent"}, {"systemPrompt", "You serve tenant A only."}}));
    ids_["function"] = made(api_.post("/api/agents/" + ids_["agent"] + "/functions",
                                      {{"name", "lookup"}, {"description", "d"}, {"endpoint", "https://a.example/f"}}));
    ids_["contact"] = made(api_.post("/api/contacts", {{"name", "Ada A"}, {"phone", "+14155550101"}}));
    ids_["memory"] = made(api_.post("/api/contacts/" + ids_["contact"] + "/memories", {{"content", "A's secret"}}));
    ids_["campaign"] = made(api_.post("/api/campaigns", {{"name", "A Campaign"}}));
    auto up = api_.raw("POST", "/api/campaigns/" + ids_["campaign"] + "/uploads", "name,phone\nAda,4155550101\nBad,1\n",
                       {{"Content-Type", "text/csv"}});
    ids_["upload"] = body_json(up).value("uploadId", std::string());
    ids_["job"] = made(api_.post("/api/jobs", {{"campaignId", ids_["campaign"]}, {"uploadId", ids_["upload"]},
                                               {"agentId", ids_["agent"]}}));
    ids_["dnc"] = made(api_.post("/api/do-not-call", {{"phone", "+14155550177"}, {"reason", "A asked"}}));
    ids_["script"] = made(api_.post("/api/script-templates", {{"name", "A script"}, {"opening", "A's opening?"}}));
    ids_["step"] = made(api_.post("/api/campaigns/" + ids_["campaign"] + "/call-flow",
                                  {{"phase", "opening"}, {"scriptTemplateId", ids_["script"]}}));
    ids_["key"] = made(api_.post("/api/keys", {{"name", "A spare"}, {"scopes", {"agents:read"}}}));
    auto member = api_.store().access().create_user("member@a.example", "A Member");
    ASSERT_TRUE(member);
    ASSERT_TRUE(api_.store().access().add_member(a_, member->id, "viewer"));
    ids_["member"] = member->id;
    ids_["call"] = new_id();
    ids_["live"] = new_id();
    // A finished call with a recording, its outboxes, and a call in progress.
    store::CallRecord r;
    r.id = ids_["call"];
    r.workspace_id = a_;
    r.agent_id = ids_["agent"];
    r.direction = "outbound";
    r.status = "completed";
    r.to_phone = "+14155550101";
    r.recording_url = "/api/calls/" + r.id + "/recording";
    store::CallStore calls(api_.store().db());
    ASSERT_TRUE(calls.insert(r));
    ASSERT_TRUE(api_.store().db().write([&](store::Connection& c) -> Result<void> {
      if (auto e = c.exec("INSERT INTO sms_messages (id, call_id, to_phone, body, provider, status, created_at, updated_at, "
                          "workspace_id) VALUES ('" + (ids_["sms"] = new_id()) + "', '" + r.id +
                          "', '+14155550101', 'A text', 'outbox', 'sent', '2026-11-23T00:00:00.000Z', "
                          "'2026-11-23T00:00:00.000Z', '" + a_.value + "')");
          !e)
        return e;
      return c.exec("INSERT INTO webhook_events (id, seq, event, url, call_id, payload, next_attempt_at, created_at, "
                    "workspace_id) VALUES ('" + (ids_["event"] = new_id()) + "', 1, 'call.ended', 'https://a.example/h', '" +
                    r.id + "', '{}', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z', '" + a_.value + "')");
    }));
    store::LiveCall l;
    l.call_id = ids_["live"];
    l.workspace_id = a_.value;
    l.agent_id = ids_["agent"];
    l.agent_name = "A Agent";
    l.customer_phone = "+14155550101";
    l.direction = "outbound";
    l.status = "connected";
    l.start_time = now_iso8601();
    l.node = "local";
    ASSERT_TRUE(calls.live_begin(l));
    ASSERT_TRUE(api_.store().live().upsert_transcript(ids_["live"], {"e1", "caller", "A's words", 0, 900, 0.9, true, false, ""}));
  }

  /// A's id for a path parameter of `pattern` (by the resource the path
  /// names); an id-shaped stranger for resources this test does not know.
  std::string id_for(const std::string& pattern, const std::string& param) {
    if (param == "functionId") return ids_["function"];
    if (param == "memoryId") return ids_["memory"];
    if (param == "stepId") return ids_["step"];
    if (param == "userId") return ids_["member"];
    if (param == "version") return "1";
    if (param == "key") return "llm";
    static const std::vector<std::pair<std::string, std::string>> by_prefix = {
        {"/api/agents", "agent"},     {"/api/contacts", "contact"},   {"/api/calls", "call"},
        {"/api/live-calls", "live"},  {"/api/campaigns", "campaign"}, {"/api/uploads", "upload"},
        {"/api/jobs", "job"},         {"/api/do-not-call", "dnc"},    {"/api/sms-messages", "sms"},
        {"/api/webhook-events", "event"}, {"/api/keys", "key"},       {"/api/workspaces", "workspace"},
        {"/api/script-templates", "script"}};
    for (const auto& [prefix, kind] : by_prefix)
      if (pattern.starts_with(prefix)) return kind == "workspace" ? a_.value : ids_[kind];
    return new_id();
  }

  std::string fill(const std::string& pattern) {
    std::string target = pattern;
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      const auto close = target.find('}', open);
      target.replace(open, close - open + 1, id_for(pattern, target.substr(open + 1, close - open - 1)));
    }
    return target;
  }

  /// A body for an operation that takes one, naming A's objects wherever a
  /// body can reference one (an unknown operation gets {}).
  std::string body_for(const std::string& op) {
    static const std::set<std::string> csv = {"POST /api/campaigns/{id}/uploads", "POST /api/do-not-call/import"};
    if (csv.count(op)) return "name,phone\nEve,4155550190\n";
    if (op == "POST /api/jobs")
      return json{{"campaignId", ids_["campaign"]}, {"uploadId", ids_["upload"]}, {"agentId", ids_["agent"]}}.dump();
    if (op == "POST /api/calls") return json{{"agentId", ids_["agent"]}, {"to", "+14155550123"}}.dump();
    if (op == "POST /api/tickets") return json{{"resource", "/api/calls/" + ids_["call"] + "/recording"}}.dump();
    if (op == "POST /api/script-templates/{id}/versions") return json{{"opening", "B's words?"}}.dump();
    if (op == "POST /api/live-calls/{id}/actions") return json{{"action", "ADD_NOTE"}, {"details", {{"text", "B was here"}}}}.dump();
    if (op.starts_with("PATCH /api/members")) return json{{"role", "owner"}}.dump();
    if (op == "PUT /api/settings/{key}") return json{{"value", {{"baseUrl", "https://b.example/v1"}}}}.dump();
    if (op.starts_with("PATCH")) return json{{"name", "Taken by B"}, {"description", "B"}}.dump();
    return "{}";
  }

  /// Everything of A, read with A's key: must be the same after B's attempts.
  json snapshot_a() {
    json s = json::object();
    for (const char* target : {"/api/agents", "/api/contacts", "/api/campaigns", "/api/uploads", "/api/jobs", "/api/calls",
                               "/api/do-not-call", "/api/sms-messages", "/api/webhook-events", "/api/keys", "/api/members",
                               "/api/settings", "/api/live-calls", "/api/script-templates"}) {
      json page = body_json(api_.get(target));
      // Key use and live durations move on their own; the rest must not.
      for (auto& item : page["items"]) {
        item.erase("lastUsedAt");
        item.erase("duration");
        item.erase("updatedAt");
      }
      s[target] = std::move(page);
    }
    s["agent"] = body_json(api_.get("/api/agents/" + ids_["agent"]));
    s["agent"].erase("updatedAt");
    s["memory"] = body_json(api_.get("/api/contacts/" + ids_["contact"] + "/memories/" + ids_["memory"]));
    s["function"] = body_json(api_.get("/api/agents/" + ids_["agent"] + "/functions/" + ids_["function"]));
    s["transcript"] = body_json(api_.get("/api/live-calls/" + ids_["live"] + "/transcript"));
    s["actions"] = body_json(api_.get("/api/live-calls/" + ids_["live"] + "/actions"));
    return s;
  }

  /// Whether `text` carries any of A's ids (or A's own words) that the
  /// request (`asked`: its target and body) did not name itself — a 404 may
  /// repeat the id it was asked for.
  std::string leaked(const std::string& text, const std::string& asked = {}) {
    for (const auto& [kind, id] : ids_)
      if (!id.empty() && text.find(id) != std::string::npos && asked.find(id) == std::string::npos) return kind + " " + id;
    for (const char* words : {"A's secret", "A's words", "A Agent", "Ada A", "A Campaign", "A asked"})
      if (text.find(words) != std::string::npos) return words;
    return {};
  }

  struct Operation {
    std::string method, pattern, permission;
  };
  std::vector<Operation> operations() {
    std::vector<Operation> out;
    for (const auto& [path, ops] : doc_["paths"].items())
      for (const auto& [method, op] : ops.items())
        out.push_back({upper(method), path, op.value("x-voqo-permission", std::string())});
    return out;
  }

  test::ApiServer api_;
  WorkspaceId a_, b_;
  std::string b_key_;
  Headers b_session_;
  json doc_;
  std::map<std::string, std::string> ids_;
};

TEST_F(IsolationTest, EveryOperationWithAnotherWorkspacesCredentialsFindsNothingOfA) {
  const json before = snapshot_a();
  ASSERT_GE(operations().size(), 70u);
  struct Caller {
    const char* name;
    Headers headers;
  };
  const std::vector<Caller> callers = {{"B's admin key", {{"Authorization", "Bearer " + b_key_}}},
                                       {"B's signed-in owner", b_session_}};
  int with_ids = 0, collections = 0;
  for (const auto& caller : callers) {
    for (const auto& op : operations()) {
      const std::string key = op.method + " " + op.pattern;
      if (op.permission.empty()) continue;  // open routes (health, the document, sign-in) have nothing of A
      const std::string target = fill(op.pattern);
      bool names_a = false;  // the path names one of A's objects (not B's own settings key, say)
      for (const auto& [kind, id] : ids_) names_a |= target.find(id) != std::string::npos;
      names_a |= target.find(a_.value) != std::string::npos;
      Headers headers = caller.headers;
      std::string body;
      if (op.method != "GET" && op.method != "DELETE") {
        body = body_for(key);
        headers.emplace_back("Content-Type", body.starts_with("{") ? "application/json" : "text/csv");
      }
      auto r = api_.raw(op.method, target, body, headers);
      SCOPED_TRACE(std::string(caller.name) + ": " + key + " → " + std::to_string(r.status) + " " + r.body.substr(0, 200));
      EXPECT_EQ(leaked(r.body, target + body), "") << "B's answer carries something of A";
      if (names_a) {
        ++with_ids;
        // Another workspace's object answers 404 (issue 16). A key may not
        // do owner-only things at all: 403, whatever the object.
        const bool owner_only_for_key = op.permission == "owner" && caller.headers[0].first == "Authorization";
        if (owner_only_for_key) EXPECT_EQ(r.status, 403);
        else EXPECT_EQ(r.status, 404);
      } else {
        ++collections;
        // Creating in B with a body naming A's objects is refused as not found.
        if (key == "POST /api/jobs" || key == "POST /api/tickets") {
          EXPECT_EQ(r.status, 404);
        }
        if (key == "POST /api/calls") {
          EXPECT_TRUE(r.status == 404 || r.status == 503);
        }
      }
    }
  }
  EXPECT_GT(with_ids, 60);
  EXPECT_GT(collections, 20);
  EXPECT_EQ(snapshot_a(), before) << "nothing of A changed";
}

TEST_F(IsolationTest, NoCredentialOrARevokedKeyIsRefusedEverywhere) {
  const std::string revoked = api_.create_key(a_, {"admin"});
  auto me = body_json(api_.raw("GET", "/api/me", "", {{"Authorization", "Bearer " + revoked}}));
  const std::string revoked_id = me["key"]["id"];
  ASSERT_EQ(api_.del("/api/keys/" + revoked_id).status, 204);
  int refused = 0;
  for (const auto& op : operations()) {
    if (op.permission.empty()) continue;
    const std::string target = fill(op.pattern);
    const std::string body = op.method == "GET" || op.method == "DELETE" ? std::string() : body_for(op.method + " " + op.pattern);
    const Headers json_type = body.empty() ? Headers{} : Headers{{"Content-Type", "application/json"}};
    auto none = api_.anonymous(op.method, target, body, json_type);
    EXPECT_EQ(none.status, 401) << op.method << " " << op.pattern << ": " << none.body.substr(0, 200);
    EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"voqo\"") << op.method << " " << op.pattern;
    Headers with = json_type;
    with.emplace_back("Authorization", "Bearer " + revoked);
    auto gone = api_.raw(op.method, target, body, with);
    EXPECT_EQ(gone.status, 401) << op.method << " " << op.pattern << " with a revoked key: " << gone.body.substr(0, 200);
    refused += 2;
  }
  EXPECT_GT(refused, 140);
}

TEST_F(IsolationTest, RealtimeSnapshotsAndStreamsShowNothingOfA) {
  // The realtime endpoints, served over the same router and authenticator
  // with the live monitor's queries (liveCalls, liveCall, job, campaignStats).
  realtime::Hub hub;
  auto monitor = live::LiveMonitor::create(api_.store(), hub);
  ASSERT_TRUE(monitor) << monitor.error().message;
  api::ServerConfig sc;
  sc.port = 0;
  api::HttpServer server(sc, api_.router(), api::RealtimeOptions{.hub = &hub, .auth = &api_.auth()});
  server.start();
  auto subscribe = [&](const std::string& key, const std::string& query, const json& args) {
    test::WsClient ws;
    EXPECT_EQ(ws.connect(server.port(), "/api/realtime", {{"Authorization", "Bearer " + key}}), 101);
    // The client names a workspace of its own choosing: the server replaces it with the key's.
    json with = args;
    with["workspaceId"] = a_.value;
    EXPECT_TRUE(ws.send_text(json{{"type", "subscribe"}, {"id", "s"}, {"query", query}, {"args", with}}.dump()));
    auto m = ws.read(std::chrono::seconds(5));
    return m ? json::parse(m->data) : json();
  };
  json b_calls = subscribe(b_key_, "liveCalls", json::object());
  ASSERT_EQ(b_calls["type"], "snapshot") << b_calls;
  EXPECT_EQ(b_calls["data"].size(), 0u) << "B's live calls list is empty";
  json a_calls = subscribe(api_.key(), "liveCalls", json::object());
  ASSERT_EQ(a_calls["type"], "snapshot") << a_calls;
  EXPECT_EQ(a_calls["data"].size(), 1u) << "A sees its own call";
  for (const auto& [query, id] : std::vector<std::pair<std::string, std::string>>{
           {"liveCall", ids_["live"]}, {"job", ids_["job"]}, {"campaignStats", ids_["campaign"]}}) {
    json m = subscribe(b_key_, query, {{"id", id}});
    EXPECT_EQ(m["type"], "error") << query << ": " << m;
    EXPECT_EQ(leaked(m.dump(), id), "") << query;
    EXPECT_EQ(subscribe(api_.key(), query, {{"id", id}})["type"], "snapshot") << query << " is A's own";
  }
  // The SSE stream of A's call, with B's key: an error event, nothing of A.
  auto sse = test::http_request(server.port(), "GET", "/api/realtime/events?query=liveCall&id=" + ids_["live"], "",
                                {{"Authorization", "Bearer " + b_key_}});
  EXPECT_NE(sse.body.find("event: error"), std::string::npos) << sse.body;
  EXPECT_EQ(leaked(sse.body, ids_["live"]), "") << sse.body;
  // A's recording and analytics: 404 for B, and B's ticket cannot name them.
  EXPECT_EQ(api_.raw("GET", "/api/calls/" + ids_["call"] + "/recording", "", {{"Authorization", "Bearer " + b_key_}}).status,
            404);
  auto ticket = api_.raw("POST", "/api/tickets", json{{"resource", "/api/calls/" + ids_["call"] + "/recording"}}.dump(),
                         {{"Authorization", "Bearer " + b_key_}, {"Content-Type", "application/json"}});
  EXPECT_EQ(ticket.status, 404) << ticket.body;
  // A's own ticket admits a GET of that path only.
  auto mine = body_json(api_.post("/api/tickets", {{"resource", "/api/calls/" + ids_["call"] + "/recording"}}));
  ASSERT_TRUE(mine.contains("ticket")) << mine;
  const std::string t = mine["ticket"];
  EXPECT_EQ(api_.anonymous("GET", "/api/calls/" + ids_["call"] + "/recording?ticket=" + t).status, 404)
      << "admitted by the ticket; this test's server keeps no recording files";
  EXPECT_EQ(api_.anonymous("GET", "/api/calls/" + ids_["call"] + "?ticket=" + t).status, 401) << "not for the record";
  EXPECT_EQ(api_.anonymous("GET", "/api/agents?ticket=" + t).status, 401);
  server.stop();
  (*monitor)->stop();
}

}  // namespace
