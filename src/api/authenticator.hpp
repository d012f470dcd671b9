#pragma once
/// Who is calling, and may they (issue 16 §2–§5, §7). Every /api request
/// passes admit() when its header has arrived — before a body is read or
/// spooled, before the slow lane takes it — through RouteOptions::authorize,
/// which the REST API sets on every route from permissions.hpp's table. The
/// realtime endpoints (WebSocket, SSE, audio) use the same admit().
///
/// Credentials, in this order:
/// - `?ticket=` (only where the route allows it: the WebSocket, SSE and
///   recording URLs) — a token from POST /api/tickets, valid 60 s for exactly
///   that path; its key or user is looked up again, so a revoked key's ticket
///   dies with it.
/// - `Authorization: Bearer <key>` or `X-API-Key: <key>`: an `ak_` key
///   (checksum first, then its SHA-256 looked up: revoked or expired keys are
///   refused on the next request, on every node), or the deprecated
///   `--api-key` (an admin key of the Default workspace).
/// - the `voqo_session` cookie of a signed-in user; the workspace is
///   `X-Workspace-Id` (they must be a member: else 404) or their first one.
/// None, or a bad one → 401 problem+json with WWW-Authenticate (RFC 6750 §3).
///
/// Then, in admit(): the permission (403 naming the scope), the cross-site
/// rules (unsafe methods and upgrades carry an Origin of this server, or
/// none for non-browser clients with a key; a session needs its Origin;
/// request bodies are exactly application/json) and the rate limits (token
/// buckets per key and per workspace: 429 with Retry-After and
/// RateLimit-Limit/-Remaining/-Reset).
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/rate_limiter.hpp"
#include "access/roles.hpp"
#include "access/ticket.hpp"
#include "access/tiers.hpp"
#include "api/http.hpp"
#include "api/permissions.hpp"
#include "core/workspace_id.hpp"

namespace voqo::store {
class Store;
}

namespace voqo::api {

/// An authenticated caller, attached to the request (HttpRequest::principal).
struct Principal {
  enum class Kind { user, key };
  Kind kind = Kind::key;
  WorkspaceId workspace;  ///< where it acts; empty only for a user who belongs to no workspace yet
  std::string id;         ///< user id, key id, or "legacy" for --api-key
  std::string name;       ///< the user's email or the key's name
  std::optional<access::Role> role;  ///< users: their role in `workspace`
  access::ScopeSet scopes;           ///< what it may do (a role's scopes, or a key's)
  std::optional<double> key_rate_per_s;  ///< a key's own limit (requests/s), if it has one
  std::string session_hash;              ///< users: the session they came with
  bool by_ticket = false;                ///< came with ?ticket=

  /// "user:<id>" or "key:<id>": who did it, as the audit log and agent
  /// configuration versions record it.
  [[nodiscard]] std::string actor() const { return (kind == Kind::user ? "user:" : "key:") + id; }
  [[nodiscard]] bool is_owner() const { return role == access::Role::owner; }
};

struct AuthConfig {
  /// The deprecated `--api-key`: an admin key of the Default workspace ("" = none).
  std::string legacy_api_key;
  /// How long a sign-in lasts (the session cookie's Max-Age and the row's expiry).
  std::chrono::seconds session_ttl{std::chrono::hours(12)};
  /// Cookies get `Secure` (set when the server is reached over TLS, e.g. behind a proxy).
  bool secure_cookies = false;
  /// Origins besides the server's own (the Host header) that may send unsafe
  /// requests and open WebSockets, e.g. "https://voqo.example.com" behind a proxy.
  std::vector<std::string> allowed_origins;
  /// Requests per second and burst for a workspace when its tier says nothing
  /// stricter; tests lower them. 0 = the tier's.
  double workspace_rate_override = 0;
};

/// Pushes per second (and burst) a lead source's token may make
/// (POST /api/lead-sources/{id}/leads), besides its workspace's request rate.
inline constexpr double kLeadSourcePushesPerS = 10;

/// The name of the session cookie.
inline constexpr std::string_view kSessionCookie = "voqo_session";

class Authenticator {
 public:
  Authenticator(store::Store& store, AuthConfig config);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  /// Everything a request to a route with `permission` must pass, in order:
  /// Host-independent cross-site checks, credentials, permission, rate
  /// limits. Sets req.principal and returns nullopt when admitted; else the
  /// problem to send (401, 403, 404 for a workspace the user is not in,
  /// 415, 429). `json_body`: the route reads a JSON body (not a spooled upload).
  std::optional<HttpResponse> admit(HttpRequest& req, const Permission& permission, bool json_body);

  /// The caller of `req`, or an unauthorized error. `ticket_ok`: accept ?ticket=.
  Result<std::shared_ptr<const Principal>> authenticate(const HttpRequest& req, bool ticket_ok);
  /// Whether `p` may do what `permission` needs. Errors: forbidden naming the scope.
  static Result<void> authorize(const Principal& p, const Permission& permission);

  /// Whether a principal admitted earlier still holds (a long-lived WebSocket
  /// asks every few hundred ms): its key is not revoked or expired, its
  /// session not ended. Reads the store.
  bool still_valid(const Principal& p);

  /// Issues a ticket for `resource` (a path) to `p`. Errors: invalid.
  Result<std::pair<std::string, std::string>> issue_ticket(const Principal& p, const std::string& resource);

  /// The limits of a workspace: its tier's with its overrides (cached 1 s).
  access::TierLimits limits(const WorkspaceId& ws);

  /// Sign-in throttling (per account and per address).
  access::LoginThrottle& login_throttle() { return login_throttle_; }
  const AuthConfig& config() const { return config_; }

  /// A Set-Cookie value starting a session with `token` (HttpOnly,
  /// SameSite=Strict, Path=/, Max-Age, Secure when configured), and one ending it.
  std::string session_cookie(const std::string& token) const;
  std::string cleared_cookie() const;

 private:
  Result<std::shared_ptr<const Principal>> from_key(std::string_view secret);
  Result<std::shared_ptr<const Principal>> from_session(const HttpRequest& req, std::string_view token);
  /// The caller of POST /api/lead-sources/{id}/leads with X-Lead-Source-Token:
  /// the source whose token hash matches (else unauthorized), which must be
  /// the path's {id} (else not_found).
  Result<std::shared_ptr<const Principal>> lead_source_principal(const HttpRequest& req, std::string_view token);
  Result<std::shared_ptr<const Principal>> from_ticket(const HttpRequest& req, std::string_view token);
  Result<std::shared_ptr<const Principal>> user_principal(const std::string& user_id, const std::string& session_hash,
                                                          std::string_view workspace_header);
  std::optional<HttpResponse> rate_limit(const Principal& p, const HttpRequest& req);

  store::Store& store_;
  AuthConfig config_;
  access::TicketSigner tickets_;
  access::RateLimiter buckets_;
  access::LoginThrottle login_throttle_;
  WorkspaceId default_workspace_;
  std::mutex limits_mutex_;
  struct CachedLimits {
    access::TierLimits limits;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<std::string, CachedLimits> limits_cache_;
};

/// The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or "".
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

/// Whether `origin` (an Origin header, RFC 6454 serialisation) names this
/// server as reached by `host` (the Host header), or one of `allowed`.
bool same_origin(std::string_view origin, std::string_view host, const std::vector<std::string>& allowed);

/// Whether a request's Content-Type is exactly JSON: `application/json`,
/// optionally with a charset parameter (issue 16 §7: `text/plain; x=json`,
/// which browsers send cross-site without a preflight, is not JSON).
bool is_json_media_type(std::string_view content_type);

}  // namespace voqo::api
