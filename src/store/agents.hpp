#pragma once
/// Agents and their configuration history (data model: `agents`,
/// `agent_configurations`). Every change to an agent's prompt, voice or
/// behaviour settings writes configuration version n+1 (a JSON snapshot of
/// those fields) and makes it the active one; activating an older version
/// copies its snapshot back onto the agent (rollback).
#include <string>

#include <nlohmann/json.hpp>

#include "model/agent_config.hpp"
#include "store/repository.hpp"

namespace voqo::store {

/// True for the agent fields that a configuration snapshot holds: every
/// writable field except identity and operational ones (name, description,
/// enabled, status, elevenlabsAgentId).
bool is_configuration_field(const model::FieldSpec& field);

class AgentRepository {
 public:
  explicit AgentRepository(Database& db);

  Repository& records() { return agents_; }

  /// The agent `id` of `ws`, typed (model/agent_config.hpp): where an agent
  /// leaves the store for the call path. Errors: not found (404), database,
  /// invalid_argument naming a stored member of the wrong type.
  Result<model::AgentConfig> config(const WorkspaceId& ws, const std::string& id);
  /// The same inside a transaction on `c`.
  Result<model::AgentConfig> config(Connection& c, const WorkspaceId& ws, const std::string& id);

  /// Creates an agent in `ws` and its configuration version 1 (active),
  /// atomically. `actor` names who did it ("user:<id>", "key:<id>", "cli"),
  /// as the server authenticated them (issue 16 §3), and is kept on the version.
  Result<nlohmann::json> create(const WorkspaceId& ws, const nlohmann::json& body, const std::string& actor = "cli");
  /// Updates an agent; when a configuration field changes, also writes the
  /// next configuration version and activates it, atomically.
  Result<nlohmann::json> update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& patch,
                                const std::string& actor = "cli");
  /// Versions of the agent's configuration, newest first. Errors: agent not found.
  Result<nlohmann::json> configurations(const WorkspaceId& ws, const std::string& agent_id);
  /// Makes `version` active and applies its snapshot to the agent. Returns
  /// the agent. Errors: agent or version not found.
  Result<nlohmann::json> activate(const WorkspaceId& ws, const std::string& agent_id, int64_t version,
                                  const std::string& actor = "cli");
  /// Agents in `ws` (for the tier limit on agents).
  Result<int64_t> count(const WorkspaceId& ws);

 private:
  Result<void> write_version(Connection& c, const WorkspaceId& ws, const std::string& agent_id,
                             const nlohmann::json& agent, const std::string& actor);

  Database& db_;
  Repository agents_;
};

/// The enabled custom functions of agent `agent_id` (at most kMaxPageSize),
/// typed, with `headers` and `auth_config` opened in clear — for one call's
/// LLM tools only. `functions` is the custom_functions repository
/// (Store::custom_functions). Errors: database; invalid_argument naming a
/// stored member of the wrong type.
Result<std::vector<model::CustomFunctionConfig>> enabled_functions(Repository& functions, const WorkspaceId& ws,
                                                                   const std::string& agent_id);

}  // namespace voqo::store
