#pragma once
/// Versioned schema migrations. Each migration is an immutable SQL script;
/// the applied versions are recorded in `schema_migrations`. Applied at
/// start (`voqo serve`, `voqo import`, ...) and by `voqo migrate`.
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace voqo::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
  /// A step SQL text cannot express (SQLite cannot add a NOT NULL column
  /// without a default, nor change a UNIQUE constraint, without rebuilding
  /// the table), run after `sql` in the same transaction; may be null.
  Result<void> (*run)(Connection&) = nullptr;
  /// The migration rebuilds tables: foreign keys are switched off around it
  /// (a DROP TABLE would otherwise cascade to the children) and
  /// `PRAGMA foreign_key_check` must find nothing before it commits
  /// (SQLite's "making other kinds of table schema changes", §7 of ALTER TABLE).
  bool rebuilds_tables = false;
};

/// All migrations, in version order.
const std::vector<Migration>& migrations();

/// Applies every migration newer than the database's version, each in its
/// own transaction, then inserts the default settings that are missing.
/// Returns the number of migrations applied. Errors: a migration failed (the
/// database keeps the last good version), or the database is newer than this
/// binary knows.
Result<int> migrate(Database& db);

/// The highest applied version (0 for an empty database).
Result<int> schema_version(Database& db);

}  // namespace voqo::store
