#include "store/uploads.hpp"

#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::store {
namespace {

/// Streams rows into prepared INSERTs on the writer connection.
class TransactionUploadWriter final : public UploadWriter {
 public:
  TransactionUploadWriter(Connection& c, std::string upload_id, std::string now)
      : c_(c), upload_id_(std::move(upload_id)), now_(std::move(now)) {}

  Result<void> add_contact(const BatchContactRow& row) override {
    auto st = c_.prepare(
        "INSERT INTO batch_contacts (id, upload_id, phone, name, variables, line, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, new_id());
    (*st)->bind_text(2, upload_id_);
    (*st)->bind_text(3, row.phone);
    if (row.name) (*st)->bind_text(4, *row.name);
    else (*st)->bind_null(4);
    (*st)->bind_text(5, row.variables_json.empty() ? std::string_view("{}") : std::string_view(row.variables_json));
    (*st)->bind_int(6, static_cast<int64_t>(row.line));
    (*st)->bind_text(7, now_);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    ++imported_;
    return {};
  }
  Result<void> add_rejection(const RowIssue& issue) override {
    ++rejected_;
    return add_issue(issue, "error");
  }
  Result<void> add_warning(const RowIssue& issue) override { return add_issue(issue, "warning"); }
  const std::string& upload_id() const override { return upload_id_; }

  uint64_t imported() const { return imported_; }
  uint64_t rejected() const { return rejected_; }

 private:
  Result<void> add_issue(const RowIssue& issue, std::string_view severity) {
    auto st = c_.prepare(
        "INSERT INTO upload_rejections (id, upload_id, line, column_name, reason, severity, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, new_id());
    (*st)->bind_text(2, upload_id_);
    (*st)->bind_int(3, static_cast<int64_t>(issue.line));
    (*st)->bind_text(4, issue.column);
    (*st)->bind_text(5, issue.reason);
    (*st)->bind_text(6, severity);
    (*st)->bind_text(7, now_);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return {};
  }

  Connection& c_;
  std::string upload_id_;
  std::string now_;
  uint64_t imported_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace

Result<std::string> UploadRepository::import(const std::string& campaign_id, const std::string& filename,
                                             const std::function<Result<ImportCounts>(UploadWriter&)>& fill) {
  return db_.write([&](Connection& c) -> Result<std::string> {
    auto exists = c.prepare("SELECT 1 FROM campaigns WHERE id = ?");
    if (!exists) return std::unexpected(exists.error());
    (*exists)->bind_text(1, campaign_id);
    auto found = (*exists)->step();
    if (!found) return std::unexpected(found.error());
    if (!*found) {
      Error e = Error::not_found("campaign " + campaign_id + " not found");
      e.fields.push_back({"campaignId", "not found"});
      return std::unexpected(e);
    }
    const std::string id = new_id(), now = now_iso8601();
    auto ins = c.prepare("INSERT INTO uploads (id, campaign_id, filename, total_rows, created_at) VALUES (?, ?, ?, 0, ?)");
    if (!ins) return std::unexpected(ins.error());
    (*ins)->bind_text(1, id);
    (*ins)->bind_text(2, campaign_id);
    (*ins)->bind_text(3, filename);
    (*ins)->bind_text(4, now);
    if (auto r = (*ins)->step(); !r) return std::unexpected(r.error());
    TransactionUploadWriter writer(c, id, now);
    auto counts = fill(writer);
    if (!counts) return std::unexpected(counts.error());
    auto upd = c.prepare("UPDATE uploads SET total_rows = ?, imported_rows = ?, rejected_rows = ? WHERE id = ?");
    if (!upd) return std::unexpected(upd.error());
    (*upd)->bind_int(1, static_cast<int64_t>(counts->total_rows));
    (*upd)->bind_int(2, static_cast<int64_t>(writer.imported()));
    (*upd)->bind_int(3, static_cast<int64_t>(writer.rejected()));
    (*upd)->bind_text(4, id);
    if (auto r = (*upd)->step(); !r) return std::unexpected(r.error());
    return id;
  });
}

}  // namespace voqo::store
