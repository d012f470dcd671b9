// Instruction templates in the store (issue 19 §2): the system templates are
// every workspace's read-only rows (seeded on creation and by migration 16),
// a public template is readable by another workspace but not writable by it
// (404), a private one is not found there at all, the visibility filters
// list what they say, and a call's use is counted.
#include <gtest/gtest.h>

#include <set>

#include "model/builtin_instruction_templates.hpp"
#include "store/instruction_templates.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

using nlohmann::json;
using namespace voqo;

namespace {

class InstructionTemplateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    st_ = std::move(*st);
    a_ = test::default_workspace(*st_);
    auto b = st_->access().create_workspace("Tenant B", "enterprise");
    ASSERT_TRUE(b) << b.error().message;
    b_ = b->id;
  }
  store::InstructionTemplateRepository& repo() { return st_->instruction_templates(); }
  std::string create(const WorkspaceId& ws, const std::string& name, bool is_public) {
    auto r = repo().create(ws, {{"name", name}, {"content", "Hi {{contact.name}}"}, {"isPublic", is_public}});
    EXPECT_TRUE(r) << r.error().message;
    return r ? (*r)["id"].get<std::string>() : std::string();
  }
  std::set<std::string> names(const WorkspaceId& ws, store::TemplateVisibility v) {
    auto page = repo().list(ws, v, "", 500, "");
    EXPECT_TRUE(page) << page.error().message;
    std::set<std::string> out;
    if (page)
      for (const auto& t : page->items) out.insert(t["name"].get<std::string>() + (t["workspaceId"] == ws.value ? "" : "@other"));
    return out;
  }
  test::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  WorkspaceId a_, b_;
};

TEST_F(InstructionTemplateStoreTest, SystemTemplatesAreEveryWorkspacesReadOnlyRows) {
  for (const WorkspaceId& ws : {a_, b_}) {
    EXPECT_EQ(names(ws, store::TemplateVisibility::system),
              (std::set<std::string>{"Appointment setter", "Customer survey", "Support follow-up"}));
    auto page = repo().list(ws, store::TemplateVisibility::system, "", 500, "");
    ASSERT_TRUE(page);
    for (const auto& t : page->items) {
      EXPECT_EQ(t["isSystem"], true);
      EXPECT_EQ(t["isPublic"], false);
      const std::string id = t["id"];
      auto patched = repo().update(ws, id, {{"name", "Mine"}});
      ASSERT_FALSE(patched);
      EXPECT_EQ(patched.error().code, ErrorCode::conflict);
      ASSERT_FALSE(repo().remove(ws, id));
    }
  }
  // Seeding again adds nothing.
  ASSERT_TRUE(st_->db().write([&](store::Connection& c) { return store::InstructionTemplateRepository::seed_builtins(c, a_); }));
  EXPECT_EQ(names(a_, store::TemplateVisibility::system).size(), 3u);
}

TEST_F(InstructionTemplateStoreTest, PublicIsReadableElsewherePrivateIsNotAndNeitherIsWritable) {
  const std::string pub = create(a_, "Shared", true);
  const std::string priv = create(a_, "Secret", false);
  // B reads A's public one, not A's private one.
  auto got = repo().get(b_, pub);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["workspaceId"], a_.value);
  auto hidden = repo().get(b_, priv);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::not_found);
  // B can change or delete neither: 404.
  for (const std::string& id : {pub, priv}) {
    auto p = repo().update(b_, id, {{"name", "Taken"}});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ErrorCode::not_found);
    auto d = repo().remove(b_, id);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, ErrorCode::not_found);
  }
  EXPECT_EQ((*repo().get(a_, pub))["name"], "Shared");
  // The lists.
  EXPECT_EQ(names(b_, store::TemplateVisibility::public_), (std::set<std::string>{"Shared@other"}));
  EXPECT_EQ(names(a_, store::TemplateVisibility::private_), (std::set<std::string>{"Secret"}));
  EXPECT_EQ(names(b_, store::TemplateVisibility::private_), (std::set<std::string>{}));
  const auto all_b = names(b_, store::TemplateVisibility::all);
  EXPECT_TRUE(all_b.contains("Shared@other"));
  EXPECT_FALSE(all_b.contains("Secret@other"));
  EXPECT_EQ(all_b.size(), 4u);  // 3 system + A's public one
  EXPECT_EQ(names(a_, store::TemplateVisibility::own).size(), 5u);
  // Made private, it disappears from B.
  ASSERT_TRUE(repo().update(a_, pub, {{"isPublic", false}}));
  EXPECT_FALSE(repo().get(b_, pub));
}

TEST_F(InstructionTemplateStoreTest, UseIsCountedAndPagesFollowTheCursor) {
  const std::string id = create(a_, "Counted", true);
  ASSERT_TRUE(repo().record_use(a_, id));
  ASSERT_TRUE(repo().record_use(b_, id));  // a public one used by another workspace's agent
  EXPECT_EQ((*repo().get(a_, id))["usageCount"], 2);
  const std::string priv = create(a_, "Private", false);
  ASSERT_TRUE(repo().record_use(b_, priv));  // not B's to use: nothing changes
  EXPECT_EQ((*repo().get(a_, priv))["usageCount"], 0);

  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = repo().list(a_, store::TemplateVisibility::own, "", 2, cursor);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& t : page->items) EXPECT_TRUE(seen.insert(t["id"]).second);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names(a_, store::TemplateVisibility::own).count("Counted"), 1u);
  auto by_category = repo().list(a_, store::TemplateVisibility::all, "survey", 50, "");
  ASSERT_TRUE(by_category);
  ASSERT_EQ(by_category->items.size(), 1u);
  EXPECT_EQ(by_category->items[0]["name"], "Customer survey");
}

}  // namespace
