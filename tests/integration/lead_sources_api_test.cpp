// Lead sources (issue 18 §7) against the real HTTP API: pushes authenticated
// by the source's own token (JSON and CSV, the per-row report, the field
// mapping), manual entry with a key, the limits (size, rows, depth, flood),
// tenancy, and CRM pulls from a local server (pages, mapping, a bad row, a
// 500, a pagination loop, the page cap, idempotent re-syncs).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "campaign/lead_sources.hpp"
#include "core/time.hpp"
#include "support/api_server.hpp"
#include "support/replay_server.hpp"

namespace voqo {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string json_reply(int status, const json& body) {
  const std::string text = body.dump();
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Internal Server Error") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

class LeadSourcesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = api_.post("/api/campaigns", {{"name", "Spring"}});
    ASSERT_EQ(c.status, 201) << c.body;
    campaign_ = test::body_json(c)["id"];
  }

  /// A new source of `type` in the Default workspace: its JSON (with apiToken when api_webhook).
  json source(const std::string& type, json extra = json::object()) {
    json body = {{"campaignId", campaign_}, {"name", "src " + type}, {"sourceType", type},
                 {"fieldMapping",
                  {{"phone", "mobile_number"}, {"name", "full_name"}, {"company", "org"},
                   {"customFields", {{"tier", "customerTier"}}}}}};
    body.update(extra);
    auto r = api_.post("/api/lead-sources", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return test::body_json(r);
  }

  test::HttpResult push(const std::string& id, const std::string& token, const std::string& body,
                        const std::string& type = "application/json") {
    return api_.anonymous("POST", "/api/lead-sources/" + id + "/leads", body,
                          {{"X-Lead-Source-Token", token}, {"Content-Type", type}});
  }

  /// The batch contacts of an upload, in line order.
  json contacts_of(const std::string& upload_id) {
    auto r = api_.get("/api/uploads/" + upload_id + "/contacts");
    EXPECT_EQ(r.status, 200) << r.body;
    return test::body_json(r)["items"];
  }

  /// Batch contacts of the campaign with `phone`, over all its uploads.
  int64_t campaign_rows_with(const std::string& phone) {
    int64_t n = 0;
    auto ups = test::body_json(api_.get("/api/campaigns/" + campaign_ + "/uploads?limit=500"))["items"];
    for (const auto& u : ups)
      for (const auto& c : contacts_of(u["id"])) n += c["phone"] == phone;
    return n;
  }

  test::ApiServer api_;
  std::string campaign_;
};

TEST_F(LeadSourcesApi, CreateShowsTheTokenOnceAndListsFilter) {
  const json s = source("api_webhook");
  ASSERT_TRUE(s["apiToken"].is_string());
  const std::string token = s["apiToken"];
  EXPECT_TRUE(token.starts_with("ls_"));
  EXPECT_EQ(s["apiTokenPrefix"], token.substr(0, 8));
  EXPECT_EQ(s["totalLeads"], 0);
  EXPECT_EQ(s["isActive"], true);
  auto got = api_.get("/api/lead-sources/" + s["id"].get<std::string>());
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.find(token), std::string::npos) << "the token is shown once";
  EXPECT_FALSE(test::body_json(got).contains("apiTokenHash"));
  EXPECT_EQ(test::body_json(got)["apiTokenPrefix"], token.substr(0, 8));
  source("manual_entry");
  auto list = test::body_json(api_.get("/api/lead-sources?sourceType=api_webhook"));
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], s["id"]);
  EXPECT_EQ(test::body_json(api_.get("/api/lead-sources?campaignId=" + campaign_ + "&isActive=true"))["items"].size(), 2u);
  EXPECT_EQ(test::body_json(api_.get("/api/lead-sources?isActive=false"))["items"].size(), 0u);
  EXPECT_EQ(api_.get("/api/lead-sources?sourceType=fax").status, 422);

  // Bad input names the field.
  auto bad = api_.post("/api/lead-sources", {{"campaignId", campaign_}, {"name", "x"}, {"sourceType", "api_webhook"},
                                             {"fieldMapping", {{"fax", "f"}}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("fieldMapping.fax"), std::string::npos) << bad.body;
  bad = api_.post("/api/lead-sources", {{"campaignId", campaign_}, {"name", "x"}, {"sourceType", "crm_integration"},
                                        {"crmConfig", {{"url", "ftp://crm"}}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("crmConfig.url"), std::string::npos) << bad.body;
  bad = api_.post("/api/lead-sources", {{"campaignId", campaign_}, {"name", "x"}, {"sourceType", "carrier_pigeon"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("sourceType"), std::string::npos) << bad.body;

  // A campaign of another workspace is not found.
  const WorkspaceId b = api_.create_workspace("B", "enterprise");
  const std::string b_key = api_.create_key(b, {"admin"});
  auto r = api_.raw("POST", "/api/lead-sources",
                    json{{"campaignId", campaign_}, {"name", "x"}, {"sourceType", "manual_entry"}}.dump(),
                    {{"Authorization", "Bearer " + b_key}, {"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("campaignId"), std::string::npos) << r.body;
}

TEST_F(LeadSourcesApi, PushedLeadsGetTheMappingAndAReportPerRow) {
  const json s = source("api_webhook");
  const std::string id = s["id"], token = s["apiToken"];
  const json leads = json::array({
      {{"mobile_number", "(415) 555-0100"}, {"full_name", "Ada Lovelace"}, {"org", "Analytical"}, {"tier", "gold"},
       {"email", "ada@example.com"}, {"leadScore", 87.5}, {"source", "fair"}},
      {{"mobile_number", "12"}, {"full_name", "Too Short"}},
      42,
      {{"mobile_number", "+1 415 555 0100"}, {"full_name", "Ada Again"}},
      {{"mobile_number", "+14155550101"}, {"full_name", "Score"}, {"leadScore", 150}},
      {{"mobile_number", "+14155550102"}, {"full_name", "Grace Hopper"}},
  });
  auto r = push(id, token, leads.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const json report = test::body_json(r);
  EXPECT_EQ(report["totalRows"], 6);
  EXPECT_EQ(report["imported"], 2);
  EXPECT_EQ(report["rejectedCount"], 4);
  EXPECT_EQ(report["authenticatedBy"], "token");
  ASSERT_EQ(report["rejected"].size(), 4u);
  EXPECT_EQ(report["rejected"][0]["line"], 2);
  EXPECT_EQ(report["rejected"][0]["column"], "phone");
  EXPECT_EQ(report["rejected"][1]["line"], 3);
  EXPECT_EQ(report["rejected"][1]["reason"], "not a JSON object");
  EXPECT_EQ(report["rejected"][2]["line"], 4);
  EXPECT_EQ(report["rejected"][2]["reason"], "duplicate of line 1");
  EXPECT_EQ(report["rejected"][3]["line"], 5);
  EXPECT_EQ(report["rejected"][3]["column"], "leadScore");

  // The upload belongs to the source's campaign, named after the source.
  auto upload = test::body_json(api_.get("/api/uploads/" + report["uploadId"].get<std::string>()));
  EXPECT_EQ(upload["campaignId"], campaign_);
  EXPECT_TRUE(upload["filename"].get<std::string>().starts_with("lead-source:src api_webhook:")) << upload["filename"];
  EXPECT_EQ(upload["importedRows"], 2);
  EXPECT_EQ(upload["rejectedRows"], 4);
  const json rows = contacts_of(report["uploadId"]);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["phone"], "+14155550100");
  EXPECT_EQ(rows[0]["name"], "Ada Lovelace");
  EXPECT_EQ(rows[0]["company"], "Analytical");
  EXPECT_EQ(rows[0]["email"], "ada@example.com");
  EXPECT_DOUBLE_EQ(rows[0]["leadScore"].get<double>(), 87.5);
  EXPECT_EQ(rows[0]["leadStatus"], "new");
  EXPECT_EQ(rows[0]["leadSourceId"], id);
  EXPECT_EQ(rows[0]["line"], 1);
  EXPECT_EQ(rows[0]["variables"], json({{"customerTier", "gold"}, {"source", "fair"}}));
  EXPECT_EQ(rows[1]["line"], 6);
  EXPECT_TRUE(rows[1]["leadScore"].is_null());
  // Rejections are stored with the same lines.
  auto rej = test::body_json(api_.get("/api/uploads/" + report["uploadId"].get<std::string>() + "/rejections"));
  ASSERT_EQ(rej["items"].size(), 4u);
  EXPECT_EQ(rej["items"][1]["line"], 3);
  // Batch contacts filter by lead status and source.
  EXPECT_EQ(test::body_json(api_.get("/api/uploads/" + report["uploadId"].get<std::string>() +
                                     "/contacts?leadStatus=new&leadSourceId=" + id))["items"].size(), 2u);

  auto after = test::body_json(api_.get("/api/lead-sources/" + id));
  EXPECT_EQ(after["totalLeads"], 2);
  EXPECT_EQ(after["lastSyncStatus"], "success");
  EXPECT_TRUE(after["lastSyncAt"].is_string());

  // The same leads again, as CSV: nobody becomes a second dialable row.
  const std::string csv =
      "mobile_number,full_name,org\n"
      "+14155550100,Ada Lovelace,Analytical\n"
      "\"+14155550103\",\"Multi\nLine\",X\n"
      "+14155550102,Grace Hopper,Navy\n";
  r = push(id, token, csv, "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  const json again = test::body_json(r);
  EXPECT_EQ(again["imported"], 1);
  ASSERT_EQ(again["rejected"].size(), 2u);
  EXPECT_EQ(again["rejected"][0]["line"], 2);
  EXPECT_EQ(again["rejected"][0]["reason"], "already a lead of this campaign");
  EXPECT_EQ(again["rejected"][1]["line"], 5) << "CSV lines, counting the quoted line break";
  EXPECT_EQ(campaign_rows_with("+14155550100"), 1);
  EXPECT_EQ(campaign_rows_with("+14155550103"), 1);
  EXPECT_EQ(test::body_json(api_.get("/api/lead-sources/" + id))["totalLeads"], 3);
}

TEST_F(LeadSourcesApi, TheTokenOpensOnlyItsOwnSourcesPushes) {
  const json s = source("api_webhook");
  const std::string id = s["id"], token = s["apiToken"];
  const std::string one = json::array({{{"mobile_number", "+14155550100"}}}).dump();
  // No credential at all, or a wrong token: 401 problem+json.
  auto r = api_.anonymous("POST", "/api/lead-sources/" + id + "/leads", one, {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(push(id, "not-a-token", one).status, 401) << "refused by its shape, before any lookup";
  EXPECT_EQ(push(id, token + "x", one).status, 401);
  r = push(id, "ls_" + std::string(43, 'A'), one);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  // The token reaches nothing else.
  EXPECT_EQ(api_.anonymous("GET", "/api/lead-sources/" + id, "", {{"X-Lead-Source-Token", token}}).status, 401);
  EXPECT_EQ(api_.anonymous("POST", "/api/lead-sources/" + id + "/sync", "", {{"X-Lead-Source-Token", token}}).status, 401);

  // Another workspace's source, and an unknown id, are both 404 to this token.
  const WorkspaceId b = api_.create_workspace("B", "enterprise");
  const std::string b_key = api_.create_key(b, {"admin"});
  const Headers as_b = {{"Authorization", "Bearer " + b_key}, {"Content-Type", "application/json"}};
  auto bc = api_.raw("POST", "/api/campaigns", json{{"name", "B's"}}.dump(), as_b);
  ASSERT_EQ(bc.status, 201);
  auto bs = api_.raw("POST", "/api/lead-sources",
                     json{{"campaignId", test::body_json(bc)["id"]}, {"name", "b"}, {"sourceType", "api_webhook"}}.dump(), as_b);
  ASSERT_EQ(bs.status, 201) << bs.body;
  const std::string b_id = test::body_json(bs)["id"], b_token = test::body_json(bs)["apiToken"];
  auto other = push(b_id, token, one);
  auto unknown = push("c" + std::string(23, 'x'), token, one);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(unknown.status, 404);
  // And to B's key (a credential of another workspace), A's source is not found.
  EXPECT_EQ(api_.raw("POST", "/api/lead-sources/" + id + "/leads", one, as_b).status, 404);
  EXPECT_EQ(api_.raw("GET", "/api/lead-sources/" + id, "", as_b).status, 404);
  EXPECT_EQ(api_.raw("PATCH", "/api/lead-sources/" + id, R"({"name":"mine"})", as_b).status, 404);
  EXPECT_EQ(api_.raw("DELETE", "/api/lead-sources/" + id, "", as_b).status, 404);
  // B's own token works (B's source has no mapping: the key "phone" is read as is).
  auto own = push(b_id, b_token, json::array({{{"phone", "+14155550100"}}}).dump());
  EXPECT_EQ(own.status, 201) << own.body;

  // A key without campaigns:write may not push.
  const std::string reader = api_.create_key(api_.workspace(), {"campaigns:read"});
  EXPECT_EQ(api_.raw("POST", "/api/lead-sources/" + id + "/leads", one,
                     {{"Authorization", "Bearer " + reader}, {"Content-Type", "application/json"}}).status, 403);

  // Rotation: the old token stops working, the new one works.
  auto rot = api_.post("/api/lead-sources/" + id + "/rotate-token", json::object());
  ASSERT_EQ(rot.status, 200) << rot.body;
  const std::string fresh = test::body_json(rot)["apiToken"];
  EXPECT_NE(fresh, token);
  EXPECT_EQ(push(id, token, one).status, 401);
  EXPECT_EQ(push(id, fresh, one).status, 201);

  // An inactive source takes nothing: 409.
  ASSERT_EQ(api_.patch("/api/lead-sources/" + id, {{"isActive", false}}).status, 200);
  r = push(id, fresh, one);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("isActive"), std::string::npos);
  // Other media types are refused.
  ASSERT_EQ(api_.patch("/api/lead-sources/" + id, {{"isActive", true}}).status, 200);
  EXPECT_EQ(push(id, fresh, one, "text/plain").status, 415);
}

TEST_F(LeadSourcesApi, PushLimitsRowsSizeDepthAndFlood) {
  const json s = source("api_webhook");
  const std::string id = s["id"], token = s["apiToken"];
  // 10,001 leads: refused whole, naming the body; nothing stored.
  json many = json::array();
  for (int i = 0; i < 10'001; ++i) many.push_back({{"p", i}});
  auto r = push(id, token, many.dump());
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find("body"), std::string::npos);
  EXPECT_EQ(test::body_json(api_.get("/api/campaigns/" + campaign_ + "/uploads"))["items"].size(), 0u);
  // Larger than the server's body limit (1 MiB).
  r = push(id, token, "[" + std::string(2 << 20, ' ') + "]");
  EXPECT_EQ(r.status, 413);
  // Depth-bombed JSON.
  r = push(id, token, std::string(100'000, '[') + std::string(100'000, ']'));
  EXPECT_TRUE(r.status == 400 || r.status == 413 || r.status == 422) << r.status << " " << r.body.substr(0, 200);
  // Not an array, an empty array.
  EXPECT_EQ(push(id, token, R"("leads")").status, 422);
  EXPECT_EQ(push(id, token, "[]").status, 422);
  // A flood of pushes: the source's own rate limit answers 429 with Retry-After.
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 100 && limited == 0; ++i) {
    auto f = push(id, token, "[]");
    if (f.status == 429) {
      ++limited;
      retry_after = f.header("retry-after");
    } else {
      EXPECT_EQ(f.status, 422);
    }
  }
  EXPECT_EQ(limited, 1);
  EXPECT_FALSE(retry_after.empty());
}

TEST_F(LeadSourcesApi, ManualEntryTakesOneLeadFromASignedInCaller) {
  const json s = source("manual_entry");
  EXPECT_FALSE(s.contains("apiToken"));
  const std::string id = s["id"];
  auto r = api_.post("/api/lead-sources/" + id + "/leads",
                     {{"mobile_number", "(415) 555-0199"}, {"full_name", "Alan"}, {"email", "alan@example.com"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json report = test::body_json(r);
  EXPECT_EQ(report["imported"], 1);
  EXPECT_EQ(report["authenticatedBy"], "credential");
  const json rows = contacts_of(report["uploadId"]);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["phone"], "+14155550199");
  EXPECT_EQ(rows[0]["email"], "alan@example.com");
  // Not a CRM source: nothing to pull; no token to rotate.
  EXPECT_EQ(api_.post("/api/lead-sources/" + id + "/sync", json::object()).status, 409);
  EXPECT_EQ(api_.post("/api/lead-sources/" + id + "/rotate-token", json::object()).status, 409);
  // Deleting the source keeps its leads.
  EXPECT_EQ(api_.del("/api/lead-sources/" + id).status, 204);
  EXPECT_EQ(contacts_of(report["uploadId"]).size(), 1u);
  EXPECT_TRUE(contacts_of(report["uploadId"])[0]["leadSourceId"].is_null());
}

TEST_F(LeadSourcesApi, CrmPullFollowsPagesMapsFieldsAndReSyncsIdempotently) {
  ASSERT_TRUE(api_.store().settings().put(api_.workspace(), "allow_private_tool_hosts", true));
  const auto page = [](json items, json next) { return json{{"data", std::move(items)}, {"paging", {{"next", next}}}}; };
  const json p1 = page({{{"mobile_number", "+14155550100"}, {"full_name", "Ada"}, {"org", "A Inc"}, {"tier", "gold"}},
                        {{"mobile_number", "+14155550101"}, {"full_name", "Bob"}, {"org", "B Inc"}, {"tier", "silver"}}},
                       "c2");
  const json p2 = page({{{"mobile_number", "not a number"}, {"full_name", "Bad"}},
                        {{"mobile_number", "+14155550102"}, {"full_name", "Cy"}, {"org", "C Inc"}}},
                       "c3");
  const json p3 = page({{{"mobile_number", "+14155550103"}, {"full_name", "Di"}, {"tier", "bronze"}}}, nullptr);
  std::vector<test::ReplayExchange> ex;
  const auto three_pages = [&] {
    ex.push_back({"GET", "/crm/leads?limit=2", json_reply(200, p1)});
    ex.push_back({"GET", "/crm/leads?limit=2&cursor=c2", json_reply(200, p2)});
    ex.push_back({"GET", "/crm/leads?limit=2&cursor=c3", json_reply(200, p3)});
  };
  three_pages();                                                                                     // sync 1
  ex.push_back({"GET", "/crm/leads?limit=2", json_reply(500, {{"error", "down"}})});                  // sync 2
  three_pages();                                                                                     // sync 3
  test::ReplayServer crm(ex);
  const json s = source("crm_integration",
                        {{"crmConfig",
                          {{"url", crm.base_url() + "/crm/leads"}, {"itemsPath", "/data"}, {"nextPath", "/paging/next"},
                           {"cursorParam", "cursor"}, {"pageSize", 2}, {"pageSizeParam", "limit"}, {"intervalMinutes", 15}}},
                         {"crmHeaders", {{"Authorization", "Bearer crm-secret"}}}});
  const std::string id = s["id"];
  EXPECT_EQ(s["crmHeaders"]["Authorization"], "********");

  auto r = api_.post("/api/lead-sources/" + id + "/sync", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  json out = test::body_json(r);
  EXPECT_EQ(out["pages"], 3);
  EXPECT_EQ(out["fetched"], 5);
  EXPECT_EQ(out["stopped"], "end");
  EXPECT_EQ(out["import"]["imported"], 4);
  ASSERT_EQ(out["import"]["rejected"].size(), 1u);
  EXPECT_EQ(out["import"]["rejected"][0]["line"], 3) << "the third lead of the pull";
  EXPECT_EQ(out["leadSource"]["totalLeads"], 4);
  EXPECT_EQ(out["leadSource"]["lastSyncStatus"], "success");
  const auto sent = crm.requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].header("authorization"), "Bearer crm-secret");
  const json rows = contacts_of(out["import"]["uploadId"]);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["name"], "Ada");
  EXPECT_EQ(rows[0]["company"], "A Inc");
  EXPECT_EQ(rows[0]["variables"], json({{"customerTier", "gold"}}));
  EXPECT_EQ(rows[3]["phone"], "+14155550103");

  // The CRM fails: 502, the error recorded, nothing lost.
  r = api_.post("/api/lead-sources/" + id + "/sync", json::object());
  EXPECT_EQ(r.status, 502) << r.body;
  json after = test::body_json(api_.get("/api/lead-sources/" + id));
  EXPECT_EQ(after["lastSyncStatus"], "error");
  EXPECT_NE(after["lastSyncError"].get<std::string>().find("500"), std::string::npos) << after["lastSyncError"];
  EXPECT_EQ(after["totalLeads"], 4);

  // Pulled again: the same leads are duplicates, not second dialable rows.
  r = api_.post("/api/lead-sources/" + id + "/sync", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  out = test::body_json(r);
  EXPECT_EQ(out["import"]["imported"], 0);
  EXPECT_EQ(out["import"]["rejectedCount"], 5);
  EXPECT_EQ(out["leadSource"]["totalLeads"], 4);
  EXPECT_EQ(out["leadSource"]["lastSyncStatus"], "success");
  for (const char* phone : {"+14155550100", "+14155550101", "+14155550102", "+14155550103"})
    EXPECT_EQ(campaign_rows_with(phone), 1) << phone;

  // A new URL without the headers again would send the secret elsewhere: 422.
  auto moved = api_.patch("/api/lead-sources/" + id, {{"crmConfig", {{"url", "http://127.0.0.1:9/other"}}}});
  EXPECT_EQ(moved.status, 422) << moved.body;
  EXPECT_NE(moved.body.find("crmHeaders"), std::string::npos);
}

TEST_F(LeadSourcesApi, CrmPaginationLoopsAndEndlessPagesStop) {
  const auto lead = [](int i) { return json{{"mobile_number", "+1415555" + std::to_string(1000 + i)}}; };
  // The next cursor points to the page itself: the loop is seen on the second page.
  std::vector<test::ReplayExchange> loop = {
      {"GET", "/l", json_reply(200, {{"items", {lead(1)}}, {"next", "same"}})},
      {"GET", "/l?c=same", json_reply(200, {{"items", {lead(2)}}, {"next", "same"}})},
  };
  test::ReplayServer a(loop);
  const json s = source("crm_integration", {{"crmConfig", {{"url", a.base_url() + "/l"}, {"itemsPath", "/items"},
                                                           {"nextPath", "/next"}, {"cursorParam", "c"}}}});
  campaign::LeadSyncOptions options;
  options.allow_private_hosts = true;
  auto r = campaign::sync_lead_source(api_.store(), api_.workspace(), s["id"], options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stopped, "loop");
  EXPECT_EQ(r->pages, 2u);
  ASSERT_TRUE(r->report);
  EXPECT_EQ(r->report->imported, 2u);
  auto rec = test::body_json(api_.get("/api/lead-sources/" + s["id"].get<std::string>()));
  EXPECT_EQ(rec["lastSyncStatus"], "error");
  EXPECT_NE(rec["lastSyncError"].get<std::string>().find("loops"), std::string::npos);

  // Endless distinct pages (the CRM always has a next cursor): the page cap stops the pull.
  std::vector<test::ReplayExchange> endless;
  for (int i = 0; i < 3; ++i)
    endless.push_back({"GET", i == 0 ? "/e" : "/e?c=p" + std::to_string(i),
                       json_reply(200, {{"items", {lead(10 + i)}}, {"next", "p" + std::to_string(i + 1)}})});
  test::ReplayServer b(endless);
  const json e = source("crm_integration", {{"name", "endless"},
                                            {"crmConfig", {{"url", b.base_url() + "/e"}, {"itemsPath", "/items"},
                                                           {"nextPath", "/next"}, {"cursorParam", "c"}}}});
  options.max_pages = 3;
  r = campaign::sync_lead_source(api_.store(), api_.workspace(), e["id"], options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stopped, "page cap");
  EXPECT_EQ(r->pages, 3u);
  EXPECT_EQ(b.requests().size(), 3u) << "no fourth page asked";
  ASSERT_TRUE(r->report);
  EXPECT_EQ(r->report->imported, 3u) << "what was read is kept";
  rec = test::body_json(api_.get("/api/lead-sources/" + e["id"].get<std::string>()));
  EXPECT_EQ(rec["lastSyncStatus"], "error");
  EXPECT_NE(rec["lastSyncError"].get<std::string>().find("3 pages"), std::string::npos) << rec["lastSyncError"];
  EXPECT_EQ(rec["totalLeads"], 3);
}

}  // namespace
}  // namespace voqo

namespace voqo {
namespace {

TEST_F(LeadSourcesApi, ThePollerPullsASourceWhenItsIntervalHasPassed) {
  const json one = {{"items", {{{"mobile_number", "+14155550150"}}}}};
  const json two = {{"items", {{{"mobile_number", "+14155550151"}}}}};
  test::ReplayServer crm({{"GET", "/p", json_reply(200, one)}, {"GET", "/p", json_reply(200, two)}});
  const json s = source("crm_integration", {{"crmConfig", {{"url", crm.base_url() + "/p"}, {"itemsPath", "/items"},
                                                           {"intervalMinutes", 15}}}});
  // Another, inactive, source is never pulled.
  source("crm_integration", {{"name", "off"}, {"isActive", false}, {"crmConfig", {{"url", crm.base_url() + "/off"}}}});
  campaign::LeadSyncOptions options;
  options.allow_private_hosts = true;
  campaign::LeadSourcePoller poller(api_.store(), options, std::chrono::hours(1));
  const auto at = [](std::chrono::minutes m) {
    return to_iso8601(std::chrono::system_clock::now() + m);
  };
  EXPECT_EQ(poller.tick(at(std::chrono::minutes(0))), 1u) << "never pulled: due at once";
  EXPECT_EQ(poller.tick(at(std::chrono::minutes(5))), 0u) << "5 of 15 minutes";
  EXPECT_EQ(crm.requests().size(), 1u);
  EXPECT_EQ(poller.tick(at(std::chrono::minutes(16))), 1u);
  ASSERT_EQ(crm.requests().size(), 2u);
  auto rec = test::body_json(api_.get("/api/lead-sources/" + s["id"].get<std::string>()));
  EXPECT_EQ(rec["totalLeads"], 2);
  EXPECT_EQ(rec["lastSyncStatus"], "success");
}

}  // namespace
}  // namespace voqo
