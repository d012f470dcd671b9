// The access resources (issue 16): sign-in and sign-out, who am I,
// workspaces, members, API keys, tickets and the audit log. Who may call
// each is permissions.cpp's table; what is left here are the rules only a
// handler can see (membership of the workspace named in the path, the
// server admin for tiers, a key never wider than its creator).
#include <spdlog/spdlog.h>

#include "access/api_key.hpp"
#include "access/password.hpp"
#include "access/token.hpp"
#include "api/rest_kit.hpp"
#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::api::rest {
namespace {

/// How long links stay valid: a sign-in link 15 minutes (issue 16 §9), an
/// invitation's set-password link 7 days.
constexpr auto kSignInLinkTtl = std::chrono::minutes(15);
constexpr auto kInviteLinkTtl = std::chrono::hours(24 * 7);

std::string in(std::chrono::system_clock::duration d) {
  return to_iso8601(std::chrono::system_clock::now() + d);
}

std::string str_member(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Refuses members of `body` other than `known` (422 naming the first).
Result<void> only_fields(const json& body, std::initializer_list<std::string_view> known) {
  if (!body.is_object()) return std::unexpected(Error::bad_request("the request body must be a JSON object"));
  for (const auto& [key, _] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) return std::unexpected(Error::invalid(key, "unknown field"));
  return {};
}

/// The base URL the caller reached us by (for links in answers).
std::string base_url(const HttpRequest& req, bool secure) {
  const auto host = req.header("host");
  return std::string(secure ? "https://" : "http://") + std::string(host.empty() ? "127.0.0.1" : host);
}

json workspace_json(const store::Workspace& w, std::string_view role, Authenticator& auth) {
  json j = store::to_json(w);
  if (!role.empty()) j["role"] = role;
  j["effectiveLimits"] = access::to_json(auth.limits(w.id));
  return j;
}

/// A ticket's resource as a route pattern ("" when no ticket may name it).
std::string ticket_pattern(std::string_view path) {
  if (path == "/api/realtime" || path == "/api/realtime/events") return std::string(path);
  auto with_id = [&](std::string_view pre, std::string_view post) {
    if (!path.starts_with(pre) || !path.ends_with(post) || path.size() <= pre.size() + post.size()) return false;
    return looks_like_id(path.substr(pre.size(), path.size() - pre.size() - post.size()));
  };
  if (with_id("/api/calls/", "/recording")) return "/api/calls/{id}/recording";
  if (with_id("/api/live-calls/", "/audio")) return "/api/live-calls/{id}/audio";
  return {};
}

}  // namespace

HttpResponse Api::login(HttpRequest& req) {
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  if (auto ok = only_fields(*body, {"email", "password", "token"}); !ok) return problem_from(ok.error(), req.target);
  auto& access = st_.access();
  auto& throttle = auth_.login_throttle();
  const std::string address_key = "address:" + req.remote_address;
  const std::string email = str_member(*body, "email"), password = str_member(*body, "password"),
                    token = str_member(*body, "token");
  auto too_many = [&](const access::RateDecision& d) {
    auto r = problem(429, "Too Many Requests", "too many failed sign-ins: retry in " + std::to_string(d.retry_after_s) + " s",
                     {}, req.target);
    r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
    return r;
  };
  if (auto d = throttle.check(address_key); !d.allowed) return too_many(d);
  auto record = [&](const std::string& user_id, const std::string& name, std::string action) {
    auto memberships = access.memberships(user_id);
    if (!memberships) return;
    for (const auto& [w, role] : *memberships) {
      store::AuditEntry e{w.id, "user", user_id, name, action, "user", user_id, json::object(), req.remote_address};
      (void)access.audit(e);
    }
  };

  std::string user_id;
  if (!token.empty()) {
    // A one-time link: a sign-in link (voqo serve/demo, `voqo user create`)
    // or an invitation's set-password link (which needs the new password).
    if (!password.empty())
      if (auto rules = access::check_password_rules(password); !rules) return problem_from(rules.error(), req.target);
    auto used = access.consume_login_token(access::token_hash(token), password.empty() ? "sign_in" : "");
    if (!used) return problem_from(used.error(), req.target);
    if (!*used) {
      throttle.record_failure(address_key);
      return problem_from(Error::unauthorized(password.empty()
                                                  ? "this sign-in link is unknown, used or expired (a set-password link needs a password)"
                                                  : "this link is unknown, used or expired"),
                          req.target);
    }
    user_id = (*used)->first;
    if (!password.empty()) {
      auto hash = access::hash_password(password);
      if (!hash) return problem_from(hash.error(), req.target);
      if (auto set = access.set_password_hash(user_id, *hash); !set) return problem_from(set.error(), req.target);
    }
  } else {
    if (email.empty() || password.empty()) {
      std::vector<FieldError> errors;
      if (email.empty()) errors.push_back({"email", "required"});
      if (password.empty()) errors.push_back({"password", "required"});
      return problem(422, "Unprocessable Content", "sign in with an email and password, or a link's token", errors,
                     req.target);
    }
    const std::string account_key = "account:" + email;
    if (auto d = throttle.check(account_key); !d.allowed) return too_many(d);
    auto user = access.user_by_email(email);
    if (!user) return problem_from(user.error(), req.target);
    bool ok = false;
    if (*user && (*user)->password_hash && !(*user)->disabled) ok = access::verify_password(*(*user)->password_hash, password);
    else access::dummy_verify(password);  // an unknown account costs the same time as a wrong password
    if (!ok) {
      throttle.record_failure(account_key);
      throttle.record_failure(address_key);
      if (*user) record((*user)->id, (*user)->email, "auth.login_failed");
      return problem_from(Error::unauthorized("wrong email or password"), req.target);
    }
    throttle.record_success(account_key);
    user_id = (*user)->id;
  }
  auto user = access.user(user_id);
  if (!user) return problem_from(user.error(), req.target);
  if (user->disabled) return problem_from(Error::unauthorized("this account is disabled"), req.target);
  const std::string session = access::random_token();
  if (auto made = access.create_session(user_id, access::token_hash(session), in(auth_.config().session_ttl),
                                        req.remote_address, req.header("user-agent"));
      !made)
    return problem_from(made.error(), req.target);
  (void)access.touch_login(user_id);
  record(user_id, user->email, token.empty() ? "auth.login" : "auth.login_link");
  json out = {{"user", store::to_json(*user)}, {"workspaces", json::array()}};
  if (auto memberships = access.memberships(user_id))
    for (const auto& [w, role] : *memberships) out["workspaces"].push_back(workspace_json(w, role, auth_));
  auto r = json_response(200, out);
  r.headers.emplace_back("Set-Cookie", auth_.session_cookie(session));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse Api::me(HttpRequest& req) {
  const auto& p = *req.principal;
  json out = {{"kind", p.kind == Principal::Kind::user ? "user" : "key"},
              {"actor", p.actor()},
              {"scopes", access::to_strings(p.scopes)},
              {"role", p.role ? json(access::to_string(*p.role)) : json(nullptr)},
              {"workspace", nullptr},
              {"workspaces", json::array()}};
  auto& access = st_.access();
  if (p.kind == Principal::Kind::user) {
    auto user = access.user(p.id);
    if (!user) return problem_from(user.error(), req.target);
    out["user"] = store::to_json(*user);
    if (auto memberships = access.memberships(p.id))
      for (const auto& [w, role] : *memberships) out["workspaces"].push_back(workspace_json(w, role, auth_));
  } else {
    out["key"] = {{"id", p.id}, {"name", p.name}};
  }
  if (!p.workspace.empty())
    if (auto w = access.workspace(p.workspace)) {
      out["workspace"] = workspace_json(*w, p.role ? access::to_string(*p.role) : std::string_view{}, auth_);
      if (p.kind == Principal::Kind::key) out["workspaces"].push_back(out["workspace"]);
    }
  return json_response(200, out);
}

void Api::access() {
  auto& access = st_.access();
  add("POST", "/api/auth/login", [this](HttpRequest& req) { return login(req); }, {.lane = Lane::slow});
  add("POST", "/api/auth/logout", [this, &access](HttpRequest& req) {
    // Ends the session the cookie names (whoever sends it: it is the session's own secret).
    if (auto token = cookie_value(req.header("cookie"), kSessionCookie); !token.empty())
      if (auto ended = access.delete_session(access::token_hash(token)); !ended)
        return problem_from(ended.error(), req.target);
    auto r = HttpResponse::no_content();
    r.headers.emplace_back("Set-Cookie", auth_.cleared_cookie());
    return r;
  });
  add("GET", "/api/me", [this](HttpRequest& req) { return me(req); });

  // --- workspaces -------------------------------------------------------
  // A server admin is an owner of the Default workspace: they set tiers and
  // limits (a workspace's own owner could otherwise lift its plan's limits).
  auto server_admin = [&access](const Principal& p) {
    if (p.kind != Principal::Kind::user) return false;
    auto d = access.default_workspace();
    if (!d) return false;
    auto role = access.role_of(*d, p.id);
    return role && *role && **role == "owner";
  };
  add("GET", "/api/workspaces", [this, &access](HttpRequest& req) {
    const auto& p = *req.principal;
    json items = json::array();
    if (p.kind == Principal::Kind::user) {
      auto memberships = access.memberships(p.id);
      if (!memberships) return problem_from(memberships.error(), req.target);
      for (const auto& [w, role] : *memberships) items.push_back(workspace_json(w, role, auth_));
    } else if (auto w = access.workspace(p.workspace)) {
      items.push_back(workspace_json(*w, "", auth_));
    }
    return json_response(200, json{{"items", std::move(items)}, {"nextCursor", nullptr}});
  });
  add("POST", "/api/workspaces", [this, &access, server_admin](HttpRequest& req) {
    const auto& p = *req.principal;
    if (p.kind != Principal::Kind::user)
      return problem_from(Error::forbidden("workspace", "API keys act in their own workspace; sign in to create one"),
                          req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"name", "tier"}); !ok) return problem_from(ok.error(), req.target);
    const std::string tier = body->contains("tier") ? str_member(*body, "tier") : "free";
    if (tier != "free" && !server_admin(p))
      return problem_from(Error::forbidden("tier", "only a server admin (an owner of the Default workspace) chooses a tier"),
                          req.target);
    auto w = access.create_workspace(str_member(*body, "name"), tier);
    if (!w) return problem_from(w.error(), req.target);
    if (auto added = access.add_member(w->id, p.id, "owner"); !added) return problem_from(added.error(), req.target);
    store::AuditEntry e{w->id, "user", p.id, p.name, "POST /api/workspaces", "workspaces", w->id.value, json::object(),
                        req.remote_address};
    (void)access.audit(e);
    return created(workspace_json(*w, "owner", auth_), "/api/workspaces/" + w->id.value);
  });
  // The workspace in the path, if the caller belongs to it (else 404).
  auto visible = [&access](const HttpRequest& req) -> Result<std::pair<store::Workspace, std::string>> {
    auto id = path_id(req, "id", "workspace");
    if (!id) return std::unexpected(id.error());
    const auto& p = *req.principal;
    const Error missing = Error::not_found("workspace " + *id + " not found");
    if (p.kind == Principal::Kind::key) {
      if (p.workspace.value != *id) return std::unexpected(missing);
      auto w = access.workspace(p.workspace);
      if (!w) return std::unexpected(w.error());
      return std::pair{*w, std::string()};
    }
    auto role = access.role_of(WorkspaceId(*id), p.id);
    if (!role) return std::unexpected(role.error());
    if (!*role) return std::unexpected(missing);
    auto w = access.workspace(WorkspaceId(*id));
    if (!w) return std::unexpected(w.error());
    return std::pair{*w, **role};
  };
  add("GET", "/api/workspaces/{id}", [this, visible](HttpRequest& req) {
    auto w = visible(req);
    return w ? json_response(200, workspace_json(w->first, w->second, auth_)) : problem_from(w.error(), req.target);
  });
  add("PATCH", "/api/workspaces/{id}", [this, &access, visible, server_admin](HttpRequest& req) {
    auto w = visible(req);
    if (!w) return problem_from(w.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"name", "tier", "limits"}); !ok) return problem_from(ok.error(), req.target);
    if (w->second != "owner")
      return problem_from(Error::forbidden("role", "only an owner of the workspace may change it"), req.target);
    if ((body->contains("tier") || body->contains("limits")) && !server_admin(*req.principal))
      return problem_from(Error::forbidden(body->contains("tier") ? "tier" : "limits",
                                           "only a server admin (an owner of the Default workspace) changes tiers and limits"),
                          req.target);
    // The Default workspace is found by its name (the CLI's, the migration's,
    // the server admin's): it keeps it.
    if (auto n = body->find("name"); n != body->end() && w->first.name == store::kDefaultWorkspaceName && *n != w->first.name)
      return problem_from(Error::invalid("name", "the Default workspace keeps its name"), req.target);
    if (auto l = body->find("limits"); l != body->end())
      if (auto checked = access::apply_overrides(access::limits_of(access::Tier::free), *l); !checked)
        return problem_from(checked.error(), req.target);
    auto updated = access.update_workspace(w->first.id, *body);
    if (!updated) return problem_from(updated.error(), req.target);
    store::AuditEntry e{updated->id, "user", req.principal->id, req.principal->name, "PATCH /api/workspaces/{id}",
                        "workspaces", updated->id.value, *body, req.remote_address};
    (void)access.audit(e);
    return json_response(200, workspace_json(*updated, w->second, auth_));
  });

  add("DELETE", "/api/workspaces/{id}", [this, &access, visible](HttpRequest& req) {
    auto w = visible(req);
    if (!w) return problem_from(w.error(), req.target);
    if (w->second != "owner")
      return problem_from(Error::forbidden("role", "only an owner of the workspace may delete it"), req.target);
    auto calls = access.delete_workspace(w->first.id);
    if (!calls) return problem_from(calls.error(), req.target);
    // Its recordings go with it.
    for (const auto& id : *calls) {
      std::error_code ec;
      if (!config_.recordings_dir.empty()) std::filesystem::remove(config_.recordings_dir / (id + ".wav"), ec);
    }
    spdlog::info("workspace {} ({}) deleted by {} with {} call(s)", w->first.name, w->first.id.value,
                 req.principal->actor(), calls->size());
    return HttpResponse::no_content();
  });

  // --- members ------------------------------------------------------------
  add("GET", "/api/members", [&access](HttpRequest& req) {
    auto items = access.members(workspace(req));
    return items ? json_response(200, json{{"items", std::move(*items)}, {"nextCursor", nullptr}})
                 : problem_from(items.error(), req.target);
  });
  add("POST", "/api/members", [this, &access](HttpRequest& req) {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"email", "displayName", "role"}); !ok) return problem_from(ok.error(), req.target);
    const std::string role = body->contains("role") ? str_member(*body, "role") : "viewer";
    if (auto r = access::parse_role(role); !r) return problem_from(r.error(), req.target);
    // Invite: the user is created when new, with a one-time set-password link.
    auto existing = access.user_by_email(str_member(*body, "email"));
    if (!existing) return problem_from(existing.error(), req.target);
    store::User user;
    if (*existing) {
      user = **existing;
    } else {
      auto made = access.create_user(str_member(*body, "email"), str_member(*body, "displayName"));
      if (!made) return problem_from(made.error(), req.target);
      user = *made;
    }
    if (auto added = access.add_member(workspace(req), user.id, role); !added) return problem_from(added.error(), req.target);
    json out = {{"userId", user.id}, {"email", user.email}, {"displayName", user.display_name}, {"role", role},
                {"setPasswordUrl", nullptr}};
    if (!user.password_hash) {
      const std::string token = access::random_token();
      if (auto link = access.create_login_token(user.id, access::token_hash(token), "set_password", in(kInviteLinkTtl));
          !link)
        return problem_from(link.error(), req.target);
      out["setPasswordUrl"] = base_url(req, auth_.config().secure_cookies) + "/login?token=" + token + "&purpose=set_password";
      out["setPasswordExpiresAt"] = in(kInviteLinkTtl);
    }
    auto r = created(out, "/api/members/" + user.id);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
  add("PATCH", "/api/members/{userId}", [&access](HttpRequest& req) {
    auto id = path_id(req, "userId", "member");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"role"}); !ok) return problem_from(ok.error(), req.target);
    if (auto r = access::parse_role(str_member(*body, "role")); !r) return problem_from(r.error(), req.target);
    return reply(access.update_member_role(workspace(req), *id, str_member(*body, "role")), req);
  });
  add("DELETE", "/api/members/{userId}", [&access](HttpRequest& req) {
    auto id = path_id(req, "userId", "member");
    return id ? reply(access.remove_member(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });

  // --- API keys -----------------------------------------------------------
  add("GET", "/api/keys", [&access](HttpRequest& req) {
    auto items = access.api_keys(workspace(req));
    return items ? json_response(200, json{{"items", std::move(*items)}, {"nextCursor", nullptr}})
                 : problem_from(items.error(), req.target);
  });
  add("POST", "/api/keys", [&access](HttpRequest& req) {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"name", "scopes", "expiresAt", "rateLimitPerSecond"}); !ok)
      return problem_from(ok.error(), req.target);
    std::vector<FieldError> errors;
    std::vector<std::string> scopes;
    if (auto s = body->find("scopes"); s == body->end() || !s->is_array())
      errors.push_back({"scopes", "required: an array of scopes"});
    else
      for (const auto& v : *s) {
        if (v.is_string()) scopes.push_back(v.get<std::string>());
        else errors.push_back({"scopes", "every scope is a string"});
      }
    std::optional<std::string> expires;
    if (auto e = body->find("expiresAt"); e != body->end() && !e->is_null()) {
      auto t = e->is_string() ? parse_iso8601(e->get<std::string>()) : std::nullopt;
      if (!t || *t <= std::chrono::system_clock::now()) errors.push_back({"expiresAt", "must be an ISO-8601 time in the future"});
      else expires = to_iso8601(*t);
    }
    std::optional<double> rate;
    if (auto r = body->find("rateLimitPerSecond"); r != body->end() && !r->is_null()) {
      if (!r->is_number() || r->get<double>() <= 0 || r->get<double>() > 100'000)
        errors.push_back({"rateLimitPerSecond", "must be a number above 0 and at most 100000"});
      else rate = r->get<double>();
    }
    if (!errors.empty()) return problem(422, "Unprocessable Content", "the key request is invalid", errors, req.target);
    auto wanted = access::parse_scopes(scopes);
    if (!wanted) return problem_from(wanted.error(), req.target);
    // A key never exceeds its creator (access::can_grant).
    if (!access::can_grant(req.principal->scopes, *wanted))
      return problem_from(Error::forbidden("scopes", "a key cannot hold scopes its creator does not have"), req.target);
    const auto key = access::generate_api_key();
    auto rec = access.create_api_key(workspace(req), str_member(*body, "name"), key.prefix, key.hash,
                                     access::to_strings(*wanted), expires, rate, actor(req));
    if (!rec) return problem_from(rec.error(), req.target);
    json out = store::to_json(*rec);
    out["key"] = key.secret;  // shown once: only its hash is stored
    auto r = created(out, "/api/keys/" + rec->id);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
  add("DELETE", "/api/keys/{id}", [&access](HttpRequest& req) {
    auto id = path_id(req, "id", "API key");
    if (!id) return problem_from(id.error(), req.target);
    auto revoked = access.revoke_api_key(workspace(req), *id);
    return revoked ? HttpResponse::no_content() : problem_from(revoked.error(), req.target);
  });

  // --- tickets --------------------------------------------------------------
  add("POST", "/api/tickets", [this](HttpRequest& req) {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto ok = only_fields(*body, {"resource"}); !ok) return problem_from(ok.error(), req.target);
    const std::string resource = str_member(*body, "resource");
    const std::string pattern = ticket_pattern(resource);
    if (pattern.empty())
      return problem_from(Error::invalid("resource", "must be /api/realtime, /api/realtime/events, "
                                                     "/api/calls/{id}/recording or /api/live-calls/{id}/audio"),
                          req.target);
    // The ticket grants no more than the caller could do with their own credential.
    if (auto allowed = Authenticator::authorize(*req.principal, permission_for("GET", pattern)); !allowed)
      return problem_from(allowed.error(), req.target);
    if (pattern == "/api/calls/{id}/recording") {
      const std::string id = resource.substr(11, resource.size() - 11 - 10);
      if (auto call = st_.calls().get(workspace(req), id); !call) return problem_from(call.error(), req.target);
    }
    auto ticket = auth_.issue_ticket(*req.principal, resource);
    if (!ticket) return problem_from(ticket.error(), req.target);
    auto r = json_response(201, json{{"ticket", ticket->first}, {"expiresAt", ticket->second}, {"resource", resource}});
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  // --- the audit log ------------------------------------------------------
  add("GET", "/api/audit-log", [&access](HttpRequest& req) {
    uint32_t limit = 50;
    std::string cursor;
    std::optional<std::string> action;
    for (const auto& [key, value] : req.query) {
      if (key == "limit") {
        auto l = parse_limit(value);
        if (!l) return problem_from(l.error(), req.target);
        limit = *l;
      } else if (key == "cursor") {
        cursor = value;
      } else if (key == "action") {
        action = value;
      } else {
        return problem_from(Error::invalid(key, "unknown query parameter"), req.target);
      }
    }
    return reply(access.audit_log(workspace(req), limit, cursor, action), req);
  });
}

}  // namespace voqo::api::rest
