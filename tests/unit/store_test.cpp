// The store: migrations, the data model's schema, validation, agent
// configuration versions, secrets at rest, cursor pages, jobs.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "campaign/contact_import.hpp"
#include "model/schema.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
  }
  json agent_body(std::string name = "Sales Bot") {
    return json{{"name", name}, {"systemPrompt", "You are a helpful sales agent."}};
  }
  /// A raw value read on a fresh connection (to see what is really stored).
  std::string raw(const std::string& sql) {
    auto conn = store::sqlite::SqliteConnection::open(dir_ / "voqo.db", true, {});
    EXPECT_TRUE(conn);
    auto st = (*conn)->prepare(sql);
    EXPECT_TRUE(st);
    auto row = (*st)->step();
    EXPECT_TRUE(row && *row);
    return std::string((*st)->column_text(0));
  }
  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
};

TEST_F(StoreTest, FreshDatabaseIsMigratedWithWalForeignKeysAndDefaultSettings) {
  EXPECT_EQ(raw("PRAGMA journal_mode"), "wal");
  auto version = store::schema_version(st_->db());
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, store::migrations().back().version);
  auto again = store::migrate(st_->db());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "migrating twice applies nothing";
  auto settings = st_->settings().all();
  ASSERT_TRUE(settings);
  EXPECT_EQ((*settings)["default_region"], "US");
  EXPECT_EQ((*settings)["sms_enabled"], true);
  EXPECT_EQ((*settings)["sms_skip_silent"], true);
  EXPECT_EQ((*settings)["auto_create_contacts"], true);
  EXPECT_EQ((*settings)["save_memories"], true);
  EXPECT_EQ((*settings)["sms_template"],
            "Hi {caller_name}, thanks for calling! Here's a summary of our conversation: {call_summary}. Feel free to "
            "call back anytime. - {agent_name}");
  // Foreign keys are enforced: a memory for a contact that does not exist is refused.
  auto m = st_->memories().create({{"content", "x"}}, "nosuchcontact");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::not_found);
}

TEST_F(StoreTest, EverySpecFieldIsAColumnOfItsTable) {
  auto conn = store::sqlite::SqliteConnection::open(dir_ / "voqo.db", true, {});
  ASSERT_TRUE(conn);
  for (const auto* spec : model::all_specs()) {
    std::set<std::string> columns;
    auto st = (*conn)->prepare("SELECT name FROM pragma_table_info('" + std::string(spec->table) + "')");
    ASSERT_TRUE(st);
    while (*(*st)->step()) columns.insert(std::string((*st)->column_text(0)));
    ASSERT_FALSE(columns.empty()) << spec->table << " is missing";
    for (const auto& f : spec->fields) EXPECT_TRUE(columns.count(std::string(f.column))) << spec->table << "." << f.column;
    EXPECT_EQ(columns.size(), spec->fields.size()) << spec->table << " has columns the spec does not describe";
  }
}

TEST_F(StoreTest, CreatedAgentHasTheDocumentedDefaults) {
  auto a = st_->agents().create(agent_body());
  ASSERT_TRUE(a) << a.error().message;
  for (const auto& f : model::agent_spec().fields) {
    if (f.default_json.empty()) continue;
    EXPECT_EQ((*a)[std::string(f.json)], json::parse(f.default_json)) << f.json;
  }
  EXPECT_EQ((*a)["id"].get<std::string>().size(), 24u);
  EXPECT_TRUE((*a)["createdAt"].get<std::string>().ends_with("Z"));
}

TEST_F(StoreTest, ValidationNamesEveryOffendingField) {
  auto r = st_->agents().create({{"name", std::string(51, 'a')},
                                 {"systemPrompt", "short"},
                                 {"speechRate", 2.5},
                                 {"temperature", "hot"},
                                 {"system_prompt", "x"},
                                 {"totalCalls", 3}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  std::map<std::string, std::string> by_field;
  for (const auto& f : r.error().fields) by_field[f.field] = f.message;
  EXPECT_EQ(by_field["name"], "must be at most 50 characters, got 51");
  EXPECT_EQ(by_field["systemPrompt"], "must be at least 10 characters, got 5");
  EXPECT_EQ(by_field["speechRate"], "must be between 0.5 and 2, got 2.5");
  EXPECT_EQ(by_field["temperature"], "must be a number, got a string");
  EXPECT_EQ(by_field["system_prompt"], "unknown field; did you mean 'systemPrompt'?");
  EXPECT_EQ(by_field["totalCalls"], "is read-only");
  auto bad_name = st_->agents().create(agent_body("Robert'); DROP TABLE agents;--"));
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().field(), "name");
  auto bad_url = st_->agents().create({{"name", "A"}, {"systemPrompt", "0123456789"}, {"webhookUrl", "ftp://x"}});
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().field(), "webhookUrl");
}

TEST_F(StoreTest, AgentNamesAreUnique) {
  ASSERT_TRUE(st_->agents().create(agent_body()));
  auto dup = st_->agents().create(agent_body());
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  EXPECT_EQ(dup.error().field(), "name");
}

TEST_F(StoreTest, ConfigurationChangesWriteVersionsAndActivateRollsBack) {
  auto a = st_->agents().create(agent_body());
  ASSERT_TRUE(a);
  const std::string id = (*a)["id"];
  auto v = st_->agents().configurations(id);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0]["version"], 1);
  EXPECT_EQ((*v)[0]["isActive"], true);
  EXPECT_EQ((*v)[0]["configuration"]["systemPrompt"], "You are a helpful sales agent.");

  ASSERT_TRUE(st_->agents().update(id, {{"systemPrompt", "You are a patient support agent."}, {"speechRate", 1.2}}));
  ASSERT_TRUE(st_->agents().update(id, {{"description", "not a configuration field"}}));
  v = st_->agents().configurations(id);
  ASSERT_EQ(v->size(), 2u) << "a description change writes no version";
  EXPECT_EQ((*v)[0]["version"], 2);
  EXPECT_EQ((*v)[0]["isActive"], true);
  EXPECT_EQ((*v)[1]["isActive"], false);

  auto rolled = st_->agents().activate(id, 1);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ((*rolled)["systemPrompt"], "You are a helpful sales agent.");
  EXPECT_EQ((*rolled)["speechRate"], 1.0);
  EXPECT_EQ((*rolled)["description"], "not a configuration field");
  v = st_->agents().configurations(id);
  EXPECT_EQ((*v)[0]["isActive"], false);
  EXPECT_EQ((*v)[1]["isActive"], true);
  auto missing = st_->agents().activate(id, 9);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_F(StoreTest, CustomFunctionAuthConfigIsSealedAtRestAndNeverReturned) {
  auto a = st_->agents().create(agent_body());
  const std::string agent_id = (*a)["id"];
  auto f = st_->custom_functions().create({{"name", "book_demo"},
                                           {"description", "Books a demo slot"},
                                           {"endpoint", "https://crm.example.com/book"},
                                           {"authType", "bearer"},
                                           {"authConfig", {{"token", "s3cret-token"}}}},
                                          agent_id);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_FALSE(f->contains("authConfig"));
  const std::string stored = raw("SELECT auth_config FROM custom_functions");
  EXPECT_TRUE(stored.starts_with("sb1:"));
  EXPECT_EQ(stored.find("s3cret"), std::string::npos);
  auto secret = st_->custom_functions().read_secret((*f)["id"], "auth_config");
  ASSERT_TRUE(secret && *secret);
  EXPECT_EQ((**secret)["token"], "s3cret-token");
  auto dup = st_->custom_functions().create({{"name", "book_demo"}, {"description", "again"}, {"endpoint", "https://x.example"}},
                                            agent_id);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  EXPECT_EQ(dup.error().field(), "name");
}

TEST_F(StoreTest, ContactsNormalisePhonesAndPageByCursor) {
  auto c = st_->contacts().create({{"name", "Ada"}, {"phone", "(415) 555-0101"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)["phone"], "+14155550101");
  auto bad = st_->contacts().create({{"name", "Bad"}, {"phone", "12"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "phone");
  auto dup = st_->contacts().create({{"name", "Ada again"}, {"phone", "+1 415 555 0101"}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);

  for (int i = 0; i < 119; ++i)
    ASSERT_TRUE(st_->contacts().create({{"name", "C" + std::to_string(i)}, {"phone", "+1415555" + std::to_string(1000 + i)}}));
  std::set<std::string> seen;
  store::ListQuery q;
  q.limit = 50;
  int pages = 0;
  std::string previous_created = "9999";
  do {
    auto page = st_->contacts().list(q);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const auto& item : page->items) {
      EXPECT_TRUE(seen.insert(item["id"]).second) << "an item appears on two pages";
      EXPECT_LE(item["createdAt"].get<std::string>(), previous_created) << "newest first";
      previous_created = item["createdAt"];
    }
    q.cursor = page->next_cursor;
  } while (!q.cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 120u);
  q.cursor = "garbage";
  auto bad_cursor = st_->contacts().list(q);
  ASSERT_FALSE(bad_cursor);
  EXPECT_EQ(bad_cursor.error().field(), "cursor");
}

TEST_F(StoreTest, JobGetsOnePendingJobCallPerBatchContact) {
  auto a = st_->agents().create(agent_body());
  auto camp = st_->campaigns().create({{"name", "Spring"}});
  ASSERT_TRUE(a && camp);
  std::istringstream csv("name,phone\nAda,4155550101\nAlan,4155550102\nBad,12\n");
  auto report = campaign::import_contacts(st_->uploads(), (*camp)["id"], "leads.csv", csv, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  auto job = st_->jobs().create({{"campaignId", (*camp)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*a)["id"]}});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["status"], "pending");
  EXPECT_EQ((*job)["totalCalls"], 2);
  store::ListQuery q;
  q.conditions.push_back({store::Condition::Op::equals, {"job_id"}, (*job)["id"].get<std::string>()});
  auto calls = st_->jobs().job_calls().list(q);
  ASSERT_TRUE(calls);
  EXPECT_EQ(calls->items.size(), 2u);
  for (const auto& c : calls->items) EXPECT_EQ(c["status"], "pending");

  auto other = st_->campaigns().create({{"name", "Other"}});
  auto wrong = st_->jobs().create({{"campaignId", (*other)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*a)["id"]}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::not_found);
  EXPECT_EQ(wrong.error().field(), "uploadId");
  // An agent with a job cannot be deleted from under it.
  auto del = st_->agents().records().remove((*a)["id"]);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, ErrorCode::conflict);
}

TEST_F(StoreTest, SettingsAreValidatedByKey) {
  auto bad = st_->settings().put("default_region", "Narnia");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "default_region");
  auto wrong_type = st_->settings().put("sms_enabled", "yes");
  ASSERT_FALSE(wrong_type);
  auto unknown = st_->settings().put("colour", "blue");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  ASSERT_TRUE(st_->settings().put("default_region", "GB"));
  EXPECT_EQ(st_->settings().default_region(), "GB");
  auto patch = st_->settings().patch({{"sms_enabled", false}, {"default_region", "XX"}});
  ASSERT_FALSE(patch) << "a patch with one bad value changes nothing";
  EXPECT_EQ(*st_->settings().get("sms_enabled"), true);
}

TEST_F(StoreTest, InboundSourcesAndTheCallCapAreValidated) {
  auto bad = st_->settings().put("sip_inbound_sources", {"203.0.113.0/24", "10.0.0.1/8"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "sip_inbound_sources[1]") << bad.error().message;
  EXPECT_FALSE(st_->settings().put("sip_inbound_sources", {42}));
  EXPECT_FALSE(st_->settings().put("sip_inbound_sources", "203.0.113.0/24")) << "a list, not a string";
  ASSERT_TRUE(st_->settings().put("sip_inbound_sources", {"203.0.113.0/24", "2001:db8::/32"}));
  EXPECT_EQ(*st_->settings().get("max_concurrent_calls"), 100) << "the documented default";
  EXPECT_FALSE(st_->settings().put("max_concurrent_calls", -1));
  EXPECT_FALSE(st_->settings().put("max_concurrent_calls", 2.5));
  ASSERT_TRUE(st_->settings().put("max_concurrent_calls", 0));
}

TEST_F(StoreTest, AnUploadThatFailsLeavesNothing) {
  auto camp = st_->campaigns().create({{"name", "Spring"}});
  auto id = st_->uploads().import((*camp)["id"], "x.csv", [](store::UploadWriter& w) -> Result<store::ImportCounts> {
    store::BatchContactRow row{"+14155550101", "Ada", "{}", 2};
    if (auto r = w.add_contact(row); !r) return std::unexpected(r.error());
    return std::unexpected(Error::bad_request("hard error half-way"));
  });
  ASSERT_FALSE(id);
  EXPECT_EQ(raw("SELECT count(*) FROM uploads"), "0");
  EXPECT_EQ(raw("SELECT count(*) FROM batch_contacts"), "0");
}

}  // namespace
