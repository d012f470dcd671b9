// GET /api/campaigns/{id}/metrics and /api/agents/{id}/metrics (issue 18
// §8-9): the stored calls' figures by period, peak hours, best days and the
// compliance figures; 404 for another workspace's campaign or agent; 422
// naming period, from or to; at most 5,000 periods.
#include <gtest/gtest.h>

#include "core/time.hpp"
#include "store/calls.hpp"
#include "support/api_server.hpp"

using namespace voqo;
using nlohmann::json;
using test::body_json;

namespace {

class MetricsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    campaign_ = body_json(api_.post("/api/campaigns", {{"name", "Autumn"}}))["id"];
    agent_ = body_json(api_.post("/api/agents", {{"name", "Closer"}, {"systemPrompt", "You book demos politely."}}))["id"];
  }
  void call(const std::string& id, const std::string& placed_at, const std::string& status, bool person, bool abandoned,
            std::optional<std::string> outcome = std::nullopt, std::optional<int64_t> duration = std::nullopt,
            std::optional<int64_t> ring = std::nullopt) {
    store::CallStore calls(api_.store().db());
    store::CallRecord r;
    r.id = id;
    r.workspace_id = api_.workspace();
    r.agent_id = agent_;
    r.campaign_id = campaign_;
    r.direction = "outbound";
    r.status = status;
    r.from_phone = "+14155550100";
    r.to_phone = "+14155550101";
    r.placed_at = placed_at;
    r.answered_by_person = person;
    r.abandoned = abandoned;
    r.outcome = std::move(outcome);
    r.duration_s = duration;
    r.ring_time_ms = ring;
    r.agent_audio_after_answer_ms = abandoned ? std::optional<int64_t>{} : std::optional<int64_t>{400};
    r.callee_time_zone = "America/New_York";
    ASSERT_TRUE(calls.insert(r));
  }
  test::ApiServer api_;
  std::string campaign_, agent_;
};

TEST_F(MetricsApi, ACampaignsDailyFiguresFunnelAndComplianceFollowItsCalls) {
  call("c1", "2026-11-02T15:00:00.000Z", "completed", true, false, "Demo Scheduled", 120, 5000);
  call("c2", "2026-11-02T16:00:00.000Z", "completed", true, true, "Not Interested", 20, 7000);
  call("c3", "2026-11-02T17:00:00.000Z", "no_answer", false, false, "No Answer", std::nullopt, 30000);
  call("c4", "2026-11-03T15:00:00.000Z", "completed", true, false, "Follow-up Needed", 60, 3000);
  auto r = api_.get("/api/campaigns/" + campaign_ + "/metrics?period=daily&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  const json m = body_json(r);
  EXPECT_EQ(m["period"], "daily");
  EXPECT_EQ(m["timeZone"], "UTC") << "campaigns have no zone before migration 8's active hours";
  ASSERT_EQ(m["items"].size(), 2u);
  const json& day = m["items"][0];
  EXPECT_EQ(day["periodStart"], "2026-11-02T00:00:00.000Z");
  EXPECT_EQ(day["periodEnd"], "2026-11-03T00:00:00.000Z");
  EXPECT_EQ(day["totalCalls"], 3);
  EXPECT_EQ(day["connectedCalls"], 2);
  EXPECT_NEAR(day["connectionRate"].get<double>(), 66.667, 0.01);
  EXPECT_DOUBLE_EQ(day["averageDurationS"].get<double>(), 70.0) << "(120 + 20) / 2 connected calls";
  EXPECT_EQ(day["funnel"], (json{{"made", 3}, {"connected", 2}, {"interested", 1}, {"qualified", 1}, {"conversions", 1}}));
  EXPECT_DOUBLE_EQ(day["conversionRate"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(day["appointmentRate"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(day["averageRingTimeMs"].get<double>(), 14000.0);
  EXPECT_DOUBLE_EQ(day["abandonRate"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(day["callsPerHour"].get<double>(), 3.0 / 24);
  EXPECT_TRUE(day["averageQuality"].is_null()) << "no call intelligence yet";
  EXPECT_EQ(m["items"][1]["totalCalls"], 1);
  // Peak hours and best days in the callee's time: 15:00Z is 10:00 in New York (EST).
  ASSERT_EQ(m["peakHours"].size(), 24u);
  EXPECT_EQ(m["peakHours"][10]["totalCalls"], 2);
  EXPECT_EQ(m["peakHours"][11]["totalCalls"], 1);
  ASSERT_EQ(m["bestDays"].size(), 7u);
  EXPECT_EQ(m["bestDays"][1]["totalCalls"], 3) << "Monday 2 November";
  EXPECT_EQ(m["bestDays"][2]["totalCalls"], 1);
  // Compliance over the campaign: 1 of 3 person-answered calls abandoned.
  EXPECT_EQ(m["compliance"]["abandonedCalls"], 1);
  EXPECT_EQ(m["compliance"]["answeredByPerson"], 3);
  EXPECT_NEAR(m["compliance"]["abandonRate"].get<double>(), 33.333, 0.01);
  EXPECT_DOUBLE_EQ(m["compliance"]["averageRingTimeMs"].get<double>(), 11250.0);
  EXPECT_TRUE(m["compliance"].contains("last30Days"));

  // The agent's figures (UTC) hold the same calls; monthly: one period.
  auto a = api_.get("/api/agents/" + agent_ + "/metrics?period=monthly");
  ASSERT_EQ(a.status, 200) << a.body;
  const json am = body_json(a);
  ASSERT_EQ(am["items"].size(), 1u);
  EXPECT_EQ(am["items"][0]["totalCalls"], 4);
  EXPECT_EQ(am["items"][0]["periodStart"], "2026-11-01T00:00:00.000Z");
  // from/to select periods by their start: [from, to).
  auto one = body_json(api_.get("/api/campaigns/" + campaign_ + "/metrics?period=daily&from=2026-11-03T00:00:00Z"));
  ASSERT_EQ(one["items"].size(), 1u);
  EXPECT_EQ(one["items"][0]["periodStart"], "2026-11-03T00:00:00.000Z");
  // The call record carries the new fields.
  auto rec = body_json(api_.get("/api/calls/c2"));
  EXPECT_EQ(rec["campaignId"], campaign_);
  EXPECT_EQ(rec["ringTimeMs"], 7000);
  EXPECT_TRUE(rec["agentAudioAfterAnswerMs"].is_null());
  EXPECT_EQ(rec["abandoned"], true);
  EXPECT_EQ(rec["answeredByPerson"], true);
  EXPECT_TRUE(rec["swarmAgentId"].is_null());
  EXPECT_EQ(body_json(api_.get("/api/calls/c1"))["agentAudioAfterAnswerMs"], 400);
}

TEST_F(MetricsApi, Last30DaysCountsOnlyTheRecentCalls) {
  call("old", "2026-01-05T10:00:00.000Z", "completed", true, true, "Other", 10, 1000);
  call("new", to_iso8601(std::chrono::system_clock::now() - std::chrono::hours(1)), "completed", true, false, "Other", 10, 3000);
  const json c = body_json(api_.get("/api/campaigns/" + campaign_ + "/metrics"))["compliance"];
  EXPECT_EQ(c["abandonedCalls"], 1);
  EXPECT_EQ(c["answeredByPerson"], 2);
  EXPECT_DOUBLE_EQ(c["abandonRate"].get<double>(), 50.0);
  EXPECT_EQ(c["last30Days"]["abandonedCalls"], 0);
  EXPECT_EQ(c["last30Days"]["answeredByPerson"], 1);
  EXPECT_DOUBLE_EQ(c["last30Days"]["abandonRate"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(c["last30Days"]["averageRingTimeMs"].get<double>(), 3000.0);
}

TEST_F(MetricsApi, BadQueriesAre422NamingTheParameter) {
  auto field = [&](const std::string& query) {
    auto r = api_.get("/api/campaigns/" + campaign_ + "/metrics?" + query);
    EXPECT_EQ(r.status, 422) << query << ": " << r.body;
    return body_json(r).value("field", std::string());
  };
  EXPECT_EQ(field("period=yearly"), "period");
  EXPECT_EQ(field("period="), "period");
  EXPECT_EQ(field("from=yesterday"), "from");
  EXPECT_EQ(field("to=2026-13-01T00:00:00Z"), "to");
  EXPECT_EQ(field("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"), "to");
  EXPECT_EQ(field("from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z"), "to");
  EXPECT_EQ(field("colour=blue"), "colour");
  EXPECT_EQ(field(std::string("period=") + std::string(10000, 'x')), "period");  // (the server refuses request lines over 16 KiB with 431)
  auto agent = api_.get("/api/agents/" + agent_ + "/metrics?period=fortnightly");
  EXPECT_EQ(agent.status, 422);
  EXPECT_EQ(body_json(agent)["field"], "period");
}

TEST_F(MetricsApi, AnotherWorkspacesCampaignOrAgentIsNotFound) {
  call("c1", "2026-11-02T15:00:00.000Z", "completed", true, false, "Demo Scheduled", 120, 5000);
  const WorkspaceId b = api_.create_workspace("Tenant B", "enterprise");
  const std::string b_key = api_.create_key(b, {"admin"});
  const std::vector<std::pair<std::string, std::string>> as_b = {{"Authorization", "Bearer " + b_key}};
  for (const std::string& path : std::vector<std::string>{"/api/campaigns/" + campaign_ + "/metrics",
                                                          "/api/agents/" + agent_ + "/metrics",
                                                          "/api/campaigns/nope/metrics", "/api/agents/nope/metrics"}) {
    auto r = api_.raw("GET", path, "", as_b);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("totalCalls"), std::string::npos);
  }
  EXPECT_EQ(api_.anonymous("GET", "/api/campaigns/" + campaign_ + "/metrics").status, 401) << "no credential";
  // A key without campaigns:read may not read a campaign's metrics.
  const std::string agents_only = api_.create_key(api_.workspace(), {"agents:read"});
  EXPECT_EQ(api_.raw("GET", "/api/campaigns/" + campaign_ + "/metrics", "", {{"Authorization", "Bearer " + agents_only}}).status, 403);
  EXPECT_EQ(api_.raw("GET", "/api/agents/" + agent_ + "/metrics", "", {{"Authorization", "Bearer " + agents_only}}).status, 200);
}

TEST_F(MetricsApi, AtMost5000PeriodsTheNewestAndTruncatedSaysSo) {
  // 5,001 hourly periods: one call an hour.
  const auto start = std::chrono::floor<std::chrono::hours>(parse_iso8601("2026-01-01T00:00:00Z").value());
  ASSERT_TRUE(api_.store().db().write([&](store::Connection&) -> Result<void> {
    for (int i = 0; i < 5001; ++i) {
      call("h" + std::to_string(i), to_iso8601(start + std::chrono::hours(i)), "no_answer", false, false);
      if (HasFatalFailure()) return std::unexpected(Error::database("insert failed"));
    }
    return {};
  }));
  auto r = api_.get("/api/campaigns/" + campaign_ + "/metrics?period=hourly");
  ASSERT_EQ(r.status, 200);
  const json m = body_json(r);
  ASSERT_EQ(m["items"].size(), 5000u);
  EXPECT_EQ(m["truncated"], true);
  EXPECT_EQ(m["items"][0]["periodStart"], to_iso8601(start + std::chrono::hours(1))) << "the oldest is left out";
  EXPECT_EQ(m["items"][4999]["periodStart"], to_iso8601(start + std::chrono::hours(5000)));
  // A range inside the cap is whole.
  auto part = body_json(api_.get("/api/campaigns/" + campaign_ + "/metrics?period=hourly&to=2026-01-02T00:00:00Z"));
  EXPECT_EQ(part["items"].size(), 24u);
  EXPECT_EQ(part["truncated"], false);
  auto daily = body_json(api_.get("/api/campaigns/" + campaign_ + "/metrics?period=daily"));
  EXPECT_EQ(daily["truncated"], false);
  EXPECT_EQ(daily["items"].size(), 209u) << "5,001 hours from 1 January: 208 days and 9 hours";
}

}  // namespace

namespace {

TEST_F(MetricsApi, TheCampaignExportsItsCallsAndMetricsAsCsv) {
  call("e1", "2026-11-02T15:00:00.000Z", "completed", true, false, "Demo Scheduled", 120, 5000);
  call("e2", "2026-11-02T16:00:00.000Z", "no_answer", false, false, "No Answer", std::nullopt, 30000);
  // A summary with a comma, a quote and a formula: quoted (RFC 4180) and defused.
  ASSERT_TRUE(api_.store().db().write([](store::Connection& c) {
    return c.exec("UPDATE calls SET summary = '=HYPERLINK(\"x\"), then more' WHERE id = 'e1'");
  }));
  auto r = api_.get("/api/campaigns/" + campaign_ + "/export.csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(r.header("content-disposition").find("attachment"), std::string::npos);
  std::vector<std::string> lines;
  for (size_t at = 0, end; (end = r.body.find("\r\n", at)) != std::string::npos; at = end + 2) lines.push_back(r.body.substr(at, end - at));
  ASSERT_EQ(lines.size(), 3u) << r.body;
  EXPECT_TRUE(lines[0].starts_with("id,createdAt,startedAt,toPhone,status,outcome,duration,ringTimeMs"));
  EXPECT_NE(r.body.find("\"'=HYPERLINK(\"\"x\"\"), then more\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("e2,"), std::string::npos);
  auto m = api_.get("/api/campaigns/" + campaign_ + "/export.csv?type=metrics&period=daily");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_TRUE(m.body.starts_with("periodStart,periodEnd,totalCalls"));
  EXPECT_NE(m.body.find("2026-11-02T00:00:00.000Z,2026-11-03T00:00:00.000Z,2,1,"), std::string::npos) << m.body;
  EXPECT_EQ(api_.get("/api/campaigns/" + campaign_ + "/export.csv?type=pdf").status, 422);
  EXPECT_EQ(api_.get("/api/campaigns/" + campaign_ + "/export.csv?type=metrics&period=yearly").status, 422);
  EXPECT_EQ(api_.get("/api/campaigns/nope/export.csv").status, 404);
}

}  // namespace
