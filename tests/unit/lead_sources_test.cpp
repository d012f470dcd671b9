// Lead sources (issue 18 §7) without the store: the shapes a push or a pull
// is read into (JSON rows, CSV rows with their lines) and the checks of a
// field mapping and a CRM configuration.
#include <gtest/gtest.h>

#include <sstream>

#include "campaign/lead_sources.hpp"

namespace voqo::campaign {
namespace {

using nlohmann::json;

TEST(LeadSources, JsonRowsKeepTheirIndexAsLineAndTextValues) {
  auto leads = leads_from_json(json::parse(R"([{"phone":"+14155550100","score":7.5,"vip":true,"tags":["a"],"n":null}, 3, "x"])"));
  ASSERT_TRUE(leads);
  ASSERT_EQ(leads->size(), 3u);
  EXPECT_EQ((*leads)[0].line, 1u);
  EXPECT_TRUE((*leads)[0].error.empty());
  const std::vector<std::pair<std::string, std::string>> want = {
      {"n", ""}, {"phone", "+14155550100"}, {"score", "7.5"}, {"tags", "[\"a\"]"}, {"vip", "true"}};
  EXPECT_EQ((*leads)[0].fields, want);
  EXPECT_EQ((*leads)[1].line, 2u);
  EXPECT_EQ((*leads)[1].error, "not a JSON object");
  EXPECT_EQ((*leads)[2].error, "not a JSON object");
}

TEST(LeadSources, JsonThatIsNotAnArrayOrTooLongIsRefusedWhole) {
  auto obj = leads_from_json(json::object());
  ASSERT_FALSE(obj);
  EXPECT_EQ(obj.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(obj.error().field(), "body");
  auto many = leads_from_json(json::array({json::object(), json::object(), json::object()}), 2);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, ErrorCode::too_large);
  EXPECT_EQ(many.error().field(), "body");
  EXPECT_TRUE(leads_from_json(json::array({json::object(), json::object()}), 2));
}

TEST(LeadSources, CsvRowsKeepTheLineWhereTheyStart) {
  std::istringstream in("phone,name\n+14155550100,\"Two\nLines\"\n\n+14155550101,Three,extra\n+14155550102,Ok\n");
  auto leads = leads_from_csv(in);
  ASSERT_TRUE(leads) << leads.error().message;
  ASSERT_EQ(leads->size(), 3u);
  EXPECT_EQ((*leads)[0].line, 2u);
  EXPECT_EQ((*leads)[0].fields[1], (std::pair<std::string, std::string>{"name", "Two\nLines"}));
  EXPECT_EQ((*leads)[1].line, 5u);
  EXPECT_EQ((*leads)[1].error, "too many fields");
  EXPECT_EQ((*leads)[2].line, 6u);
  EXPECT_TRUE((*leads)[2].error.empty());

  std::istringstream capped("phone\n1\n2\n3\n");
  auto over = leads_from_csv(capped, 2);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::too_large);
  std::istringstream empty("");
  EXPECT_FALSE(leads_from_csv(empty));
}

TEST(LeadSources, FieldMappingsNameTheirBadMember) {
  EXPECT_TRUE(validate_field_mapping(json::parse(
      R"({"phone":"mobile","name":"full","email":"mail","company":"org","leadScore":"s","customFields":{"tier":"t"}})")));
  EXPECT_TRUE(validate_field_mapping(json::object()));
  const std::pair<const char*, const char*> bad[] = {
      {R"([])", "fieldMapping"},
      {R"({"fax":"f"})", "fieldMapping.fax"},
      {R"({"phone":""})", "fieldMapping.phone"},
      {R"({"phone":5})", "fieldMapping.phone"},
      {R"({"customFields":[]})", "fieldMapping.customFields"},
      {R"({"customFields":{"a":""}})", "fieldMapping.customFields"},
  };
  for (const auto& [text, field] : bad) {
    auto r = validate_field_mapping(json::parse(text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().field(), field) << text;
  }
}

TEST(LeadSources, CrmConfigsNameTheirBadMember) {
  EXPECT_TRUE(validate_crm_config(nullptr));
  EXPECT_TRUE(validate_crm_config(json::parse(
      R"({"url":"https://crm.example/leads","itemsPath":"/data","nextPath":"/paging/next","cursorParam":"cursor",
          "pageSize":100,"pageSizeParam":"limit","intervalMinutes":60})")));
  EXPECT_TRUE(validate_crm_config(json::parse(R"({"url":"http://crm.example","itemsPath":""})")));
  const std::pair<const char*, const char*> bad[] = {
      {R"("x")", "crmConfig"},
      {R"({})", "crmConfig.url"},
      {R"({"url":"ftp://crm.example"})", "crmConfig.url"},
      {R"({"url":"http://c","itemsPath":"data"})", "crmConfig.itemsPath"},
      {R"({"url":"http://c","nextPath":"/a/~2"})", "crmConfig.nextPath"},
      {R"({"url":"http://c","pageSize":0})", "crmConfig.pageSize"},
      {R"({"url":"http://c","pageSize":1001})", "crmConfig.pageSize"},
      {R"({"url":"http://c","intervalMinutes":0})", "crmConfig.intervalMinutes"},
      {R"({"url":"http://c","intervalMinutes":10081})", "crmConfig.intervalMinutes"},
      {R"({"url":"http://c","cursorParam":""})", "crmConfig.cursorParam"},
      {R"({"url":"http://c","password":"x"})", "crmConfig.password"},
  };
  for (const auto& [text, field] : bad) {
    auto r = validate_crm_config(json::parse(text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().field(), field) << text;
  }
}

}  // namespace
}  // namespace voqo::campaign
