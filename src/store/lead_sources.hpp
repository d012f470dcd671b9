#pragma once
/// Lead sources (issue 18 §7, table `swarm_lead_sources`): what the generic
/// Repository does not do — the per-source token (stored as its SHA-256, as
/// API keys are: access/api_key.hpp), the lookup of a source by that hash,
/// the bookkeeping of pushes and pulls (last_sync_at/status/error,
/// total_leads), the phones a campaign already holds (so a lead is never
/// stored twice in one campaign), and the CRM sources due for a pull.
/// CRUD goes through Store::lead_sources() (a Repository over
/// model::lead_source_spec()). All SQL of lead sources is here.
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// A lead source as the import and pull code need it.
struct LeadSourceRecord {
  std::string id;
  WorkspaceId ws;
  std::string campaign_id;
  std::string name;
  std::string source_type;  ///< csv_upload | api_webhook | manual_entry | crm_integration
  nlohmann::json field_mapping = nlohmann::json::object();
  nlohmann::json crm_config;  ///< null unless set
  bool is_active = true;
  std::string api_token_hash;  ///< "" when no token was issued
  std::optional<std::string> last_sync_at;
};

class LeadSourceStore {
 public:
  explicit LeadSourceStore(Database& db) : db_(db) {}

  /// The source `id` of workspace `ws`. Errors: not_found (another
  /// workspace's source too).
  Result<LeadSourceRecord> get(const WorkspaceId& ws, const std::string& id);

  /// The source whose token hashes to `token_hash` (SHA-256 hex), in any
  /// workspace; nullopt when none has it. The lookup compares hashes (an
  /// index on the hash), never secrets.
  Result<std::optional<LeadSourceRecord>> by_token_hash(const std::string& token_hash);

  /// Stores a new token's hash and shown prefix (the old token stops working).
  /// Errors: not_found.
  Result<void> set_token(const WorkspaceId& ws, const std::string& id, const std::string& token_hash,
                         const std::string& prefix);

  /// After a push or a pull: last_sync_at = now, last_sync_status `status`
  /// ("success" | "error"), last_sync_error `error` (null for ""), and
  /// total_leads += `imported`.
  Result<void> record_sync(const WorkspaceId& ws, const std::string& id, std::string_view status,
                           const std::string& error, uint64_t imported);

  /// The E.164 numbers of every batch contact of the campaign's uploads, read
  /// on `c` (call it inside the import's write so nothing slips in between).
  static Result<std::unordered_set<std::string>> campaign_phones(Connection& c, const WorkspaceId& ws,
                                                                 const std::string& campaign_id);

  /// Active crm_integration sources of every workspace (the poller decides
  /// which are due from crm_config.intervalMinutes and last_sync_at).
  Result<std::vector<LeadSourceRecord>> active_crm_sources();

 private:
  Database& db_;
};

}  // namespace voqo::store
