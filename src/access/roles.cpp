#include "access/roles.hpp"

#include <array>

namespace voqo::access {

namespace {

struct ScopeInfo {
  Scope scope;
  std::string_view name;
  std::string_view description;
};

constexpr std::array<ScopeInfo, kScopeCount> kScopes{{
    {Scope::agents_read, "agents:read", "read agents, agent configurations, custom functions"},
    {Scope::agents_write, "agents:write", "create, change, delete agents, configurations, custom functions"},
    {Scope::calls_read, "calls:read", "read calls, transcripts, recordings, contacts, memories, analytics"},
    {Scope::calls_write, "calls:write", "place calls, change or delete calls, contacts, memories"},
    {Scope::campaigns_read, "campaigns:read", "read campaigns, jobs, uploads, do-not-call entries"},
    {Scope::campaigns_write, "campaigns:write", "create, start, pause, change campaigns, uploads, do-not-call entries"},
    {Scope::live_read, "live:read", "watch live calls (realtime feed, live transcripts)"},
    {Scope::live_control, "live:control",
     "supervisor actions on live calls (listen, whisper, barge, take over, hang up)"},
    {Scope::settings_read, "settings:read", "read workspace settings (secrets always masked)"},
    {Scope::settings_write, "settings:write",
     "change workspace settings (providers, SIP trunk, webhooks, calling hours)"},
    {Scope::admin, "admin", "everything above, plus API keys and the audit log"},
}};

constexpr std::array<std::string_view, 4> kRoles{"owner", "admin", "supervisor", "viewer"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(Role role) { return kRoles[static_cast<size_t>(role)]; }

Result<Role> parse_role(std::string_view text, std::string_view field) {
  for (size_t i = 0; i < kRoles.size(); ++i)
    if (kRoles[i] == text) return static_cast<Role>(i);
  return std::unexpected(Error::invalid(std::string(field), "unknown role '" + std::string(text) +
                                                                "' (owner, admin, supervisor or viewer)"));
}

std::string_view to_string(Scope scope) { return kScopes[static_cast<size_t>(scope)].name; }

std::string_view describe(Scope scope) { return kScopes[static_cast<size_t>(scope)].description; }

Result<Scope> parse_scope(std::string_view text, std::string_view field) {
  for (const auto& s : kScopes)
    if (s.name == text) return s.scope;
  return std::unexpected(Error::invalid(std::string(field), "unknown scope '" + std::string(text) + "'"));
}

Result<ScopeSet> parse_scopes(const std::vector<std::string>& texts, std::string_view field) {
  if (texts.empty()) return std::unexpected(Error::invalid(std::string(field), "at least one scope is required"));
  ScopeSet set;
  for (const auto& t : texts) {
    auto s = parse_scope(t, field);
    if (!s) return std::unexpected(std::move(s.error()));
    set.set(static_cast<size_t>(*s));
  }
  return set;
}

Result<ScopeSet> parse_scope_list(std::string_view comma_separated, std::string_view field) {
  std::vector<std::string> texts;
  while (!comma_separated.empty()) {
    const auto comma = comma_separated.find(',');
    const auto item = trim(comma_separated.substr(0, comma));
    if (!item.empty()) texts.emplace_back(item);
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  return parse_scopes(texts, field);
}

std::vector<std::string> to_strings(const ScopeSet& set) {
  std::vector<std::string> out;
  for (const auto& s : kScopes)
    if (set.test(static_cast<size_t>(s.scope))) out.emplace_back(s.name);
  return out;
}

ScopeSet scope_set(Scope scope) { return ScopeSet{}.set(static_cast<size_t>(scope)); }

ScopeSet all_scopes() { return ScopeSet{}.set(); }

ScopeSet scopes_of(Role role) {
  const ScopeSet read = scope_set(Scope::agents_read) | scope_set(Scope::calls_read) |
                        scope_set(Scope::campaigns_read) | scope_set(Scope::live_read) |
                        scope_set(Scope::settings_read);
  switch (role) {
    case Role::owner:
    case Role::admin: return all_scopes();
    case Role::supervisor: return read | scope_set(Scope::live_control);
    case Role::viewer: return read;
  }
  return {};
}

bool allows(const ScopeSet& granted, Scope needed) {
  return granted.test(static_cast<size_t>(Scope::admin)) || granted.test(static_cast<size_t>(needed));
}

bool role_can_manage_workspace(Role role) { return role == Role::owner; }

bool can_grant(const ScopeSet& granter, const ScopeSet& requested) {
  for (size_t i = 0; i < kScopeCount; ++i)
    if (requested.test(i) && !allows(granter, static_cast<Scope>(i))) return false;
  return true;
}

}  // namespace voqo::access
