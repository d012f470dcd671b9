// Database::write's group commit: writes that queue behind an open
// transaction are committed together, each keeping its own outcome (a write
// that fails or throws undoes only its own rows), and every caller returns
// after its writes are committed.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "store/database.hpp"
#include "support/test_support.hpp"

using namespace voqo;

namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::open_sqlite(dir_ / "g.db");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->write([](store::Connection& c) { return c.exec("CREATE TABLE t (v TEXT NOT NULL)"); }));
  }
  Result<void> insert(store::Connection& c, const std::string& v) {
    auto st = c.prepare("INSERT INTO t (v) VALUES (?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, v);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return {};
  }
  std::vector<std::string> rows() {
    return db_->read([](store::Connection& c) {
      std::vector<std::string> out;
      auto st = c.prepare("SELECT v FROM t ORDER BY rowid");
      while (st && *(*st)->step()) out.emplace_back((*st)->column_text(0));
      return out;
    });
  }
  test::TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(GroupCommitTest, WritesQueuedBehindATransactionCommitTogetherEachWithItsOwnOutcome) {
  const auto before = db_->write_stats();
  Result<int> good1 = 0, bad = 0, good2 = 0;
  bool threw = false;
  std::vector<std::thread> waiting;
  auto leader = db_->write([&](store::Connection& c) -> Result<void> {
    if (auto r = insert(c, "leader"); !r) return r;
    // While this transaction is open, four writes queue behind it.
    waiting.emplace_back([&] {
      good1 = db_->write([&](store::Connection& c2) -> Result<int> {
        if (auto r = insert(c2, "first"); !r) return std::unexpected(r.error());
        return 1;
      });
    });
    while (db_->pending_writes() < 1) std::this_thread::yield();
    waiting.emplace_back([&] {
      bad = db_->write([&](store::Connection& c2) -> Result<int> {
        (void)insert(c2, "undone");
        return std::unexpected(Error::invalid("v", "refused"));
      });
    });
    while (db_->pending_writes() < 2) std::this_thread::yield();
    waiting.emplace_back([&] {
      try {
        (void)db_->write([&](store::Connection& c2) -> Result<void> {
          (void)insert(c2, "thrown away");
          throw std::runtime_error("boom");
        });
      } catch (const std::runtime_error&) {
        threw = true;
      }
    });
    while (db_->pending_writes() < 3) std::this_thread::yield();
    waiting.emplace_back([&] {
      good2 = db_->write([&](store::Connection& c2) -> Result<int> {
        if (auto r = insert(c2, "last"); !r) return std::unexpected(r.error());
        return 2;
      });
    });
    while (db_->pending_writes() < 4) std::this_thread::yield();
    return {};
  });
  for (auto& t : waiting) t.join();
  ASSERT_TRUE(leader) << leader.error().message;
  ASSERT_TRUE(good1 && good2);
  EXPECT_EQ(*good1, 1);
  EXPECT_EQ(*good2, 2);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "v");
  EXPECT_TRUE(threw);
  EXPECT_EQ(rows(), (std::vector<std::string>{"leader", "first", "last"}));
  const auto after = db_->write_stats();
  EXPECT_EQ(after.writes - before.writes, 5u);
  EXPECT_EQ(after.transactions - before.transactions, 2u);  // the leader's, then the four queued together
}

TEST_F(GroupCommitTest, AWriteAloneThatFailsLeavesNothingAndNestedWritesStillUseSavepoints) {
  auto r = db_->write([&](store::Connection& c) -> Result<void> {
    (void)insert(c, "outer");
    auto inner = db_->write([&](store::Connection& c2) -> Result<void> {
      (void)insert(c2, "inner");
      return std::unexpected(Error::invalid("inner", "no"));
    });
    EXPECT_FALSE(inner);
    return {};
  });
  ASSERT_TRUE(r);
  auto failed = db_->write([&](store::Connection& c) -> Result<void> {
    (void)insert(c, "gone");
    return std::unexpected(Error::invalid("v", "no"));
  });
  EXPECT_FALSE(failed);
  EXPECT_EQ(rows(), (std::vector<std::string>{"outer"}));
}

TEST_F(GroupCommitTest, ManyThreadsWritingAtOnceLoseNothing) {
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db_->write([&](store::Connection& c) { return insert(c, std::to_string(t) + ":" + std::to_string(i)); });
        ASSERT_TRUE(r) << r.error().message;
      }
    });
  for (auto& t : threads) t.join();
  const auto got = rows();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kThreads * kEach));
  // Each thread's writes are committed in its own order.
  std::vector<int> next(kThreads, 0);
  for (const auto& v : got) {
    const int t = std::stoi(v.substr(0, v.find(':')));
    EXPECT_EQ(std::stoi(v.substr(v.find(':') + 1)), next[t]++);
  }
}

}  // namespace

namespace {

TEST_F(GroupCommitTest, DeferredWritesCommitByThemselvesAndInOrderWithLaterWrites) {
  db_->write_deferred([&](store::Connection& c) { return insert(c, "deferred 1"); }, "test");
  // Nobody else writes: the background flush commits it.
  for (int i = 0; i < 200 && rows().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(rows(), (std::vector<std::string>{"deferred 1"}));
  // Queued before a write(): committed no later than it, and before it.
  db_->write_deferred([&](store::Connection& c) { return insert(c, "deferred 2"); }, "test");
  ASSERT_TRUE(db_->write([&](store::Connection& c) { return insert(c, "sync"); }));
  EXPECT_EQ(rows(), (std::vector<std::string>{"deferred 1", "deferred 2", "sync"}));
  // A deferred write that fails undoes only itself.
  db_->write_deferred([&](store::Connection& c) -> Result<void> {
    (void)insert(c, "failed");
    return std::unexpected(Error::database("no"));
  }, "test");
  ASSERT_TRUE(db_->write([&](store::Connection& c) { return insert(c, "after"); }));
  EXPECT_EQ(rows(), (std::vector<std::string>{"deferred 1", "deferred 2", "sync", "after"}));
}

TEST_F(GroupCommitTest, CloseCommitsWhatIsStillDeferred) {
  db_->write_deferred([&](store::Connection& c) { return insert(c, "late"); }, "test");
  db_->close();
  auto reopened = store::Database::open_sqlite(dir_ / "g.db");
  ASSERT_TRUE(reopened);
  db_ = std::move(*reopened);
  EXPECT_EQ(rows(), (std::vector<std::string>{"late"}));
}

}  // namespace
