#pragma once
/// The do-not-call list (issue 4 §3): table do_not_call, one row per E.164
/// number. Checked before every dial; filled through the API, by importing a
/// CSV of numbers, and automatically when a callee says "stop calling me"
/// (the outcome loop adds source "call").
///
/// Numbers are stored normalised to E.164 (model/phone.hpp, libphonenumber),
/// so "(212) 555-0100" (region US) and "+1 212-555-0100" are one entry.
/// Rows are shaped by model::do_not_call_spec() (the API's JSON).
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace voqo::campaign {

/// What an import did: numbers added, already listed, and rows rejected with line and reason.
struct DncImportReport {
  int added = 0;           ///< new rows
  int already_listed = 0;  ///< numbers listed before, or repeated in the file
  struct Rejection {
    int64_t line = 0;    ///< 1-based physical line of the record (CsvRecord::line)
    std::string reason;  ///< normalize_phone()'s message, e.g. "not a phone number"
  };
  /// The first kMaxRejections rejected rows, in file order.
  std::vector<Rejection> rejected;
  int rejected_count = 0;  ///< all rejected rows (may exceed rejected.size())
  static constexpr size_t kMaxRejections = 10000;
};

/// The do-not-call list of each workspace (a number listed in one workspace
/// is not listed in another). Thread-safe as the Database is: reads on the caller's read connection,
/// writes through the single writer.
class DoNotCallList {
 public:
  explicit DoNotCallList(store::Database& db);
  /// Whether the number (any format libphonenumber parses with `region`) is listed. Errors: database.
  /// Text that is not a phone number cannot be listed: false.
  Result<bool> contains(const WorkspaceId& ws, const std::string& phone, const std::string& region = "US");
  /// Adds a number; returns the row's API JSON (existing row when already listed).
  /// Errors: invalid_argument field "phone" when it does not parse (the
  /// message is normalize_phone()'s), field "source" when not api / import /
  /// call, field "reason" over 500 characters; database. An empty reason or
  /// call_id is stored as null.
  Result<nlohmann::json> add(const WorkspaceId& ws, const std::string& phone, const std::string& reason,
                             const std::string& source = "api",
                             const std::string& call_id = {}, const std::string& region = "US");
  /// Imports a CSV (RFC 4180): the column named phone / number / phone_number
  /// (any case), else the first column; a header row is detected. Bad rows are
  /// reported with their line and reason, the rest imported (one transaction).
  ///
  /// The first record is a header when one of its fields is phone, number or
  /// phone_number (compared ignoring case, spaces, '-' and '_'; that column
  /// is used), or when its first field holds no digit ("Telephone"); else it
  /// is data. A record without the column, or with an empty one, is rejected
  /// "missing phone". Rows are stored with source "import" and `reason`.
  /// Errors: the CSV reader's (an unclosed quote, UTF-16 input: nothing is
  /// imported); database (the transaction is rolled back).
  Result<DncImportReport> import_csv(const WorkspaceId& ws, std::istream& csv, const std::string& region = "US",
                                     const std::string& reason = "imported");
  /// Removes a number (by id or phone). Errors: not_found.
  /// Text shaped like an id (core/id.hpp) is tried as an id first, then as
  /// a phone; errors also: database.
  Result<void> remove(const WorkspaceId& ws, const std::string& id_or_phone, const std::string& region = "US");

 private:
  store::Database& db_;
  store::Repository repo_;  ///< do_not_call_spec(): row JSON and inserts
};

}  // namespace voqo::campaign
