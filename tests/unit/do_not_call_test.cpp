// The do-not-call list (issue 4 §3) on a real migrated SQLite store: one
// entry per E.164 number whatever the format, CSV import (header or not,
// bad rows with their lines, duplicates, all-or-nothing on a broken file),
// removal by id and by phone.
#include <gtest/gtest.h>

#include <sstream>

#include "campaign/do_not_call.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"
#include "support/workspace.hpp"

namespace voqo::campaign {
namespace {

using nlohmann::json;

class DoNotCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::open(dir_ / "voqo.db");
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
    dnc_ = std::make_unique<DoNotCallList>(store_->db());
    ws_ = test::default_workspace(*store_);
  }
  bool listed(const std::string& phone) { return listed_in(ws_, phone); }
  bool listed_in(const WorkspaceId& ws, const std::string& phone) {
    auto r = dnc_->contains(ws, phone);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or(false);
  }
  /// Rows in the table (read straight from the database).
  int64_t rows() {
    return store_->db().read([](store::Connection& c) -> int64_t {
      auto st = c.prepare("SELECT count(*) FROM do_not_call");
      EXPECT_TRUE(st);
      auto row = (*st)->step();
      EXPECT_TRUE(row && *row);
      return (*st)->column_int(0);
    });
  }
  DncImportReport import(const std::string& csv) {
    std::istringstream in(csv);
    auto r = dnc_->import_csv(ws_, in, "US", "imported");
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or(DncImportReport{});
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DoNotCallList> dnc_;
  WorkspaceId ws_;
};

TEST_F(DoNotCallTest, OneEntryPerNumberWhateverTheFormat) {
  auto row = dnc_->add(ws_, "(212) 555-0100", "asked on the phone", "call", "call123");
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ((*row)["phone"], "+12125550100");
  EXPECT_EQ((*row)["reason"], "asked on the phone");
  EXPECT_EQ((*row)["source"], "call");
  EXPECT_EQ((*row)["callId"], "call123");
  EXPECT_TRUE((*row)["createdAt"].is_string());
  EXPECT_TRUE(listed("+12125550100"));
  EXPECT_TRUE(listed("212.555.0100"));
  EXPECT_TRUE(listed("001 212 555 0100"));
  EXPECT_FALSE(listed("+12125550101"));
  EXPECT_FALSE(listed("call me maybe")) << "not a number: not listed, not an error";
  // Adding the same number in another format returns the existing row, unchanged.
  auto again = dnc_->add(ws_, "+1 212-555-0100", "other reason");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["id"], (*row)["id"]);
  EXPECT_EQ((*again)["reason"], "asked on the phone");
  EXPECT_EQ(rows(), 1);
  // Defaults: source api, empty reason and call id are null.
  auto plain = dnc_->add(ws_, "+44 20 7123 4567", "");
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)["source"], "api");
  EXPECT_TRUE((*plain)["reason"].is_null());
  EXPECT_TRUE((*plain)["callId"].is_null());
  // A national number read with another region.
  ASSERT_TRUE(dnc_->add(ws_, "020 7946 0018", "uk", "api", "", "GB"));
  EXPECT_TRUE(listed("+442079460018"));
}

TEST_F(DoNotCallTest, AddRejectsBadInputNamingTheField) {
  auto bad = dnc_->add(ws_, "n/a", "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(bad.error().field(), "phone");
  EXPECT_EQ(bad.error().message, "not a phone number");
  auto source = dnc_->add(ws_, "+12125550100", "x", "spreadsheet");
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().field(), "source");
  auto reason = dnc_->add(ws_, "+12125550100", std::string(501, 'r'));
  ASSERT_FALSE(reason);
  EXPECT_EQ(reason.error().field(), "reason");
  EXPECT_EQ(rows(), 0);
}

TEST_F(DoNotCallTest, ImportWithHeaderUsesThePhoneColumn) {
  auto r = import("Name,Phone_Number,Notes\nAnn,(212) 555-0100,x\n\"Bob, Jr.\",+1 415 555 0123,\"says \"\"stop\"\"\"\n");
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(r.already_listed, 0);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_TRUE(listed("+12125550100"));
  EXPECT_TRUE(listed("+14155550123"));
  // Imported rows carry source "import" and the given reason.
  auto row = dnc_->add(ws_, "2125550100", "ignored");
  ASSERT_TRUE(row);
  EXPECT_EQ((*row)["source"], "import");
  EXPECT_EQ((*row)["reason"], "imported");
  // "number" (any case) is a phone header too, in any column.
  r = import("id;NUMBER\n1;312-555-0100\n");
  EXPECT_EQ(r.added, 1);
  EXPECT_TRUE(listed("+13125550100"));
  // A header naming no known column, but without digits: skipped, first column used.
  r = import("Telephone,Who\n617 555 0100,Carl\n");
  EXPECT_EQ(r.added, 1);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_TRUE(listed("+16175550100"));
}

TEST_F(DoNotCallTest, ImportWithoutHeaderStartsAtTheFirstLine) {
  auto r = import("2125550100\r\n+1 (415) 555-0123\r\n");
  EXPECT_EQ(r.added, 2);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_TRUE(listed("+12125550100"));
  EXPECT_TRUE(listed("+14155550123"));
}

TEST_F(DoNotCallTest, BadRowsAreReportedWithTheirLinesAndTheRestImported) {
  auto r = import(
      "name,phone\n"          // 1
      "Ann,2125550100\n"      // 2
      "Bob,n/a\n"             // 3
      "\n"                    // 4 blank: not a record
      "Cid,+999 1234567\n"    // 5
      "Dee\n"                 // 6 no phone column
      "\"Eve\nSmith\",555\n"  // 7-8 quoted line break; too short
      "Fay,(415) 555-0123\n"  // 9
      "Gus,\n");              // 10 empty
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(r.rejected_count, 5);
  ASSERT_EQ(r.rejected.size(), 5u);
  EXPECT_EQ(r.rejected[0].line, 3);
  EXPECT_EQ(r.rejected[0].reason, "not a phone number");
  EXPECT_EQ(r.rejected[1].line, 5);
  EXPECT_EQ(r.rejected[1].reason, "invalid country code");
  EXPECT_EQ(r.rejected[2].line, 6);
  EXPECT_EQ(r.rejected[2].reason, "missing phone");
  EXPECT_EQ(r.rejected[3].line, 7);
  EXPECT_NE(r.rejected[3].reason.find("invalid number"), std::string::npos) << r.rejected[3].reason;
  EXPECT_EQ(r.rejected[4].line, 10);
  EXPECT_EQ(r.rejected[4].reason, "missing phone");
  EXPECT_TRUE(listed("+12125550100"));
  EXPECT_TRUE(listed("+14155550123"));
  EXPECT_EQ(rows(), 2);
}

TEST_F(DoNotCallTest, DuplicatesAreCountedAsAlreadyListed) {
  ASSERT_TRUE(dnc_->add(ws_, "+12125550100", "api"));
  auto r = import("phone\n(212) 555-0100\n+12125550100\n415-555-0123\n4155550123\n");
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.already_listed, 3);
  EXPECT_EQ(rows(), 2);
  // Importing the same file again adds nothing.
  r = import("phone\n(212) 555-0100\n415-555-0123\n");
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.already_listed, 2);
}

TEST_F(DoNotCallTest, BrokenFileImportsNothing) {
  std::istringstream in("phone\n2125550100\n\"4155550123\n");  // unclosed quote
  auto r = dnc_->import_csv(ws_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(rows(), 0) << "the good rows before the error are not stored either";
  // An empty file is an empty report.
  auto empty = import("");
  EXPECT_EQ(empty.added + empty.already_listed + empty.rejected_count, 0);
}

TEST_F(DoNotCallTest, RemoveByIdOrPhone) {
  auto a = dnc_->add(ws_, "+12125550100", "a");
  auto b = dnc_->add(ws_, "+14155550123", "b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(dnc_->remove(ws_, (*a)["id"].get<std::string>()));
  EXPECT_FALSE(listed("+12125550100"));
  EXPECT_TRUE(listed("+14155550123"));
  ASSERT_TRUE(dnc_->remove(ws_, "(415) 555-0123")) << "by phone, in another format";
  EXPECT_FALSE(listed("+14155550123"));
  EXPECT_EQ(rows(), 0);
  for (const auto& gone : {(*a)["id"].get<std::string>(), std::string("+14155550123"), std::string("nonsense")}) {
    auto r = dnc_->remove(ws_, gone);
    ASSERT_FALSE(r) << gone;
    EXPECT_EQ(r.error().code, ErrorCode::not_found) << gone;
  }
}

TEST_F(DoNotCallTest, EachWorkspaceHasItsOwnList) {
  auto other = store_->access().create_workspace("Tenant B", "enterprise");
  ASSERT_TRUE(other) << other.error().message;
  const WorkspaceId b = other->id;
  auto mine = dnc_->add(ws_, "+12125550100", "asked A");
  ASSERT_TRUE(mine);
  // A's entry does not stop B from dialing the number...
  EXPECT_TRUE(listed("+12125550100"));
  EXPECT_FALSE(listed_in(b, "+12125550100"));
  // ...and B may list the same number itself (unique per workspace): a new row, not A's.
  auto theirs = dnc_->add(b, "(212) 555-0100", "asked B");
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_NE((*theirs)["id"], (*mine)["id"]);
  EXPECT_EQ((*theirs)["reason"], "asked B");
  EXPECT_EQ((*theirs)["workspaceId"], b.value);
  EXPECT_EQ(rows(), 2);
  std::istringstream csv("phone\n2125550100\n4155550123\n");
  auto r = dnc_->import_csv(b, csv);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->added, 1);
  EXPECT_EQ(r->already_listed, 1) << "B's own entry, not A's, makes the number already listed";
  EXPECT_FALSE(listed("+14155550123")) << "B's import lands in B only";
  // A cannot remove B's entry, by id or by phone.
  for (const auto& key : {(*theirs)["id"].get<std::string>(), std::string("+14155550123")}) {
    auto gone = dnc_->remove(ws_, key);
    ASSERT_FALSE(gone) << key;
    EXPECT_EQ(gone.error().code, ErrorCode::not_found) << key;
  }
  EXPECT_TRUE(listed_in(b, "+14155550123"));
  // Removing the number in A leaves B's entry.
  ASSERT_TRUE(dnc_->remove(ws_, "+12125550100"));
  EXPECT_FALSE(listed("+12125550100"));
  EXPECT_TRUE(listed_in(b, "+12125550100"));
}

}  // namespace
}  // namespace voqo::campaign
