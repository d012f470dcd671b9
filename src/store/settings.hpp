#pragma once
/// Settings (data model: `settings` — value JSON), one set per workspace
/// (issue 16: key unique per workspace; the trunk, LLM, providers, SMS,
/// inbound numbers, webhook secret and calling hours are a tenant's own;
/// server-wide options are flags and env, not settings). Keys are known in
/// advance, each with a FieldSpec that validates its value; the data model's
/// defaults are inserted for each workspace.
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "core/workspace_id.hpp"
#include "model/schema.hpp"
#include "model/settings_snapshot.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// The known settings with their rules and defaults (FieldSpec::json is the
/// key): model::setting_specs(), which the typed snapshot reads its defaults from.
const std::vector<model::FieldSpec>& setting_specs();

/// Secrets in settings are sealed at rest (core/secret_box) and write-only
/// through the API: these helpers mask them on the way out and keep the
/// stored secret when a client sends the mask back — to the same endpoint
/// only: with a changed baseUrl or uri the secret must be sent again. A secret is the top-level `webhook_secret` and, at any depth of
/// an object setting, a string member named `apiKey`, `password` or
/// `authToken` (sip_trunk.password, speech_providers.*.apiKey, llm.apiKey,
/// sms_provider.twilio.authToken).
inline constexpr std::string_view kSecretMask = "********";

/// `value` of setting `key` with every non-empty secret replaced by kSecretMask.
nlohmann::json redact_secrets(std::string_view key, nlohmann::json value);

class SettingsRepository {
 public:
  /// `secrets`: seals every secret before it is written (issue 16 §6) and
  /// opens it on read; null = stored as given (migrations' defaults).
  explicit SettingsRepository(Database& db, const SecretBox* secrets = nullptr) : db_(db), secrets_(secrets) {}

  /// Inserts every known setting that is missing, with its default, in every workspace.
  Result<void> insert_defaults();
  /// The same for one workspace, on `c` (a new workspace's transaction).
  static Result<void> insert_defaults(Connection& c, const WorkspaceId& ws);
  /// All settings of `ws` as one object {key: value}.
  Result<nlohmann::json> all(const WorkspaceId& ws);
  /// All settings of `ws`, typed, secrets opened: what a call (or a delivery
  /// batch) reads once, instead of the JSON (model/settings_snapshot.hpp).
  /// Errors: database; invalid_argument naming a stored value of the wrong type.
  Result<model::SettingsSnapshot> snapshot(const WorkspaceId& ws);
  /// Settings `keys` of every workspace, typed (every other setting at its
  /// default), oldest workspace first: across_workspaces for several keys, for
  /// what the server decides before it knows the tenant. A workspace whose
  /// value has the wrong type is left out (logged). Errors: unknown key (404), database.
  Result<std::vector<std::pair<WorkspaceId, model::SettingsSnapshot>>> snapshots_across_workspaces(
      std::initializer_list<std::string> keys);
  /// One setting's value. Errors: unknown key (404).
  Result<nlohmann::json> get(const WorkspaceId& ws, const std::string& key);
  /// Sets one setting after validating the value. Returns the new value.
  /// A secret given as kSecretMask keeps its stored value (or "" if none), so
  /// a client can send back what it read. Errors: unknown key (404), invalid
  /// value (422 naming the key).
  Result<nlohmann::json> put(const WorkspaceId& ws, const std::string& key, const nlohmann::json& value);
  /// Sets several settings atomically from an object {key: value}, with
  /// put()'s rule for masked secrets. Returns all settings (not redacted).
  Result<nlohmann::json> patch(const WorkspaceId& ws, const nlohmann::json& values);
  /// Setting `key` of every workspace, oldest workspace first: for what the
  /// server decides before it knows the tenant (an INVITE's source, its
  /// dialed number). Errors: unknown key (404), database.
  Result<std::vector<std::pair<WorkspaceId, nlohmann::json>>> across_workspaces(const std::string& key);
  /// Seals the secrets a database written before issue 16 keeps in clear
  /// (called by Store::open). Returns the number of settings rewritten.
  Result<int> seal_plaintext_secrets();
  /// The `default_region` setting ("US" when unreadable).
  std::string default_region(const WorkspaceId& ws);

 private:
  /// `value_json` with its secrets sealed, and a stored value with them opened.
  std::string sealed(std::string_view key, const std::string& value_json) const;
  nlohmann::json opened(std::string_view key, nlohmann::json value) const;
  /// `value` for `key` with masked secrets replaced by the stored ones.
  Result<nlohmann::json> unmask(const WorkspaceId& ws, const std::string& key, nlohmann::json value);
  Database& db_;
  const SecretBox* secrets_ = nullptr;
};

}  // namespace voqo::store
