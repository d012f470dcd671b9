#include "store/lead_sources.hpp"

#include "core/time.hpp"

namespace voqo::store {
namespace {

constexpr std::string_view kColumns =
    "id, workspace_id, campaign_id, name, source_type, field_mapping, crm_config, is_active, "
    "coalesce(api_token_hash, ''), last_sync_at";

LeadSourceRecord from_row(const Statement& st) {
  LeadSourceRecord r;
  r.id = std::string(st.column_text(0));
  r.ws = WorkspaceId{std::string(st.column_text(1))};
  r.campaign_id = std::string(st.column_text(2));
  r.name = std::string(st.column_text(3));
  r.source_type = std::string(st.column_text(4));
  r.field_mapping = nlohmann::json::parse(st.column_text(5), nullptr, false);
  if (!r.field_mapping.is_object()) r.field_mapping = nlohmann::json::object();
  if (!st.is_null(6)) {
    r.crm_config = nlohmann::json::parse(st.column_text(6), nullptr, false);
    if (r.crm_config.is_discarded()) r.crm_config = nullptr;
  }
  r.is_active = st.column_int(7) != 0;
  r.api_token_hash = std::string(st.column_text(8));
  if (!st.is_null(9)) r.last_sync_at = std::string(st.column_text(9));
  return r;
}

}  // namespace

Result<LeadSourceRecord> LeadSourceStore::get(const WorkspaceId& ws, const std::string& id) {
  return db_.read([&](Connection& c) -> Result<LeadSourceRecord> {
    auto st = c.prepare("SELECT " + std::string(kColumns) + " FROM swarm_lead_sources WHERE workspace_id = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(Error::not_found("lead source " + id + " not found"));
    auto r = from_row(**st);
    (*st)->reset();
    return r;
  });
}

Result<std::optional<LeadSourceRecord>> LeadSourceStore::by_token_hash(const std::string& token_hash) {
  return db_.read([&](Connection& c) -> Result<std::optional<LeadSourceRecord>> {
    auto st = c.prepare("SELECT " + std::string(kColumns) + " FROM swarm_lead_sources WHERE api_token_hash = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, token_hash);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<LeadSourceRecord>();
    auto r = from_row(**st);
    (*st)->reset();
    return std::optional<LeadSourceRecord>(std::move(r));
  });
}

Result<void> LeadSourceStore::set_token(const WorkspaceId& ws, const std::string& id, const std::string& token_hash,
                                        const std::string& prefix) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "UPDATE swarm_lead_sources SET api_token_hash = ?, api_token_prefix = ?, updated_at = ? "
        "WHERE workspace_id = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, token_hash);
    (*st)->bind_text(2, prefix);
    (*st)->bind_text(3, now_iso8601());
    (*st)->bind_text(4, ws.value);
    (*st)->bind_text(5, id);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    if (c.changes() == 0) return std::unexpected(Error::not_found("lead source " + id + " not found"));
    return {};
  });
}

Result<void> LeadSourceStore::record_sync(const WorkspaceId& ws, const std::string& id, std::string_view status,
                                          const std::string& error, uint64_t imported) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "UPDATE swarm_lead_sources SET last_sync_at = ?, last_sync_status = ?, last_sync_error = ?, "
        "total_leads = total_leads + ?, updated_at = ? WHERE workspace_id = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    const std::string now = now_iso8601();
    (*st)->bind_text(1, now);
    (*st)->bind_text(2, status);
    if (error.empty()) (*st)->bind_null(3);
    else (*st)->bind_text(3, error);
    (*st)->bind_int(4, static_cast<int64_t>(imported));
    (*st)->bind_text(5, now);
    (*st)->bind_text(6, ws.value);
    (*st)->bind_text(7, id);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    if (c.changes() == 0) return std::unexpected(Error::not_found("lead source " + id + " not found"));
    return {};
  });
}

Result<std::unordered_set<std::string>> LeadSourceStore::campaign_phones(Connection& c, const WorkspaceId& ws,
                                                                         const std::string& campaign_id) {
  auto st = c.prepare(
      "SELECT b.phone FROM batch_contacts b JOIN uploads u ON u.id = b.upload_id "
      "WHERE u.workspace_id = ? AND u.campaign_id = ? AND b.workspace_id = ?");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, campaign_id);
  (*st)->bind_text(3, ws.value);
  std::unordered_set<std::string> out;
  while (true) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.emplace((*st)->column_text(0));
  }
  return out;
}

Result<std::vector<LeadSourceRecord>> LeadSourceStore::active_crm_sources() {
  return db_.read([&](Connection& c) -> Result<std::vector<LeadSourceRecord>> {
    auto st = c.prepare("SELECT " + std::string(kColumns) +
                        " FROM swarm_lead_sources WHERE source_type = 'crm_integration' AND is_active = 1");
    if (!st) return std::unexpected(st.error());
    std::vector<LeadSourceRecord> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back(from_row(**st));
    }
    return out;
  });
}

}  // namespace voqo::store
