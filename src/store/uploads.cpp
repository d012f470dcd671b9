#include "store/uploads.hpp"

#include "store/swarm.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::store {
namespace {

/// One row for the inserter: a batch contact, or an issue with its severity.
struct PendingRow {
  enum class Kind { contact, rejection, warning } kind;
  BatchContactRow contact;
  RowIssue issue;
};

/// Writes rows on the writer connection from a thread of its own, so that
/// SQLite's B-tree work overlaps the caller's parsing and validation (the
/// import is one transaction; the caller only touches the connection again
/// after finish()). Rows travel in batches through a bounded queue (at most
/// kQueuedBatches × kBatchRows rows in flight) and are inserted with
/// multi-row INSERT statements.
class PipelinedUploadWriter final : public UploadWriter {
 public:
  static constexpr size_t kBatchRows = 512;
  static constexpr size_t kQueuedBatches = 8;
  static constexpr size_t kRowsPerInsert = 32;

  PipelinedUploadWriter(Connection& c, std::string workspace_id, std::string upload_id, std::string now)
      : c_(c), workspace_id_(std::move(workspace_id)), upload_id_(std::move(upload_id)), now_(std::move(now)),
        thread_([this] { run(); }) {}
  ~PipelinedUploadWriter() override { (void)finish(); }

  Result<void> add_contact(const BatchContactRow& row) override {
    ++imported_;
    return push({PendingRow::Kind::contact, row, {}});
  }
  Result<void> add_rejection(const RowIssue& issue) override {
    ++rejected_;
    return push({PendingRow::Kind::rejection, {}, issue});
  }
  Result<void> add_warning(const RowIssue& issue) override { return push({PendingRow::Kind::warning, {}, issue}); }
  const std::string& upload_id() const override { return upload_id_; }

  /// Hands over the last rows and waits until every row is written (or the
  /// first error). After it returns the caller owns the connection again.
  Result<void> finish() {
    if (thread_.joinable()) {
      {
        std::unique_lock lock(mutex_);
        if (!batch_.empty()) queue_.push_back(std::move(batch_));
        done_ = true;
      }
      changed_.notify_all();
      thread_.join();
    }
    std::lock_guard lock(mutex_);
    if (error_) return std::unexpected(*error_);
    return {};
  }

  uint64_t imported() const { return imported_; }
  uint64_t rejected() const { return rejected_; }

 private:
  Result<void> push(PendingRow row) {
    batch_.push_back(std::move(row));
    if (batch_.size() < kBatchRows) return {};
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kQueuedBatches || error_; });
    if (error_) return std::unexpected(*error_);
    queue_.push_back(std::move(batch_));
    batch_ = {};
    batch_.reserve(kBatchRows);
    lock.unlock();
    changed_.notify_all();
    return {};
  }

  void run() {
    while (true) {
      std::vector<PendingRow> rows;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        rows = std::move(queue_.front());
        queue_.pop_front();
      }
      changed_.notify_all();
      if (auto r = write(rows); !r) {
        std::lock_guard lock(mutex_);
        error_ = r.error();
        queue_.clear();
        changed_.notify_all();
        return;
      }
    }
  }

  Result<void> write(std::vector<PendingRow>& rows) {
    std::vector<const BatchContactRow*> contacts;
    for (auto& row : rows) {
      if (row.kind == PendingRow::Kind::contact) {
        contacts.push_back(&row.contact);
        if (contacts.size() == kRowsPerInsert) {
          if (auto r = insert_contacts(contacts); !r) return r;
          contacts.clear();
        }
      } else if (auto r = insert_issue(row.issue, row.kind == PendingRow::Kind::rejection ? "error" : "warning"); !r) {
        return r;
      }
    }
    return insert_contacts(contacts);
  }

  Result<void> insert_contacts(const std::vector<const BatchContactRow*>& rows) {
    if (rows.empty()) return {};
    std::string& sql = insert_sql_[rows.size()];
    if (sql.empty()) {
      sql = "INSERT INTO batch_contacts (id, upload_id, phone, name, variables, line, created_at, workspace_id, "
            "email, company, lead_score, lead_source_id) VALUES ";
      for (size_t i = 0; i < rows.size(); ++i)
        sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }
    auto st = c_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    int p = 1;
    for (const auto* row : rows) {
      (*st)->bind_text(p++, ids_.next());
      (*st)->bind_text(p++, upload_id_);
      (*st)->bind_text(p++, row->phone);
      if (row->name) (*st)->bind_text(p++, *row->name);
      else (*st)->bind_null(p++);
      (*st)->bind_text(p++, row->variables_json.empty() ? std::string_view("{}") : std::string_view(row->variables_json));
      (*st)->bind_int(p++, static_cast<int64_t>(row->line));
      (*st)->bind_text(p++, now_);
      (*st)->bind_text(p++, workspace_id_);
      const auto text_or_null = [&](const std::optional<std::string>& v) {
        if (v) (*st)->bind_text(p++, *v);
        else (*st)->bind_null(p++);
      };
      text_or_null(row->email);
      text_or_null(row->company);
      if (row->lead_score) (*st)->bind_double(p++, *row->lead_score);
      else (*st)->bind_null(p++);
      text_or_null(row->lead_source_id);
    }
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return {};
  }

  Result<void> insert_issue(const RowIssue& issue, std::string_view severity) {
    auto st = c_.prepare(
        "INSERT INTO upload_rejections (id, upload_id, line, column_name, reason, severity, created_at, workspace_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, issue_ids_.next());
    (*st)->bind_text(2, upload_id_);
    (*st)->bind_int(3, static_cast<int64_t>(issue.line));
    (*st)->bind_text(4, issue.column);
    (*st)->bind_text(5, issue.reason);
    (*st)->bind_text(6, severity);
    (*st)->bind_text(7, now_);
    (*st)->bind_text(8, workspace_id_);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return {};
  }

  Connection& c_;
  const std::string workspace_id_;
  const std::string upload_id_;
  const std::string now_;
  IdSequence ids_, issue_ids_;            // used by the inserter thread only
  std::map<size_t, std::string> insert_sql_;  // inserter thread only
  std::vector<PendingRow> batch_;         // caller thread only
  uint64_t imported_ = 0, rejected_ = 0;  // caller thread only
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<PendingRow>> queue_;
  bool done_ = false;
  std::optional<Error> error_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace

Result<std::string> UploadRepository::import(const WorkspaceId& ws, const std::string& campaign_id,
                                             const std::string& filename,
                                             const std::function<Result<ImportCounts>(UploadWriter&)>& fill) {
  return db_.write([&](Connection& c) -> Result<std::string> {
    auto exists = c.prepare("SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?");
    if (!exists) return std::unexpected(exists.error());
    (*exists)->bind_text(1, ws.value);
    (*exists)->bind_text(2, campaign_id);
    auto found = (*exists)->step();
    if (!found) return std::unexpected(found.error());
    if (!*found) {
      Error e = Error::not_found("campaign " + campaign_id + " not found");
      e.fields.push_back({"campaignId", "not found"});
      return std::unexpected(e);
    }
    const std::string id = new_id(), now = now_iso8601();
    auto ins = c.prepare(
        "INSERT INTO uploads (id, campaign_id, filename, total_rows, created_at, workspace_id) VALUES (?, ?, ?, 0, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    (*ins)->bind_text(1, id);
    (*ins)->bind_text(2, campaign_id);
    (*ins)->bind_text(3, filename);
    (*ins)->bind_text(4, now);
    (*ins)->bind_text(5, ws.value);
    if (auto r = (*ins)->step(); !r) return std::unexpected(r.error());
    PipelinedUploadWriter writer(c, ws.value, id, now);
    auto counts = fill(writer);
    auto written = writer.finish();
    if (!counts) return std::unexpected(counts.error());
    if (!written) return std::unexpected(written.error());
    auto upd = c.prepare("UPDATE uploads SET total_rows = ?, imported_rows = ?, rejected_rows = ? WHERE id = ?");
    if (!upd) return std::unexpected(upd.error());
    (*upd)->bind_int(1, static_cast<int64_t>(counts->total_rows));
    (*upd)->bind_int(2, static_cast<int64_t>(writer.imported()));
    (*upd)->bind_int(3, static_cast<int64_t>(writer.rejected()));
    (*upd)->bind_text(4, id);
    if (auto r = (*upd)->step(); !r) return std::unexpected(r.error());
    // Leads added to a running campaign join its job now, in this
    // transaction: dialed once (issue 18 §1), never the same phone twice.
    if (auto r = attach_upload_to_campaign_jobs(c, ws, campaign_id, id); !r) return std::unexpected(r.error());
    return id;
  });
}

}  // namespace voqo::store
