// ToolCaller: schema validation (valijson), the HTTP call a custom function
// makes (method, headers, auth, body/query, timeout), the SSRF guard and the
// response mapping, against ReplayServer as the function's endpoint.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brain/tool_caller.hpp"
#include "support/connection_counter.hpp"
#include "support/replay_server.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;
using test::ReplayServer;

std::string http_json(const std::string& body, std::string_view status = "200 OK") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const json kBookingSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
    "guests": {"type": "integer", "minimum": 1, "maximum": 8},
    "tags": {"type": "array", "items": {"type": "string"}}
  },
  "required": ["date", "guests"],
  "additionalProperties": false
})");

CustomFunction booking(const ReplayServer& server) {
  CustomFunction f;
  f.name = "book_table";
  f.description = "Book a table";
  f.endpoint = server.base_url() + "/api/bookings";
  f.method = "POST";
  f.headers = {{"X-Source", "voqo"}, {"X-Version", 2}};
  f.auth_type = "basic";
  f.auth_config = {{"username", "Aladdin"}, {"password", "open sesame"}};
  f.parameters = kBookingSchema;
  f.response_mapping = {{"path", "/booking"}, {"fields", {{"id", "/id"}, {"when", "slot.start"}, {"missing", "/nope"}}}};
  return f;
}

json error_of(const ToolOutcome& o) {
  json j = json::parse(o.content, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"] : json();
}

TEST(ValidateArguments, NamesTheFailedPathAndKeyword) {
  EXPECT_EQ(validate_arguments(kBookingSchema, {{"date", "2025-03-05"}, {"guests", 2}}), "");
  const std::string missing = validate_arguments(kBookingSchema, {{"date", "2025-03-05"}});
  EXPECT_NE(missing.find("(root): "), std::string::npos) << missing;
  EXPECT_NE(missing.find("guests"), std::string::npos) << missing;
  const std::string range = validate_arguments(kBookingSchema, {{"date", "2025-03-05"}, {"guests", 20}});
  EXPECT_NE(range.find("/guests: "), std::string::npos) << range;
  const std::string pattern = validate_arguments(kBookingSchema, {{"date", "tomorrow"}, {"guests", 2}});
  EXPECT_NE(pattern.find("/date: "), std::string::npos) << pattern;
  const std::string item = validate_arguments(kBookingSchema, {{"date", "2025-03-05"}, {"guests", 2}, {"tags", {"a", 3}}});
  EXPECT_NE(item.find("/tags/1: "), std::string::npos) << item;
  const std::string extra = validate_arguments(kBookingSchema, {{"date", "2025-03-05"}, {"guests", 2}, {"x", 1}});
  EXPECT_FALSE(extra.empty());
}

TEST(ValidateArguments, UnusableSchemaIsReportedNotFatal) {
  const std::string bad = validate_arguments(json::parse(R"({"type": 42})"), json::object());
  EXPECT_TRUE(bad.starts_with("schema: ")) << bad;
}

TEST(MapResponse, PathFieldsAndDottedPaths) {
  const json body = json::parse(R"({"data":{"items":[{"name":"A","price":3}],"total":1},"ok":true})");
  EXPECT_EQ(*map_response(json::object(), body), body);
  EXPECT_EQ(*map_response(nullptr, body), body);
  EXPECT_EQ(*map_response({{"path", "/data/total"}}, body), 1);
  EXPECT_EQ(*map_response({{"path", "data.items.0.name"}}, body), "A");
  EXPECT_EQ(*map_response({{"fields", {{"n", "/data/items/0/name"}, {"ok", "ok"}, {"x", "/none"}}}}, body),
            json({{"n", "A"}, {"ok", true}, {"x", nullptr}}));
  EXPECT_EQ(*map_response({{"path", "/data"}, {"fields", {{"count", "total"}}}}, body), json({{"count", 1}}));
  auto missing = map_response({{"path", "/data/nothing"}}, body);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(UrlWithQuery, EncodesArgumentsPerRfc3986) {
  EXPECT_EQ(url_with_query("https://x.test/a", {{"q", "Paris, France"}, {"n", 2}, {"ok", true}, {"tags", {"a", "b&c"}}}),
            "https://x.test/a?n=2&ok=true&q=Paris%2C%20France&tags=a&tags=b%26c");
  EXPECT_EQ(url_with_query("https://x.test/a?k=1#frag", {{"z", "é"}}), "https://x.test/a?k=1&z=%C3%A9#frag");
  EXPECT_EQ(url_with_query("https://x.test/a", json::object()), "https://x.test/a");
}

TEST(ToolCaller, PostSendsJsonBodyHeadersAndBasicAuthThenMapsTheResponse) {
  ReplayServer server({{"POST", "/api/bookings",
                        http_json(R"({"booking":{"id":"bk_1","slot":{"start":"2025-03-05T19:00:00Z"}},"extra":1})"),
                        {}, {}}});
  ToolCaller tools({booking(server)}, /*allow_private_addresses=*/true);
  ASSERT_EQ(tools.specs().size(), 1u);
  EXPECT_EQ(tools.specs()[0].parameters, kBookingSchema);
  auto out = tools.call({"call_1", "book_table", R"({"date":"2025-03-05","guests":2})"});
  ASSERT_TRUE(out.ok) << out.content;
  EXPECT_EQ(json::parse(out.content), json({{"id", "bk_1"}, {"when", "2025-03-05T19:00:00Z"}, {"missing", nullptr}}));
  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(json::parse(got[0].body), json({{"date", "2025-03-05"}, {"guests", 2}}));
  EXPECT_EQ(got[0].header("content-type"), "application/json");
  EXPECT_EQ(got[0].header("x-source"), "voqo");
  EXPECT_EQ(got[0].header("x-version"), "2");
  // RFC 7617 §2 example: Aladdin / open sesame.
  EXPECT_EQ(got[0].header("authorization"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(ToolCaller, ApiKeyAuthUsesTheConfiguredOrDefaultHeader) {
  ReplayServer server({{"GET", "/v?x=1", http_json(R"("plain")"), {}, {}}, {"GET", "/v?x=2", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", {}, {}}});
  CustomFunction f;
  f.name = "v";
  f.endpoint = server.base_url() + "/v";
  f.method = "get";
  f.auth_type = "api_key";
  f.auth_config = {{"headerName", "X-Custom-Key"}, {"key", "s3cret"}};
  f.parameters = {{"type", "object"}, {"properties", {{"x", {{"type", "integer"}}}}}};
  CustomFunction g = f;
  g.name = "w";
  g.auth_config = {{"key", "k2"}};
  ToolCaller tools({f, g}, true);
  auto a = tools.call({"c1", "v", R"({"x":1})"});
  auto b = tools.call({"c2", "w", R"({"x":2})"});
  ASSERT_TRUE(a.ok && b.ok) << a.content << b.content;
  EXPECT_EQ(a.content, "plain");  // a JSON string result is given as its text
  EXPECT_EQ(b.content, "hello");  // a non-JSON body as is
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].header("x-custom-key"), "s3cret");
  EXPECT_EQ(got[1].header("x-api-key"), "k2");
  EXPECT_EQ(got[0].body, "");
}

TEST(ToolCaller, InvalidArgumentsAreNotSent) {
  ReplayServer server({});
  ToolCaller tools({booking(server)}, true);
  auto out = tools.call({"c", "book_table", R"({"date":"tomorrow","guests":0})"});
  EXPECT_FALSE(out.ok);
  const std::string error = error_of(out);
  EXPECT_TRUE(error.starts_with("invalid arguments for book_table: ")) << out.content;
  EXPECT_NE(error.find("/date"), std::string::npos) << error;
  EXPECT_NE(error.find("/guests"), std::string::npos) << error;
  auto not_json = tools.call({"c", "book_table", R"({"date":)"});
  EXPECT_NE(error_of(not_json).get<std::string>().find("not valid JSON"), std::string::npos);
  auto not_object = tools.call({"c", "book_table", "[1]"});
  EXPECT_FALSE(not_object.ok);
  // Arguments an LLM wrote 150,000 levels deep: refused, not walked (issue 15).
  auto deep = tools.call({"c", "book_table", R"({"date":)" + std::string(150'000, '[') + std::string(150'000, ']') + "}"});
  EXPECT_FALSE(deep.ok);
  EXPECT_NE(error_of(deep).get<std::string>().find("JSON nesting deeper than 64 levels"), std::string::npos)
      << deep.content.substr(0, 300);
  EXPECT_TRUE(server.requests().empty());
}

TEST(ToolCaller, PrivateEndpointsAreRefusedUnlessAllowed) {
  ReplayServer server({{"POST", "/api/bookings", http_json(R"({"booking":{}})"), {}, {}}});
  ToolCaller guarded({booking(server)}, false);
  auto out = guarded.call({"c", "book_table", R"({"date":"2025-03-05","guests":2})"});
  EXPECT_FALSE(out.ok);
  const std::string error = error_of(out);
  EXPECT_TRUE(error.starts_with("refused to call book_table")) << error;
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_TRUE(server.requests().empty());
}

TEST(ToolCaller, CallsGoDirectWhateverTheProxyEnvironmentSays) {
  test::ConnectionCounter proxy("127.0.0.1");
  ReplayServer server({{"POST", "/api/bookings", http_json(R"({"booking":{"id":"bk_2"}})"), {}, {}}});
  const std::string p = proxy.url();
  test::ScopedEnv env({{"http_proxy", p}, {"HTTP_PROXY", p}, {"https_proxy", p}, {"HTTPS_PROXY", p},
                       {"all_proxy", p}, {"ALL_PROXY", p}, {"no_proxy", std::nullopt}, {"NO_PROXY", std::nullopt}});
  ToolCaller tools({booking(server)}, /*allow_private_addresses=*/true);
  auto out = tools.call({"c", "book_table", R"({"date":"2025-03-05","guests":2})"});
  EXPECT_TRUE(out.ok) << out.content;
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(proxy.connections(), 0);
}

TEST(ToolCaller, RedirectIsAnErrorNotFollowed) {
  ReplayServer server({{"POST", "/api/bookings",
                        "HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n", {}, {}},
                       {"POST", "/elsewhere", http_json(R"({"booking":{}})"), {}, {}}});
  ToolCaller tools({booking(server)}, true);
  auto out = tools.call({"c", "book_table", R"({"date":"2025-03-05","guests":2})"});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(error_of(out).get<std::string>().find("HTTP 307"), std::string::npos) << out.content;
  ASSERT_EQ(server.requests().size(), 1u);
}

TEST(ToolCaller, HttpErrorsTimeoutsAndUnknownFunctionsAreToolErrors) {
  ReplayServer server({{"POST", "/api/bookings", http_json(R"({"message":"sold out"})", "409 Conflict"), {}, {}},
                       {"POST", "/api/bookings", "", {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "{}"},
                        std::chrono::milliseconds(5000)}});
  CustomFunction f = booking(server);
  f.timeout_seconds = 1;
  ToolCaller tools({f}, true);
  const std::string args = R"({"date":"2025-03-05","guests":2})";
  auto conflict = tools.call({"c", "book_table", args});
  EXPECT_FALSE(conflict.ok);
  EXPECT_NE(error_of(conflict).get<std::string>().find("HTTP 409"), std::string::npos) << conflict.content;
  EXPECT_NE(error_of(conflict).get<std::string>().find("sold out"), std::string::npos) << conflict.content;
  auto slow = tools.call({"c", "book_table", args});
  EXPECT_FALSE(slow.ok);
  EXPECT_NE(error_of(slow).get<std::string>().find("timeout"), std::string::npos) << slow.content;
  auto unknown = tools.call({"c", "nope", "{}"});
  EXPECT_EQ(error_of(unknown), "unknown function: nope");
}

TEST(ToolCaller, DisabledAndMisconfiguredFunctions) {
  ReplayServer server({});
  CustomFunction off = booking(server);
  off.enabled = false;
  CustomFunction broken = booking(server);
  broken.name = "broken";
  broken.parameters = json::parse(R"({"type":"object","properties":{"a":{"type":7}}})");
  ToolCaller tools({off, broken}, true);
  EXPECT_FALSE(tools.has("book_table"));
  EXPECT_TRUE(tools.has("broken"));
  auto out = tools.call({"c", "broken", R"({"a":1})"});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(error_of(out).get<std::string>().find("misconfigured"), std::string::npos) << out.content;
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace voqo::brain
