#include "api/authenticator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "access/api_key.hpp"
#include "access/token.hpp"
#include "api/problem.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace voqo::api {
namespace {

using access::Role;
using Kind = Permission::Kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool unsafe_method(std::string_view m) { return m != "GET" && m != "HEAD" && m != "OPTIONS"; }

bool expired(const std::optional<std::string>& at) {
  if (!at) return false;
  auto t = parse_iso8601(*at);
  return !t || *t <= std::chrono::system_clock::now();
}

HttpResponse unauthorized_response(const Error& e, const HttpRequest& req) {
  auto r = problem(401, "", e.message, {}, req.path);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"voqo\"");
  return r;
}

/// The credential in Authorization: Bearer or X-API-Key ("" = none).
std::string_view bearer(const HttpRequest& req) {
  std::string_view given = req.header("x-api-key");
  if (given.empty()) {
    const auto auth = req.header("authorization");
    if (auth.size() > 7 && iequals(auth.substr(0, 7), "bearer ")) given = trim(auth.substr(7));
  }
  return given;
}

bool has_body(const HttpRequest& req) {
  const auto length = req.header("content-length");
  return (!length.empty() && length != "0") || !req.header("transfer-encoding").empty() || !req.body.empty();
}

}  // namespace

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return {};
}

bool same_origin(std::string_view origin, std::string_view host, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (iequals(origin, a)) return true;
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos || host.empty()) return false;
  return iequals(origin.substr(scheme + 3), host);
}

bool is_json_media_type(std::string_view type) {
  const auto semi = type.find(';');
  if (!iequals(trim(type.substr(0, semi)), "application/json")) return false;
  if (semi == std::string_view::npos) return true;
  // Only a charset parameter, and only UTF-8 (RFC 8259 §8.1).
  std::string_view param = trim(type.substr(semi + 1));
  const auto eq = param.find('=');
  if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "charset")) return false;
  std::string_view value = trim(param.substr(eq + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  return iequals(value, "utf-8");
}

Authenticator::Authenticator(store::Store& store, AuthConfig config)
    : store_(store),
      config_(std::move(config)),
      tickets_(access::derive_key(store.secrets().master_key(), access::kTicketKeyContext)),
      login_throttle_(access::LoginThrottle::Options{}) {
  if (auto ws = store_.access().default_workspace()) default_workspace_ = *ws;
}

Authenticator::~Authenticator() = default;

std::string Authenticator::session_cookie(const std::string& token) const {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(config_.session_ttl.count()) + (config_.secure_cookies ? "; Secure" : "");
}

std::string Authenticator::cleared_cookie() const {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
         (config_.secure_cookies ? "; Secure" : "");
}

Result<std::shared_ptr<const Principal>> Authenticator::from_key(std::string_view secret) {
  if (secret.starts_with(access::kApiKeyPrefix)) {
    // A key that fails its checksum was never ours: refused without a lookup.
    if (!access::api_key_checksum_ok(secret)) return std::unexpected(Error::unauthorized("this is not a valid API key"));
    auto rec = store_.access().api_key_by_hash(access::api_key_hash(secret));
    if (!rec) return std::unexpected(rec.error());
    if (!*rec) return std::unexpected(Error::unauthorized("unknown API key"));
    const auto& k = **rec;
    if (k.revoked_at) return std::unexpected(Error::unauthorized("this API key was revoked"));
    if (expired(k.expires_at)) return std::unexpected(Error::unauthorized("this API key has expired"));
    auto scopes = access::parse_scopes(k.scopes);
    auto p = std::make_shared<Principal>();
    p->kind = Principal::Kind::key;
    p->workspace = k.workspace_id;
    p->id = k.id;
    p->name = k.name;
    p->scopes = scopes ? *scopes : access::ScopeSet{};
    p->key_rate_per_s = k.rate_limit_per_second;
    store_.access().touch_api_key_later(k.id);
    return p;
  }
  const auto& legacy = config_.legacy_api_key;
  if (!legacy.empty() && access::constant_time_equal(secret, legacy) && !default_workspace_.empty()) {
    auto p = std::make_shared<Principal>();
    p->kind = Principal::Kind::key;
    p->workspace = default_workspace_;
    p->id = "legacy";
    p->name = "--api-key";
    p->scopes = access::all_scopes();
    return p;
  }
  return std::unexpected(Error::unauthorized("unknown API key"));
}

Result<std::shared_ptr<const Principal>> Authenticator::user_principal(const std::string& user_id,
                                                                       const std::string& session_hash,
                                                                       std::string_view workspace_header) {
  auto user = store_.access().user(user_id);
  if (!user) return std::unexpected(Error::unauthorized("the session's user no longer exists"));
  if (user->disabled) return std::unexpected(Error::unauthorized("this account is disabled"));
  auto memberships = store_.access().memberships(user_id);
  if (!memberships) return std::unexpected(memberships.error());
  auto p = std::make_shared<Principal>();
  p->kind = Principal::Kind::user;
  p->id = user->id;
  p->name = user->email;
  p->session_hash = session_hash;
  const std::pair<store::Workspace, std::string>* chosen = nullptr;
  for (const auto& m : *memberships)
    if (workspace_header.empty() || m.first.id.value == workspace_header) {
      chosen = &m;
      break;
    }
  if (!chosen && !workspace_header.empty()) {
    // Another tenant's workspace is as unknown as one that does not exist.
    Error e = Error::not_found("workspace " + std::string(workspace_header) + " not found");
    e.fields.push_back({"X-Workspace-Id", "not a workspace of yours"});
    return std::unexpected(e);
  }
  if (chosen) {
    p->workspace = chosen->first.id;
    if (auto role = access::parse_role(chosen->second)) {
      p->role = *role;
      p->scopes = access::scopes_of(*role);
    }
  }
  return p;
}

Result<std::shared_ptr<const Principal>> Authenticator::from_session(const HttpRequest& req, std::string_view token) {
  const std::string hash = access::token_hash(token);
  auto session = store_.access().session_by_hash(hash);
  if (!session) return std::unexpected(session.error());
  if (!*session) return std::unexpected(Error::unauthorized("the session has ended; sign in again"));
  return user_principal((*session)->first, hash, req.header("x-workspace-id"));
}

Result<std::shared_ptr<const Principal>> Authenticator::from_ticket(const HttpRequest& req, std::string_view token) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto ticket = tickets_.verify(token, req.path, now);
  if (!ticket) return std::unexpected(ticket.error());
  const WorkspaceId ws(ticket->workspace_id);
  Result<std::shared_ptr<const Principal>> p = std::unexpected(Error::unauthorized("the ticket's holder is gone"));
  if (ticket->principal.starts_with("user:")) {
    p = user_principal(ticket->principal.substr(5), "", ws.value);
  } else if (ticket->principal == "key:legacy") {
    p = from_key(config_.legacy_api_key);
  } else if (ticket->principal.starts_with("key:")) {
    auto rec = store_.access().api_key(ws, ticket->principal.substr(4));
    if (!rec || rec->revoked_at || expired(rec->expires_at))
      return std::unexpected(Error::unauthorized("the ticket's API key is revoked or expired"));
    auto scopes = access::parse_scopes(rec->scopes);
    auto k = std::make_shared<Principal>();
    k->workspace = ws;
    k->id = rec->id;
    k->name = rec->name;
    k->scopes = scopes ? *scopes : access::ScopeSet{};
    k->key_rate_per_s = rec->rate_limit_per_second;
    p = k;
  }
  if (!p) return std::unexpected(p.error().code == ErrorCode::not_found ? Error::unauthorized("the ticket is no longer valid") : p.error());
  auto copy = std::make_shared<Principal>(**p);
  copy->by_ticket = true;
  return copy;
}

Result<std::shared_ptr<const Principal>> Authenticator::authenticate(const HttpRequest& req, bool ticket_ok) {
  if (ticket_ok)
    if (auto t = req.query_param("ticket")) return from_ticket(req, *t);
  if (auto key = bearer(req); !key.empty()) return from_key(key);
  if (auto token = cookie_value(req.header("cookie"), kSessionCookie); !token.empty()) return from_session(req, token);
  return std::unexpected(Error::unauthorized(
      "sign in, or send an API key (Authorization: Bearer <key> or X-API-Key)"));
}

Result<void> Authenticator::authorize(const Principal& p, const Permission& permission) {
  switch (permission.kind) {
    case Kind::open:
    case Kind::signed_in: return {};
    case Kind::owner:
      if (p.kind == Principal::Kind::user && p.role && access::role_can_manage_workspace(*p.role)) return {};
      return std::unexpected(Error::forbidden("role", "only an owner of the workspace may do this"));
    case Kind::member:
      if (p.kind == Principal::Kind::user && p.role) return {};
      break;
    case Kind::scope:
    case Kind::lead_source: break;
  }
  if (p.workspace.empty())
    return std::unexpected(Error::forbidden("workspace", "you belong to no workspace yet: create one or ask to be invited"));
  if (access::allows(p.scopes, permission.scope)) return {};
  const std::string scope(access::to_string(permission.scope));
  return std::unexpected(Error::forbidden(
      "scope", p.kind == Principal::Kind::user ? "your role does not allow this (it needs " + scope + ")"
                                               : "this API key lacks the scope " + scope));
}

access::TierLimits Authenticator::limits(const WorkspaceId& ws) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(limits_mutex_);
    if (auto it = limits_cache_.find(ws.value); it != limits_cache_.end() && now - it->second.at < std::chrono::seconds(1))
      return it->second.limits;
  }
  access::TierLimits limits = access::limits_of(access::Tier::free);  // unreadable → the strictest
  if (auto w = store_.access().workspace(ws)) {
    if (auto tier = access::parse_tier(w->tier)) limits = access::limits_of(*tier);
    if (auto applied = access::apply_overrides(limits, w->limits)) limits = *applied;
  }
  std::lock_guard lock(limits_mutex_);
  if (limits_cache_.size() > 10'000) limits_cache_.clear();
  limits_cache_[ws.value] = {limits, now};
  return limits;
}

std::optional<HttpResponse> Authenticator::rate_limit(const Principal& p, const HttpRequest& req) {
  auto refuse = [&](const access::RateDecision& d, const std::string& what) {
    auto r = problem(429, "Too Many Requests", what + ": retry after " + std::to_string(d.retry_after_s) + " s", {},
                     req.path);
    r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
    r.headers.emplace_back("RateLimit-Limit", std::to_string(d.limit));
    r.headers.emplace_back("RateLimit-Remaining", std::to_string(d.remaining));
    r.headers.emplace_back("RateLimit-Reset", std::to_string(d.reset_s));
    return r;
  };
  if (p.key_rate_per_s && *p.key_rate_per_s > 0) {
    // A key's own limit: `rate` requests per second, a burst of one second's worth.
    const double rate = *p.key_rate_per_s;
    const auto d = buckets_.take("key:" + p.id, rate, static_cast<uint32_t>(std::max(1.0, std::ceil(rate))));
    if (!d.allowed) return refuse(d, "this API key is over its rate limit");
  }
  if (!p.workspace.empty()) {
    auto l = limits(p.workspace);
    double rate = l.api_requests_per_s;
    uint32_t burst = l.api_burst;
    if (config_.workspace_rate_override > 0) {
      rate = config_.workspace_rate_override;
      burst = static_cast<uint32_t>(std::max(1.0, std::ceil(rate)));
    }
    if (rate > 0) {
      const auto d = buckets_.take("ws:" + p.workspace.value, rate, std::max<uint32_t>(1, burst));
      if (!d.allowed) return refuse(d, "the workspace is over its request rate (its tier's apiRequestsPerSecond)");
    }
  }
  return std::nullopt;
}

std::optional<HttpResponse> Authenticator::admit(HttpRequest& req, const Permission& permission, bool json_body) {
  const bool unsafe = unsafe_method(req.method);
  const bool upgrade = iequals(req.header("upgrade"), "websocket");
  const std::string_view origin = req.header("origin");
  // Cross-site (issue 16 §7): a page of another origin may neither change
  // anything nor open the realtime feed. Browsers always send Origin on such
  // requests; clients that are not browsers (curl, SDKs) send none.
  if ((unsafe || upgrade) && !origin.empty() && !same_origin(origin, req.header("host"), config_.allowed_origins))
    return problem(403, "", "cross-site request refused: Origin " + std::string(origin) + " is not this server", {},
                   req.path);
  // A JSON body must say so exactly: text/plain is what a cross-site form or
  // a no-cors fetch can send without a preflight.
  if (unsafe && json_body && permission.kind != Kind::lead_source && has_body(req) &&
      !is_json_media_type(req.header("content-type")))
    return problem(415, "Unsupported Media Type",
                   "Content-Type must be application/json, got '" + std::string(req.header("content-type")) + "'", {},
                   req.path);
  if (permission.kind == Kind::open) return std::nullopt;
  if (permission.kind == Kind::lead_source) {
    // Leads come as JSON or CSV; text/csv is no CORS-safelisted type, so
    // neither can come cross-site without a preflight.
    const auto type = req.header("content-type");
    if (has_body(req) && !is_json_media_type(type) && !type.starts_with("text/csv"))
      return problem(415, "Unsupported Media Type",
                     "send leads as application/json or text/csv, not '" + std::string(type) + "'", {}, req.path);
    if (const auto token = req.header("x-lead-source-token"); !token.empty()) {
      auto p = lead_source_principal(req, token);
      if (!p) {
        if (p.error().code == ErrorCode::unauthorized) return unauthorized_response(p.error(), req);
        return problem_from(p.error(), req.path);
      }
      if (auto limited = rate_limit(**p, req)) return limited;
      req.principal = std::move(*p);
      return std::nullopt;
    }
  }
  auto p = authenticate(req, permission.ticket);
  if (!p) {
    if (p.error().code == ErrorCode::unauthorized) return unauthorized_response(p.error(), req);
    return problem_from(p.error(), req.path);
  }
  // A session rides on a cookie the browser adds by itself: its unsafe
  // requests must prove they come from our own pages.
  if ((unsafe || upgrade) && (*p)->kind == Principal::Kind::user && !(*p)->by_ticket && origin.empty() &&
      req.header("sec-fetch-site") != "same-origin")
    return problem(403, "", "a signed-in request that changes something must carry this server's Origin", {},
                   req.path);
  if (auto allowed = authorize(**p, permission); !allowed) return problem_from(allowed.error(), req.path);
  if (auto limited = rate_limit(**p, req)) return limited;
  req.principal = std::move(*p);
  return std::nullopt;
}

Result<std::shared_ptr<const Principal>> Authenticator::lead_source_principal(const HttpRequest& req,
                                                                             std::string_view token) {
  // The shape the server issues ("ls_" + 43 base64url characters): anything
  // else is refused without a database lookup.
  if (token.size() != 46 || !token.starts_with("ls_"))
    return std::unexpected(Error::unauthorized("the X-Lead-Source-Token is not valid"));
  const std::string hash = access::token_hash(token);
  auto source = store_.lead_source_store().by_token_hash(hash);
  if (!source) return std::unexpected(source.error());
  // The lookup compared hashes through an index; the comparison that admits is constant-time.
  if (!*source || !access::constant_time_equal((*source)->api_token_hash, hash))
    return std::unexpected(Error::unauthorized("the X-Lead-Source-Token is not valid"));
  // A token acts on its own source only: any other id, in this workspace or
  // another, is not found (as an unknown one is).
  if ((*source)->id != req.param("id"))
    return std::unexpected(Error::not_found("lead source " + std::string(req.param("id")) + " not found"));
  auto p = std::make_shared<Principal>();
  p->kind = Principal::Kind::key;
  p->workspace = (*source)->ws;
  p->id = "lead-source:" + (*source)->id;
  p->name = "lead source " + (*source)->name;
  p->key_rate_per_s = kLeadSourcePushesPerS;
  return std::shared_ptr<const Principal>(std::move(p));
}

bool Authenticator::still_valid(const Principal& p) {
  if (p.kind == Principal::Kind::key) {
    if (p.id == "legacy") return true;
    auto rec = store_.access().api_key(p.workspace, p.id);
    return rec && !rec->revoked_at && !expired(rec->expires_at);
  }
  if (!p.session_hash.empty()) {
    auto s = store_.access().session_by_hash(p.session_hash);
    if (!s || !*s) return false;
  }
  auto user = store_.access().user(p.id);
  if (!user || user->disabled) return false;
  auto role = store_.access().role_of(p.workspace, p.id);
  return role && *role;
}

Result<std::pair<std::string, std::string>> Authenticator::issue_ticket(const Principal& p, const std::string& resource) {
  const auto expires = std::chrono::system_clock::now() + std::chrono::seconds(access::kTicketTtlS);
  access::Ticket t{p.workspace.value, p.actor(), resource,
                   std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count()};
  auto token = tickets_.issue(t);
  if (!token) return std::unexpected(token.error());
  return std::pair{*token, to_iso8601(std::chrono::time_point_cast<std::chrono::system_clock::duration>(expires))};
}

}  // namespace voqo::api
