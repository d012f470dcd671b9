// The REST API over a real socket: CRUD for every resource, problem+json
// errors naming the field, cursor pages, CSV uploads and bad input.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/api_server.hpp"

using nlohmann::json;
using namespace voqo;
using test::body_json;

namespace {

class ApiTest : public ::testing::Test {
 protected:
  json create(const std::string& path, const json& body) {
    auto r = api_.post(path, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return body_json(r);
  }
  json agent(const std::string& name = "Sales Bot") {
    return create("/api/agents", {{"name", name}, {"systemPrompt", "You are a helpful sales agent."}});
  }
  /// Asserts a problem+json response with this status naming this field.
  void expect_problem(const test::HttpResult& r, int status, const std::string& field = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    auto j = body_json(r);
    EXPECT_EQ(j.value("status", 0), status);
    EXPECT_TRUE(j.contains("title"));
    if (!field.empty()) {
      EXPECT_EQ(j.value("field", ""), field) << r.body;
    }
  }
  test::ApiServer api_;
};

TEST_F(ApiTest, AgentLifecycleWithConfigurationVersions) {
  auto empty = api_.get("/api/agents");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(body_json(empty), json({{"items", json::array()}, {"nextCursor", nullptr}}));

  auto created = api_.post("/api/agents", {{"name", "Sales Bot"}, {"systemPrompt", "You are a helpful sales agent."}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto a = body_json(created);
  const std::string id = a["id"];
  EXPECT_EQ(created.header("location"), "/api/agents/" + id);
  EXPECT_EQ(body_json(api_.get("/api/agents/" + id))["name"], "Sales Bot");

  auto patched = api_.patch("/api/agents/" + id, {{"systemPrompt", "You are a calm support agent."}, {"voiceId", "rms"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body_json(patched)["voiceId"], "rms");
  auto versions = body_json(api_.get("/api/agents/" + id + "/configurations"));
  ASSERT_EQ(versions["items"].size(), 2u);
  EXPECT_EQ(versions["items"][0]["version"], 2);
  EXPECT_EQ(versions["items"][0]["isActive"], true);

  auto rolled = api_.raw("POST", "/api/agents/" + id + "/configurations/1/activate", "", {});
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(body_json(rolled)["voiceId"], "slt");
  EXPECT_EQ(body_json(rolled)["systemPrompt"], "You are a helpful sales agent.");
  expect_problem(api_.raw("POST", "/api/agents/" + id + "/configurations/7/activate", "", {}), 404);
  expect_problem(api_.raw("POST", "/api/agents/" + id + "/configurations/abc/activate", "", {}), 404);

  EXPECT_EQ(api_.del("/api/agents/" + id).status, 204);
  expect_problem(api_.get("/api/agents/" + id), 404);
}

TEST_F(ApiTest, BadAgentInputGetsProblemsNamingTheField) {
  expect_problem(api_.post("/api/agents", {{"name", std::string(51, 'x')}, {"systemPrompt", "You are a helpful agent."}}), 422, "name");
  expect_problem(api_.post("/api/agents", {{"name", "Bot"}, {"systemPrompt", "You are a helpful agent."}, {"speechRate", 2.5}}), 422,
                 "speechRate");
  expect_problem(api_.post("/api/agents", {{"name", "Bot"}, {"systemPrompt", 42}}), 422, "systemPrompt");
  expect_problem(api_.post("/api/agents", {{"name", "Bot"}, {"systemPrompt", "You are a helpful agent."}, {"colour", "red"}}), 422,
                 "colour");
  expect_problem(api_.post("/api/agents", {{"systemPrompt", "You are a helpful agent."}}), 422, "name");
  expect_problem(api_.post("/api/agents", json::array({1, 2})), 400);
  expect_problem(api_.raw("POST", "/api/agents", "{\"name\": \"Bot\",", {{"Content-Type", "application/json"}}), 400);
  expect_problem(api_.raw("POST", "/api/agents", "<agent/>", {{"Content-Type", "application/xml"}}), 415);
  agent("Dup");
  expect_problem(api_.post("/api/agents", {{"name", "Dup"}, {"systemPrompt", "You are a helpful agent."}}), 409, "name");
  auto all = body_json(api_.post("/api/agents", {{"name", ""}, {"systemPrompt", "short"}, {"maxTokens", 10}}));
  EXPECT_EQ(all["errors"].size(), 3u) << all.dump();
}

TEST_F(ApiTest, ListsPageByCursorAndFilterOnIndexedFields) {
  for (int i = 0; i < 7; ++i)
    create("/api/contacts", {{"name", "Contact " + std::to_string(i)}, {"phone", "+1415555010" + std::to_string(i)}});
  auto first = body_json(api_.get("/api/contacts?limit=3"));
  ASSERT_EQ(first["items"].size(), 3u);
  ASSERT_TRUE(first["nextCursor"].is_string());
  auto second = body_json(api_.get("/api/contacts?limit=3&cursor=" + first["nextCursor"].get<std::string>()));
  ASSERT_EQ(second["items"].size(), 3u);
  EXPECT_NE(first["items"][0]["id"], second["items"][0]["id"]);
  auto by_phone = body_json(api_.get("/api/contacts?phone=%28415%29%20555-0103"));
  ASSERT_EQ(by_phone["items"].size(), 1u) << "the filter value is normalised like the stored number";
  EXPECT_EQ(by_phone["items"][0]["name"], "Contact 3");
  expect_problem(api_.get("/api/contacts?limit=501"), 422, "limit");
  expect_problem(api_.get("/api/contacts?limit=0"), 422, "limit");
  expect_problem(api_.get("/api/contacts?colour=red"), 422, "colour");
  expect_problem(api_.get("/api/contacts?cursor=nonsense"), 422, "cursor");
  expect_problem(api_.get("/api/agents?status=sleeping"), 422, "status");
}

TEST_F(ApiTest, ContactsCarryTheirMemories) {
  auto c = create("/api/contacts", {{"name", "Ada"}, {"phone", "415-555-0101"}, {"tags", {"vip"}}});
  const std::string id = c["id"];
  EXPECT_EQ(c["phone"], "+14155550101");
  auto m = create("/api/contacts/" + id + "/memories", {{"content", "Prefers mornings"}});
  EXPECT_EQ(m["source"], "manual");
  EXPECT_EQ(m["contactId"], id);
  auto full = body_json(api_.get("/api/contacts/" + id));
  ASSERT_EQ(full["memories"]["items"].size(), 1u);
  EXPECT_EQ(full["memories"]["items"][0]["content"], "Prefers mornings");
  auto edited = api_.patch("/api/contacts/" + id + "/memories/" + m["id"].get<std::string>(), {{"content", "Prefers evenings"}});
  EXPECT_EQ(body_json(edited)["content"], "Prefers evenings");
  expect_problem(api_.post("/api/contacts/" + id + "/memories", {{"content", ""}}), 422, "content");
  expect_problem(api_.post("/api/contacts/nosuchcontact/memories", {{"content", "x"}}), 404);
  expect_problem(api_.post("/api/contacts", {{"name", "Bad"}, {"phone", "12"}}), 422, "phone");
  expect_problem(api_.post("/api/contacts", {{"name", "Tags"}, {"phone", "4155550109"}, {"tags", {1}}}), 422, "tags");
  EXPECT_EQ(api_.del("/api/contacts/" + id).status, 204);
  expect_problem(api_.get("/api/contacts/" + id + "/memories"), 404);
}

TEST_F(ApiTest, CustomFunctionsNeverReturnTheirCredentials) {
  const std::string agent_id = agent()["id"];
  const std::string base = "/api/agents/" + agent_id + "/functions";
  auto f = api_.post(base, {{"name", "lookup_order"},
                            {"description", "Looks up an order"},
                            {"endpoint", "https://shop.example.com/orders"},
                            {"method", "GET"},
                            {"authType", "api_key"},
                            {"authConfig", {{"header", "X-Key"}, {"value", "topsecret"}}},
                            {"parameters", {{"type", "object"}, {"properties", {{"orderId", {{"type", "string"}}}}}}}});
  ASSERT_EQ(f.status, 201) << f.body;
  EXPECT_EQ(f.body.find("topsecret"), std::string::npos);
  const std::string fid = body_json(f)["id"];
  EXPECT_EQ(api_.get(base + "/" + fid).body.find("topsecret"), std::string::npos);
  EXPECT_EQ(body_json(api_.get(base))["items"].size(), 1u);
  expect_problem(api_.post(base, {{"name", "bad name!"}, {"description", "x"}, {"endpoint", "https://x.example"}}), 422, "name");
  expect_problem(api_.post(base, {{"name", "f2"}, {"description", "x"}, {"endpoint", "javascript:alert(1)"}}), 422, "endpoint");
  expect_problem(api_.post(base, {{"name", "f3"}, {"description", "x"}, {"endpoint", "https://x.example"}, {"timeout", 0}}), 422,
                 "timeout");
  expect_problem(api_.get("/api/agents/" + agent_id + "/functions/nosuch"), 404);
}

TEST_F(ApiTest, CallsAreListedByAgentPhoneStatusAndDate) {
  const std::string agent_id = agent()["id"];
  auto c = create("/api/contacts", {{"name", "Ada"}, {"phone", "+14155550101"}});
  // Calls are written by the call pipeline; here straight through the store.
  auto& db = api_.store().db();
  auto put = [&](const std::string& id, const std::string& status, const std::string& created) {
    auto r = db.write([&](store::Connection& conn) -> Result<void> {
      auto st = conn.prepare(
          "INSERT INTO calls (id, agent_id, contact_id, direction, status, from_phone, to_phone, created_at, "
          "workspace_id) VALUES (?, ?, ?, 'outbound', ?, '+14155550000', '+14155550101', ?, ?)");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(6, api_.workspace().value);
      (*st)->bind_text(1, id);
      (*st)->bind_text(2, agent_id);
      (*st)->bind_text(3, c["id"].get<std::string>());
      (*st)->bind_text(4, status);
      (*st)->bind_text(5, created);
      if (auto s = (*st)->step(); !s) return std::unexpected(s.error());
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  };
  put("call1", "completed", "2026-11-01T10:00:00.000Z");
  put("call2", "busy", "2026-11-02T10:00:00.000Z");
  put("call3", "completed", "2026-11-20T10:00:00.000Z");
  EXPECT_EQ(body_json(api_.get("/api/calls?agentId=" + agent_id))["items"].size(), 3u);
  EXPECT_EQ(body_json(api_.get("/api/calls?status=busy"))["items"].size(), 1u);
  EXPECT_EQ(body_json(api_.get("/api/calls?phone=4155550101"))["items"].size(), 3u);
  auto range = body_json(api_.get("/api/calls?from=2026-11-01&to=2026-11-10"));
  ASSERT_EQ(range["items"].size(), 2u);
  EXPECT_EQ(range["items"][0]["id"], "call2") << "newest first";
  EXPECT_EQ(body_json(api_.get("/api/calls/call3"))["status"], "completed");
  expect_problem(api_.get("/api/calls?from=yesterday"), 422, "from");
  expect_problem(api_.get("/api/calls?status=exploded"), 422, "status");
  // Calls are written by the pipeline: not patchable. POST places a call:
  // validated first, then 503 on a server running without telephony.
  expect_problem(api_.raw("PATCH", "/api/calls/call3", "{}", {{"Content-Type", "application/json"}}), 405);
  expect_problem(api_.raw("POST", "/api/calls", "{}", {{"Content-Type", "application/json"}}), 422, "agentId");
  expect_problem(api_.raw("POST", "/api/calls", R"({"agentId":"x","to":"+14155550123","speed":1})",
                          {{"Content-Type", "application/json"}}),
                 422, "speed");
  expect_problem(api_.post("/api/calls", {{"agentId", "x"}, {"to", "+14155550123"}}), 503);
}

TEST_F(ApiTest, SettingsReadAndWrite) {
  auto all = body_json(api_.get("/api/settings"));
  EXPECT_EQ(all["default_region"], "US");
  auto put = api_.put("/api/settings/default_region", {{"value", "GB"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(body_json(api_.get("/api/settings/default_region"))["value"], "GB");
  expect_problem(api_.put("/api/settings/default_region", {{"value", "Atlantis"}}), 422, "default_region");
  expect_problem(api_.put("/api/settings/no_such_key", {{"value", 1}}), 404);
  auto patched = api_.patch("/api/settings", {{"sms_enabled", false}, {"sms_template", "Hi {caller_name}"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(body_json(patched)["sms_enabled"], false);
  expect_problem(api_.patch("/api/settings", {{"sms_enabled", "no"}}), 422, "sms_enabled");
}

TEST_F(ApiTest, CsvUploadReportsEveryRejectedRowAndJobsUseIt) {
  const std::string campaign = create("/api/campaigns", {{"name", "Spring"}})["id"];
  const std::string csv =
      "First Name,Last Name,Phone 1,Company\r\n"
      "Ada,Lovelace,(415) 555-0101,Engines\r\n"
      "Alan,Turing,,Bletchley\r\n"
      "Grace,Hopper,415.555.0101,Navy\r\n"
      "Edsger,Dijkstra,415-555-0104 x12,\"Eindhoven, NL\"\r\n";
  auto r = api_.raw("POST", "/api/campaigns/" + campaign + "/uploads?filename=leads.csv", csv, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto report = body_json(r);
  EXPECT_EQ(report["totalRows"], 4);
  EXPECT_EQ(report["imported"], 2);
  ASSERT_EQ(report["rejected"].size(), 2u);
  EXPECT_EQ(report["rejected"][0], json({{"line", 3}, {"column", "Phone 1"}, {"reason", "missing phone"}}));
  EXPECT_EQ(report["rejected"][1]["line"], 4);
  EXPECT_EQ(report["rejected"][1]["reason"], "duplicate of line 2");
  const std::string upload = report["uploadId"];
  auto detail = body_json(api_.get("/api/uploads/" + upload));
  EXPECT_EQ(detail["filename"], "leads.csv");
  EXPECT_EQ(detail["totalRows"], 4);
  ASSERT_EQ(detail["batchContacts"]["items"].size(), 2u);
  const auto& dijkstra = detail["batchContacts"]["items"][1];
  EXPECT_EQ(dijkstra["phone"], "+14155550104");
  EXPECT_EQ(dijkstra["name"], "Edsger Dijkstra");
  EXPECT_EQ(dijkstra["variables"]["extension"], "12");
  EXPECT_EQ(dijkstra["variables"]["Company"], "Eindhoven, NL");
  EXPECT_EQ(body_json(api_.get("/api/uploads/" + upload + "/rejections"))["items"].size(), 2u);

  // The same file as multipart/form-data.
  const std::string boundary = "----voqoBoundary7MA4YWxk";
  const std::string multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary +
                                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads2.csv\"\r\n"
                                "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
  auto m = api_.raw("POST", "/api/campaigns/" + campaign + "/uploads", multipart,
                    {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(m.status, 201) << m.body;
  EXPECT_EQ(body_json(m)["imported"], 2);
  EXPECT_EQ(body_json(m)["filename"], "leads2.csv");
  EXPECT_EQ(body_json(api_.get("/api/campaigns/" + campaign + "/uploads"))["items"].size(), 2u);

  const std::string agent_id = agent()["id"];
  auto job = api_.post("/api/jobs", {{"campaignId", campaign}, {"uploadId", upload}, {"agentId", agent_id}});
  ASSERT_EQ(job.status, 201) << job.body;
  const std::string job_id = body_json(job)["id"];
  auto jd = body_json(api_.get("/api/jobs/" + job_id));
  EXPECT_EQ(jd["totalCalls"], 2);
  EXPECT_EQ(jd["jobCalls"]["items"].size(), 2u);
  EXPECT_EQ(body_json(api_.get("/api/jobs/" + job_id + "/calls?status=pending"))["items"].size(), 2u);
  expect_problem(api_.post("/api/jobs", {{"campaignId", campaign}, {"uploadId", "nosuch"}, {"agentId", agent_id}}), 404, "uploadId");
  expect_problem(api_.post("/api/jobs", {{"campaignId", campaign}}), 422);
  EXPECT_EQ(api_.del("/api/jobs/" + job_id).status, 204);
}

TEST_F(ApiTest, BadUploadsGetClearErrorsAndTheServerStaysUp) {
  const std::string campaign = create("/api/campaigns", {{"name", "Bad input"}})["id"];
  const std::string path = "/api/campaigns/" + campaign + "/uploads";
  auto upload = [&](const std::string& body) { return api_.raw("POST", path, body, {{"Content-Type", "text/csv"}}); };

  expect_problem(upload(""), 422);
  expect_problem(upload("name,phone\n"), 422);
  expect_problem(upload("name,email\nAda,ada@example.com\n"), 422);

  // NUL bytes reject their row only.
  static constexpr char kNul[] = "name,phone\nAda,4155550101\nBo\0b,4155550102\nCy,4155550103\n";
  auto nul = upload(std::string(kNul, sizeof kNul - 1));
  ASSERT_EQ(nul.status, 201) << nul.body;
  EXPECT_EQ(body_json(nul)["imported"], 2);
  EXPECT_EQ(body_json(nul)["rejected"][0]["line"], 3);

  // Latin-1: imported, transcoded, with a warning.
  auto latin = upload("name,phone\nJos\xe9 Mu\xf1oz,4155550104\n");
  ASSERT_EQ(latin.status, 201) << latin.body;
  auto lj = body_json(latin);
  EXPECT_EQ(lj["imported"], 1);
  EXPECT_FALSE(lj["warnings"].empty());
  auto stored = body_json(api_.get("/api/uploads/" + lj["uploadId"].get<std::string>() + "/contacts"));
  EXPECT_EQ(stored["items"][0]["name"], "Jos\xc3\xa9 Mu\xc3\xb1oz");

  // A 10,000-column row is rejected, the rest imported.
  std::string wide = "name,phone\nAda,4155550101\n";
  for (int i = 0; i < 10000; ++i) wide += "x,";
  wide += "x\nCy,4155550103\n";
  auto w = upload(wide);
  ASSERT_EQ(w.status, 201) << w.body.substr(0, 300);
  EXPECT_EQ(body_json(w)["imported"], 2);
  EXPECT_EQ(body_json(w)["rejected"][0]["line"], 3);

  expect_problem(api_.raw("POST", path, "<x/>", {{"Content-Type", "application/xml"}}), 415);
  expect_problem(api_.raw("POST", path, "--x\r\n", {{"Content-Type", "multipart/form-data"}}), 400);
  expect_problem(api_.raw("POST", "/api/campaigns/nosuch/uploads", "name,phone\nAda,4155550101\n", {{"Content-Type", "text/csv"}}),
                 404);
  expect_problem(api_.raw("POST", path + "?region=Mars", "name,phone\nA,1\n", {{"Content-Type", "text/csv"}}), 422, "region");
  EXPECT_EQ(api_.get("/api/health").status, 200);
}

TEST_F(ApiTest, AnUploadOverTheLimitIsRefusedWithBoundedMemory) {
  const std::string campaign = create("/api/campaigns", {{"name", "Big"}})["id"];
  const long before = test::rss_kib();
  test::HttpConnection conn(api_.port());
  const uint64_t size = 300ull << 20;  // over the default 256 MiB limit
  conn.send_all("POST /api/campaigns/" + campaign + "/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_.key() + "\r\nContent-Type: text/csv\r\n"
                "Content-Length: " + std::to_string(size) + "\r\n\r\n");
  conn.send_body_until_response(size);
  auto r = conn.read_response();
  expect_problem(r, 413);
  const long after = test::rss_kib();
  EXPECT_LT(after - before, 64 * 1024) << "RSS grew by " << (after - before) << " KiB";
  EXPECT_EQ(api_.get("/api/health").status, 200);
}

TEST_F(ApiTest, A200MegabyteUploadIsImportedWithBoundedMemory) {
  const std::string campaign = create("/api/campaigns", {{"name", "Huge"}})["id"];
  // ~200 MB of CSV: one million unique, valid numbers with a long notes column,
  // generated while it is sent (the test holds no copy of it).
  const std::string notes(180, 'n');
  const uint64_t rows = 1'000'000;
  auto row = [&](uint64_t i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "(415) %03u-%04u", static_cast<unsigned>(200 + (i / 10000) % 700),
                  static_cast<unsigned>(i % 10000));
    return "Contact " + std::to_string(i) + "," + phone + "," + notes + "\n";
  };
  // 10,000 lines per exchange: exchanges 200–299, all numbers distinct.
  uint64_t size = 16;  // "name,phone,notes\n"
  for (uint64_t i = 0; i < rows; ++i) size += row(i).size();
  ASSERT_GT(size, 200ull << 20);
  const long before = test::rss_kib();
  test::HttpConnection conn(api_.port());
  // The answer comes once the last row is imported: on a loaded 2-core CI box that took over 10 s.
  conn.set_timeout(std::chrono::seconds(120));
  conn.send_all("POST /api/campaigns/" + campaign + "/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_.key() + "\r\nContent-Type: text/csv\r\n"
                "Content-Length: " + std::to_string(size) + "\r\n\r\nname,phone,notes\n");
  std::string chunk;
  for (uint64_t i = 0; i < rows; ++i) {
    chunk += row(i);
    if (chunk.size() > (1 << 20) || i + 1 == rows) {
      conn.send_all(chunk);
      chunk.clear();
    }
  }
  auto r = conn.read_response();
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  auto report = body_json(r);
  EXPECT_EQ(report["totalRows"], rows);
  EXPECT_EQ(report["imported"], rows);
  EXPECT_EQ(report["rejectedCount"], 0);
  const long grown_mb = (test::rss_kib() - before) / 1024;
  EXPECT_LT(grown_mb, 300) << "RSS grew by " << grown_mb << " MB";
  std::printf("200 MB upload: %llu bytes, RSS grew by %ld MB\n", static_cast<unsigned long long>(size), grown_mb);
  EXPECT_EQ(body_json(api_.get("/api/uploads/" + report["uploadId"].get<std::string>()))["importedRows"], report["imported"]);
}

TEST_F(ApiTest, ReadsAnswerWhileWritesWaitForALongTransaction) {
  // A long write (as a big import is) holds the store's single writer.
  std::atomic<bool> holding{false};
  std::thread writer([&] {
    (void)api_.store().db().write([&](store::Connection&) -> Result<void> {
      holding = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      holding = false;
      return {};
    });
  });
  while (!holding) std::this_thread::yield();
  // Two writes queue behind it...
  std::vector<std::thread> waiting;
  std::atomic<int> created{0};
  for (int i = 0; i < 2; ++i)
    waiting.emplace_back([&, i] {
      if (api_.post("/api/campaigns", {{"name", "W" + std::to_string(i)}}).status == 201) ++created;
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // ...and a read is still answered before the long write ends.
  auto r = api_.get("/api/campaigns");
  const bool answered_during = holding;
  EXPECT_EQ(r.status, 200);
  writer.join();
  for (auto& t : waiting) t.join();
  EXPECT_TRUE(answered_during) << "the read waited for the writes";
  EXPECT_EQ(created, 2);
}

TEST_F(ApiTest, TheDeprecatedApiKeyActsAsAnAdminKeyOfDefault) {
  test::ApiServer secured({}, {}, api::AuthConfig{.legacy_api_key = "k3y"});
  expect_problem(secured.anonymous("GET", "/api/agents"), 401);
  EXPECT_EQ(secured.anonymous("GET", "/api/agents", "", {{"Authorization", "Bearer k3y"}}).status, 200);
  EXPECT_EQ(secured.anonymous("GET", "/api/agents", "", {{"X-API-Key", "k3y"}}).status, 200);
  expect_problem(secured.anonymous("GET", "/api/agents", "", {{"Authorization", "Bearer wrong"}}), 401);
  expect_problem(secured.anonymous("GET", "/api/agents", "", {{"Authorization", "Bearer ak_wrong"}}), 401);
  auto created = secured.anonymous("POST", "/api/agents", R"({"name":"Legacy","systemPrompt":"Made with the old key."})",
                                   {{"X-API-Key", "k3y"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(test::body_json(created)["workspaceId"], secured.workspace().value) << "in the Default workspace";
  EXPECT_EQ(secured.anonymous("GET", "/api/health").status, 200);
  EXPECT_EQ(secured.anonymous("GET", "/api/openapi.json").status, 200);
}

}  // namespace

namespace {

TEST_F(ApiTest, AnUploadsNameFollowsOneRuleFromTheQueryOrTheMultipartPart) {
  const std::string campaign = create("/api/campaigns", {{"name", "Names"}})["id"];
  const std::string path = "/api/campaigns/" + campaign + "/uploads";
  const std::string boundary = "----voqoNames";
  auto multipart = [&](const std::string& disposition_filename) {
    const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                             disposition_filename + "\"\r\nContent-Type: text/csv\r\n\r\nname,phone\nAda,4155550101\r\n--" +
                             boundary + "--\r\n";
    return api_.raw("POST", path, body, {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  };
  // Issue 15: a 10,000-character name and one with a NUL were stored as given.
  expect_problem(multipart(std::string(10'000, 'n') + ".csv"), 422, "filename");
  expect_problem(multipart(std::string("lead\0s.csv", 10)), 422, "filename");
  expect_problem(multipart("tab\there.csv"), 422, "filename");
  expect_problem(api_.raw("POST", path + "?filename=lead%00s.csv", "name,phone\nAda,4155550101\n", {{"Content-Type", "text/csv"}}),
                 422, "filename");
  expect_problem(api_.raw("POST", path + "?filename=" + std::string(256, 'q'), "name,phone\nAda,4155550101\n",
                          {{"Content-Type", "text/csv"}}),
                 422, "filename");
  EXPECT_EQ(body_json(api_.get(path))["items"].size(), 0u) << "nothing was stored";

  // 255 bytes, after the client's directories are stripped, is fine; an empty name keeps the default.
  auto longest = multipart("C:\\Users\\ada\\" + std::string(251, 'n') + ".csv");
  ASSERT_EQ(longest.status, 201) << longest.body;
  EXPECT_EQ(body_json(longest)["filename"], std::string(251, 'n') + ".csv");
  auto unnamed = multipart("");
  ASSERT_EQ(unnamed.status, 201) << unnamed.body;
  EXPECT_EQ(body_json(unnamed)["filename"], "upload.csv");
}

TEST_F(ApiTest, ANumberThatOverflowsIs400NamingTheField) {
  // nlohmann reports 1e400 as out_of_range, which was not caught: a 500.
  const auto json_type = std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}};
  auto r = api_.raw("POST", "/api/agents", R"({"name":"Bot","systemPrompt":"You are a helpful agent.","speechRate":1e400})",
                    json_type);
  expect_problem(r, 400, "speechRate");
  EXPECT_NE(body_json(r).value("detail", "").find("1e400"), std::string::npos) << r.body;
  expect_problem(api_.raw("PATCH", "/api/settings", R"({"sms_enabled":-1e999})", json_type), 400,
                 "sms_enabled");
  expect_problem(api_.raw("POST", "/api/calls", R"({"agentId":"a","to":"+14155550101","variables":{"n":[1,2,3e308]}})",
                          json_type),
                 400, "variables.n[2]");
  EXPECT_EQ(api_.get("/api/health").status, 200);
}

}  // namespace
