#include "api/permissions.hpp"

#include <array>

namespace voqo::api {
namespace {

using access::Scope;
using Kind = Permission::Kind;

bool starts(std::string_view pattern, std::string_view prefix) {
  return pattern == prefix || (pattern.starts_with(prefix) && pattern[prefix.size()] == '/');
}

/// An area of the API: every route under `prefix` reads with `read` and
/// writes with `write`.
struct Area {
  std::string_view prefix;
  Scope read, write;
};

// The table of docs/SECURITY.md ("Which scope each route needs"), in the same order.
constexpr std::array kAreas = {
    Area{"/api/agents", Scope::agents_read, Scope::agents_write},
    Area{"/api/tts", Scope::agents_read, Scope::agents_write},
    Area{"/api/instruction-templates", Scope::agents_read, Scope::agents_write},
    Area{"/api/calls", Scope::calls_read, Scope::calls_write},
    Area{"/api/contacts", Scope::calls_read, Scope::calls_write},
    Area{"/api/sms-messages", Scope::calls_read, Scope::calls_write},
    Area{"/api/webhook-events", Scope::calls_read, Scope::calls_write},
    Area{"/api/campaigns", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/uploads", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/jobs", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/do-not-call", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/lead-sources", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/script-templates", Scope::campaigns_read, Scope::campaigns_write},
    Area{"/api/live-calls", Scope::live_read, Scope::live_control},
    Area{"/api/realtime", Scope::live_read, Scope::live_control},
    Area{"/api/settings", Scope::settings_read, Scope::settings_write},
    Area{"/api/keys", Scope::admin, Scope::admin},
    Area{"/api/audit-log", Scope::admin, Scope::admin},
};

}  // namespace

Permission permission_for(std::string_view method, std::string_view pattern) {
  const bool read = method == "GET" || method == "HEAD";
  if (pattern == "/api/health" || pattern == "/api/openapi.json" || starts(pattern, "/api/auth"))
    return {Kind::open};
  if (pattern == "/api/me" || pattern == "/api/tickets") return {Kind::signed_in};
  if (starts(pattern, "/api/workspaces"))  // the handlers check membership and owner/server-admin rules
    return {Kind::signed_in};
  if (starts(pattern, "/api/members")) return read ? Permission{Kind::member, Scope::admin} : Permission{Kind::owner};
  // A lead source's pushes: its own token, or campaigns:write (issue 18 §7).
  if (method == "POST" && pattern == "/api/lead-sources/{id}/leads") return {Kind::lead_source, Scope::campaigns_write};
  // Listening to a call is controlling it: the audio leg can speak.
  if (pattern == "/api/live-calls/{id}/audio") return {Kind::scope, Scope::live_control, true};
  for (const auto& area : kAreas) {
    if (!starts(pattern, area.prefix)) continue;
    Permission p{Kind::scope, read ? area.read : area.write};
    p.ticket = read && (pattern == "/api/realtime" || pattern == "/api/realtime/events" ||
                        pattern == "/api/calls/{id}/recording");
    return p;
  }
  return {Kind::scope, Scope::admin};
}

}  // namespace voqo::api
