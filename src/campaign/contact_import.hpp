#pragma once
/// Contact import: a CSV file becomes an upload with batch contacts
/// (issue 2, "Contact import"). Streaming: memory does not grow with the
/// file's size except for the duplicate index (one entry per accepted row).
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/uploads.hpp"

namespace voqo::campaign {

struct ImportOptions {
  /// ISO 3166-1 alpha-2 region used for numbers written without "+"/country
  /// code, e.g. "US" (the upload's region or the `default_region` setting).
  std::string region = "US";
  /// A header with more columns than this is a hard error.
  uint32_t max_columns = 1000;
  /// A field longer than this rejects its row (and a longer one than
  /// 16 × this, e.g. an unclosed quote swallowing the file, is a hard error).
  uint32_t max_field_bytes = 64 * 1024;
  /// ImportReport::rejected and ::warnings keep at most this many entries
  /// each (the writer, i.e. the store, still receives every one; the totals
  /// are in rejected_total / warnings_total). Keeps a report of a file where
  /// every row is bad from growing with the file.
  uint32_t max_report_issues = 10'000;
  /// 2 (or more): phone numbers are validated on a second thread, started for
  /// the call, while the calling thread reads the CSV, builds the variables
  /// and calls the writer (always in file order, so the outcome is the same);
  /// 1: everything on the calling thread. libphonenumber's validation is the
  /// costly part (~3–5 µs a number) and does not scale past one thread.
  uint32_t threads = 2;
};

/// The per-row report. `rejected`/`warnings` hold every issue up to
/// ImportOptions::max_report_issues each; the counts are always complete and
/// the writer (the store) receives every issue, so nothing is dropped silently.
struct ImportReport {
  std::string upload_id;
  uint64_t total_rows = 0;  ///< data rows read (excluding the header)
  uint64_t imported = 0;    ///< rows stored as batch contacts
  std::vector<store::RowIssue> rejected;
  std::vector<store::RowIssue> warnings;
  char delimiter = ',';     ///< the sniffed delimiter
  std::string phone_column; ///< header chosen for the phone number
  std::string name_column;  ///< header(s) chosen for the name, "" if none
  uint64_t rejected_total = 0;  ///< every rejected row (rejected.size() may be capped)
  uint64_t warnings_total = 0;  ///< every warning (warnings.size() may be capped)
};

/// The import without the store: reads CSV from `in`, validates every row and
/// streams the outcome into `writer` — add_contact() for each accepted row,
/// add_rejection() for each rejected one, add_warning() for each warning — in
/// file order. `report.upload_id` is `writer.upload_id()`.
///
/// Columns (headers compared ignoring case, spaces, '_' and '-'):
///  - phone: the first of `phone`, `phone 1`, `phone number`, `mobile`,
///    `mobile phone`, `cell`, `cell phone`, `tel`, `telephone`, `contact phone
///    number`, `phone1` that exists, else the first header containing "phone";
///  - name: `name`, `full name` or `contact name`; else `first name` and/or
///    `last name`, joined with a space;
///  - every other column goes into the row's `variables` JSON object under its
///    header text (a repeated header gets " (2)", " (3)"…; an empty one is
///    "column N"), in file order; a phone extension is added as "extension"
///    (unless the file has a non-empty "extension" column of its own).
///
/// Rows (RowIssue.column is the offending column's header, "" for the row):
///  - rejected: "contains a NUL byte"; "field longer than N bytes" (N =
///    max_field_bytes); "too many fields (N; header has M)" (trailing empty
///    fields do not count); "empty row"; a phone error from
///    model::normalize_phone ("missing phone", "invalid number: too short", …);
///    "duplicate of line L" (same E.164 number earlier in the file);
///  - accepted with a warning: "not UTF-8; read as Windows-1252";
///  - a row with fewer fields than the header is fine (missing cells are "").
/// Phone numbers become E.164 with `options.region` for national numbers.
///
/// Hard errors (the caller must keep nothing): "file is empty", "the file has
/// a header but no data rows", "no phone column: expected one of phone, phone
/// 1, phone number, mobile, cell, tel" (ErrorCode::invalid_argument, field
/// "file"); a header of more than max_columns columns (too_large); a field
/// longer than 16 × max_field_bytes, an unclosed quote at the end of the file,
/// UTF-16 input, I/O errors (see CsvReader::next); whatever `writer` returns.
///
/// Memory: bounded by the CSV reader's buffers plus the duplicate index
/// (12 bytes per slot, ≤ 2 slots per accepted row) and the capped report.
Result<ImportReport> import_rows(std::istream& in, store::UploadWriter& writer, const ImportOptions& options);

/// Reads CSV from `in` (RFC 4180; UTF-8 with or without BOM, or Windows-1252
/// transcoded with a warning; delimiter sniffed among , ; TAB |) and imports
/// it as an upload of `campaign_id` named `filename` in one transaction.
/// Hard errors (nothing is stored): empty file, header only, no phone column,
/// too many header columns, I/O failure, campaign not found.
Result<ImportReport> import_contacts(store::UploadRepository& uploads, const WorkspaceId& ws,
                                     const std::string& campaign_id,
                                     const std::string& filename, std::istream& in,
                                     const ImportOptions& options);

}  // namespace voqo::campaign
