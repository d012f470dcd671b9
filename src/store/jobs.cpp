#include "store/jobs.hpp"

#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::store {
namespace {
/// Whether `sql` (workspace, a[, b]) finds a row: a reference in a body is
/// looked up in the caller's workspace only, so another tenant's id is "not found".
Result<bool> exists(Connection& c, std::string_view sql, const WorkspaceId& ws, const std::string& a,
                    const std::string& b = {}) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, a);
  if (!b.empty()) (*st)->bind_text(3, b);
  return (*st)->step();
}

Error missing(std::string field, std::string message) {
  Error e = Error::not_found(message);
  e.fields.push_back({std::move(field), "not found"});
  return e;
}
}  // namespace

JobRepository::JobRepository(Database& db)
    : db_(db), jobs_(db, model::job_spec()), job_calls_(db, model::job_call_spec()) {}

Result<nlohmann::json> JobRepository::create(const WorkspaceId& ws, const nlohmann::json& body) {
  auto values = model::validate_input(model::job_spec(), body, model::Mode::create);
  if (!values) return std::unexpected(values.error());
  // A job of the API runs over one upload; a campaign's job (upload_id null)
  // is created by the campaign's start (store/swarm.hpp create_campaign_job).
  if (!body.contains("uploadId") || !body["uploadId"].is_string())
    return std::unexpected(Error::invalid("uploadId", "is required: the upload whose contacts the job calls"));
  const std::string campaign = body["campaignId"], upload = body["uploadId"], agent = body["agentId"];
  return db_.write([&](Connection& c) -> Result<nlohmann::json> {
    auto has_campaign = exists(c, "SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?", ws, campaign);
    if (!has_campaign) return std::unexpected(has_campaign.error());
    if (!*has_campaign) return std::unexpected(missing("campaignId", "campaign " + campaign + " not found"));
    auto has_agent = exists(c, "SELECT 1 FROM agents WHERE workspace_id = ? AND id = ?", ws, agent);
    if (!has_agent) return std::unexpected(has_agent.error());
    if (!*has_agent) return std::unexpected(missing("agentId", "agent " + agent + " not found"));
    auto has_upload = exists(c, "SELECT 1 FROM uploads WHERE workspace_id = ? AND id = ? AND campaign_id = ?", ws, upload,
                             campaign);
    if (!has_upload) return std::unexpected(has_upload.error());
    if (!*has_upload)
      return std::unexpected(missing("uploadId", "upload " + upload + " not found in campaign " + campaign));
    auto job = jobs_.insert(c, ws, std::move(*values));
    if (!job) return job;
    const std::string job_id = (*job)["id"];
    auto ids = c.prepare("SELECT id, phone FROM batch_contacts WHERE upload_id = ? ORDER BY line");
    auto ins = c.prepare(
        "INSERT INTO job_calls (id, job_id, batch_contact_id, status, created_at, phone, updated_at, workspace_id) "
        "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)");
    if (!ids) return std::unexpected(ids.error());
    if (!ins) return std::unexpected(ins.error());
    (*ids)->bind_text(1, upload);
    const std::string now = now_iso8601();
    int64_t total = 0;
    while (true) {
      auto row = (*ids)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      (*ins)->bind_text(1, new_id());
      (*ins)->bind_text(2, job_id);
      (*ins)->bind_text(3, (*ids)->column_text(0));
      (*ins)->bind_text(4, now);
      (*ins)->bind_text(5, (*ids)->column_text(1));
      (*ins)->bind_text(6, now);
      (*ins)->bind_text(7, ws.value);
      if (auto r = (*ins)->step(); !r) return std::unexpected(r.error());
      (*ins)->reset();
      ++total;
    }
    auto upd = c.prepare("UPDATE jobs SET total_calls = ? WHERE id = ?");
    if (!upd) return std::unexpected(upd.error());
    (*upd)->bind_int(1, total);
    (*upd)->bind_text(2, job_id);
    if (auto r = (*upd)->step(); !r) return std::unexpected(r.error());
    return jobs_.get(c, ws, job_id);
  });
}

Result<void> JobRepository::remove(const WorkspaceId& ws, const std::string& id) {
  auto job = jobs_.get(ws, id);
  if (!job) return std::unexpected(job.error());
  if ((*job)["status"] == "running") {
    Error e = Error::conflict("status", "job " + id + " is running; cancel it first");
    return std::unexpected(e);
  }
  return jobs_.remove(ws, id);
}

}  // namespace voqo::store
