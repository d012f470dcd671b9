// Reading JSON from outside (core/json_parse): one nesting limit of 64 levels,
// checked without recursion, and errors that name the depth or the field.
#include "core/json_parse.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.hpp"

using namespace voqo;
using nlohmann::json;

namespace {

std::string deep_arrays(std::size_t levels) { return test::deep_json(levels, false); }
std::string deep_objects(std::size_t levels) { return test::deep_json(levels, true); }

bool mentions_depth(const Error& e) {
  return e.code == ErrorCode::bad_request && e.message.find("JSON nesting deeper than 64 levels") != std::string::npos;
}

TEST(JsonParse, SixtyFourLevelsAreAcceptedSixtyFiveAreNot) {
  for (auto make : {deep_arrays, deep_objects}) {
    auto ok = parse_json(make(64));
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(check_json_depth(make(64)));
    auto deep = parse_json(make(65));
    ASSERT_FALSE(deep);
    EXPECT_TRUE(mentions_depth(deep.error())) << deep.error().message;
    EXPECT_FALSE(check_json_depth(make(65)));
  }
  EXPECT_TRUE(parse_json("7"));
  EXPECT_TRUE(parse_json(deep_arrays(3), {}, 3));
  EXPECT_FALSE(parse_json(deep_arrays(4), {}, 3));
  EXPECT_EQ(json_depth_message(3), "JSON nesting deeper than 3 levels");
}

TEST(JsonParse, AHundredAndFiftyThousandLevelsAreRefusedWithoutCrashing) {
  // As sent to PUT /api/settings/{key} in issue 15: a 300 KB body that a
  // recursive copy or dump would follow 150,000 frames deep.
  for (const std::string& text : {deep_arrays(150'000), deep_objects(150'000),
                                  "{\"variables\":" + deep_arrays(150'000) + "}",
                                  std::string(150'000, '[')}) {  // unterminated too
    auto r = parse_json(text, "body");
    ASSERT_FALSE(r);
    EXPECT_TRUE(mentions_depth(r.error())) << r.error().message;
    EXPECT_EQ(r.error().field(), "body");
    EXPECT_TRUE(parse_json_or_discarded(text).is_discarded());
  }
  auto r = parse_json(deep_arrays(150'000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "JSON nesting deeper than 64 levels (at byte 64)");
  EXPECT_TRUE(r.error().fields.empty());  // no field given: the problem names none
}

TEST(JsonParse, BracketsInsideStringsDoNotCount) {
  const std::string brackets = std::string(1000, '[') + std::string(1000, '{');
  auto r = parse_json(R"({"note":")" + brackets + R"(","escaped":"\"[[[[\\","more":"\\\"{{{{"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["note"], brackets);
  EXPECT_EQ((*r)["escaped"], "\"[[[[\\");
  // 64 real levels with brackets in a string at the bottom: still fine.
  std::string text = std::string(63, '[') + "[\"[[[[{{{{\\\"[[\"]" + std::string(63, ']');
  EXPECT_TRUE(parse_json(text)) << text;
  EXPECT_TRUE(check_json_depth(text));
  // Closing brackets in strings do not lower the depth either.
  std::string sneaky = std::string(40, '[') + "\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\"," + std::string(30, '[') +
                       "1" + std::string(70, ']');
  EXPECT_FALSE(check_json_depth(sneaky));
}

TEST(JsonParse, ANumberThatOverflowsIsABadRequestNamingItsMember) {
  auto top = parse_json(R"({"name":"Bot","speechRate":1e400})");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code, ErrorCode::bad_request);
  EXPECT_EQ(top.error().field(), "speechRate");
  EXPECT_EQ(top.error().message, "number out of range: 1e400");

  auto nested = parse_json(R"({"plan":{"steps":[1,{"x":2},-1e999]}})", "variables");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().field(), "variables.plan.steps[2]");

  auto after = parse_json(R"({"a":[[1,2],[3]],"b":{"c":1},"d":[1e400]})");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().field(), "d[0]");

  auto bare = parse_json("1e400");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, ErrorCode::bad_request);
  EXPECT_TRUE(parse_json_or_discarded("[1e400]").is_discarded());
}

TEST(JsonParse, SyntaxErrorsSayWhere) {
  auto r = parse_json(R"({"name": "Bot",)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(r.error().message.find("byte"), std::string::npos);
  EXPECT_FALSE(parse_json("{} x"));
  EXPECT_FALSE(parse_json("\"\xff\""));  // invalid UTF-8
  EXPECT_FALSE(parse_json("// comment\n{}"));
  EXPECT_TRUE(parse_json_or_discarded("{").is_discarded());
  EXPECT_EQ(parse_json_or_discarded(R"({"a":[1]})"), json({{"a", {1}}}));
}

}  // namespace
