#pragma once
/// The store's connection layer. Repositories (store/*.hpp) are written once
/// against these interfaces in the SQL subset shared by SQLite 3.40 and
/// PostgreSQL 15 (`?` placeholders, `RETURNING`, `ON CONFLICT`, JSON as text,
/// booleans as 0/1 integers), so a PostgreSQL backend implements Connection
/// and Statement and nothing above store/ changes.
///
/// Threads (DESIGN.md): each thread reads on its own connection; all writes
/// go through one writer connection, one transaction at a time, with writes
/// that arrive meanwhile committed together (group commit, see write()).
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace voqo::store {

/// A prepared statement. Parameters are 1-based, columns 0-based (as in
/// SQLite's C API). A Statement is owned by its Connection and reused: use it
/// through a StatementRef, which resets it when done.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind_null(int index) = 0;
  virtual void bind_int(int index, int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  /// Advances to the next row: true when a row is available, false when done.
  virtual Result<bool> step() = 0;
  /// Clears bindings and rewinds, ready for the next use.
  virtual void reset() = 0;

  virtual int column_count() const = 0;
  virtual std::string_view column_name(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  virtual int64_t column_int(int column) const = 0;
  virtual double column_double(int column) const = 0;
  /// Valid until the next step() or reset(). For SQL NULL the view's
  /// data() is nullptr (an empty text value has a non-null data()), so text
  /// columns need no separate is_null() call.
  virtual std::string_view column_text(int column) const = 0;
  /// True when the column holds an integer or real (not text/null).
  virtual bool is_number(int column) const = 0;
  virtual bool is_integer(int column) const = 0;
};

/// Resets the statement when it goes out of scope.
class StatementRef {
 public:
  explicit StatementRef(Statement* s) : s_(s) {}
  ~StatementRef() { if (s_) s_->reset(); }
  StatementRef(StatementRef&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  StatementRef(const StatementRef&) = delete;
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }
 private:
  Statement* s_;
};

/// One database connection.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Runs one or more statements with no parameters and no results.
  virtual Result<void> exec(std::string_view sql) = 0;
  /// Prepares `sql` (cached per connection by its text) and returns it reset.
  /// Errors name the SQL's first words and the backend's message.
  virtual Result<StatementRef> prepare(std::string_view sql) = 0;
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  virtual int64_t changes() const = 0;
  /// "sqlite" or "postgres".
  virtual std::string_view dialect() const = 0;
};

/// Options for opening a database.
struct DatabaseOptions {
  /// SQLite: busy timeout for readers/writer contention, ms.
  int busy_timeout_ms = 5000;
  /// SQLite: page cache per read connection, KiB.
  int cache_kib = 16384;
  /// SQLite: page cache of the writer connection, KiB (large imports insert
  /// into B-trees of tens of MB; a cache that holds them avoids re-reading
  /// spilled pages).
  int writer_cache_kib = 131072;
};

/// A database: per-thread readers and a single serialized writer.
class Database {
 public:
  virtual ~Database() = default;

  /// Opens (creating if needed) the SQLite file at `path` in WAL mode with
  /// foreign keys on. The file and its -wal/-shm are owner-only (0600)
  /// whatever the umask; an existing wider file is narrowed (issue 15 §8).
  /// Errors: the file cannot be opened or is not SQLite.
  static Result<std::unique_ptr<Database>> open_sqlite(const std::filesystem::path& path,
                                                       DatabaseOptions options = {});

  /// Runs `fn(Connection&)` on this thread's read connection (readers see
  /// the last committed state; WAL lets them run beside the writer).
  template <class F>
  auto read(F&& fn) -> std::invoke_result_t<F, Connection&> {
    return fn(reader());
  }

  /// Runs `fn(Connection&)` inside a write transaction on the writer
  /// connection. `fn` returns a Result: a value commits, an error rolls back
  /// its own writes (and a thrown exception rolls them back and is rethrown
  /// here). Nested calls on the same thread join the outer transaction inside
  /// a SAVEPOINT (SQL:2003; SQLite and PostgreSQL): a nested call that fails
  /// undoes only its own writes, and the outer transaction goes on.
  ///
  /// Group commit: writes that arrive while a transaction is open wait, and
  /// the next one to run (the "leader", any waiting thread) runs all of them,
  /// each in its own SAVEPOINT, in one transaction and one commit — as
  /// PostgreSQL's commit_delay and InnoDB's binlog group commit do. Each call
  /// still returns only after its writes are committed (or failed), and
  /// writes run in arrival order; what changes is that a commit (WAL frames
  /// of every page touched, the locks) is paid once per batch. So `fn` may
  /// run on another thread than the caller's: it must not depend on the
  /// caller's thread (thread-locals, locks the caller holds).
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F, Connection&> {
    using R = std::invoke_result_t<F, Connection&>;
    if (in_write_on_this_thread()) {
      Connection& c = writer_connection();
      if (auto s = c.exec("SAVEPOINT voqo_nested"); !s) return R(std::unexpected(s.error()));
      R result = [&]() -> R {
        try {
          return fn(c);
        } catch (...) {
          (void)c.exec("ROLLBACK TO voqo_nested");
          (void)c.exec("RELEASE voqo_nested");
          throw;
        }
      }();
      if (!result) (void)c.exec("ROLLBACK TO voqo_nested");
      (void)c.exec("RELEASE voqo_nested");
      return result;
    }
    std::optional<R> result;
    PendingWrite op;
    op.run = [&](Connection& c) {
      result.emplace(fn(c));
      return static_cast<bool>(*result);
    };
    op.fail = [&](const Error& e) { result.emplace(std::unexpected(e)); };
    submit(op);
    return std::move(*result);
  }

  /// Queues a write nobody waits for (a live call's status: worth a row, not
  /// a commit of its own). It is committed with the next batch of write()s,
  /// or within `kDeferredFlushMs` by a background flush when none comes, in
  /// arrival order with the other writes (a later write() from the same
  /// thread commits after it). Its error, if any, is logged with `what`. Lost
  /// if the process dies within that window, so never for what must survive a
  /// crash (call records, job results). Flushed by close().
  void write_deferred(std::function<Result<void>(Connection&)> fn, std::string what);
  static constexpr int kDeferredFlushMs = 20;

  /// Counts since open: write() calls that reached the writer (nested ones
  /// excluded) and the transactions they were committed in.
  struct WriteStats {
    uint64_t writes = 0;
    uint64_t transactions = 0;
  };
  [[nodiscard]] WriteStats write_stats() const;
  /// Writes queued behind the open transaction (for tests and metrics).
  [[nodiscard]] std::size_t pending_writes() const;

  /// Closes every connection (checkpointing the WAL for SQLite). Further use is an error.
  virtual void close() = 0;
  /// Turns foreign-key enforcement on the writer connection on or off (SQLite
  /// ignores the pragma inside a transaction, so this runs outside one). Only
  /// for schema migrations at open, while no other thread writes.
  virtual Result<void> set_foreign_keys(bool on) = 0;
  virtual std::string_view dialect() const = 0;

 protected:
  virtual Connection& reader() = 0;
  virtual Connection& writer_connection() = 0;
  virtual Result<void> begin() = 0;
  virtual Result<void> commit() = 0;
  virtual Result<void> rollback() = 0;
  /// False once the backend has ended the open transaction by itself (SQLite
  /// rolls back on its own after SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM…).
  virtual bool in_transaction() = 0;

 private:
  struct WriteScope {
    explicit WriteScope(Database& db);
    ~WriteScope();
    Database& db;
  };
  /// One caller's write, type-erased for the batch.
  struct PendingWrite {
    std::function<bool(Connection&)> run;      // true: its writes may commit
    std::function<void(const Error&)> fail;    // the transaction as a whole failed
    std::exception_ptr thrown;
    bool done = false;
    bool detached = false;  // write_deferred(): freed by the leader, no waiter
  };
  bool in_write_on_this_thread() const;
  /// Queues `op`, runs batches until `op` is done, rethrows what it threw.
  void submit(PendingWrite& op);
  /// With queue_mutex_ held and no leader: takes up to kMaxBatch queued
  /// writes, runs them (unlocked), marks them done, frees detached ones.
  void lead(std::unique_lock<std::mutex>& lock);
  /// With queue_mutex_ held: leads (or waits for the leader) until nothing is queued.
  void drain(std::unique_lock<std::mutex>& lock);
  void flush_loop();
  void run_batch(const std::vector<PendingWrite*>& batch);
  mutable std::mutex queue_mutex_;
  std::condition_variable batch_done_;
  std::vector<PendingWrite*> queue_;
  bool leader_active_ = false;
  WriteStats stats_;
  std::condition_variable deferred_wake_;
  bool flusher_stopping_ = false;
  std::thread flusher_;

 protected:
  /// Starts the thread that commits write_deferred()'s writes; backends call
  /// it once they are open (so the thread exists for the database's life).
  void start_deferred_writes();
  /// Commits what write_deferred() queued and stops its flusher; backends call
  /// it first thing in close(), while the writer connection is still open.
  void stop_deferred_writes();
};

}  // namespace voqo::store
