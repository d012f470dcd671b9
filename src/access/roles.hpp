#pragma once
/// Roles of workspace members, scopes of API keys, and the ROLE MATRIX
/// (issue 16 items 2 and 4): the one place that says who may do what. The
/// HTTP layer maps each operation to the Scope it needs and asks allows();
/// no handler decides on its own.
///
/// Scopes (the API's strings; a key carries a set of them):
///
///   scope            | grants
///   -----------------|---------------------------------------------------------------
///   agents:read      | read agents, agent configurations, custom functions
///   agents:write     | create, change, delete agents, configurations, custom functions
///   calls:read       | read calls, transcripts, recordings, contacts, memories, analytics
///   calls:write      | place calls, change or delete calls, contacts, memories
///   campaigns:read   | read campaigns, jobs, uploads, do-not-call entries
///   campaigns:write  | create, start, pause, change campaigns, uploads, do-not-call entries
///   live:read        | watch live calls (realtime feed, live transcripts)
///   live:control     | supervisor actions on live calls (listen, whisper, barge, take over, hang up)
///   settings:read    | read workspace settings (secrets always masked)
///   settings:write   | change workspace settings (providers, SIP trunk, webhooks, calling hours)
///   admin            | everything above, plus API keys and the audit log
///
/// Role matrix (Y = the role holds the scope):
///
///   scope            | owner | admin | supervisor | viewer
///   -----------------|-------|-------|------------|-------
///   agents:read      |   Y   |   Y   |     Y      |   Y
///   agents:write     |   Y   |   Y   |            |
///   calls:read       |   Y   |   Y   |     Y      |   Y
///   calls:write      |   Y   |   Y   |            |
///   campaigns:read   |   Y   |   Y   |     Y      |   Y
///   campaigns:write  |   Y   |   Y   |            |
///   live:read        |   Y   |   Y   |     Y      |   Y
///   live:control     |   Y   |   Y   |     Y      |
///   settings:read    |   Y   |   Y   |     Y      |   Y
///   settings:write   |   Y   |   Y   |            |
///   admin            |   Y   |   Y   |            |
///   -----------------|-------|-------|------------|-------
///   owner-only: members and roles, tier, delete workspace
///                    |   Y   |       |            |
///
/// Owner-only operations are not a scope: role_can_manage_workspace() checks
/// them, so no API key (whatever its scopes, even admin) can ever change
/// members, the tier or delete the workspace. A key holding `admin` is
/// allowed every scope (allows()). A member may grant a key only scopes they
/// hold themselves (can_grant()), so a key never exceeds its creator.
///
/// Threads: pure functions, safe from any thread.
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace voqo::access {

/// A member's role in one workspace.
enum class Role { owner, admin, supervisor, viewer };

/// The scopes, in the order of the table above (also their bit index).
enum class Scope {
  agents_read,
  agents_write,
  calls_read,
  calls_write,
  campaigns_read,
  campaigns_write,
  live_read,
  live_control,
  settings_read,
  settings_write,
  admin,
};
inline constexpr size_t kScopeCount = 11;

/// A set of scopes; bit i = Scope with value i.
using ScopeSet = std::bitset<kScopeCount>;

/// "owner", "admin", "supervisor", "viewer".
std::string_view to_string(Role role);
/// Parses a role name (exact, lowercase). Error: invalid_argument naming
/// field `field` with the unknown value in the message.
Result<Role> parse_role(std::string_view text, std::string_view field = "role");

/// "agents:read", ..., "settings:write", "admin".
std::string_view to_string(Scope scope);
/// Parses one scope string (exact). Error: invalid_argument naming field
/// `field`, message "unknown scope 'x'".
Result<Scope> parse_scope(std::string_view text, std::string_view field = "scopes");
/// Parses a list of scope strings (the API's `scopes` array); duplicates are
/// allowed and collapse. Error as parse_scope for the first unknown one, or
/// "at least one scope is required" for an empty list.
Result<ScopeSet> parse_scopes(const std::vector<std::string>& texts, std::string_view field = "scopes");
/// Parses a comma-separated list ("agents:read,calls:read", the CLI's
/// --scopes); blanks around commas are ignored; errors as parse_scopes.
Result<ScopeSet> parse_scope_list(std::string_view comma_separated, std::string_view field = "scopes");
/// The scope strings of `set`, in table order.
std::vector<std::string> to_strings(const ScopeSet& set);
/// One line of documentation for `scope` (the table's "grants" column).
std::string_view describe(Scope scope);

/// A set with exactly `scope`.
ScopeSet scope_set(Scope scope);
/// A set of every scope.
ScopeSet all_scopes();

/// The scopes a member with `role` holds: the role matrix above.
ScopeSet scopes_of(Role role);

/// True when `granted` permits an operation that needs `needed`: `needed`
/// is in the set, or the set holds `admin`.
bool allows(const ScopeSet& granted, Scope needed);

/// True for the owner-only operations (add, remove members and change roles;
/// change the tier; delete the workspace): the owner only. Keys never.
bool role_can_manage_workspace(Role role);

/// True when a member holding `granter` may create a key with `requested`:
/// every requested scope is allowed by granter (allows()).
bool can_grant(const ScopeSet& granter, const ScopeSet& requested);

}  // namespace voqo::access
