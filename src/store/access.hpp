#pragma once
/// The access tables of schema version 7 (issue 16): workspaces, users,
/// workspace members and their roles, API keys, dashboard sign-in sessions,
/// one-time sign-in / set-password links and the per-workspace audit log.
/// All their SQL lives here; the rules above the rows (scopes, the role
/// matrix, tier limits, key format, hashing, rate limits) live in access/.
///
/// Secrets: API keys, session tokens and one-time link tokens are given to
/// this repository as hashes only (the caller hashes; this class never sees
/// a secret), and a key's hash is never returned in JSON.
///
/// Time: every timestamp is ISO-8601 UTC text with milliseconds
/// (core/time.hpp), which sorts chronologically, so "unexpired" is a text
/// comparison with now_iso8601(). Timestamps given by callers are parsed
/// (RFC 3339 profile) and stored in that form.
///
/// Errors are values: 404 (not_found) when the addressed row does not exist
/// in the given workspace, 409 (conflict) naming the field for a uniqueness
/// or state rule, 422 (invalid_argument) naming the field for a bad value.
/// Field names are the API's camelCase ones.
///
/// Threads: any thread; reads on the caller's read connection, writes through
/// Database::write (touch_api_key_later through Database::write_deferred).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

/// A workspace (table `workspaces`): the tenant.
struct Workspace {
  WorkspaceId id;
  std::string name;        ///< 1–100 characters, unique server-wide
  std::string tier;        ///< free | starter | premium | enterprise
  nlohmann::json limits;   ///< per-workspace overrides of the tier's limits (an object; {} = the tier's)
  std::string created_at;
  std::string updated_at;
};
/// {id, name, tier, limits, createdAt, updatedAt}.
nlohmann::json to_json(const Workspace& w);

/// A user (table `users`). A user reaches workspaces through memberships.
struct User {
  std::string id;
  std::string email;  ///< trimmed, lower-case, unique
  std::string display_name;
  std::optional<std::string> password_hash;  ///< Argon2id string (libsodium's crypto_pwhash_str); none until set
  bool disabled = false;
  std::optional<std::string> last_login_at;
  std::string created_at;
};
/// {id, email, displayName, hasPassword, disabled, lastLoginAt, createdAt} — never the hash.
nlohmann::json to_json(const User& u);

/// An API key's row (table `api_keys`); the key itself is never stored.
struct ApiKeyRecord {
  std::string id;
  WorkspaceId workspace_id;
  std::string name;
  std::string prefix;  ///< the key's first characters, for display ("ak_…")
  std::vector<std::string> scopes;
  std::optional<std::string> expires_at;
  std::optional<double> rate_limit_per_second;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> created_by;  ///< user id (or "cli") that created it
  std::string created_at;
};
/// {id, workspaceId, name, prefix, scopes, expiresAt, rateLimitPerSecond,
/// lastUsedAt, revokedAt, createdBy, createdAt} (absent optionals are null) —
/// never the hash.
nlohmann::json to_json(const ApiKeyRecord& k);

/// One audit-log entry to write (table `audit_log`).
struct AuditEntry {
  WorkspaceId ws;
  std::string actor_type;   ///< user | key | cli | system | anonymous
  std::string actor_id;     ///< user or key id ("" = none)
  std::string actor_name;   ///< email, key name… as it was at the time ("" = none)
  std::string action;       ///< e.g. "auth.login", "key.create", "member.role" (required)
  std::string object_type;  ///< "" = none
  std::string object_id;    ///< "" = none
  nlohmann::json details = nlohmann::json::object();
  std::string address;      ///< client IP address ("" = none)
};

/// The roles, strongest first (issue 16 §2).
inline constexpr std::string_view kRoles[] = {"owner", "admin", "supervisor", "viewer"};
/// The tiers (issue 16 §1).
inline constexpr std::string_view kTiers[] = {"free", "starter", "premium", "enterprise"};
/// The name of the workspace an existing database migrates into.
inline constexpr std::string_view kDefaultWorkspaceName = "Default";

class AccessRepository {
 public:
  explicit AccessRepository(Database& db) : db_(db) {}

  // --- Workspaces -------------------------------------------------------

  /// Creates a workspace and, in the same transaction, its default settings.
  /// `name`: 1–100 characters after trimming spaces (422 naming `name`),
  /// unique (409 naming `name`); `tier`: one of kTiers (422 naming `tier`).
  Result<Workspace> create_workspace(std::string_view name, std::string_view tier);
  /// The workspace with `id`. Errors: 404.
  Result<Workspace> workspace(const WorkspaceId& id);
  /// The workspace named exactly `name` (after trimming), or nullopt.
  Result<std::optional<Workspace>> workspace_by_name(std::string_view name);
  /// Every workspace, oldest first.
  Result<std::vector<Workspace>> workspaces();
  /// Applies `patch` {name?, tier?, limits?} (limits: an object, or null for
  /// {}; its members are checked by access/, not here). Returns the updated
  /// workspace. Errors: patch not an object or an unknown member (422 naming
  /// it), bad name or tier (422), name taken (409 naming `name`), 404.
  Result<Workspace> update_workspace(const WorkspaceId& id, const nlohmann::json& patch);
  /// Deletes a workspace and every row it owns, in every table that carries
  /// `workspace_id` (found in the schema, so a table added later is included),
  /// in one transaction. Returns the ids of its calls (their recordings are
  /// files the caller removes). Errors: 404; the Default workspace (409 naming
  /// `id`); a call in progress (409 naming `calls`).
  Result<std::vector<std::string>> delete_workspace(const WorkspaceId& id);
  /// The workspace named "Default" (kDefaultWorkspaceName), created (tier
  /// enterprise, with its default settings) when there is none — migration 7
  /// creates it, so this only creates it again after it was renamed.
  Result<WorkspaceId> default_workspace();

  // --- Users ------------------------------------------------------------

  /// Creates a user with no password. `email` is trimmed and lower-cased and
  /// must look like local@domain.tld, ≤ 254 characters (422 naming `email`);
  /// unique (409 naming `email`). `display_name` ≤ 100 characters (422
  /// naming `displayName`).
  Result<User> create_user(std::string_view email, std::string_view display_name);
  /// The user with this email (normalised as create_user does), or nullopt.
  Result<std::optional<User>> user_by_email(std::string_view email);
  /// The user with `id`. Errors: 404.
  Result<User> user(const std::string& id);
  /// Stores `hash` (an Argon2id string made by the caller). Errors: 404.
  Result<void> set_password_hash(const std::string& id, std::string_view hash);
  /// Disables or enables a user. Disabling also ends every sign-in session of
  /// the user (in the same transaction). Errors: 404.
  Result<void> set_disabled(const std::string& id, bool disabled);
  /// Sets last_login_at to now. Errors: 404.
  Result<void> touch_login(const std::string& id);
  /// Whether any user exists (`voqo serve` on a non-loopback address refuses
  /// to start while none does).
  Result<bool> any_user();

  // --- Members ----------------------------------------------------------

  /// Makes user `user_id` a member of `ws` with `role` (one of kRoles, 422
  /// naming `role`). Errors: no such workspace (404) or user (404 naming
  /// `userId`); already a member (409 naming `userId`).
  Result<void> add_member(const WorkspaceId& ws, const std::string& user_id, std::string_view role);
  /// The user's role in `ws`, or nullopt when not a member.
  Result<std::optional<std::string>> role_of(const WorkspaceId& ws, const std::string& user_id);
  /// The members of `ws`, oldest membership first: an array of
  /// {userId, email, displayName, role, disabled, createdAt} (createdAt: when
  /// the membership began).
  Result<nlohmann::json> members(const WorkspaceId& ws);
  /// Changes a member's role; returns the member as members() shows it.
  /// Errors: bad role (422 naming `role`), not a member (404), demoting the
  /// workspace's last owner (409 naming `role`).
  Result<nlohmann::json> update_member_role(const WorkspaceId& ws, const std::string& user_id, std::string_view role);
  /// Ends a membership. Errors: not a member (404), the workspace's last
  /// owner (409 naming `role`).
  Result<void> remove_member(const WorkspaceId& ws, const std::string& user_id);
  /// The user's workspaces with the role in each, oldest membership first.
  Result<std::vector<std::pair<Workspace, std::string>>> memberships(const std::string& user_id);

  // --- API keys ---------------------------------------------------------

  /// Stores a new key of `ws` by its hash. `name`: 1–100 characters (422
  /// naming `name`); `scopes`: non-empty strings, duplicates dropped (422
  /// naming `scopes`; which names are valid is access/'s rule);
  /// `expires_at`: ISO-8601 (422 naming `expiresAt`); `rate_limit_per_second`:
  /// finite and > 0 (422 naming `rateLimitPerSecond`); `prefix` and
  /// `key_hash` non-empty. Errors also: no such workspace (404), the hash
  /// exists already (409 naming `key`).
  Result<ApiKeyRecord> create_api_key(const WorkspaceId& ws, std::string_view name, std::string_view prefix,
                                      std::string_view key_hash, const std::vector<std::string>& scopes,
                                      const std::optional<std::string>& expires_at,
                                      std::optional<double> rate_limit_per_second,
                                      const std::optional<std::string>& created_by);
  /// The key whose hash is `key_hash`, or nullopt — whatever its state: the
  /// caller refuses a revoked (revoked_at set) or expired (expires_at ≤ now)
  /// key itself, so it can say which.
  Result<std::optional<ApiKeyRecord>> api_key_by_hash(std::string_view key_hash);
  /// One key of `ws`. Errors: 404 (also for another workspace's key).
  Result<ApiKeyRecord> api_key(const WorkspaceId& ws, const std::string& id);
  /// The keys of `ws`, newest first, revoked ones included: an array of to_json(ApiKeyRecord).
  Result<nlohmann::json> api_keys(const WorkspaceId& ws);
  /// Revokes a key of `ws` (revoked_at = now; revoking again keeps the first
  /// time). Returns the key. Errors: 404 (also for another workspace's key).
  Result<ApiKeyRecord> revoke_api_key(const WorkspaceId& ws, const std::string& id);
  /// Records that key `id` was just used: last_used_at = now, written through
  /// Database::write_deferred (no commit of its own), at most once per
  /// kTouchInterval per key in this process (later calls inside the interval
  /// write nothing). Never fails; a failed write is logged.
  void touch_api_key_later(const std::string& id);
  static constexpr std::chrono::seconds kTouchInterval{60};
  /// Ids of keys revoked at or after `since` (ISO-8601), oldest revocation
  /// first: other threads (and nodes) poll it to close the WebSockets opened
  /// with those keys. Errors: `since` not ISO-8601 (422 naming `since`).
  Result<std::vector<std::string>> revoked_key_ids_since(std::string_view since);

  // --- Sign-in sessions -------------------------------------------------

  /// Stores a dashboard session by its token's hash. `expires_at`: ISO-8601
  /// (422 naming `expiresAt`); `address`, `user_agent` may be "". Errors: no
  /// such user (404 naming `userId`).
  Result<void> create_session(const std::string& user_id, std::string_view token_hash, std::string_view expires_at,
                              std::string_view address, std::string_view user_agent);
  /// The session's {user id, expires_at} when it exists, has not expired and
  /// its user is not disabled; otherwise nullopt.
  Result<std::optional<std::pair<std::string, std::string>>> session_by_hash(std::string_view token_hash);
  /// Ends a session (logout). No error when there is none.
  Result<void> delete_session(std::string_view token_hash);
  /// Deletes every expired session; returns how many.
  Result<int> delete_expired_sessions();

  // --- One-time links ---------------------------------------------------

  /// Stores a one-time sign-in or set-password link by its token's hash.
  /// `purpose`: sign_in | set_password (422 naming `purpose`); `expires_at`:
  /// ISO-8601 (422 naming `expiresAt`). Errors: no such user (404 naming `userId`).
  Result<void> create_login_token(const std::string& user_id, std::string_view token_hash, std::string_view purpose,
                                  std::string_view expires_at);
  /// Uses a link: marks it used and returns {user id, purpose} only when it
  /// exists, was not used and has not expired — atomically (one UPDATE … WHERE
  /// used_at IS NULL AND expires_at > now RETURNING), so two requests with
  /// the same token cannot both succeed. Otherwise nullopt.
  /// With `only_purpose` set, a link of another purpose is left unused (and
  /// nullopt returned): a sign-in without a password cannot spend a
  /// set-password link.
  Result<std::optional<std::pair<std::string, std::string>>> consume_login_token(std::string_view token_hash,
                                                                                 std::string_view only_purpose = "");
  /// Deletes links that have expired or were used; returns how many.
  Result<int> delete_spent_login_tokens();

  // --- Audit log --------------------------------------------------------

  /// Appends an entry (created_at = now). Errors: bad actor_type (422 naming
  /// `actorType`), empty action (422 naming `action`), no such workspace (404).
  Result<void> audit(const AuditEntry& e);
  /// A page of `ws`'s audit log, newest first: {items: [{id, actorType,
  /// actorId, actorName, action, objectType, objectId, details, address,
  /// createdAt}], nextCursor: string|null}. `limit` is clamped to 1–500;
  /// `cursor` is the previous page's nextCursor ("" = first page; a foreign
  /// string is 422 naming `cursor`); `action`, when set, keeps only entries
  /// with that action. Absent text fields are null.
  Result<nlohmann::json> audit_log(const WorkspaceId& ws, uint32_t limit, std::string_view cursor,
                                   const std::optional<std::string>& action = std::nullopt);

 private:
  Database& db_;
  std::mutex touch_mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> touched_;  ///< key id → last touch
};

}  // namespace voqo::store
