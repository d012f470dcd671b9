#include "api/router.hpp"

#include <gtest/gtest.h>

using voqo::api::HttpRequest;
using voqo::api::HttpResponse;
using voqo::api::Router;

namespace {

voqo::api::Handler named(std::string name) {
  return [name](HttpRequest&) { return HttpResponse::json(200, name); };
}

std::string run(const voqo::api::RouteMatch& m) {
  HttpRequest req;
  return m.route ? m.route->handler(req).body : std::string("<none>");
}

Router sample() {
  Router r;
  r.add("GET", "/api/agents", named("list"));
  r.add("POST", "/api/agents", named("create"));
  r.add("GET", "/api/agents/{id}", named("get"));
  r.add("PATCH", "/api/agents/{id}", named("patch"));
  r.add("DELETE", "/api/agents/{id}", named("delete"));
  r.add("GET", "/api/agents/stats", named("stats"));
  r.add("GET", "/api/agents/{id}/configurations/{version}", named("config"));
  r.add("GET", "/api/{kind}/summary", named("kind-summary"));
  r.add("GET", "/api/agents/{id}/summary", named("agent-summary"));
  r.add("GET", "/", named("root"));
  return r;
}

}  // namespace

TEST(Router, MatchesLiteralRoutes) {
  Router r = sample();
  EXPECT_EQ(run(r.match("GET", "/api/agents")), "list");
  EXPECT_EQ(run(r.match("POST", "/api/agents")), "create");
  EXPECT_EQ(run(r.match("GET", "/")), "root");
}

TEST(Router, ExtractsParameters) {
  Router r = sample();
  auto m = r.match("GET", "/api/agents/c123/configurations/7");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/agents/{id}/configurations/{version}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"id", "c123"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"version", "7"}));
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router r = sample();
  EXPECT_EQ(run(r.match("GET", "/api/agents/stats")), "stats");
  EXPECT_TRUE(r.match("GET", "/api/agents/stats").params.empty());
  EXPECT_EQ(run(r.match("GET", "/api/agents/abc")), "get");
  // The first differing segment decides: "agents" (literal) beats {kind},
  // although {kind}/summary has as many literal segments.
  EXPECT_EQ(run(r.match("GET", "/api/agents/summary")), "get");
  EXPECT_EQ(run(r.match("GET", "/api/agents/x/summary")), "agent-summary");
  EXPECT_EQ(run(r.match("GET", "/api/contacts/summary")), "kind-summary");
}

TEST(Router, LiteralWinsRegardlessOfRegistrationOrder) {
  Router r;
  r.add("GET", "/a/{x}", named("param"));
  r.add("GET", "/a/b", named("literal"));
  EXPECT_EQ(run(r.match("GET", "/a/b")), "literal");
  EXPECT_EQ(run(r.match("GET", "/a/c")), "param");
}

TEST(Router, UnknownPathIs404) {
  Router r = sample();
  auto m = r.match("GET", "/api/nothing/here/at/all");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
  EXPECT_EQ(r.match("GET", "/api").route, nullptr);
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router r = sample();
  auto m = r.match("PUT", "/api/agents/abc");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "HEAD", "PATCH", "DELETE"}));
  auto m2 = r.match("DELETE", "/api/agents");
  EXPECT_EQ(m2.allowed_methods, (std::vector<std::string>{"GET", "HEAD", "POST"}));
}

TEST(Router, MethodMatchPreferredOverMoreSpecificPath) {
  Router r;
  r.add("GET", "/api/agents/{id}", named("get"));
  r.add("POST", "/api/agents/import", named("import"));
  EXPECT_EQ(run(r.match("GET", "/api/agents/import")), "get");
  EXPECT_EQ(run(r.match("POST", "/api/agents/import")), "import");
  auto m = r.match("DELETE", "/api/agents/import");
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "HEAD", "POST"}));
}

TEST(Router, HeadFallsBackToGet) {
  Router r = sample();
  EXPECT_EQ(run(r.match("HEAD", "/api/agents")), "list");
  Router r2;
  r2.add("GET", "/x", named("get"));
  r2.add("HEAD", "/x", named("head"));
  EXPECT_EQ(run(r2.match("HEAD", "/x")), "head");
  Router r3;
  r3.add("POST", "/only-post", named("p"));
  EXPECT_EQ(r3.match("HEAD", "/only-post").route, nullptr);
  EXPECT_EQ(r3.match("HEAD", "/only-post").allowed_methods, (std::vector<std::string>{"POST"}));
}

TEST(Router, TrailingSlashIsIgnored) {
  Router r = sample();
  EXPECT_EQ(run(r.match("GET", "/api/agents/")), "list");
  EXPECT_EQ(run(r.match("GET", "/api/agents/abc/")), "get");
  Router r2;
  r2.add("GET", "/api/things/", named("things"));
  EXPECT_EQ(run(r2.match("GET", "/api/things")), "things");
}

TEST(Router, ParameterNeedsANonEmptySegment) {
  Router r = sample();
  EXPECT_EQ(r.match("GET", "/api/agents//configurations/1").route, nullptr);
  EXPECT_EQ(r.match("GET", "/api//summary").route, nullptr);
}

TEST(Router, ParameterValuesAreTakenVerbatim) {
  Router r = sample();
  auto m = r.match("GET", "/api/agents/a b:c");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0].second, "a b:c");
}

TEST(Router, MethodIsCaseSensitiveButRegistrationIsUpperCased) {
  Router r;
  r.add("get", "/x", named("x"));
  EXPECT_EQ(run(r.match("GET", "/x")), "x");
  EXPECT_EQ(r.routes().front().method, "GET");
  EXPECT_EQ(r.routes().front().segments, (std::vector<std::string>{"x"}));
}

TEST(Router, RejectsPatternsWithoutLeadingSlash) {
  Router r;
  EXPECT_THROW(r.add("GET", "api/x", named("x")), std::invalid_argument);
}

TEST(Router, VeryDeepPathsDoNotMatch) {
  Router r = sample();
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "/a";
  auto m = r.match("GET", deep);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
}
