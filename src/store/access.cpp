#include "store/access.hpp"

#include "store/instruction_templates.hpp"
#include "store/script_templates.hpp"

#include "store/repository.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/id.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "store/settings.hpp"

namespace voqo::store {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u < 0x20 || u == 0x7f;
  });
}

/// A name shown to people: valid UTF-8, no control characters, `min`–`max` code points.
Result<std::string> checked_name(std::string_view given, std::string field, size_t min, size_t max) {
  const std::string_view s = trim(given);
  if (!is_valid_utf8(s) || has_control(s))
    return std::unexpected(Error::invalid(std::move(field), "must be text without control characters"));
  const size_t n = utf8_length(s);
  if (n < min || n > max)
    return std::unexpected(Error::invalid(
        std::move(field), "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters"));
  return std::string(s);
}

template <size_t N>
bool one_of(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

std::string normalize_email(std::string_view given) {
  std::string e(trim(given));
  for (auto& ch : e)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return e;
}

/// local@domain.tld: one '@', a non-empty local part of ≤ 64 bytes, a domain
/// with a dot that neither starts nor ends it and no empty label; no spaces
/// or control characters; ≤ 254 bytes (RFC 5321 §4.5.3.1).
bool plausible_email(std::string_view e) {
  if (e.size() < 3 || e.size() > 254 || !is_valid_utf8(e) || has_control(e)) return false;
  if (e.find_first_of(" \t") != std::string_view::npos) return false;
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string_view::npos)
    return false;
  const std::string_view domain = e.substr(at + 1);
  return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

/// An ISO-8601 time given by a caller, in the stored form (so text comparison
/// is time order). A system_clock time point (ns) ends in 2262: a later year
/// wraps around, which the year of the formatted result shows (an offset can
/// move it by one year at most), so such times are refused.
Result<std::string> checked_time(std::string_view given, std::string field) {
  auto tp = parse_iso8601(given);
  if (!tp) return std::unexpected(Error::invalid(std::move(field), "must be an ISO-8601 date and time"));
  std::string out = to_iso8601(*tp);
  const auto year = [](std::string_view s) { return std::atoi(std::string(s.substr(0, 4)).c_str()); };
  if (given.size() < 4 || out.size() < 4 || std::abs(year(given) - year(out)) > 1)
    return std::unexpected(Error::invalid(std::move(field), "must be a date before the year 2262"));
  return out;
}

Error missing(std::string field, std::string message) {
  Error e = Error::not_found(std::move(message));
  if (!field.empty()) e.fields.push_back({std::move(field), "not found"});
  return e;
}

/// A uniqueness clash reported by the database, named as the API names it.
Error clash(Error e, std::string field, std::string message) {
  if (e.code != ErrorCode::conflict) return e;
  return Error::conflict(std::move(field), std::move(message));
}

std::optional<std::string> opt_text(const Statement& st, int col) {
  const auto v = st.column_text(col);
  if (v.data() == nullptr) return std::nullopt;
  return std::string(v);
}

std::string text(const Statement& st, int col) { return std::string(st.column_text(col)); }

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json nullable_text(const Statement& st, int col) {
  const auto v = st.column_text(col);
  return v.data() == nullptr ? json(nullptr) : json(std::string(v));
}

void bind_optional(Statement& st, int i, const std::optional<std::string>& v) {
  if (v) st.bind_text(i, *v);
  else st.bind_null(i);
}

void bind_nonempty(Statement& st, int i, std::string_view v) {
  if (v.empty()) st.bind_null(i);
  else st.bind_text(i, v);
}

json parse_or(std::string_view text, json fallback) {
  auto v = json::parse(text, nullptr, false);
  return v.is_discarded() ? fallback : v;
}

/// Runs a statement that returns no rows.
Result<void> run(StatementRef& st) {
  if (auto r = st->step(); !r) return std::unexpected(r.error());
  return {};
}

/// Whether `sql` with one text parameter finds a row.
Result<bool> exists(Connection& c, std::string_view sql, std::string_view a) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, a);
  return (*st)->step();
}

constexpr std::string_view kWorkspaceColumns = "id, name, tier, limits, created_at, updated_at";
Workspace read_workspace(const Statement& st, int at = 0) {
  return Workspace{WorkspaceId(text(st, at)), text(st, at + 1),           text(st, at + 2),
                   parse_or(st.column_text(at + 3), json::object()), text(st, at + 4), text(st, at + 5)};
}

constexpr std::string_view kUserColumns =
    "id, email, display_name, password_hash, disabled, last_login_at, created_at";
User read_user(const Statement& st) {
  return User{text(st, 0),          text(st, 1),    text(st, 2), opt_text(st, 3), st.column_int(4) != 0,
              opt_text(st, 5),      text(st, 6)};
}

constexpr std::string_view kKeyColumns =
    "id, workspace_id, name, prefix, scopes, expires_at, rate_limit_per_second, last_used_at, revoked_at, "
    "created_by, created_at";
ApiKeyRecord read_key(const Statement& st) {
  ApiKeyRecord k;
  k.id = text(st, 0);
  k.workspace_id = WorkspaceId(text(st, 1));
  k.name = text(st, 2);
  k.prefix = text(st, 3);
  const json scopes = parse_or(st.column_text(4), json::array());
  if (scopes.is_array())
    for (const auto& s : scopes)
      if (s.is_string()) k.scopes.push_back(s.get<std::string>());
  k.expires_at = opt_text(st, 5);
  if (!st.is_null(6)) k.rate_limit_per_second = st.column_double(6);
  k.last_used_at = opt_text(st, 7);
  k.revoked_at = opt_text(st, 8);
  k.created_by = opt_text(st, 9);
  k.created_at = text(st, 10);
  return k;
}


/// Inserts a workspace and its default settings on `c`.
Result<Workspace> insert_workspace(Connection& c, const std::string& name, std::string_view tier) {
  const std::string now = now_iso8601();
  Workspace w{WorkspaceId(new_id()), name, std::string(tier), json::object(), now, now};
  auto st = c.prepare("INSERT INTO workspaces (id, name, tier, limits, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?)");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, w.id.value);
  (*st)->bind_text(2, w.name);
  (*st)->bind_text(3, w.tier);
  (*st)->bind_text(4, now);
  (*st)->bind_text(5, now);
  if (auto r = run(*st); !r)
    return std::unexpected(clash(r.error(), "name", "a workspace named '" + name + "' already exists"));
  if (auto r = SettingsRepository::insert_defaults(c, w.id); !r) return std::unexpected(r.error());
  // The built-in call scripts are rows of every workspace (issue 18 §5).
  if (auto r = ScriptTemplateRepository::seed_builtins(c, w.id); !r) return std::unexpected(r.error());
  // So are the system instruction templates (issue 19 §2).
  if (auto r = InstructionTemplateRepository::seed_builtins(c, w.id); !r) return std::unexpected(r.error());
  return w;
}

/// The number of owners of `ws`.
Result<int64_t> owner_count(Connection& c, const WorkspaceId& ws) {
  auto st = c.prepare("SELECT count(*) FROM workspace_members WHERE workspace_id = ? AND role = 'owner'");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  return (*st)->column_int(0);
}

Result<std::optional<std::string>> role_on(Connection& c, const WorkspaceId& ws, const std::string& user_id) {
  auto st = c.prepare("SELECT role FROM workspace_members WHERE workspace_id = ? AND user_id = ?");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, ws.value);
  (*st)->bind_text(2, user_id);
  auto row = (*st)->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(text(**st, 0));
}

Error not_a_member(const std::string& user_id) {
  return missing("userId", "user " + user_id + " is not a member of this workspace");
}

Error last_owner() {
  return Error::conflict("role", "the workspace's last owner cannot be demoted or removed; make another member owner first");
}

constexpr std::string_view kMemberSelect =
    "SELECT m.user_id, u.email, u.display_name, m.role, u.disabled, m.created_at "
    "FROM workspace_members m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ?";
json member_json(const Statement& st) {
  return json{{"userId", text(st, 0)},        {"email", text(st, 1)}, {"displayName", text(st, 2)},
              {"role", text(st, 3)},          {"disabled", st.column_int(4) != 0},
              {"createdAt", text(st, 5)}};
}

}  // namespace

// --- JSON -------------------------------------------------------------------

nlohmann::json to_json(const Workspace& w) {
  return json{{"id", w.id.value},         {"name", w.name},           {"tier", w.tier},
              {"limits", w.limits},       {"createdAt", w.created_at}, {"updatedAt", w.updated_at}};
}

nlohmann::json to_json(const User& u) {
  return json{{"id", u.id},
              {"email", u.email},
              {"displayName", u.display_name},
              {"hasPassword", u.password_hash.has_value()},
              {"disabled", u.disabled},
              {"lastLoginAt", nullable(u.last_login_at)},
              {"createdAt", u.created_at}};
}

nlohmann::json to_json(const ApiKeyRecord& k) {
  return json{{"id", k.id},
              {"workspaceId", k.workspace_id.value},
              {"name", k.name},
              {"prefix", k.prefix},
              {"scopes", k.scopes},
              {"expiresAt", nullable(k.expires_at)},
              {"rateLimitPerSecond", k.rate_limit_per_second ? json(*k.rate_limit_per_second) : json(nullptr)},
              {"lastUsedAt", nullable(k.last_used_at)},
              {"revokedAt", nullable(k.revoked_at)},
              {"createdBy", nullable(k.created_by)},
              {"createdAt", k.created_at}};
}

// --- Workspaces -------------------------------------------------------------

Result<Workspace> AccessRepository::create_workspace(std::string_view name, std::string_view tier) {
  auto n = checked_name(name, "name", 1, 100);
  if (!n) return std::unexpected(n.error());
  if (!one_of(tier, kTiers))
    return std::unexpected(Error::invalid("tier", "must be one of free, starter, premium, enterprise"));
  return db_.write([&](Connection& c) { return insert_workspace(c, *n, tier); });
}

Result<Workspace> AccessRepository::workspace(const WorkspaceId& id) {
  return db_.read([&](Connection& c) -> Result<Workspace> {
    auto st = c.prepare("SELECT " + std::string(kWorkspaceColumns) + " FROM workspaces WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, id.value);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(missing("", "workspace " + id.value + " not found"));
    return read_workspace(**st);
  });
}

Result<std::optional<Workspace>> AccessRepository::workspace_by_name(std::string_view name) {
  return db_.read([&](Connection& c) -> Result<std::optional<Workspace>> {
    auto st = c.prepare("SELECT " + std::string(kWorkspaceColumns) + " FROM workspaces WHERE name = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, trim(name));
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<Workspace>();
    return std::optional<Workspace>(read_workspace(**st));
  });
}

Result<std::vector<Workspace>> AccessRepository::workspaces() {
  return db_.read([&](Connection& c) -> Result<std::vector<Workspace>> {
    auto st = c.prepare("SELECT " + std::string(kWorkspaceColumns) + " FROM workspaces ORDER BY created_at, id");
    if (!st) return std::unexpected(st.error());
    std::vector<Workspace> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back(read_workspace(**st));
    }
    return out;
  });
}

Result<Workspace> AccessRepository::update_workspace(const WorkspaceId& id, const nlohmann::json& patch) {
  if (!patch.is_object()) return std::unexpected(Error::invalid("body", "must be a JSON object"));
  std::optional<std::string> name, tier, limits;
  for (const auto& [key, value] : patch.items()) {
    if (key == "name") {
      if (!value.is_string()) return std::unexpected(Error::invalid("name", "must be a string"));
      auto n = checked_name(value.get<std::string>(), "name", 1, 100);
      if (!n) return std::unexpected(n.error());
      name = std::move(*n);
    } else if (key == "tier") {
      if (!value.is_string() || !one_of(value.get<std::string>(), kTiers))
        return std::unexpected(Error::invalid("tier", "must be one of free, starter, premium, enterprise"));
      tier = value.get<std::string>();
    } else if (key == "limits") {
      if (value.is_null()) limits = "{}";
      else if (value.is_object()) limits = value.dump();
      else return std::unexpected(Error::invalid("limits", "must be an object"));
    } else {
      return std::unexpected(Error::invalid(key, "is not a field of a workspace (name, tier, limits)"));
    }
  }
  return db_.write([&](Connection& c) -> Result<Workspace> {
    auto st = c.prepare(
        "UPDATE workspaces SET name = coalesce(?, name), tier = coalesce(?, tier), limits = coalesce(?, limits), "
        "updated_at = ? WHERE id = ? RETURNING " +
        std::string(kWorkspaceColumns));
    if (!st) return std::unexpected(st.error());
    bind_optional(**st, 1, name);
    bind_optional(**st, 2, tier);
    bind_optional(**st, 3, limits);
    (*st)->bind_text(4, now_iso8601());
    (*st)->bind_text(5, id.value);
    auto row = (*st)->step();
    if (!row) return std::unexpected(clash(row.error(), "name", "a workspace named '" + name.value_or("") + "' already exists"));
    if (!*row) return std::unexpected(missing("", "workspace " + id.value + " not found"));
    Workspace w = read_workspace(**st);
    if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
    return w;
  });
}

Result<std::vector<std::string>> AccessRepository::delete_workspace(const WorkspaceId& id) {
  auto w = workspace(id);
  if (!w) return std::unexpected(w.error());
  if (w->name == kDefaultWorkspaceName)
    return std::unexpected(Error::conflict("id", "the Default workspace cannot be deleted"));
  return db_.write([&](Connection& c) -> Result<std::vector<std::string>> {
    auto one_column = [&](std::string_view sql, const std::string& arg) -> Result<std::vector<std::string>> {
      auto st = c.prepare(sql);
      if (!st) return std::unexpected(st.error());
      if (!arg.empty()) (*st)->bind_text(1, arg);
      std::vector<std::string> out;
      while (true) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return out;
        out.emplace_back((*st)->column_text(0));
      }
    };
    auto live = one_column("SELECT call_id FROM live_calls WHERE workspace_id = ? AND ended_at IS NULL", id.value);
    if (!live) return std::unexpected(live.error());
    if (!live->empty())
      return std::unexpected(Error::conflict("calls", std::to_string(live->size()) + " call(s) of this workspace are in progress"));
    auto calls = one_column("SELECT id FROM calls WHERE workspace_id = ?", id.value);
    if (!calls) return std::unexpected(calls.error());
    auto tables = one_column(
        "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.name <> 'workspaces' AND EXISTS "
        "(SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'workspace_id')",
        "");
    if (!tables) return std::unexpected(tables.error());
    // Rows of one workspace refer only to rows of the same workspace: with the
    // checks deferred to the commit, the order of the tables does not matter.
    if (auto r = c.exec("PRAGMA defer_foreign_keys = ON"); !r) return std::unexpected(r.error());
    for (const auto& t : *tables) {
      auto st = c.prepare("DELETE FROM \"" + t + "\" WHERE workspace_id = ?");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, id.value);
      if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    }
    auto st = c.prepare("DELETE FROM workspaces WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, id.value);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return *calls;
  });
}

Result<WorkspaceId> AccessRepository::default_workspace() {
  auto found = workspace_by_name(kDefaultWorkspaceName);
  if (!found) return std::unexpected(found.error());
  if (*found) return (*found)->id;
  return db_.write([&](Connection& c) -> Result<WorkspaceId> {
    // Looked up again inside the write: another thread may have created it meanwhile.
    auto st = c.prepare("SELECT id FROM workspaces WHERE name = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, kDefaultWorkspaceName);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (*row) return WorkspaceId(text(**st, 0));
    auto w = insert_workspace(c, std::string(kDefaultWorkspaceName), "enterprise");
    if (!w) return std::unexpected(w.error());
    return w->id;
  });
}

// --- Users ------------------------------------------------------------------

Result<User> AccessRepository::create_user(std::string_view email, std::string_view display_name) {
  const std::string e = normalize_email(email);
  if (!plausible_email(e))
    return std::unexpected(Error::invalid("email", "must be an email address (local@domain.tld, at most 254 characters)"));
  auto name = checked_name(display_name, "displayName", 0, 100);
  if (!name) return std::unexpected(name.error());
  const std::string now = now_iso8601();
  User u{new_id(), e, *name, std::nullopt, false, std::nullopt, now};
  return db_.write([&](Connection& c) -> Result<User> {
    auto st = c.prepare(
        "INSERT INTO users (id, email, display_name, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, u.id);
    (*st)->bind_text(2, u.email);
    (*st)->bind_text(3, u.display_name);
    (*st)->bind_text(4, now);
    (*st)->bind_text(5, now);
    if (auto r = run(*st); !r)
      return std::unexpected(clash(r.error(), "email", "a user with email " + u.email + " already exists"));
    return u;
  });
}

Result<std::optional<User>> AccessRepository::user_by_email(std::string_view email) {
  const std::string e = normalize_email(email);
  return db_.read([&](Connection& c) -> Result<std::optional<User>> {
    auto st = c.prepare("SELECT " + std::string(kUserColumns) + " FROM users WHERE email = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, e);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<User>();
    return std::optional<User>(read_user(**st));
  });
}

Result<User> AccessRepository::user(const std::string& id) {
  return db_.read([&](Connection& c) -> Result<User> {
    auto st = c.prepare("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(missing("", "user " + id + " not found"));
    return read_user(**st);
  });
}

Result<void> AccessRepository::set_password_hash(const std::string& id, std::string_view hash) {
  if (hash.empty()) return std::unexpected(Error::invalid("password", "hash is empty"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, hash);
    (*st)->bind_text(2, now_iso8601());
    (*st)->bind_text(3, id);
    if (auto r = run(*st); !r) return r;
    if (c.changes() == 0) return std::unexpected(missing("", "user " + id + " not found"));
    return {};
  });
}

Result<void> AccessRepository::set_disabled(const std::string& id, bool disabled) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_int(1, disabled ? 1 : 0);
    (*st)->bind_text(2, now_iso8601());
    (*st)->bind_text(3, id);
    if (auto r = run(*st); !r) return r;
    if (c.changes() == 0) return std::unexpected(missing("", "user " + id + " not found"));
    if (!disabled) return {};
    auto end = c.prepare("DELETE FROM auth_sessions WHERE user_id = ?");
    if (!end) return std::unexpected(end.error());
    (*end)->bind_text(1, id);
    return run(*end);
  });
}

Result<void> AccessRepository::touch_login(const std::string& id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare("UPDATE users SET last_login_at = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now_iso8601());
    (*st)->bind_text(2, id);
    if (auto r = run(*st); !r) return r;
    if (c.changes() == 0) return std::unexpected(missing("", "user " + id + " not found"));
    return {};
  });
}

Result<bool> AccessRepository::any_user() {
  return db_.read([](Connection& c) -> Result<bool> {
    auto st = c.prepare("SELECT 1 FROM users LIMIT 1");
    if (!st) return std::unexpected(st.error());
    return (*st)->step();
  });
}

// --- Members ----------------------------------------------------------------

Result<void> AccessRepository::add_member(const WorkspaceId& ws, const std::string& user_id, std::string_view role) {
  if (!one_of(role, kRoles))
    return std::unexpected(Error::invalid("role", "must be one of owner, admin, supervisor, viewer"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto has_ws = exists(c, "SELECT 1 FROM workspaces WHERE id = ?", ws.value);
    if (!has_ws) return std::unexpected(has_ws.error());
    if (!*has_ws) return std::unexpected(missing("", "workspace " + ws.value + " not found"));
    auto has_user = exists(c, "SELECT 1 FROM users WHERE id = ?", user_id);
    if (!has_user) return std::unexpected(has_user.error());
    if (!*has_user) return std::unexpected(missing("userId", "user " + user_id + " not found"));
    const std::string now = now_iso8601();
    auto st = c.prepare(
        "INSERT INTO workspace_members (workspace_id, user_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, user_id);
    (*st)->bind_text(3, role);
    (*st)->bind_text(4, now);
    (*st)->bind_text(5, now);
    if (auto r = run(*st); !r)
      return std::unexpected(clash(r.error(), "userId", "user " + user_id + " is already a member of this workspace"));
    return {};
  });
}

Result<std::optional<std::string>> AccessRepository::role_of(const WorkspaceId& ws, const std::string& user_id) {
  return db_.read([&](Connection& c) { return role_on(c, ws, user_id); });
}

Result<nlohmann::json> AccessRepository::members(const WorkspaceId& ws) {
  return db_.read([&](Connection& c) -> Result<json> {
    auto st = c.prepare(std::string(kMemberSelect) + " ORDER BY m.created_at, m.user_id");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    json out = json::array();
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back(member_json(**st));
    }
    return out;
  });
}

Result<nlohmann::json> AccessRepository::update_member_role(const WorkspaceId& ws, const std::string& user_id,
                                                            std::string_view role) {
  if (!one_of(role, kRoles))
    return std::unexpected(Error::invalid("role", "must be one of owner, admin, supervisor, viewer"));
  return db_.write([&](Connection& c) -> Result<json> {
    auto current = role_on(c, ws, user_id);
    if (!current) return std::unexpected(current.error());
    if (!*current) return std::unexpected(not_a_member(user_id));
    if (**current == "owner" && role != "owner") {
      auto owners = owner_count(c, ws);
      if (!owners) return std::unexpected(owners.error());
      if (*owners <= 1) return std::unexpected(last_owner());
    }
    auto st = c.prepare("UPDATE workspace_members SET role = ?, updated_at = ? WHERE workspace_id = ? AND user_id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, role);
    (*st)->bind_text(2, now_iso8601());
    (*st)->bind_text(3, ws.value);
    (*st)->bind_text(4, user_id);
    if (auto r = run(*st); !r) return std::unexpected(r.error());
    auto get = c.prepare(std::string(kMemberSelect) + " AND m.user_id = ?");
    if (!get) return std::unexpected(get.error());
    (*get)->bind_text(1, ws.value);
    (*get)->bind_text(2, user_id);
    auto row = (*get)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(not_a_member(user_id));
    return member_json(**get);
  });
}

Result<void> AccessRepository::remove_member(const WorkspaceId& ws, const std::string& user_id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto current = role_on(c, ws, user_id);
    if (!current) return std::unexpected(current.error());
    if (!*current) return std::unexpected(not_a_member(user_id));
    if (**current == "owner") {
      auto owners = owner_count(c, ws);
      if (!owners) return std::unexpected(owners.error());
      if (*owners <= 1) return std::unexpected(last_owner());
    }
    auto st = c.prepare("DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, user_id);
    return run(*st);
  });
}

Result<std::vector<std::pair<Workspace, std::string>>> AccessRepository::memberships(const std::string& user_id) {
  return db_.read([&](Connection& c) -> Result<std::vector<std::pair<Workspace, std::string>>> {
    auto st = c.prepare(
        "SELECT w.id, w.name, w.tier, w.limits, w.created_at, w.updated_at, m.role "
        "FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? "
        "ORDER BY m.created_at, w.id");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, user_id);
    std::vector<std::pair<Workspace, std::string>> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.emplace_back(read_workspace(**st), text(**st, 6));
    }
    return out;
  });
}

// --- API keys ---------------------------------------------------------------

Result<ApiKeyRecord> AccessRepository::create_api_key(const WorkspaceId& ws, std::string_view name,
                                                      std::string_view prefix, std::string_view key_hash,
                                                      const std::vector<std::string>& scopes,
                                                      const std::optional<std::string>& expires_at,
                                                      std::optional<double> rate_limit_per_second,
                                                      const std::optional<std::string>& created_by) {
  ApiKeyRecord k;
  auto n = checked_name(name, "name", 1, 100);
  if (!n) return std::unexpected(n.error());
  k.name = std::move(*n);
  if (prefix.empty() || key_hash.empty())
    return std::unexpected(Error::invalid("key", "the key's prefix and hash must not be empty"));
  for (const auto& s : scopes) {
    if (s.empty() || !is_valid_utf8(s) || has_control(s))
      return std::unexpected(Error::invalid("scopes", "must be a list of scope names"));
    if (std::find(k.scopes.begin(), k.scopes.end(), s) == k.scopes.end()) k.scopes.push_back(s);
  }
  if (expires_at) {
    auto t = checked_time(*expires_at, "expiresAt");
    if (!t) return std::unexpected(t.error());
    k.expires_at = std::move(*t);
  }
  if (rate_limit_per_second && !(std::isfinite(*rate_limit_per_second) && *rate_limit_per_second > 0))
    return std::unexpected(Error::invalid("rateLimitPerSecond", "must be a number greater than 0"));
  k.rate_limit_per_second = rate_limit_per_second;
  k.id = new_id();
  k.workspace_id = ws;
  k.prefix = std::string(prefix);
  k.created_by = created_by;
  k.created_at = now_iso8601();
  return db_.write([&](Connection& c) -> Result<ApiKeyRecord> {
    auto has_ws = exists(c, "SELECT 1 FROM workspaces WHERE id = ?", ws.value);
    if (!has_ws) return std::unexpected(has_ws.error());
    if (!*has_ws) return std::unexpected(missing("", "workspace " + ws.value + " not found"));
    auto st = c.prepare(
        "INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, scopes, expires_at, rate_limit_per_second, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, k.id);
    s.bind_text(2, ws.value);
    s.bind_text(3, k.name);
    s.bind_text(4, k.prefix);
    s.bind_text(5, key_hash);
    s.bind_text(6, json(k.scopes).dump());
    bind_optional(s, 7, k.expires_at);
    if (k.rate_limit_per_second) s.bind_double(8, *k.rate_limit_per_second);
    else s.bind_null(8);
    bind_optional(s, 9, k.created_by);
    s.bind_text(10, k.created_at);
    s.bind_text(11, k.created_at);
    if (auto r = run(*st); !r) return std::unexpected(clash(r.error(), "key", "a key with this hash already exists"));
    return k;
  });
}

Result<std::optional<ApiKeyRecord>> AccessRepository::api_key_by_hash(std::string_view key_hash) {
  return db_.read([&](Connection& c) -> Result<std::optional<ApiKeyRecord>> {
    auto st = c.prepare("SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE key_hash = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, key_hash);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<ApiKeyRecord>();
    return std::optional<ApiKeyRecord>(read_key(**st));
  });
}

Result<ApiKeyRecord> AccessRepository::api_key(const WorkspaceId& ws, const std::string& id) {
  return db_.read([&](Connection& c) -> Result<ApiKeyRecord> {
    auto st = c.prepare("SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE workspace_id = ? AND id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(missing("", "API key " + id + " not found"));
    return read_key(**st);
  });
}

Result<nlohmann::json> AccessRepository::api_keys(const WorkspaceId& ws) {
  return db_.read([&](Connection& c) -> Result<json> {
    auto st = c.prepare("SELECT " + std::string(kKeyColumns) +
                        " FROM api_keys WHERE workspace_id = ? ORDER BY created_at DESC, id DESC");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    json out = json::array();
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back(to_json(read_key(**st)));
    }
    return out;
  });
}

Result<ApiKeyRecord> AccessRepository::revoke_api_key(const WorkspaceId& ws, const std::string& id) {
  return db_.write([&](Connection& c) -> Result<ApiKeyRecord> {
    const std::string now = now_iso8601();
    auto st = c.prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?), updated_at = ? "
                        "WHERE workspace_id = ? AND id = ? RETURNING " +
                        std::string(kKeyColumns));
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now);
    (*st)->bind_text(2, now);
    (*st)->bind_text(3, ws.value);
    (*st)->bind_text(4, id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(missing("", "API key " + id + " not found"));
    ApiKeyRecord k = read_key(**st);
    if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
    return k;
  });
}

void AccessRepository::touch_api_key_later(const std::string& id) {
  {
    std::lock_guard lock(touch_mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto [it, inserted] = touched_.try_emplace(id, now);
    if (!inserted) {
      if (now - it->second < kTouchInterval) return;
      it->second = now;
    }
  }
  db_.write_deferred(
      [id, at = now_iso8601()](Connection& c) -> Result<void> {
        auto st = c.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)");
        if (!st) return std::unexpected(st.error());
        (*st)->bind_text(1, at);
        (*st)->bind_text(2, id);
        (*st)->bind_text(3, at);
        return run(*st);
      },
      "API key last use");
}

Result<std::vector<std::string>> AccessRepository::revoked_key_ids_since(std::string_view since) {
  auto t = checked_time(since, "since");
  if (!t) return std::unexpected(t.error());
  return db_.read([&](Connection& c) -> Result<std::vector<std::string>> {
    auto st = c.prepare("SELECT id FROM api_keys WHERE revoked_at >= ? ORDER BY revoked_at, id");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, *t);
    std::vector<std::string> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back(text(**st, 0));
    }
    return out;
  });
}

// --- Sessions ---------------------------------------------------------------

Result<void> AccessRepository::create_session(const std::string& user_id, std::string_view token_hash,
                                              std::string_view expires_at, std::string_view address,
                                              std::string_view user_agent) {
  auto expires = checked_time(expires_at, "expiresAt");
  if (!expires) return std::unexpected(expires.error());
  if (token_hash.empty()) return std::unexpected(Error::invalid("token", "hash is empty"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto has_user = exists(c, "SELECT 1 FROM users WHERE id = ?", user_id);
    if (!has_user) return std::unexpected(has_user.error());
    if (!*has_user) return std::unexpected(missing("userId", "user " + user_id + " not found"));
    auto st = c.prepare(
        "INSERT INTO auth_sessions (id, token_hash, user_id, address, user_agent, expires_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, new_id());
    (*st)->bind_text(2, token_hash);
    (*st)->bind_text(3, user_id);
    bind_nonempty(**st, 4, address);
    bind_nonempty(**st, 5, user_agent);
    (*st)->bind_text(6, *expires);
    (*st)->bind_text(7, now_iso8601());
    if (auto r = run(*st); !r) return std::unexpected(clash(r.error(), "token", "a session with this token exists"));
    return {};
  });
}

Result<std::optional<std::pair<std::string, std::string>>> AccessRepository::session_by_hash(
    std::string_view token_hash) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  return db_.read([&](Connection& c) -> Result<Found> {
    auto st = c.prepare(
        "SELECT s.user_id, s.expires_at FROM auth_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, token_hash);
    (*st)->bind_text(2, now_iso8601());
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Found();
    return Found(std::pair(text(**st, 0), text(**st, 1)));
  });
}

Result<void> AccessRepository::delete_session(std::string_view token_hash) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare("DELETE FROM auth_sessions WHERE token_hash = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, token_hash);
    return run(*st);
  });
}

Result<int> AccessRepository::delete_expired_sessions() {
  return db_.write([&](Connection& c) -> Result<int> {
    auto st = c.prepare("DELETE FROM auth_sessions WHERE expires_at <= ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now_iso8601());
    if (auto r = run(*st); !r) return std::unexpected(r.error());
    return static_cast<int>(c.changes());
  });
}

// --- One-time links ---------------------------------------------------------

Result<void> AccessRepository::create_login_token(const std::string& user_id, std::string_view token_hash,
                                                  std::string_view purpose, std::string_view expires_at) {
  if (purpose != "sign_in" && purpose != "set_password")
    return std::unexpected(Error::invalid("purpose", "must be sign_in or set_password"));
  auto expires = checked_time(expires_at, "expiresAt");
  if (!expires) return std::unexpected(expires.error());
  if (token_hash.empty()) return std::unexpected(Error::invalid("token", "hash is empty"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto has_user = exists(c, "SELECT 1 FROM users WHERE id = ?", user_id);
    if (!has_user) return std::unexpected(has_user.error());
    if (!*has_user) return std::unexpected(missing("userId", "user " + user_id + " not found"));
    auto st = c.prepare(
        "INSERT INTO login_tokens (id, token_hash, user_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, new_id());
    (*st)->bind_text(2, token_hash);
    (*st)->bind_text(3, user_id);
    (*st)->bind_text(4, purpose);
    (*st)->bind_text(5, *expires);
    (*st)->bind_text(6, now_iso8601());
    if (auto r = run(*st); !r) return std::unexpected(clash(r.error(), "token", "a link with this token exists"));
    return {};
  });
}

Result<std::optional<std::pair<std::string, std::string>>> AccessRepository::consume_login_token(
    std::string_view token_hash, std::string_view only_purpose) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  return db_.write([&](Connection& c) -> Result<Found> {
    const std::string now = now_iso8601();
    auto st = c.prepare(
        "UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? "
        "AND (? = '' OR purpose = ?) RETURNING user_id, purpose");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now);
    (*st)->bind_text(2, token_hash);
    (*st)->bind_text(3, now);
    (*st)->bind_text(4, only_purpose);
    (*st)->bind_text(5, only_purpose);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Found();
    Found found(std::pair(text(**st, 0), text(**st, 1)));
    if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
    return found;
  });
}

Result<int> AccessRepository::delete_spent_login_tokens() {
  return db_.write([&](Connection& c) -> Result<int> {
    auto st = c.prepare("DELETE FROM login_tokens WHERE used_at IS NOT NULL OR expires_at <= ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, now_iso8601());
    if (auto r = run(*st); !r) return std::unexpected(r.error());
    return static_cast<int>(c.changes());
  });
}

// --- Audit log --------------------------------------------------------------

Result<void> AccessRepository::audit(const AuditEntry& e) {
  constexpr std::string_view kActors[] = {"user", "key", "cli", "system", "anonymous"};
  if (!one_of(e.actor_type, kActors))
    return std::unexpected(Error::invalid("actorType", "must be one of user, key, cli, system, anonymous"));
  if (e.action.empty()) return std::unexpected(Error::invalid("action", "must not be empty"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto has_ws = exists(c, "SELECT 1 FROM workspaces WHERE id = ?", e.ws.value);
    if (!has_ws) return std::unexpected(has_ws.error());
    if (!*has_ws) return std::unexpected(missing("", "workspace " + e.ws.value + " not found"));
    auto st = c.prepare(
        "INSERT INTO audit_log (id, workspace_id, actor_type, actor_id, actor_name, action, object_type, object_id, "
        "details, address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, new_id());
    s.bind_text(2, e.ws.value);
    s.bind_text(3, e.actor_type);
    bind_nonempty(s, 4, e.actor_id);
    bind_nonempty(s, 5, e.actor_name);
    s.bind_text(6, e.action);
    bind_nonempty(s, 7, e.object_type);
    bind_nonempty(s, 8, e.object_id);
    s.bind_text(9, e.details.is_null() ? std::string("{}") : e.details.dump());
    bind_nonempty(s, 10, e.address);
    s.bind_text(11, now_iso8601());
    return run(*st);
  });
}

Result<nlohmann::json> AccessRepository::audit_log(const WorkspaceId& ws, uint32_t limit, std::string_view cursor,
                                                   const std::optional<std::string>& action) {
  limit = std::clamp<uint32_t>(limit, 1, 500);
  std::string sql =
      "SELECT id, actor_type, actor_id, actor_name, action, object_type, object_id, details, address, created_at "
      "FROM audit_log WHERE workspace_id = ?";
  std::vector<std::string> args{ws.value};
  if (action) {
    sql += " AND action = ?";
    args.push_back(*action);
  }
  if (!cursor.empty()) {
    auto decoded = decode_cursor(cursor);
    if (!decoded) return std::unexpected(decoded.error());
    sql += " AND (created_at < ? OR (created_at = ? AND id < ?))";
    args.push_back(decoded->first);
    args.push_back(decoded->first);
    args.push_back(decoded->second);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(limit + 1);
  return db_.read([&](Connection& c) -> Result<json> {
    auto st = c.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (size_t i = 0; i < args.size(); ++i) (*st)->bind_text(static_cast<int>(i + 1), args[i]);
    json out{{"items", json::array()}, {"nextCursor", nullptr}};
    auto& items = out["items"];
    std::string last_key, last_id;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      if (items.size() == limit) {  // another row follows the page
        out["nextCursor"] = encode_cursor(last_key, last_id);
        break;
      }
      const auto& s = **st;
      items.push_back(json{{"id", text(s, 0)},
                           {"actorType", text(s, 1)},
                           {"actorId", nullable_text(s, 2)},
                           {"actorName", nullable_text(s, 3)},
                           {"action", text(s, 4)},
                           {"objectType", nullable_text(s, 5)},
                           {"objectId", nullable_text(s, 6)},
                           {"details", parse_or(s.column_text(7), json::object())},
                           {"address", nullable_text(s, 8)},
                           {"createdAt", text(s, 9)}});
      last_key = text(s, 9);
      last_id = text(s, 0);
    }
    return out;
  });
}

}  // namespace voqo::store
