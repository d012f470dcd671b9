// The store: migrations, the data model's schema, validation, agent
// configuration versions, secrets at rest, cursor pages, jobs.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "campaign/contact_import.hpp"
#include "model/schema.hpp"
#include "store/calls.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    ws_ = test::default_workspace(*st_);
  }
  /// A second workspace (tenant B), for the isolation checks.
  WorkspaceId second_workspace(const std::string& name = "Tenant B") {
    auto w = st_->access().create_workspace(name, "enterprise");
    EXPECT_TRUE(w) << (w ? "" : w.error().message);
    return w ? w->id : WorkspaceId{};
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
  WorkspaceId ws_;
};

TEST_F(StoreTest, FreshDatabaseIsMigratedWithWalForeignKeysAndDefaultSettings) {
  EXPECT_EQ(raw("PRAGMA journal_mode"), "wal");
  auto version = store::schema_version(st_->db());
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, store::migrations().back().version);
  auto again = store::migrate(st_->db());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "migrating twice applies nothing";
  auto settings = st_->settings().all(ws_);
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
  auto m = st_->memories().create(ws_, {{"content", "x"}}, "nosuchcontact");
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
  auto a = st_->agents().create(ws_, agent_body());
  ASSERT_TRUE(a) << a.error().message;
  for (const auto& f : model::agent_spec().fields) {
    if (f.default_json.empty()) continue;
    EXPECT_EQ((*a)[std::string(f.json)], json::parse(f.default_json)) << f.json;
  }
  EXPECT_EQ((*a)["id"].get<std::string>().size(), 24u);
  EXPECT_TRUE((*a)["createdAt"].get<std::string>().ends_with("Z"));
}

TEST_F(StoreTest, ValidationNamesEveryOffendingField) {
  auto r = st_->agents().create(ws_, {{"name", std::string(51, 'a')},
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
  auto bad_name = st_->agents().create(ws_, agent_body("Robert'); DROP TABLE agents;--"));
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().field(), "name");
  auto bad_url = st_->agents().create(ws_, {{"name", "A"}, {"systemPrompt", "0123456789"}, {"webhookUrl", "ftp://x"}});
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().field(), "webhookUrl");
}

TEST_F(StoreTest, AgentNamesAreUniquePerWorkspace) {
  auto mine = st_->agents().create(ws_, agent_body());
  ASSERT_TRUE(mine);
  auto dup = st_->agents().create(ws_, agent_body());
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  EXPECT_EQ(dup.error().field(), "name");
  // Another workspace may use the same name (issue 16: unique per workspace)...
  const WorkspaceId b = second_workspace();
  auto theirs = st_->agents().create(b, agent_body());
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_NE((*theirs)["id"], (*mine)["id"]);
  EXPECT_EQ((*theirs)["workspaceId"], b.value);
  // ...and neither workspace reaches the other's agent or its configurations.
  auto cross = st_->agents().records().get(ws_, (*theirs)["id"]);
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, ErrorCode::not_found);
  auto cross_conf = st_->agents().configurations(ws_, (*theirs)["id"]);
  ASSERT_FALSE(cross_conf);
  EXPECT_EQ(cross_conf.error().code, ErrorCode::not_found);
  auto cross_update = st_->agents().update(ws_, (*theirs)["id"], {{"systemPrompt", "You were taken over by A."}});
  ASSERT_FALSE(cross_update);
  EXPECT_EQ(cross_update.error().code, ErrorCode::not_found);
  auto cross_activate = st_->agents().activate(ws_, (*theirs)["id"], 1);
  ASSERT_FALSE(cross_activate);
  EXPECT_EQ(cross_activate.error().code, ErrorCode::not_found);
  EXPECT_EQ(*st_->agents().count(ws_), 1);
  EXPECT_EQ(*st_->agents().count(b), 1);
  auto still = st_->agents().configurations(b, (*theirs)["id"]);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->size(), 1u) << "A's attempts wrote no version of B's agent";
}

TEST_F(StoreTest, ConfigurationChangesWriteVersionsAndActivateRollsBack) {
  auto a = st_->agents().create(ws_, agent_body());
  ASSERT_TRUE(a);
  const std::string id = (*a)["id"];
  auto v = st_->agents().configurations(ws_, id);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0]["version"], 1);
  EXPECT_EQ((*v)[0]["isActive"], true);
  EXPECT_EQ((*v)[0]["configuration"]["systemPrompt"], "You are a helpful sales agent.");

  ASSERT_TRUE(st_->agents().update(ws_, id, {{"systemPrompt", "You are a patient support agent."}, {"speechRate", 1.2}}));
  ASSERT_TRUE(st_->agents().update(ws_, id, {{"description", "not a configuration field"}}));
  v = st_->agents().configurations(ws_, id);
  ASSERT_EQ(v->size(), 2u) << "a description change writes no version";
  EXPECT_EQ((*v)[0]["version"], 2);
  EXPECT_EQ((*v)[0]["isActive"], true);
  EXPECT_EQ((*v)[1]["isActive"], false);

  auto rolled = st_->agents().activate(ws_, id, 1);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ((*rolled)["systemPrompt"], "You are a helpful sales agent.");
  EXPECT_EQ((*rolled)["speechRate"], 1.0);
  EXPECT_EQ((*rolled)["description"], "not a configuration field");
  v = st_->agents().configurations(ws_, id);
  EXPECT_EQ((*v)[0]["isActive"], false);
  EXPECT_EQ((*v)[1]["isActive"], true);
  auto missing = st_->agents().activate(ws_, id, 9);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_F(StoreTest, CustomFunctionAuthConfigIsSealedAtRestAndNeverReturned) {
  auto a = st_->agents().create(ws_, agent_body());
  const std::string agent_id = (*a)["id"];
  auto f = st_->custom_functions().create(ws_, {{"name", "book_demo"},
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
  auto secret = st_->custom_functions().read_secret(ws_, (*f)["id"], "auth_config");
  ASSERT_TRUE(secret && *secret);
  EXPECT_EQ((**secret)["token"], "s3cret-token");
  auto dup = st_->custom_functions().create(ws_, {{"name", "book_demo"}, {"description", "again"}, {"endpoint", "https://x.example"}},
                                            agent_id);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  EXPECT_EQ(dup.error().field(), "name");
}

TEST_F(StoreTest, ContactsNormalisePhonesAndPageByCursor) {
  auto c = st_->contacts().create(ws_, {{"name", "Ada"}, {"phone", "(415) 555-0101"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)["phone"], "+14155550101");
  auto bad = st_->contacts().create(ws_, {{"name", "Bad"}, {"phone", "12"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "phone");
  auto dup = st_->contacts().create(ws_, {{"name", "Ada again"}, {"phone", "+1 415 555 0101"}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::conflict);
  // The same phone is another workspace's own contact (unique per workspace),
  // listed there and not here.
  const WorkspaceId b = second_workspace();
  auto theirs = st_->contacts().create(b, {{"name", "Ada of B"}, {"phone", "+1 415 555 0101"}});
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_EQ((*theirs)["phone"], "+14155550101");
  auto b_page = st_->contacts().list(b, {});
  ASSERT_TRUE(b_page);
  ASSERT_EQ(b_page->items.size(), 1u);
  EXPECT_EQ(b_page->items[0]["id"], (*theirs)["id"]);
  auto cross = st_->contacts().get(ws_, (*theirs)["id"]);
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, ErrorCode::not_found);

  for (int i = 0; i < 119; ++i)
    ASSERT_TRUE(st_->contacts().create(ws_, {{"name", "C" + std::to_string(i)}, {"phone", "+1415555" + std::to_string(1000 + i)}}));
  std::set<std::string> seen;
  store::ListQuery q;
  q.limit = 50;
  int pages = 0;
  std::string previous_created = "9999";
  do {
    auto page = st_->contacts().list(ws_, q);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const auto& item : page->items) {
      EXPECT_NE(item["id"], (*theirs)["id"]) << "B's contact is not listed in A";
      EXPECT_TRUE(seen.insert(item["id"]).second) << "an item appears on two pages";
      EXPECT_LE(item["createdAt"].get<std::string>(), previous_created) << "newest first";
      previous_created = item["createdAt"];
    }
    q.cursor = page->next_cursor;
  } while (!q.cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 120u);
  q.cursor = "garbage";
  auto bad_cursor = st_->contacts().list(ws_, q);
  ASSERT_FALSE(bad_cursor);
  EXPECT_EQ(bad_cursor.error().field(), "cursor");
}

TEST_F(StoreTest, JobGetsOnePendingJobCallPerBatchContact) {
  auto a = st_->agents().create(ws_, agent_body());
  auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
  ASSERT_TRUE(a && camp);
  std::istringstream csv("name,phone\nAda,4155550101\nAlan,4155550102\nBad,12\n");
  auto report = campaign::import_contacts(st_->uploads(), ws_, (*camp)["id"], "leads.csv", csv, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  auto job = st_->jobs().create(ws_, {{"campaignId", (*camp)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*a)["id"]}});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ((*job)["status"], "pending");
  EXPECT_EQ((*job)["totalCalls"], 2);
  store::ListQuery q;
  q.conditions.push_back({store::Condition::Op::equals, {"job_id"}, (*job)["id"].get<std::string>()});
  auto calls = st_->jobs().job_calls().list(ws_, q);
  ASSERT_TRUE(calls);
  EXPECT_EQ(calls->items.size(), 2u);
  for (const auto& c : calls->items) EXPECT_EQ(c["status"], "pending");

  auto other = st_->campaigns().create(ws_, {{"name", "Other"}});
  auto wrong = st_->jobs().create(ws_, {{"campaignId", (*other)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*a)["id"]}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::not_found);
  EXPECT_EQ(wrong.error().field(), "uploadId");
  // A job of A cannot use B's agent, campaign or upload: each is "not found" in A.
  const WorkspaceId b = second_workspace();
  auto b_agent = st_->agents().create(b, agent_body());
  auto b_camp = st_->campaigns().create(b, {{"name", "Spring"}});
  ASSERT_TRUE(b_agent && b_camp);
  std::istringstream b_csv("name,phone\nAda,4155550101\n");
  auto b_report = campaign::import_contacts(st_->uploads(), b, (*b_camp)["id"], "leads.csv", b_csv, {});
  ASSERT_TRUE(b_report) << b_report.error().message;
  auto foreign_agent =
      st_->jobs().create(ws_, {{"campaignId", (*camp)["id"]}, {"uploadId", report->upload_id}, {"agentId", (*b_agent)["id"]}});
  ASSERT_FALSE(foreign_agent);
  EXPECT_EQ(foreign_agent.error().code, ErrorCode::not_found);
  EXPECT_EQ(foreign_agent.error().field(), "agentId");
  auto foreign_upload = st_->jobs().create(
      ws_, {{"campaignId", (*b_camp)["id"]}, {"uploadId", b_report->upload_id}, {"agentId", (*a)["id"]}});
  ASSERT_FALSE(foreign_upload);
  EXPECT_EQ(foreign_upload.error().code, ErrorCode::not_found);
  auto foreign_import = campaign::import_contacts(st_->uploads(), ws_, (*b_camp)["id"], "x.csv", b_csv, {});
  ASSERT_FALSE(foreign_import) << "A cannot import into B's campaign";
  EXPECT_EQ(foreign_import.error().code, ErrorCode::not_found);
  auto cross_remove = st_->jobs().remove(b, (*job)["id"]);
  ASSERT_FALSE(cross_remove);
  EXPECT_EQ(cross_remove.error().code, ErrorCode::not_found);
  ASSERT_TRUE(st_->jobs().records().get(ws_, (*job)["id"]));
  // An agent with a job cannot be deleted from under it.
  auto del = st_->agents().records().remove(ws_, (*a)["id"]);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, ErrorCode::conflict);
}

TEST_F(StoreTest, SettingsAreValidatedByKey) {
  auto bad = st_->settings().put(ws_, "default_region", "Narnia");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "default_region");
  auto wrong_type = st_->settings().put(ws_, "sms_enabled", "yes");
  ASSERT_FALSE(wrong_type);
  auto unknown = st_->settings().put(ws_, "colour", "blue");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  ASSERT_TRUE(st_->settings().put(ws_, "default_region", "GB"));
  EXPECT_EQ(st_->settings().default_region(ws_), "GB");
  auto patch = st_->settings().patch(ws_, {{"sms_enabled", false}, {"default_region", "XX"}});
  ASSERT_FALSE(patch) << "a patch with one bad value changes nothing";
  EXPECT_EQ(*st_->settings().get(ws_, "sms_enabled"), true);
}

TEST_F(StoreTest, SettingsArePerWorkspace) {
  const WorkspaceId b = second_workspace();
  auto b_all = st_->settings().all(b);
  ASSERT_TRUE(b_all) << b_all.error().message;
  EXPECT_EQ((*b_all)["default_region"], "US") << "a new workspace gets the defaults";
  ASSERT_TRUE(st_->settings().put(b, "default_region", "GB"));
  ASSERT_TRUE(st_->settings().put(b, "webhook_secret", "b-only-secret"));
  EXPECT_EQ(st_->settings().default_region(b), "GB");
  EXPECT_EQ(st_->settings().default_region(ws_), "US") << "B's setting does not change A's";
  EXPECT_NE(*st_->settings().get(ws_, "webhook_secret"), "b-only-secret");
  ASSERT_TRUE(st_->settings().patch(ws_, {{"sms_enabled", false}}));
  EXPECT_EQ(*st_->settings().get(b, "sms_enabled"), true);
  // A secret sent back masked keeps the workspace's own stored value, not another's.
  ASSERT_TRUE(st_->settings().put(ws_, "webhook_secret", std::string(store::kSecretMask)));
  EXPECT_NE(*st_->settings().get(ws_, "webhook_secret"), "b-only-secret");
  EXPECT_EQ(*st_->settings().get(b, "webhook_secret"), "b-only-secret");
  auto across = st_->settings().across_workspaces("default_region");
  ASSERT_TRUE(across);
  ASSERT_EQ(across->size(), 2u);
  EXPECT_EQ((*across)[0].first, ws_) << "oldest workspace first";
  EXPECT_EQ((*across)[0].second, "US");
  EXPECT_EQ((*across)[1].first, b);
  EXPECT_EQ((*across)[1].second, "GB");
}

TEST_F(StoreTest, InboundSourcesAndTheCallCapAreValidated) {
  auto bad = st_->settings().put(ws_, "sip_inbound_sources", {"203.0.113.0/24", "10.0.0.1/8"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "sip_inbound_sources[1]") << bad.error().message;
  EXPECT_FALSE(st_->settings().put(ws_, "sip_inbound_sources", {42}));
  EXPECT_FALSE(st_->settings().put(ws_, "sip_inbound_sources", "203.0.113.0/24")) << "a list, not a string";
  ASSERT_TRUE(st_->settings().put(ws_, "sip_inbound_sources", {"203.0.113.0/24", "2001:db8::/32"}));
  EXPECT_EQ(*st_->settings().get(ws_, "max_concurrent_calls"), 100) << "the documented default";
  EXPECT_FALSE(st_->settings().put(ws_, "max_concurrent_calls", -1));
  EXPECT_FALSE(st_->settings().put(ws_, "max_concurrent_calls", 2.5));
  ASSERT_TRUE(st_->settings().put(ws_, "max_concurrent_calls", 0));
}

TEST_F(StoreTest, AnUploadThatFailsLeavesNothing) {
  auto camp = st_->campaigns().create(ws_, {{"name", "Spring"}});
  auto id = st_->uploads().import(ws_, (*camp)["id"], "x.csv", [](store::UploadWriter& w) -> Result<store::ImportCounts> {
    store::BatchContactRow row{"+14155550101", "Ada", "{}", 2};
    if (auto r = w.add_contact(row); !r) return std::unexpected(r.error());
    return std::unexpected(Error::bad_request("hard error half-way"));
  });
  ASSERT_FALSE(id);
  EXPECT_EQ(raw("SELECT count(*) FROM uploads"), "0");
  EXPECT_EQ(raw("SELECT count(*) FROM batch_contacts"), "0");
}

/// One row (at least) in every customer table of workspace `ws`, written the
/// way the product writes it; the outboxes and the dialer's log, which only
/// the engines write, are inserted with SQL like theirs.
void populate(store::Store& st, const WorkspaceId& ws) {
  auto agent = st.agents().create(ws, {{"name", "Sales Bot"}, {"systemPrompt", "You are a helpful sales agent."}});
  ASSERT_TRUE(agent) << agent.error().message;
  const std::string agent_id = (*agent)["id"];
  auto contact = st.contacts().create(ws, {{"name", "Ada"}, {"phone", "+14155550101"}});
  ASSERT_TRUE(contact) << contact.error().message;
  const std::string contact_id = (*contact)["id"];
  ASSERT_TRUE(st.memories().create(ws, {{"content", "prefers mornings"}}, contact_id));
  ASSERT_TRUE(st.custom_functions().create(
      ws, {{"name", "book_demo"}, {"description", "Books a demo"}, {"endpoint", "https://crm.example.com/book"}}, agent_id));
  ASSERT_TRUE(st.do_not_call().create(ws, {{"phone", "+14155550199"}, {"reason", "asked"}}));
  auto camp = st.campaigns().create(ws, {{"name", "Spring"}});
  ASSERT_TRUE(camp);
  std::istringstream csv("name,phone\nAda,4155550101\nBad,12\n");
  auto report = campaign::import_contacts(st.uploads(), ws, (*camp)["id"], "leads.csv", csv, {});
  ASSERT_TRUE(report) << report.error().message;
  auto job = st.jobs().create(ws, {{"campaignId", (*camp)["id"]}, {"uploadId", report->upload_id}, {"agentId", agent_id}});
  ASSERT_TRUE(job) << job.error().message;
  const std::string job_id = (*job)["id"];
  store::CallRecord call;
  call.id = "call-" + ws.value;
  call.workspace_id = ws;
  call.agent_id = agent_id;
  call.contact_id = contact_id;
  call.direction = "outbound";
  call.status = "completed";
  call.from_phone = "+14155550000";
  call.to_phone = "+14155550101";
  auto inserted = store::CallStore(st.db()).insert(call);
  ASSERT_TRUE(inserted) << inserted.error().message;
  auto raw = st.db().write([&](store::Connection& c) -> Result<void> {
    const std::string now = "2026-12-07T10:00:00.000Z";
    auto run = [&](const std::string& sql, const std::vector<std::string>& args) -> Result<void> {
      auto q = c.prepare(sql);
      if (!q) return std::unexpected(q.error());
      for (size_t i = 0; i < args.size(); ++i) (*q)->bind_text(static_cast<int>(i + 1), args[i]);
      auto r = (*q)->step();
      if (!r) return std::unexpected(r.error());
      return {};
    };
    if (auto r = run("INSERT INTO job_events (job_id, type, message, details, created_at, workspace_id) "
                     "VALUES (?, 'state', 'started', '{}', ?, ?)",
                     {job_id, now, ws.value});
        !r)
      return r;
    if (auto r = run("INSERT INTO sms_messages (id, call_id, to_phone, body, provider, status, attempts, created_at, "
                     "updated_at, workspace_id) VALUES (?, ?, '+14155550101', 'hi', 'outbox', 'queued', 0, ?, ?, ?)",
                     {"sms-" + ws.value, call.id, now, now, ws.value});
        !r)
      return r;
    return run("INSERT INTO webhook_events (id, seq, event, url, agent_id, call_id, payload, status, attempts, "
               "failure_count, next_attempt_at, created_at, workspace_id) VALUES (?, "
               "(SELECT coalesce(max(seq), 0) + 1 FROM webhook_events), 'call.ended', "
               "'https://hooks.example.com/x', ?, ?, '{}', 'pending', 0, 0, ?, ?, ?)",
               {"wh-" + ws.value, agent_id, call.id, now, now, ws.value});
  });
  ASSERT_TRUE(raw) << raw.error().message;
}

/// A patch that would pass validation on `item`: its first writable,
/// mutable field set to the value it already has ({} when there is none).
json harmless_patch(const model::EntitySpec& spec, const json& item) {
  for (const auto& f : spec.fields) {
    if (f.has(model::kReadOnly) || f.has(model::kImmutable) || f.has(model::kWriteOnly) || f.has(model::kParent)) continue;
    const std::string key(f.json);
    if (item.contains(key) && !item[key].is_null()) return json{{key, item[key]}};
  }
  return json::object();
}

TEST_F(StoreTest, EveryRepositoryScopesByWorkspace) {
  const WorkspaceId a = ws_;
  const WorkspaceId b = second_workspace();
  ASSERT_FALSE(b.empty());
  populate(*st_, a);
  populate(*st_, b);
  std::map<std::string_view, store::Repository*> repos = {
      {"agents", &st_->agents().records()},
      {"contacts", &st_->contacts()},
      {"memories", &st_->memories()},
      {"calls", &st_->calls()},
      {"campaigns", &st_->campaigns()},
      {"uploads", &st_->upload_records()},
      {"batch_contacts", &st_->batch_contacts()},
      {"upload_rejections", &st_->upload_rejections()},
      {"jobs", &st_->jobs().records()},
      {"job_calls", &st_->jobs().job_calls()},
      {"custom_functions", &st_->custom_functions()},
      {"job_events", &st_->job_events()},
      {"do_not_call", &st_->do_not_call()},
      {"sms_messages", &st_->sms_messages()},
      {"webhook_events", &st_->webhook_events()}};
  int covered = 0;
  for (const auto* spec : model::all_specs()) {
    auto it = repos.find(spec->table);
    if (it == repos.end()) continue;  // settings, agent_configurations: their own repositories (tests above)
    ++covered;
    store::Repository& repo = *it->second;
    ASSERT_EQ(repo.spec().table, spec->table);
    SCOPED_TRACE(std::string(spec->table));
    store::ListQuery all;
    all.limit = store::kMaxPageSize;
    auto in_b = repo.list(b, all);
    ASSERT_TRUE(in_b) << in_b.error().message;
    ASSERT_FALSE(in_b->items.empty()) << "populate wrote no row in B";
    auto in_a = repo.list(a, all);
    ASSERT_TRUE(in_a) << in_a.error().message;
    ASSERT_FALSE(in_a->items.empty()) << "populate wrote no row in A";
    std::set<std::string> a_ids;
    for (const auto& item : in_a->items) {
      EXPECT_EQ(item["workspaceId"], a.value);
      a_ids.insert(item["id"].dump());
    }
    auto a_text = repo.list_text(a, all);
    ASSERT_TRUE(a_text) << a_text.error().message;
    for (const auto& item : in_a->items)
      EXPECT_NE(a_text->find("\"id\":" + item["id"].dump() + ","), std::string::npos) << "A's own row in its list text";
    for (const auto& item : in_b->items) {
      EXPECT_EQ(item["workspaceId"], b.value);
      const std::string id = item["id"].is_string() ? item["id"].get<std::string>() : item["id"].dump();
      SCOPED_TRACE("B's row " + id);
      EXPECT_FALSE(a_ids.count(item["id"].dump())) << "listed through A";
      EXPECT_EQ(a_text->find("\"id\":" + item["id"].dump() + ","), std::string::npos) << "in A's list text";
      auto got = repo.get(a, id);
      ASSERT_FALSE(got) << "read through A";
      EXPECT_EQ(got.error().code, ErrorCode::not_found);
      auto updated = repo.update(a, id, harmless_patch(*spec, item));
      ASSERT_FALSE(updated) << "updated through A";
      EXPECT_EQ(updated.error().code, ErrorCode::not_found) << updated.error().message;
      auto removed = repo.remove(a, id);
      ASSERT_FALSE(removed) << "removed through A";
      EXPECT_EQ(removed.error().code, ErrorCode::not_found) << removed.error().message;
      auto still = repo.get(b, id);
      ASSERT_TRUE(still) << "B's row is gone: " << still.error().message;
      EXPECT_EQ(*still, item) << "B's row changed";
    }
  }
  EXPECT_EQ(covered, 15) << "every generic repository of the Store is checked";
}

}  // namespace
