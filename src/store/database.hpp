#pragma once
/// The store's connection layer. Repositories (store/*.hpp) are written once
/// against these interfaces in the SQL subset shared by SQLite 3.40 and
/// PostgreSQL 15 (`?` placeholders, `RETURNING`, `ON CONFLICT`, JSON as text,
/// booleans as 0/1 integers), so a PostgreSQL backend implements Connection
/// and Statement and nothing above store/ changes.
///
/// Threads (DESIGN.md): each thread reads on its own connection; all writes
/// go through one writer connection, one transaction at a time.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

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
  /// foreign keys on. Errors: the file cannot be opened or is not SQLite.
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
  /// (and a thrown exception rolls back and rethrows). Nested calls on the
  /// same thread join the outer transaction inside a SAVEPOINT (SQL:2003;
  /// SQLite and PostgreSQL): a nested call that fails undoes only its own
  /// writes, and the outer transaction goes on.
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
    std::unique_lock lock(write_mutex_);
    WriteScope scope(*this);
    if (auto b = begin(); !b) return R(std::unexpected(b.error()));
    R result = [&]() -> R {
      try {
        return fn(writer_connection());
      } catch (...) {
        (void)rollback();
        throw;
      }
    }();
    if (result) {
      if (auto c = commit(); !c) {
        (void)rollback();
        return R(std::unexpected(c.error()));
      }
    } else {
      (void)rollback();
    }
    return result;
  }

  /// Closes every connection (checkpointing the WAL for SQLite). Further use is an error.
  virtual void close() = 0;
  virtual std::string_view dialect() const = 0;

 protected:
  virtual Connection& reader() = 0;
  virtual Connection& writer_connection() = 0;
  virtual Result<void> begin() = 0;
  virtual Result<void> commit() = 0;
  virtual Result<void> rollback() = 0;

 private:
  struct WriteScope {
    explicit WriteScope(Database& db);
    ~WriteScope();
    Database& db;
  };
  bool in_write_on_this_thread() const;
  std::mutex write_mutex_;
};

}  // namespace voqo::store
