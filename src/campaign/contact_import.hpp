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
};

/// The per-row report. `rejected`/`warnings` hold every issue (nothing is
/// dropped silently).
struct ImportReport {
  std::string upload_id;
  uint64_t total_rows = 0;  ///< data rows read (excluding the header)
  uint64_t imported = 0;    ///< rows stored as batch contacts
  std::vector<store::RowIssue> rejected;
  std::vector<store::RowIssue> warnings;
  char delimiter = ',';     ///< the sniffed delimiter
  std::string phone_column; ///< header chosen for the phone number
  std::string name_column;  ///< header(s) chosen for the name, "" if none
};

/// Reads CSV from `in` (RFC 4180; UTF-8 with or without BOM, or Windows-1252
/// transcoded with a warning; delimiter sniffed among , ; TAB |) and imports
/// it as an upload of `campaign_id` named `filename` in one transaction.
/// Hard errors (nothing is stored): empty file, header only, no phone column,
/// too many header columns, I/O failure, campaign not found.
Result<ImportReport> import_contacts(store::UploadRepository& uploads, const std::string& campaign_id,
                                     const std::string& filename, std::istream& in,
                                     const ImportOptions& options);

}  // namespace voqo::campaign
