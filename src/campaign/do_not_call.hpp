#pragma once
/// The do-not-call list (issue 4 §3): table do_not_call, one row per E.164
/// number. Checked before every dial; filled through the API, by importing a
/// CSV of numbers, and automatically when a callee says "stop calling me"
/// (the outcome loop adds source "call").
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "store/database.hpp"

namespace voqo::campaign {

/// What an import did: numbers added, already listed, and rows rejected with line and reason.
struct DncImportReport {
  int added = 0;
  int already_listed = 0;
  struct Rejection {
    int64_t line = 0;
    std::string reason;
  };
  std::vector<Rejection> rejected;
};

class DoNotCallList {
 public:
  explicit DoNotCallList(store::Database& db);
  /// Whether the number (any format libphonenumber parses with `region`) is listed. Errors: database.
  Result<bool> contains(const std::string& phone, const std::string& region = "US");
  /// Adds a number; returns the row's API JSON (existing row when already listed).
  /// Errors: invalid_argument field "phone" when it does not parse.
  Result<nlohmann::json> add(const std::string& phone, const std::string& reason, const std::string& source = "api",
                             const std::string& call_id = {}, const std::string& region = "US");
  /// Imports a CSV (RFC 4180): the column named phone / number / phone_number
  /// (any case), else the first column; a header row is detected. Bad rows are
  /// reported with their line and reason, the rest imported (one transaction).
  Result<DncImportReport> import_csv(std::istream& csv, const std::string& region = "US",
                                     const std::string& reason = "imported");
  /// Removes a number (by id or phone). Errors: not_found.
  Result<void> remove(const std::string& id_or_phone, const std::string& region = "US");

 private:
  store::Database& db_;
};

}  // namespace voqo::campaign
