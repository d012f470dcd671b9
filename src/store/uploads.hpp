#pragma once
/// Uploads and their batch contacts (data model: `uploads`, `batch_contacts`),
/// plus the per-row import report (`upload_rejections`, voqo's own table:
/// every rejected row is kept with its line, column and reason).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// One accepted row of an uploaded file.
struct BatchContactRow {
  std::string phone;                ///< E.164, e.g. "+14155550123"
  std::optional<std::string> name;  ///< display name, if the file had one
  std::string variables_json;       ///< JSON object text: other columns by header
  uint64_t line = 0;                ///< 1-based line of the file where the row starts
  /// Leads (issue 18 §7): set by lead-source imports, absent for a plain CSV upload.
  std::optional<std::string> email;
  std::optional<std::string> company;
  std::optional<double> lead_score;        ///< 0–100
  std::optional<std::string> lead_source_id;
};

/// One rejected row (or a warning about an imported row).
struct RowIssue {
  uint64_t line = 0;    ///< 1-based line where the row starts
  std::string column;   ///< header of the offending column, "" for the whole row
  std::string reason;   ///< e.g. "invalid number: too short", "duplicate of line 7"
};

/// Receives rows during UploadRepository::import; valid only inside it.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  virtual Result<void> add_contact(const BatchContactRow& row) = 0;
  virtual Result<void> add_rejection(const RowIssue& issue) = 0;
  virtual Result<void> add_warning(const RowIssue& issue) = 0;
  /// The id of the upload being written.
  virtual const std::string& upload_id() const = 0;
};

/// What `fill` reports back to import(): the number of data rows read.
struct ImportCounts {
  uint64_t total_rows = 0;
};

class UploadRepository {
 public:
  explicit UploadRepository(Database& db) : db_(db) {}

  /// Creates an upload in workspace `ws` for its campaign `campaign_id` named `filename` and lets `fill`
  /// stream its rows into it, all in one transaction: if `fill` returns an
  /// error nothing is kept (data model rule "an upload is one transaction").
  /// Errors: campaign not found (not_found, field "campaignId"), store errors,
  /// or whatever `fill` returns. Returns the new upload's id.
  Result<std::string> import(const WorkspaceId& ws, const std::string& campaign_id, const std::string& filename,
                             const std::function<Result<ImportCounts>(UploadWriter&)>& fill);

 private:
  Database& db_;
};

}  // namespace voqo::store
