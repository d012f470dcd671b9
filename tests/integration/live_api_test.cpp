// The live-monitoring REST routes (issue 5 §4–5) over a real socket: the
// live list and the one-call view, transcript and supervisor actions, the
// action endpoint with and without live control (problems naming the field),
// and the call's analytics once it ended.
#include <gtest/gtest.h>


#include <mutex>
#include <set>

#include "store/calls.hpp"
#include "support/api_server.hpp"
#include "support/schema_check.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;
using test::body_json;

namespace {

/// Validates `instance` against the schema `doc` gives for `method path`
/// answering `status` ("" when valid, else the errors).
std::string check_against_doc(const json& doc, const std::string& method, const std::string& path, int status,
                              const json& instance) {
  const json& op = doc["paths"][path][method];
  if (!op.contains("responses") || !op["responses"].contains(std::to_string(status)))
    return method + " " + path + ": status " + std::to_string(status) + " is not documented";
  const json& response = op["responses"][std::to_string(status)];
  if (!response.contains("content")) return instance.is_null() ? "" : "a body where none is documented";
  return test::schema_errors(doc, response["content"].begin().value()["schema"], instance);
}

/// What the fake live control saw.
struct Seen {
  std::mutex mutex;
  std::vector<json> calls;
};

class LiveApiTest : public ::testing::Test {
 protected:
  static void begin(test::ApiServer& api, const std::string& id, const std::string& start, const std::string& status) {
    store::CallStore calls(api.store().db());
    store::LiveCall l;
    l.call_id = id;
    l.agent_id = "agent-1";
    l.agent_name = "Sales Bot";
    l.customer_phone = "+14155550101";
    l.direction = "outbound";
    l.status = status;
    l.start_time = start;
    l.node = "local";
    l.workspace_id = api.workspace().value;
    ASSERT_TRUE(calls.live_begin(l));
  }
  static void expect_problem(const test::HttpResult& r, int status, const std::string& field = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    auto j = body_json(r);
    EXPECT_EQ(j.value("status", 0), status) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(j.value("field", ""), field) << r.body;
    }
  }
  static json action(const std::string& a, json details = json::object()) { return {{"action", a}, {"details", std::move(details)}}; }
};

TEST_F(LiveApiTest, ListsCallsInProgressAndShowsOneCall) {
  test::ApiServer api;
  EXPECT_EQ(body_json(api.get("/api/live-calls")), json({{"items", json::array()}, {"nextCursor", nullptr}}));
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  begin(api, "call-b", "2026-11-23T10:01:00.000Z", "ringing");
  auto& live = api.store().live();
  store::LiveTranscriptRow line{{"u1", "caller", "hel", 500, 900, 0.5, false, false}, ""};
  ASSERT_TRUE(live.upsert_transcript("call-a", line));
  line.line.text = "hello";
  line.line.is_final = true;
  ASSERT_TRUE(live.upsert_transcript("call-a", line));
  ASSERT_TRUE(live.update_levels("call-a", 40, 70, "caller", 12));
  ASSERT_TRUE(live.save_insights("call-a", {{"objectives", {{{"key", "k"}, {"title", "Qualify"}, {"status", "pending"}}}}}));

  auto all = api.get("/api/live-calls");
  ASSERT_EQ(all.status, 200) << all.body;
  auto items = body_json(all)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["callId"], "call-b");
  EXPECT_EQ(items[1]["callId"], "call-a");
  EXPECT_EQ(items[1]["customerGain"], 70);
  auto ringing = body_json(api.get("/api/live-calls?status=ringing"))["items"];
  ASSERT_EQ(ringing.size(), 1u);
  EXPECT_EQ(ringing[0]["callId"], "call-b");
  expect_problem(api.get("/api/live-calls?status=ended"), 422, "status");
  expect_problem(api.get("/api/live-calls?colour=red"), 422, "colour");

  auto one = api.get("/api/live-calls/call-a");
  ASSERT_EQ(one.status, 200) << one.body;
  auto view = body_json(one);
  EXPECT_EQ(view["call"]["currentSpeaker"], "caller");
  ASSERT_EQ(view["transcript"].size(), 1u);
  EXPECT_EQ(view["transcript"][0]["text"], "hello");
  EXPECT_EQ(view["transcript"][0]["isFinal"], true);
  EXPECT_EQ(view["objectives"][0]["title"], "Qualify");
  EXPECT_EQ(view["sentiment"], nullptr);
  EXPECT_EQ(view["supervisorActions"], json::array());

  auto transcript = api.get("/api/live-calls/call-a/transcript");
  ASSERT_EQ(transcript.status, 200);
  EXPECT_EQ(body_json(transcript)["items"][0]["entryId"], "u1");
  EXPECT_EQ(body_json(api.get("/api/live-calls/call-b/transcript"))["items"], json::array());
  EXPECT_EQ(body_json(api.get("/api/live-calls/call-a/actions"))["items"], json::array());
  for (const char* target : {"/api/live-calls/nope", "/api/live-calls/nope/transcript", "/api/live-calls/nope/actions",
                             "/api/live-calls/bad%20id", "/api/calls/nope/analytics"})
    expect_problem(api.get(target), 404);
}

TEST_F(LiveApiTest, ActionsWithoutLiveControlRecordNotesAndRefuseTheRest) {
  test::ApiServer api;
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  const std::string url = "/api/live-calls/call-a/actions";

  auto note = api.post(url, action("ADD_NOTE", {{"text", "asked about pricing"}}));
  ASSERT_EQ(note.status, 202) << note.body;
  auto n = body_json(note);
  EXPECT_EQ(n["action"], "ADD_NOTE");
  EXPECT_EQ(n["details"]["text"], "asked about pricing");
  // The supervisor is who the server authenticated (issue 16 §3): here the admin key.
  EXPECT_EQ(n["supervisorId"], api.key_actor());
  EXPECT_EQ(n["supervisorName"], "test");
  EXPECT_EQ(n["order"], 1);
  EXPECT_GT(n["callTimeMs"].get<int64_t>(), 0) << "call time since the call's start";
  // A client cannot record someone else as the supervisor.
  expect_problem(api.post(url, {{"action", "BOOKMARK_MOMENT"}, {"supervisorId", "sup-7"}}), 422, "supervisorId");
  expect_problem(api.post(url, {{"action", "BOOKMARK_MOMENT"}, {"supervisorName", "Maya"}}), 422, "supervisorName");
  auto mark = api.post(url, {{"action", "BOOKMARK_MOMENT"}, {"supervisorId", api.key_actor()}});
  ASSERT_EQ(mark.status, 202) << mark.body;
  EXPECT_EQ(body_json(mark)["supervisorName"], "test");
  EXPECT_EQ(body_json(mark)["details"], json::object());
  ASSERT_EQ(api.post(url, action("FLAG_FOR_REVIEW", {{"reason", "rude"}})).status, 202);

  // Actions on the call itself need live control.
  for (const auto& a : {action("COACH_AGENT", {{"text", "slow down"}}), action("END_CALL"), action("JOIN_CALL"),
                        action("TRANSFER_CALL", {{"target", "+14155550199"}})})
    expect_problem(api.post(url, a), 503);

  // Bad input names the field.
  expect_problem(api.post(url, json{{"details", json::object()}}), 422, "action");
  expect_problem(api.post(url, action("DANCE")), 422, "action");
  expect_problem(api.post(url, json{{"action", 7}}), 422, "action");
  expect_problem(api.post(url, json{{"action", "ADD_NOTE"}, {"details", "text"}}), 422, "details");
  expect_problem(api.post(url, action("ADD_NOTE")), 422, "details.text");
  expect_problem(api.post(url, action("ADD_NOTE", {{"text", "   "}})), 422, "details.text");
  expect_problem(api.post(url, action("COACH_AGENT", {{"text", 5}})), 422, "details.text");
  expect_problem(api.post(url, action("TRANSFER_CALL")), 422, "details.target");
  expect_problem(api.post(url, action("TRANSFER_CALL", {{"target", "not a number"}})), 422, "details.target");
  expect_problem(api.post(url, action("TRANSFER_CALL", {{"target", "sip:"}})), 422, "details.target");
  expect_problem(api.post(url, {{"action", "ADD_NOTE"}, {"details", {{"text", "x"}}}, {"mood", "calm"}}), 422, "mood");
  expect_problem(api.post(url, {{"action", "BOOKMARK_MOMENT"}, {"supervisorName", ""}}), 422, "supervisorName");
  expect_problem(api.post(url, json::array({1})), 400);
  expect_problem(api.raw("POST", url, "{\"action\":", {{"Content-Type", "application/json"}}), 400);
  expect_problem(api.post("/api/live-calls/nope/actions", action("ADD_NOTE", {{"text", "x"}})), 404);

  auto list = body_json(api.get(url))["items"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["action"], "ADD_NOTE");
  EXPECT_EQ(list[1]["action"], "BOOKMARK_MOMENT");
  EXPECT_EQ(list[2]["order"], 3);

  // A call that ended takes no more actions (409) but stays readable until purged.
  ASSERT_TRUE(store::CallStore(api.store().db()).live_end("call-a"));
  expect_problem(api.post(url, action("ADD_NOTE", {{"text", "late"}})), 409);
  EXPECT_EQ(body_json(api.get("/api/live-calls"))["items"], json::array());
  EXPECT_TRUE(body_json(api.get("/api/live-calls/call-a"))["call"]["endedAt"].is_string());
}

TEST_F(LiveApiTest, LiveControlReceivesValidatedActions) {
  auto seen = std::make_shared<Seen>();
  api::ApiConfig config;
  test::ApiServer* server = nullptr;
  config.live_action = [seen, &server](const WorkspaceId& ws, const std::string& call_id, const std::string& action,
                                       const json& details, const std::string& sup_id,
                                       const std::string& sup_name) -> Result<json> {
    {
      std::lock_guard lock(seen->mutex);
      seen->calls.push_back({{"callId", call_id}, {"action", action}, {"details", details}, {"id", sup_id}, {"name", sup_name}});
    }
    if (action == "RELEASE") return std::unexpected(Error::conflict("action", "the supervisor has not taken over"));
    return server->store().live().record_supervisor_action(ws, call_id, action, details, sup_id, sup_name, 1234);
  };
  test::ApiServer api(config);
  server = &api;
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  const std::string url = "/api/live-calls/call-a/actions";

  auto coach = api.post(url, {{"action", "COACH_AGENT"}, {"details", {{"text", "offer the demo"}}}});
  ASSERT_EQ(coach.status, 202) << coach.body;
  EXPECT_EQ(body_json(coach)["callTimeMs"], 1234);
  EXPECT_EQ(body_json(coach)["supervisorId"], api.key_actor());
  auto transfer = api.post(url, action("TRANSFER_CALL", {{"target", "(415) 555-0199"}}));
  ASSERT_EQ(transfer.status, 202) << transfer.body;
  EXPECT_EQ(body_json(transfer)["details"]["target"], "+14155550199") << "normalised to E.164";
  ASSERT_EQ(api.post(url, action("TRANSFER_CALL", {{"target", "sip:sales@pbx.example.com"}})).status, 202);
  ASSERT_EQ(api.post(url, action("END_CALL")).status, 202);
  expect_problem(api.post(url, action("RELEASE")), 409, "action");
  expect_problem(api.post(url, action("COACH_AGENT")), 422, "details.text");

  std::lock_guard lock(seen->mutex);
  ASSERT_EQ(seen->calls.size(), 5u) << "invalid input never reaches live control";
  EXPECT_EQ(seen->calls[0], json({{"callId", "call-a"}, {"action", "COACH_AGENT"}, {"details", {{"text", "offer the demo"}}},
                                  {"id", api.key_actor()}, {"name", "test"}}));
  EXPECT_EQ(seen->calls[1]["details"]["target"], "+14155550199");
  EXPECT_EQ(seen->calls[2]["details"]["target"], "sip:sales@pbx.example.com");
  EXPECT_EQ(seen->calls[3]["id"], api.key_actor());
  EXPECT_EQ(body_json(api.get(url))["items"].size(), 4u);
}

TEST_F(LiveApiTest, AnalyticsOfAnEndedCall) {
  test::ApiServer api;
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  auto& live = api.store().live();
  ASSERT_TRUE(live.upsert_transcript("call-a", {"a1", "agent", "Hello, this is Sam", 0, 2000, 1, true, false, "neutral"}));
  ASSERT_TRUE(live.upsert_transcript("call-a", {"u1", "caller", "great, tell me more", 2500, 4000, 0.9, true, false, "positive"}));
  ASSERT_TRUE(live.save_insights("call-a", {{"coaching", {{{"key", "q"}, {"type", "suggestion"}, {"title", "Ask a question"}, {"priority", 3}}}},
                                            {"sentiment", {{"positive", 50}, {"neutral", 50}, {"negative", 0}, {"overall", "positive"},
                                                           {"trend", "stable"}, {"lastPositive", {{"text", "great"}, {"at", "0:02"}}}}}}));
  expect_problem(api.get("/api/calls/call-a/analytics"), 404);
  ASSERT_TRUE(live.finish("call-a", {{"outcome", "Follow-up Needed"}}));
  auto r = api.get("/api/calls/call-a/analytics");
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = body_json(r);
  EXPECT_EQ(a["callId"], "call-a");
  EXPECT_EQ(a["transcriptEntries"], 2);
  EXPECT_EQ(a["agentTalkMs"], 2000);
  EXPECT_EQ(a["callerTalkMs"], 1500);
  EXPECT_EQ(a["overallSentiment"], "positive");
  EXPECT_EQ(a["sentiment"]["lastPositive"]["text"], "great");
  EXPECT_EQ(a["coaching"][0]["isActive"], false);
  EXPECT_EQ(a["details"]["outcome"], "Follow-up Needed");
  EXPECT_EQ(body_json(api.get("/api/live-calls"))["items"], json::array());
  EXPECT_EQ(body_json(api.get("/api/live-calls/call-a"))["coaching"][0]["isActive"], false);
}

// Every live route's answers, full of data, match the schemas /api/openapi.json gives them.
TEST_F(LiveApiTest, AnswersMatchTheOpenApiDocument) {
  test::ApiServer api;
  const json doc = body_json(api.get("/api/openapi.json"));
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  begin(api, "call-z", "2026-11-23T09:00:00.000Z", "connected");
  auto& live = api.store().live();
  ASSERT_TRUE(live.upsert_transcript("call-a", {"u1", "caller", "hello", 0, 900, 0.7, true, false, "positive"}));
  ASSERT_TRUE(live.upsert_transcript("call-a", {"a1", "agent", "hi", 1000, 1500, 1, false, true, ""}));
  ASSERT_TRUE(live.update_levels("call-a", 3, 97, "", 8));
  ASSERT_TRUE(live.save_insights(
      "call-a",
      {{"phases", {{{"name", "greeting"}, {"status", "completed"}, {"startTime", "0:00"}, {"endTime", "0:05"}, {"duration", 5}, {"quality", 90}},
                   {{"name", "pitch"}, {"status", "active"}}}},
       {"objectives", {{{"key", "k"}, {"title", "Qualify"}, {"status", "failed"}}}},
       {"nextActions", {{{"type", "follow-up"}, {"action", "Send the brochure"}}}},
       {"coaching", {{{"key", "c"}, {"type", "positive"}, {"title", "Good rapport"}, {"priority", 1}}}},
       {"sentiment", {{"positive", 10}, {"neutral", 20}, {"negative", 70}, {"overall", "negative"}, {"trend", "declining"},
                      {"lastNegative", {{"text", "too expensive"}, {"at", "0:04"}}}}},
       {"metrics", {{"scriptAdherence", 50}, {"voiceEnergy", "LOW"}, {"responseQuality", "POOR"}, {"interestSignals", "WEAK"},
                    {"questionFrequency", 0}}}}));
  ASSERT_TRUE(live.save_system_config("call-a", {{"sipProvider", "trunk"}, {"sipStatus", "connected"}, {"apiLatencyMs", 120},
                                                 {"errorRate", 0.5}, {"queueDepth", 0}, {"costPerMinute", 0.01}, {"totalCost", 0.02}}));
  const std::string url = "/api/live-calls/call-a/actions";
  struct Case {
    std::string method, path;
    test::HttpResult result;
  };
  std::vector<Case> cases;
  auto get = [&](const std::string& path, const std::string& target) { cases.push_back({"get", path, api.get(target)}); };
  auto post = [&](const json& body) { cases.push_back({"post", "/api/live-calls/{id}/actions", api.post(url, body)}); };
  post(action("ADD_NOTE", {{"text", "n"}}));
  post(action("END_CALL"));
  post(action("DANCE"));
  post(json::array());
  get("/api/live-calls", "/api/live-calls");
  get("/api/live-calls", "/api/live-calls?status=on-hold");
  get("/api/live-calls", "/api/live-calls?status=x");
  get("/api/live-calls/{id}", "/api/live-calls/call-a");
  get("/api/live-calls/{id}", "/api/live-calls/call-z");
  get("/api/live-calls/{id}", "/api/live-calls/nope");
  get("/api/live-calls/{id}/transcript", "/api/live-calls/call-a/transcript");
  get("/api/live-calls/{id}/transcript", "/api/live-calls/nope/transcript");
  get("/api/live-calls/{id}/actions", url);
  get("/api/calls/{id}/analytics", "/api/calls/call-a/analytics");
  ASSERT_TRUE(live.finish("call-a", json::object()));
  ASSERT_TRUE(live.finish("call-z", nullptr));
  get("/api/calls/{id}/analytics", "/api/calls/call-a/analytics");
  get("/api/calls/{id}/analytics", "/api/calls/call-z/analytics");
  post(action("ADD_NOTE", {{"text", "after the end"}}));
  std::set<int> statuses;
  for (const auto& c : cases) {
    statuses.insert(c.result.status);
    EXPECT_EQ(check_against_doc(doc, c.method, c.path, c.result.status, body_json(c.result)), "")
        << c.method << " " << c.path << " → " << c.result.status << ": " << c.result.body.substr(0, 400);
  }
  EXPECT_EQ(statuses, (std::set<int>{200, 202, 400, 404, 409, 422, 503}));
}

TEST_F(LiveApiTest, LiveRoutesNeedAKeyWithTheirScope) {
  test::ApiServer api;
  begin(api, "call-a", "2026-11-23T10:00:00.000Z", "connected");
  expect_problem(api.anonymous("GET", "/api/live-calls"), 401);
  expect_problem(api.anonymous("GET", "/api/live-calls/call-a"), 401);
  expect_problem(api.anonymous("POST", "/api/live-calls/call-a/actions", action("ADD_NOTE", {{"text", "x"}}).dump(),
                               {{"Content-Type", "application/json"}}),
                 401);
  const std::string reader = api.create_key(api.workspace(), {"live:read"});
  auto ok = api.raw("GET", "/api/live-calls/call-a", "", {{"Authorization", "Bearer " + reader}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  // Watching is not acting: a supervisor action needs live:control.
  expect_problem(api.raw("POST", "/api/live-calls/call-a/actions", action("ADD_NOTE", {{"text", "x"}}).dump(),
                         {{"Authorization", "Bearer " + reader}, {"Content-Type", "application/json"}}),
                 403, "scope");
}

}  // namespace
