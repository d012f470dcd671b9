#include "api/http.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/problem.hpp"

using namespace voqo::api;
using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, DecodesEscapes) {
  EXPECT_EQ(percent_decode("a%20b", false), "a b");
  EXPECT_EQ(percent_decode("%41%42%43", false), "ABC");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xE2\x82\xAC");  // € mixed case hex
  EXPECT_EQ(percent_decode("", false), "");
  EXPECT_EQ(percent_decode("plain", false), "plain");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, RejectsBadEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4g", false), std::nullopt);
}

TEST(SplitTarget, PathOnly) {
  std::string path;
  Pairs q{{"stale", "x"}};
  ASSERT_TRUE(split_target("/api/agents", path, q));
  EXPECT_EQ(path, "/api/agents");
  EXPECT_TRUE(q.empty());
  ASSERT_TRUE(split_target("/", path, q));
  EXPECT_EQ(path, "/");
}

TEST(SplitTarget, QueryPairsInOrderAndDecoded) {
  std::string path;
  Pairs q;
  ASSERT_TRUE(split_target("/api/contacts%20x?limit=5&q=hello+world&q=%C3%A9&flag&empty=&&a=b=c", path, q));
  EXPECT_EQ(path, "/api/contacts x");
  EXPECT_EQ(q, (Pairs{{"limit", "5"}, {"q", "hello world"}, {"q", "\xC3\xA9"}, {"flag", ""}, {"empty", ""},
                      {"a", "b=c"}}));
}

TEST(SplitTarget, PlusInPathIsLiteral) {
  std::string path;
  Pairs q;
  ASSERT_TRUE(split_target("/a+b?x=a+b", path, q));
  EXPECT_EQ(path, "/a+b");
  EXPECT_EQ(q, (Pairs{{"x", "a b"}}));
}

TEST(SplitTarget, RejectsMalformedTargets) {
  std::string path;
  Pairs q;
  EXPECT_FALSE(split_target("", path, q));
  EXPECT_FALSE(split_target("api/agents", path, q));
  EXPECT_FALSE(split_target("*", path, q));
  EXPECT_FALSE(split_target("/a%zz", path, q));
  EXPECT_FALSE(split_target("/a?x=%", path, q));
  EXPECT_FALSE(split_target("/a%00b", path, q));
  EXPECT_FALSE(split_target("/static/../secret", path, q));
  EXPECT_FALSE(split_target("/static/%2e%2e/secret", path, q));
  EXPECT_FALSE(split_target("/..", path, q));
  EXPECT_FALSE(split_target("ftp://host/x", path, q));
}

TEST(SplitTarget, AcceptsAbsoluteForm) {
  std::string path;
  Pairs q;
  ASSERT_TRUE(split_target("http://example.com:8080/api/agents?limit=1", path, q));
  EXPECT_EQ(path, "/api/agents");
  EXPECT_EQ(q, (Pairs{{"limit", "1"}}));
  ASSERT_TRUE(split_target("http://example.com", path, q));
  EXPECT_EQ(path, "/");
  ASSERT_TRUE(split_target("http://example.com?a=1", path, q));
  EXPECT_EQ(path, "/");
  EXPECT_EQ(q, (Pairs{{"a", "1"}}));
}

TEST(SplitTarget, DotsInsideNamesAreFine) {
  std::string path;
  Pairs q;
  ASSERT_TRUE(split_target("/static/app..js", path, q));
  ASSERT_TRUE(split_target("/static/./app.js", path, q));
  EXPECT_EQ(path, "/static/./app.js");
}

TEST(SplitTarget, IgnoresFragment) {
  std::string path;
  Pairs q;
  ASSERT_TRUE(split_target("/a?x=1#frag", path, q));
  EXPECT_EQ(path, "/a");
  EXPECT_EQ(q, (Pairs{{"x", "1"}}));
}

TEST(HttpRequest, Accessors) {
  HttpRequest req;
  req.headers = {{"content-type", "text/csv"}, {"x-twice", "1"}, {"x-twice", "2"}};
  req.query = {{"limit", "5"}, {"empty", ""}};
  req.params = {{"id", "abc"}};
  EXPECT_EQ(req.header("content-type"), "text/csv");
  EXPECT_EQ(req.header("x-twice"), "1");
  EXPECT_EQ(req.header("missing"), "");
  EXPECT_EQ(req.query_param("limit"), "5");
  EXPECT_EQ(req.query_param("empty"), "");
  EXPECT_EQ(req.query_param("nope"), std::nullopt);
  EXPECT_EQ(req.param("id"), "abc");
  EXPECT_EQ(req.param("other"), "");
}

TEST(Problem, BuildsRfc7807Json) {
  auto res = problem(422, "Validation failed", "name is required",
                     {{"name", "is required"}, {"retry.maxAttempts", "must be ≥ 0"}}, "/api/agents");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.content_type, "application/problem+json");
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["type"], "https://voqo.dev/problems/validation");
  EXPECT_EQ(j["title"], "Validation failed");
  EXPECT_EQ(j["status"], 422);
  EXPECT_EQ(j["detail"], "name is required");
  EXPECT_EQ(j["instance"], "/api/agents");
  EXPECT_EQ(j["field"], "name");
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][1]["field"], "retry.maxAttempts");
  EXPECT_EQ(j["errors"][1]["message"], "must be ≥ 0");
}

TEST(Problem, DefaultsTitleAndOmitsEmptyMembers) {
  auto res = problem(404, "", "");
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_EQ(j["title"], "Not Found");
  EXPECT_EQ(j["status"], 404);
  EXPECT_FALSE(j.contains("detail"));
  EXPECT_FALSE(j.contains("instance"));
  EXPECT_FALSE(j.contains("field"));
  EXPECT_TRUE(j["errors"].is_array());
  EXPECT_TRUE(j["errors"].empty());
}

TEST(Problem, SurvivesInvalidUtf8InDetail) {
  auto res = problem(400, "", std::string("bad \xff byte"));
  EXPECT_TRUE(nlohmann::json::accept(res.body));
}

TEST(Problem, MapsErrorCodesToStatus) {
  using voqo::Error;
  using voqo::ErrorCode;
  EXPECT_EQ(problem_from(Error::invalid("name", "is required"), "/x").status, 422);
  EXPECT_EQ(problem_from(Error::bad_request("not JSON"), "/x").status, 400);
  EXPECT_EQ(problem_from(Error::not_found("no agent"), "/x").status, 404);
  EXPECT_EQ(problem_from(Error::unauthorized("ticket expired"), "/x").status, 401);
  EXPECT_EQ(problem_from(Error::forbidden("agents", "the free tier allows 1 agent"), "/x").status, 403);
  EXPECT_EQ(problem_from(Error::conflict("email", "taken"), "/x").status, 409);
  EXPECT_EQ(problem_from(Error{ErrorCode::too_large, "big", {}}, "/x").status, 413);
  EXPECT_EQ(problem_from(Error{ErrorCode::unsupported, "csv only", {}}, "/x").status, 415);
  EXPECT_EQ(problem_from(Error::database("disk I/O error"), "/x").status, 500);
  EXPECT_EQ(problem_from(Error{ErrorCode::io, "x", {}}, "/x").status, 500);
  EXPECT_EQ(problem_from(Error{ErrorCode::internal, "x", {}}, "/x").status, 500);
}

TEST(Problem, ForbiddenNamesTheLimit) {
  auto j = nlohmann::json::parse(problem_from(voqo::Error::forbidden("premiumVoices", "not on the free tier"), "/api/agents").body);
  EXPECT_EQ(j["status"], 403);
  EXPECT_EQ(j["title"], "Forbidden");
  EXPECT_EQ(j["field"], "premiumVoices");
  EXPECT_EQ(j["detail"], "not on the free tier");
}

TEST(Problem, ValidationErrorCarriesFields) {
  auto res = problem_from(voqo::Error::invalid("phoneNumber", "not a valid E.164 number"), "/api/contacts");
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["field"], "phoneNumber");
  EXPECT_EQ(j["detail"], "not a valid E.164 number");
  EXPECT_EQ(j["instance"], "/api/contacts");
  EXPECT_EQ(j["errors"][0]["message"], "not a valid E.164 number");
}

TEST(Problem, InternalErrorsDoNotLeak) {
  auto res = problem_from(voqo::Error::database("SQLITE_CORRUPT at /var/lib/voqo/voqo.db"), "/api/agents");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("SQLITE"), std::string::npos);
  EXPECT_EQ(res.body.find("/var/lib"), std::string::npos);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["title"], "Internal Server Error");
  EXPECT_FALSE(j["detail"].get<std::string>().empty());
}

TEST(TransferCoding, ChunkedAloneOrNoneIsFine) {
  EXPECT_FALSE(transfer_coding_problem({}));
  EXPECT_FALSE(transfer_coding_problem({{"content-length", "5"}}));
  EXPECT_FALSE(transfer_coding_problem({{"transfer-encoding", "chunked"}}));
  EXPECT_FALSE(transfer_coding_problem({{"transfer-encoding", " Chunked "}}));
  EXPECT_FALSE(transfer_coding_problem({{"transfer-encoding", ", chunked,"}}));  // empty list elements
}

TEST(TransferCoding, AFinalCodingOtherThanChunkedIs400) {
  // RFC 9112 §6.3 item 4: the body's length cannot be determined.
  for (const char* te : {"xchunked", "chunkedx", "gzip", "chunked, gzip", "identity", "", " , ", "chunked;q=1, x"}) {
    auto p = transfer_coding_problem({{"transfer-encoding", te}});
    ASSERT_TRUE(p) << '"' << te << '"';
    EXPECT_EQ(p->status, 400) << te;
  }
  auto twice = transfer_coding_problem({{"transfer-encoding", "chunked"}, {"transfer-encoding", "chunked"}});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  auto split = transfer_coding_problem({{"transfer-encoding", "chunked"}, {"transfer-encoding", "xchunked"}});
  ASSERT_TRUE(split);
  EXPECT_EQ(split->status, 400);
}

TEST(TransferCoding, AnotherCodingBeforeChunkedIs501) {
  auto p = transfer_coding_problem({{"transfer-encoding", "gzip, chunked"}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 501);
  auto fields = transfer_coding_problem({{"transfer-encoding", "deflate"}, {"transfer-encoding", "chunked"}});
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->status, 501);
}
