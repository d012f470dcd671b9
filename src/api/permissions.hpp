#pragma once
/// What each operation of the REST API needs (issue 16 §2, §4): the one
/// place, not per handler, that maps a route to a scope of the role matrix
/// (access/roles.hpp). The server asks permission_for() once per route when
/// it is registered; Authenticator::authorize() then checks the caller.
/// docs/SECURITY.md carries the same table, and the role-matrix test reads
/// it from there and compares it with what the server answers.
#include <optional>
#include <string_view>

#include "access/roles.hpp"

namespace voqo::api {

struct Permission {
  enum class Kind {
    open,       ///< no credential (health, the OpenAPI document, /api/auth/*)
    signed_in,  ///< any caller with a valid key, session or ticket (/api/me, tickets, workspaces list)
    scope,      ///< a key or member holding `scope` (access::allows)
    member,     ///< any member of the workspace (users); keys need `scope`
    owner,      ///< owner-only (members, tier): users whose role is owner; keys never
    /// POST /api/lead-sources/{id}/leads (issue 18 §7): the source's own
    /// `X-Lead-Source-Token` alone, or a key/member holding `scope` (campaigns:write).
    lead_source,
  };
  Kind kind = Kind::scope;
  access::Scope scope = access::Scope::admin;
  /// `?ticket=` is accepted (POST /api/tickets): the WebSocket, SSE and
  /// recording URLs, which a browser opens without headers.
  bool ticket = false;
};

/// The permission of `method` on route `pattern` (OpenAPI-style, e.g.
/// "/api/agents/{id}"). Reads (GET, HEAD) need the area's `:read` scope,
/// other methods its `:write` scope; live actions and the audio leg need
/// live:control; settings need settings:write to change; API keys and the
/// audit log need admin; members are owner-only to change. A route no rule
/// names needs admin (deny by default).
Permission permission_for(std::string_view method, std::string_view pattern);

}  // namespace voqo::api
