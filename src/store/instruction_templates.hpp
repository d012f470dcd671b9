#pragma once
/// Instruction templates (issue 19 §2; table `instruction_templates`): an
/// agent's instructions with typed {{variables}} (brain/instruction_template.hpp
/// renders and validates them; the API validates before calling this).
///
/// Visibility: a workspace reads its own templates and every other
/// workspace's public ones (is_public = 1: "every workspace on the server
/// sees it"); only the owner may change or delete one, so another
/// workspace's PATCH/DELETE answers 404, and a private template of another
/// workspace answers 404 on everything.
///
/// System templates (model/builtin_instruction_templates.hpp) are seeded
/// into every workspace as its own rows with is_system = 1, is_public = 0
/// (as script templates' built-ins are: every row keeps a workspace_id, so
/// tenancy has no exception); they are read-only through the API (PATCH and
/// DELETE answer 409 naming `isSystem`: copy one with POST to change it).
///
/// usage_count counts calls that used a template (record_use(), when a
/// call's engines are built).
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace voqo::store {

/// Which templates a list returns.
enum class TemplateVisibility {
  all,      ///< the workspace's own (system included) and other workspaces' public ones
  own,      ///< the workspace's own, system included
  private_, ///< the workspace's own that are neither public nor system
  public_,  ///< public ones of any workspace, this one's included
  system,   ///< the system templates (this workspace's seeded rows)
};

/// "all" | "own" | "private" | "public" | "system" → the visibility. Errors:
/// invalid_argument naming `visibility`.
Result<TemplateVisibility> parse_template_visibility(std::string_view text);

class InstructionTemplateRepository {
 public:
  explicit InstructionTemplateRepository(Database& db);

  Repository& records() { return templates_; }

  /// A page of the templates `ws` may read (newest first; `category` "" =
  /// any). Errors: invalid cursor naming `cursor`; database.
  Result<Page> list(const WorkspaceId& ws, TemplateVisibility visibility, const std::string& category,
                    uint32_t limit, const std::string& cursor);
  /// The template `id` if `ws` may read it (its own or a public one). Errors: 404.
  Result<nlohmann::json> get(const WorkspaceId& ws, const std::string& id);
  /// Creates a (non-system) template of `ws`. Errors as Repository::create.
  Result<nlohmann::json> create(const WorkspaceId& ws, const nlohmann::json& body);
  /// Updates `ws`'s own template. Errors: 404 (absent, or another
  /// workspace's); 409 naming `isSystem` for a system template; 422.
  Result<nlohmann::json> update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& patch);
  /// Deletes `ws`'s own template (`ws`'s agents using it go back to their
  /// systemPrompt; other workspaces' agents that used a public one fall back
  /// to theirs at call time). Errors as update().
  Result<void> remove(const WorkspaceId& ws, const std::string& id);
  /// Adds one to the usage_count of template `id` if `ws` may read it.
  Result<void> record_use(const WorkspaceId& ws, const std::string& id);

  /// Inserts the system templates into `ws` unless it has them (same name).
  static Result<void> seed_builtins(Connection& c, const WorkspaceId& ws);
  /// Seeds every workspace (migration 16).
  static Result<void> seed_all_workspaces(Connection& c);

 private:
  /// The owner of `id` if `ws` may read it.
  Result<std::optional<std::string>> readable_owner(Connection& c, const WorkspaceId& ws, const std::string& id);
  Result<void> check_writable(const WorkspaceId& ws, const std::string& id);

  Database& db_;
  Repository templates_;
};

}  // namespace voqo::store
