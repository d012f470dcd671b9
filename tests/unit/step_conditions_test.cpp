// A call-flow step's skipConditions and successCriteria (issue 18 §5,
// brain/step_conditions.hpp): every shape is parsed or refused with the field
// named, conditions match call variables and heard intents by the documented
// rules, and success criteria are met by the named intents after minTurns.
#include <gtest/gtest.h>

#include "brain/step_conditions.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;

struct ParseCase {
  const char* name;
  json value;
  const char* field;  ///< nullptr = accepted
};

TEST(SkipConditionsParse, EveryShapeIsAcceptedOrRefusedNamingTheField) {
  const std::vector<ParseCase> cases = {
      {"null", nullptr, nullptr},
      {"one object", {{"variable", "owner"}, {"exists", true}}, nullptr},
      {"empty array", json::array(), nullptr},
      {"equals string", json::array({{{"variable", "city"}, {"equals", "Austin"}}}), nullptr},
      {"equals number", json::array({{{"variable", "units"}, {"equals", 12}}}), nullptr},
      {"equals bool", json::array({{{"variable", "owner"}, {"equals", true}}}), nullptr},
      {"in", json::array({{{"variable", "city"}, {"in", {"Austin", 5, false}}}}), nullptr},
      {"intentHeard", json::array({{{"intentHeard", "yes"}}}), nullptr},
      {"every intent name", json::array({{{"intentHeard", "voicemail_greeting"}}, {{"intentHeard", "not_interested"}}}),
       nullptr},
      {"a string", "owner", "skipConditions"},
      {"a number", 3, "skipConditions"},
      {"element not an object", json::array({{{"intentHeard", "yes"}}, "x"}), "skipConditions[1]"},
      {"nested array", json::array({json::array({{{"intentHeard", "yes"}}})}), "skipConditions[0]"},
      {"unknown key", json::array({{{"variable", "a"}, {"exists", true}, {"when", 1}}}), "skipConditions[0].when"},
      {"unknown key alone", {{"attemptAtLeast", 2}}, "skipConditions.attemptAtLeast"},
      {"unknown intent", json::array({{{"intentHeard", "yes"}}, {{"intentHeard", "maybe"}}}),
       "skipConditions[1].intentHeard"},
      {"intent not a string", json::array({{{"intentHeard", 1}}}), "skipConditions[0].intentHeard"},
      {"intent with a variable", json::array({{{"intentHeard", "yes"}, {"variable", "a"}}}),
       "skipConditions[0].intentHeard"},
      {"no variable", json::array({{{"exists", true}}}), "skipConditions[0].variable"},
      {"variable not a string", json::array({{{"variable", 5}, {"exists", true}}}), "skipConditions[0].variable"},
      {"variable empty", json::array({{{"variable", ""}, {"exists", true}}}), "skipConditions[0].variable"},
      {"variable without a test", json::array({{{"variable", "a"}}}), "skipConditions[0]"},
      {"two tests", json::array({{{"variable", "a"}, {"exists", true}, {"equals", "b"}}}), "skipConditions[0]"},
      {"exists not a bool", json::array({{{"variable", "a"}, {"exists", "yes"}}}), "skipConditions[0].exists"},
      {"equals an object", json::array({{{"variable", "a"}, {"equals", {{"x", 1}}}}}), "skipConditions[0].equals"},
      {"equals null", json::array({{{"variable", "a"}, {"equals", nullptr}}}), "skipConditions[0].equals"},
      {"in not an array", json::array({{{"variable", "a"}, {"in", "b"}}}), "skipConditions[0].in"},
      {"in empty", json::array({{{"variable", "a"}, {"in", json::array()}}}), "skipConditions[0].in"},
      {"in nested array", json::array({{{"variable", "a"}, {"in", {"b", json::array({"c"})}}}}), "skipConditions[0].in[1]"},
      {"too many", json(std::vector<json>(21, {{"intentHeard", "yes"}})), "skipConditions"},
  };
  for (const auto& c : cases) {
    auto r = parse_skip_conditions(c.value);
    if (!c.field) {
      EXPECT_TRUE(r.has_value()) << c.name << ": " << (r ? "" : r.error().message);
    } else {
      ASSERT_FALSE(r.has_value()) << c.name;
      EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << c.name;
      EXPECT_EQ(r.error().field(), c.field) << c.name << ": " << r.error().message;
    }
  }
}

TEST(SuccessCriteriaParse, EveryShapeIsAcceptedOrRefusedNamingTheField) {
  const std::vector<ParseCase> cases = {
      {"null", nullptr, nullptr},
      {"text", "They confirmed they own the property", nullptr},
      {"intent", {{"intent", "yes"}}, nullptr},
      {"anyIntent", {{"anyIntent", {"yes", "statement"}}, {"maxTurns", 3}}, nullptr},
      {"minTurns", {{"minTurns", 2}, {"maxTurns", 4}, {"description", "two answers"}}, nullptr},
      {"blank text", "  ", "successCriteria"},
      {"a number", 1, "successCriteria"},
      {"an array", json::array({{{"intent", "yes"}}}), "successCriteria"},
      {"empty object", json::object(), "successCriteria"},
      {"only maxTurns", {{"maxTurns", 3}}, "successCriteria"},
      {"unknown key", {{"intent", "yes"}, {"turns", 2}}, "successCriteria.turns"},
      {"unknown intent", {{"intent", "interested"}}, "successCriteria.intent"},
      {"intent not a string", {{"intent", json::array({"yes"})}}, "successCriteria.intent"},
      {"anyIntent unknown", {{"anyIntent", {"yes", "nope"}}}, "successCriteria.anyIntent[1]"},
      {"anyIntent nested", {{"anyIntent", {json::array({"yes"})}}}, "successCriteria.anyIntent[0]"},
      {"anyIntent a string", {{"anyIntent", "yes"}}, "successCriteria.anyIntent"},
      {"anyIntent empty", {{"anyIntent", json::array()}}, "successCriteria.anyIntent"},
      {"intent and anyIntent", {{"intent", "yes"}, {"anyIntent", {"no"}}}, "successCriteria.anyIntent"},
      {"maxTurns zero", {{"intent", "yes"}, {"maxTurns", 0}}, "successCriteria.maxTurns"},
      {"maxTurns too big", {{"intent", "yes"}, {"maxTurns", 11}}, "successCriteria.maxTurns"},
      {"maxTurns a string", {{"intent", "yes"}, {"maxTurns", "2"}}, "successCriteria.maxTurns"},
      {"maxTurns a fraction", {{"intent", "yes"}, {"maxTurns", 1.5}}, "successCriteria.maxTurns"},
      {"minTurns negative", {{"minTurns", -1}}, "successCriteria.minTurns"},
      {"maxTurns below minTurns", {{"minTurns", 3}, {"maxTurns", 2}}, "successCriteria.maxTurns"},
      {"description not text", {{"intent", "yes"}, {"description", 5}}, "successCriteria.description"},
  };
  for (const auto& c : cases) {
    auto r = parse_success_criteria(c.value);
    if (!c.field) {
      EXPECT_TRUE(r.has_value()) << c.name << ": " << (r ? "" : r.error().message);
    } else {
      ASSERT_FALSE(r.has_value()) << c.name;
      EXPECT_EQ(r.error().field(), c.field) << c.name << ": " << r.error().message;
    }
  }
}

TEST(SuccessCriteriaParse, TheFormsGiveTheirValues) {
  auto text = parse_success_criteria("They said yes");
  ASSERT_TRUE(text && *text);
  EXPECT_FALSE((*text)->typed);
  EXPECT_EQ((*text)->text, "They said yes");
  auto any = parse_success_criteria({{"anyIntent", {"yes", "statement"}}, {"maxTurns", 3}});
  ASSERT_TRUE(any && *any);
  EXPECT_TRUE((*any)->typed);
  EXPECT_EQ((*any)->intents, (std::vector<Intent>{Intent::yes, Intent::statement}));
  EXPECT_EQ((*any)->max_turns, 3);
  auto dflt = parse_success_criteria({{"intent", "no"}});
  ASSERT_TRUE(dflt && *dflt);
  EXPECT_EQ((*dflt)->max_turns, 2);  // the documented default
  auto none = parse_success_criteria(nullptr);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

struct MatchCase {
  const char* name;
  json condition;
  bool matches;
};

TEST(SkipConditionsMatch, VariablesAndHeardIntentsByTheRules) {
  CallContext ctx;
  ctx.contact_name = "Maria Lopez";
  ctx.agent_name = "Ava";
  ctx.variables = {{"Property Type", "Condo"}, {"units", 12}, {"price", 2.5}, {"owner", true},
                   {"empty", ""},              {"list", json::array({"x"})}};
  const std::set<Intent> heard = {Intent::greeting, Intent::yes};
  const std::vector<MatchCase> cases = {
      {"exists: column", {{"variable", "property_type"}, {"exists", true}}, true},
      {"exists: spelled otherwise", {{"variable", "PROPERTY-TYPE"}, {"exists", true}}, true},
      {"exists: unknown", {{"variable", "budget"}, {"exists", true}}, false},
      {"exists false: unknown", {{"variable", "budget"}, {"exists", false}}, true},
      {"exists false: known", {{"variable", "units"}, {"exists", false}}, false},
      {"exists: empty string is none", {{"variable", "empty"}, {"exists", true}}, false},
      {"exists: an array is no value", {{"variable", "list"}, {"exists", true}}, false},
      {"exists: contact_name", {{"variable", "contact_name"}, {"exists", true}}, true},
      {"equals: case and spaces ignored", {{"variable", "property_type"}, {"equals", " condo "}}, true},
      {"equals: other", {{"variable", "property_type"}, {"equals", "house"}}, false},
      {"equals: number to number", {{"variable", "units"}, {"equals", 12}}, true},
      {"equals: number to text", {{"variable", "units"}, {"equals", "12"}}, true},
      {"equals: fraction", {{"variable", "price"}, {"equals", 2.5}}, true},
      {"equals: bool", {{"variable", "owner"}, {"equals", true}}, true},
      {"equals: bool as text", {{"variable", "owner"}, {"equals", "TRUE"}}, true},
      {"equals: unknown never", {{"variable", "budget"}, {"equals", ""}}, false},
      {"equals: first_name from contact", {{"variable", "first_name"}, {"equals", "maria"}}, true},
      {"equals: agent_name", {{"variable", "agent_name"}, {"equals", "ava"}}, true},
      {"in: one of", {{"variable", "property_type"}, {"in", {"House", "Condo"}}}, true},
      {"in: none of", {{"variable", "property_type"}, {"in", {"House", "Land"}}}, false},
      {"in: numbers", {{"variable", "units"}, {"in", {10, 12}}}, true},
      {"intentHeard: said", {{"intentHeard", "yes"}}, true},
      {"intentHeard: not said", {{"intentHeard", "no"}}, false},
  };
  for (const auto& c : cases) {
    auto parsed = parse_skip_conditions(c.condition);
    ASSERT_TRUE(parsed && parsed->size() == 1) << c.name;
    EXPECT_EQ(condition_matches(parsed->front(), ctx, heard), c.matches) << c.name;
  }
  // Any of several: one matching is enough, none gives false.
  auto several = parse_skip_conditions(json::array({{{"intentHeard", "no"}}, {{"variable", "units"}, {"equals", 12}}}));
  ASSERT_TRUE(several);
  EXPECT_TRUE(any_condition_matches(*several, ctx, heard));
  several->pop_back();
  EXPECT_FALSE(any_condition_matches(*several, ctx, heard));
  EXPECT_FALSE(any_condition_matches({}, ctx, heard));
}

TEST(SuccessCriteriaMatch, MetByTheNamedIntentsOnceMinTurnsAnswersWereGiven) {
  auto yes = parse_success_criteria({{"intent", "yes"}});
  ASSERT_TRUE(yes && *yes);
  EXPECT_TRUE((*yes)->met_by(Intent::yes, 1));
  EXPECT_FALSE((*yes)->met_by(Intent::no, 1));
  EXPECT_FALSE((*yes)->met_by(Intent::unclear, 2));
  auto any = parse_success_criteria({{"anyIntent", {"yes", "statement"}}});
  ASSERT_TRUE(any && *any);
  EXPECT_TRUE((*any)->met_by(Intent::statement, 1));
  EXPECT_FALSE((*any)->met_by(Intent::greeting, 1));
  auto turns = parse_success_criteria({{"minTurns", 2}, {"maxTurns", 3}});
  ASSERT_TRUE(turns && *turns);
  EXPECT_FALSE((*turns)->met_by(Intent::no, 1));
  EXPECT_TRUE((*turns)->met_by(Intent::no, 2));
  auto both = parse_success_criteria({{"intent", "yes"}, {"minTurns", 2}});
  ASSERT_TRUE(both && *both);
  EXPECT_FALSE((*both)->met_by(Intent::yes, 1));
  EXPECT_TRUE((*both)->met_by(Intent::yes, 2));
  EXPECT_NE((*yes)->described().find("yes"), std::string::npos);
}

}  // namespace
}  // namespace voqo::brain
