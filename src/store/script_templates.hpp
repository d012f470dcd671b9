#pragma once
/// Script templates and call flows (issue 18 §5): `swarm_script_templates`
/// (versioned families of call scripts, the built-ins among them) and
/// `swarm_call_flows` (a campaign's ordered steps, each speaking a
/// template's part). The SQL of both lives here; what a step makes the agent
/// say is brain/call_flow.hpp's rule.
///
/// Versions: a template's family is the rows sharing its parent_id (the
/// first version's id, which is its own parent). PATCH edits a version in
/// place (its usage figures stay); a new version is explicit
/// (new_version()), copied from any version with the body's changes and
/// numbered max(version in the family) + 1, so history that calls used is
/// kept by creating versions, not by editing.
///
/// Figures: usage_count, average_success_rate (templates) and
/// average_duration_s, sample_count (steps) are running means updated by
/// record_call() in the transaction that stores the call's record, so they
/// are exact for every stored call and cost one UPDATE per template/step.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace voqo::store {

/// What a stored call of a campaign with a call flow adds to the figures.
struct CallFlowUse {
  WorkspaceId ws;
  std::string campaign_id;
  std::vector<std::string> template_ids;      ///< templates the call's flow used (each counted once)
  std::map<std::string, double> phase_seconds;  ///< time spent per step (phase name → s)
  bool success = false;  ///< outcome Demo Scheduled, Follow-up Needed or Transferred
};

/// A swarm agent's scriptVersion as a template version number: "3", "v3" or
/// "V3" → 3; anything else (a label such as "B", 0, empty) → nullopt.
std::optional<int64_t> script_version_number(std::string_view version);

class ScriptTemplateRepository {
 public:
  explicit ScriptTemplateRepository(Database& db);

  Repository& templates() { return templates_; }
  Repository& flows() { return flows_; }

  /// Creates version 1 of a new family (parent_id = its own id). Errors as Repository::create.
  Result<nlohmann::json> create(const WorkspaceId& ws, const nlohmann::json& body);
  /// A new version of `id`'s family: `id`'s fields with `changes` applied
  /// (same rules as PATCH), version = the family's highest + 1, is_builtin
  /// false, usage figures 0; the old version is unchanged. Errors: 404; 422
  /// naming the field.
  Result<nlohmann::json> new_version(const WorkspaceId& ws, const std::string& id, const nlohmann::json& changes);
  /// All versions of `id`'s family, newest (highest version) first. Errors: 404.
  Result<nlohmann::json> versions(const WorkspaceId& ws, const std::string& id);
  /// Errors: 404 naming `field` when `id` is not a template of `ws`.
  Result<void> check_exists(const WorkspaceId& ws, const std::string& id, const std::string& field);

  /// The campaign's call-flow steps in order (display_order, created_at),
  /// each with member "scriptTemplate" = its script template's JSON (null when it
  /// has none, or it is inactive or gone). `script_version` (a swarm agent's
  /// variant: "2" or "v2", see script_version_number) selects version N of
  /// each step's template family instead of the step's own version, where
  /// the family has one; anything else keeps the step's own.
  Result<nlohmann::json> flow_for_call(const WorkspaceId& ws, const std::string& campaign_id,
                                       const std::string& script_version = {});

  /// Inserts the built-in templates (model/builtin_scripts.hpp) into `ws`
  /// unless it has them already (is_builtin rows with the same name).
  static Result<void> seed_builtins(Connection& c, const WorkspaceId& ws);
  /// Seeds every workspace (migration 11).
  static Result<void> seed_all_workspaces(Connection& c);
  /// Applies a stored call's use (rule in the header comment).
  static Result<void> record_call(Connection& c, const CallFlowUse& use);

 private:
  Database& db_;
  Repository templates_, flows_;
};

}  // namespace voqo::store
