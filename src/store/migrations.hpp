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
