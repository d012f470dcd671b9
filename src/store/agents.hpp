#pragma once
/// Agents and their configuration history (data model: `agents`,
/// `agent_configurations`). Every change to an agent's prompt, voice or
/// behaviour settings writes configuration version n+1 (a JSON snapshot of
/// those fields) and makes it the active one; activating an older version
/// copies its snapshot back onto the agent (rollback).
#include <string>

#include <nlohmann/json.hpp>

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

  /// Creates an agent and its configuration version 1 (active), atomically.
  Result<nlohmann::json> create(const nlohmann::json& body);
  /// Updates an agent; when a configuration field changes, also writes the
  /// next configuration version and activates it, atomically.
  Result<nlohmann::json> update(const std::string& id, const nlohmann::json& patch);
  /// Versions of the agent's configuration, newest first. Errors: agent not found.
  Result<nlohmann::json> configurations(const std::string& agent_id);
  /// Makes `version` active and applies its snapshot to the agent. Returns
  /// the agent. Errors: agent or version not found.
  Result<nlohmann::json> activate(const std::string& agent_id, int64_t version);

 private:
  Result<void> write_version(Connection& c, const std::string& agent_id, const nlohmann::json& agent);

  Database& db_;
  Repository agents_;
};

}  // namespace voqo::store
