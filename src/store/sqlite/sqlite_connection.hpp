#pragma once
/// SQLite backend of store/database.hpp (SQLite 3.40, WAL, foreign keys on).
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/database.hpp"

namespace voqo::store::sqlite {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  void bind_null(int i) override { sqlite3_bind_null(stmt_, i); }
  void bind_int(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void bind_double(int i, double v) override { sqlite3_bind_double(stmt_, i, v); }
  void bind_text(int i, std::string_view v) override {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  Result<bool> step() override;
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int column_count() const override { return sqlite3_column_count(stmt_); }
  std::string_view column_name(int c) const override { return sqlite3_column_name(stmt_, c); }
  bool is_null(int c) const override { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t column_int(int c) const override { return sqlite3_column_int64(stmt_, c); }
  double column_double(int c) const override { return sqlite3_column_double(stmt_, c); }
  std::string_view column_text(int c) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string_view{};
  }
  bool is_number(int c) const override {
    const int t = sqlite3_column_type(stmt_, c);
    return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
  }
  bool is_integer(int c) const override { return sqlite3_column_type(stmt_, c) == SQLITE_INTEGER; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  /// Opens `path`; `read_only` connections use SQLITE_OPEN_READONLY.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::filesystem::path& path,
                                                        bool read_only, const DatabaseOptions& options);
  ~SqliteConnection() override;
  Result<void> exec(std::string_view sql) override;
  Result<StatementRef> prepare(std::string_view sql) override;
  int64_t changes() const override { return sqlite3_changes64(db_); }
  std::string_view dialect() const override { return "sqlite"; }
  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

/// Maps an SQLite result code + message to an Error: constraint violations
/// become `conflict` (UNIQUE, naming the column) or `invalid_argument`
/// (FOREIGN KEY, CHECK, NOT NULL); the rest `database`.
Error sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace voqo::store::sqlite
