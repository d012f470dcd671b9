// The shared kit of the REST resources (rest_kit.hpp): request parsing,
// list queries and pages, and the Api registrar's route builders (crud,
// nested collections, child lists) with the audit log of every change.
#include "api/rest_kit.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "api/multipart.hpp"
#include "api/permissions.hpp"
#include "core/id.hpp"
#include "core/json_parse.hpp"

namespace voqo::api::rest {

Result<void> open_spooled_csv(const HttpRequest& req, SpooledCsv& out) {
  uint64_t offset = 0, length = req.body_size;
  const auto type = req.header("content-type");
  if (type.starts_with("multipart/")) {
    auto part = find_file_part(req.body_file, type);
    if (!part) return std::unexpected(part.error());
    offset = part->offset;
    length = part->length;
    out.filename = part->filename;
  }
  if (req.body_size > 0) {
    out.file.open(req.body_file, std::ios::binary);
    if (!out.file) return std::unexpected(Error{ErrorCode::io, "spooled upload is missing", {}});
  }
  out.buffer.emplace(out.file, offset, req.body_size > 0 ? length : 0);
  out.stream.rdbuf(&*out.buffer);
  return {};
}

HttpResponse json_response(int status, const json& body) {
  return HttpResponse::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse created(const json& body, const std::string& location) {
  auto r = json_response(201, body);
  r.headers.emplace_back("Location", location);
  return r;
}

Result<json> parse_body(const HttpRequest& req) {
  const auto type = req.header("content-type");
  if (!type.empty() && !is_json_media_type(type))
    return std::unexpected(Error{ErrorCode::unsupported, "Content-Type must be application/json, got " + std::string(type), {}});
  if (req.body.empty()) return std::unexpected(Error::bad_request("a JSON request body is required"));
  return parse_json(req.body);
}

/// Whether `req` carries a body that is (or may be) JSON: not spooled, and
/// a JSON media type or none at all (parse_body() reads those as JSON).
bool has_json_body(const HttpRequest& req) {
  if (req.body.empty()) return false;
  const auto type = req.header("content-type");
  return type.empty() || is_json_media_type(type);
}

const WorkspaceId& workspace(const HttpRequest& req) {
  static const WorkspaceId none;
  return req.principal ? req.principal->workspace : none;
}

std::string actor(const HttpRequest& req) { return req.principal ? req.principal->actor() : std::string("anonymous"); }

/// The `{name}` path parameter as an id; a value that cannot be an id is a 404.
Result<std::string> path_id(const HttpRequest& req, std::string_view name, std::string_view what) {
  const std::string id(req.param(name));
  if (!looks_like_id(id)) return std::unexpected(Error::not_found(std::string(what) + " " + id + " not found"));
  return id;
}

Result<uint32_t> parse_limit(std::string_view text) {
  uint32_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < 1 || v > store::kMaxPageSize)
    return std::unexpected(Error::invalid("limit", "must be an integer between 1 and 500"));
  return v;
}

/// Builds a ListQuery from `limit`, `cursor` and the spec's filterable
/// fields; `extra` handles further parameters (returns false for unknown ones).
Result<ListQuery> list_query(const HttpRequest& req, const model::EntitySpec& spec, store::Store& st,
                             const ExtraQuery& extra) {
  ListQuery q;
  for (const auto& [key, value] : req.query) {
    if (key == "limit") {
      auto l = parse_limit(value);
      if (!l) return std::unexpected(l.error());
      q.limit = *l;
      continue;
    }
    if (key == "cursor") {
      q.cursor = value;
      continue;
    }
    if (extra) {
      auto handled = extra(key, value, q);
      if (!handled) return std::unexpected(handled.error());
      if (*handled) continue;
    }
    const auto* f = spec.by_json(key);
    if (!f || !f->has(model::kFilter) || f->has(model::kParent))
      return std::unexpected(Error::invalid(key, "unknown query parameter"));
    model::ValidationContext ctx;
    if (f->format == model::Format::e164) ctx.default_region = st.settings().default_region(workspace(req));
    json v = value;
    if (f->type == model::FieldType::boolean) {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        return std::unexpected(Error::invalid(key, "must be true or false"));
      v = (value == "true" || value == "1");
    } else if (f->type == model::FieldType::integer || f->type == model::FieldType::real) {
      auto number = parse_json(value, key);
      v = number ? std::move(*number) : json(json::value_t::discarded);  // validate_field names the type
    }
    auto checked = model::validate_field(*f, v, ctx);
    // The value obeys the field's own rules (type, enumeration, format; phones
    // are normalised), so a filter can never match what could not be stored.
    if (!checked) return std::unexpected(Error::invalid(key, checked.error()));
    q.conditions.push_back({Condition::Op::equals, {std::string(f->column)}, *checked});
  }
  return q;
}

json whole_page(json items) { return json{{"items", std::move(items)}, {"nextCursor", nullptr}}; }

json page_json(const store::Page& page) {
  json out = {{"items", page.items}};
  out["nextCursor"] = page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor);
  return out;
}

/// A page of `repo` as the list endpoints return it, serialized straight from the rows.
HttpResponse list_response(store::Repository& repo, const ListQuery& q, const HttpRequest& req) {
  auto text = repo.list_text(workspace(req), q);
  if (!text) return problem_from(text.error(), req.target);
  return HttpResponse::json(200, std::move(*text));
}

/// First page of a child collection, embedded in its parent's GET.
Result<json> embedded(const WorkspaceId& ws, store::Repository& children, std::string column, std::string parent_id,
                      uint32_t limit) {
  ListQuery q;
  q.limit = limit;
  q.conditions.push_back({Condition::Op::equals, {std::move(column)}, std::move(parent_id)});
  auto page = children.list(ws, q);
  if (!page) return std::unexpected(page.error());
  return page_json(*page);
}

/// The parent's `{id}` and the child's `{child_param}` of a nested route.
Result<std::pair<std::string, std::string>> child_ids(const HttpRequest& req, const store::Repository& parent,
                                                     const store::Repository& child, const std::string& child_param) {
  auto pid = path_id(req, "id", parent.spec().name);
  if (!pid) return std::unexpected(pid.error());
  auto id = path_id(req, child_param, child.spec().name);
  if (!id) return std::unexpected(id.error());
  return std::pair{std::move(*pid), std::move(*id)};
}

void Api::add(std::string method, std::string pattern, Handler h, RouteOptions options) {
  if (!options.spool_body) {
    // Every JSON body, whatever the route does with it (or whether it reads
    // it at all), nests at most kMaxJsonDepth levels: checked here, before
    // the handler, so a route cannot forget it (issue 15: 150,000 levels
    // overflowed the stack of a recursive copy).
    h = [h = std::move(h)](HttpRequest& req) {
      if (has_json_body(req)) {
        if (auto deep = check_json_depth(req.body); !deep) return problem_from(deep.error(), req.target);
      }
      return h(req);
    };
  }
  // Who may call it: one table (permissions.cpp), checked by the server when
  // the header arrives (RouteOptions::authorize) and here again for callers
  // of the Router that are not the server (once: the principal is set).
  const Permission permission = permission_for(method, pattern);
  options.authorize = [auth = &auth_, permission, json_body = !options.spool_body](HttpRequest& req) {
    return auth->admit(req, permission, json_body);
  };
  const bool change = method != "GET" && method != "HEAD";
  h = [this, h = std::move(h), authorize = options.authorize, permission, change, method,
       pattern](HttpRequest& req) {
    if (!req.principal && permission.kind != Permission::Kind::open)
      if (auto refused = authorize(req)) return std::move(*refused);
    HttpResponse res = h(req);
    // Every change that succeeded is in the workspace's audit log (issue 16
    // §8), named by its route: "POST /api/agents", "PATCH /api/settings", ...
    if (change && res.status >= 200 && res.status < 300 && req.principal && !req.principal->workspace.empty() &&
        !pattern.starts_with("/api/workspaces")) {  // those name their own workspace (routes/access.cpp)
      std::string object_id(req.param("id"));
      if (object_id.empty() && res.status == 201)
        if (auto body = json::parse(res.body, nullptr, false); body.is_object() && body["id"].is_string())
          object_id = body["id"].get<std::string>();
      audit(req, method + " " + pattern, pattern.substr(5, pattern.find('/', 5) - 5), object_id);
    }
    return res;
  };
  router_.add(std::move(method), std::move(pattern), std::move(h), options);
}

void Api::audit(const HttpRequest& req, std::string action, std::string object_type, std::string object_id,
                json details) {
  if (!req.principal || req.principal->workspace.empty()) return;
  const auto& p = *req.principal;
  store::AuditEntry e;
  e.ws = p.workspace;
  e.actor_type = p.kind == Principal::Kind::user ? "user" : "key";
  e.actor_id = p.id;
  e.actor_name = p.name;
  e.action = std::move(action);
  e.object_type = std::move(object_type);
  e.object_id = std::move(object_id);
  e.details = std::move(details);
  e.address = req.remote_address;
  if (auto ok = st_.access().audit(e); !ok) spdlog::warn("audit log: {}", ok.error().message);
}

void Api::add_create(const std::string& base, std::function<Result<json>(HttpRequest&, const json&)> create) {
  add("POST", base, [base, create = std::move(create)](HttpRequest& req) {
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    auto r = create(req, *body);
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, base + "/" + (*r)["id"].get<std::string>());
  });
}

void Api::crud(const std::string& base, store::Repository& repo, Parts parts) {
  if (parts.list) add("GET", base, [this, &repo](HttpRequest& req) {
    auto q = list_query(req, repo.spec(), st_);
    if (!q) return problem_from(q.error(), req.target);
    return list_response(repo, *q, req);
  });
  if (parts.get) add("GET", base + "/{id}", [&repo](HttpRequest& req) {
    auto id = path_id(req, "id", repo.spec().name);
    if (!id) return problem_from(id.error(), req.target);
    return reply(repo.get(workspace(req), *id), req);
  });
  if (parts.create)
    add_create(base, [this, &repo](HttpRequest& req, const json& body) {
      return repo.create(workspace(req), body, {}, context(req));
    });
  if (parts.update) add("PATCH", base + "/{id}", [this, &repo](HttpRequest& req) {
    auto id = path_id(req, "id", repo.spec().name);
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    return reply(repo.update(workspace(req), *id, *body, {}, context(req)), req);
  });
  if (parts.remove) add("DELETE", base + "/{id}", [&repo](HttpRequest& req) {
    auto id = path_id(req, "id", repo.spec().name);
    if (!id) return problem_from(id.error(), req.target);
    return reply(repo.remove(workspace(req), *id), req);
  });
}

void Api::nested(const std::string& parent_base, store::Repository& parent, const std::string& child,
                 const std::string& child_param, store::Repository& repo, BodyCheck check) {
  const std::string coll = parent_base + "/{id}/" + child;
  const std::string one = coll + "/{" + child_param + "}";
  std::string parent_column;
  for (const auto& f : repo.spec().fields)
    if (f.has(model::kParent)) parent_column = std::string(f.column);
  child_list(coll, parent, repo, parent_column);
  add("POST", coll, [this, &repo, &parent, parent_base, child, check](HttpRequest& req) {
    auto pid = path_id(req, "id", parent.spec().name);
    if (!pid) return problem_from(pid.error(), req.target);
    if (auto p = parent.get(workspace(req), *pid); !p) return problem_from(p.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (check)
      if (auto ok = check(*body, true); !ok) return problem_from(ok.error(), req.target);
    auto r = repo.create(workspace(req), *body, *pid, context(req));
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, parent_base + "/" + *pid + "/" + child + "/" + (*r)["id"].get<std::string>());
  });
  add("GET", one, [&repo, &parent, child_param](HttpRequest& req) {
    auto ids = child_ids(req, parent, repo, child_param);
    if (!ids) return problem_from(ids.error(), req.target);
    const auto& [pid, id] = *ids;
    return reply(repo.get(workspace(req), id, pid), req);
  });
  add("PATCH", one, [this, &repo, &parent, child_param, check](HttpRequest& req) {
    auto ids = child_ids(req, parent, repo, child_param);
    if (!ids) return problem_from(ids.error(), req.target);
    const auto& [pid, id] = *ids;
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (check)
      if (auto ok = check(*body, false); !ok) return problem_from(ok.error(), req.target);
    return reply(repo.update(workspace(req), id, *body, pid, context(req)), req);
  });
  add("DELETE", one, [&repo, &parent, child_param](HttpRequest& req) {
    auto ids = child_ids(req, parent, repo, child_param);
    if (!ids) return problem_from(ids.error(), req.target);
    const auto& [pid, id] = *ids;
    return reply(repo.remove(workspace(req), id, pid), req);
  });
}

void Api::get_with_children(const std::string& base, store::Repository& repo, std::vector<Embed> embeds,
                            Decorate decorate) {
  add("GET", base + "/{id}", [&repo, embeds = std::move(embeds), decorate = std::move(decorate)](HttpRequest& req) {
    auto id = path_id(req, "id", repo.spec().name);
    if (!id) return problem_from(id.error(), req.target);
    auto record = repo.get(workspace(req), *id);
    if (!record) return problem_from(record.error(), req.target);
    for (const auto& e : embeds) {
      auto page = embedded(workspace(req), e.repo, e.column, *id);
      if (!page) return problem_from(page.error(), req.target);
      (*record)[e.member] = std::move(*page);
    }
    if (decorate) decorate(req, *id, *record);
    return json_response(200, *record);
  });
}

void Api::child_list(const std::string& pattern, store::Repository& parent, store::Repository& repo,
                     const std::string& parent_column) {
  add("GET", pattern, [this, &repo, &parent, parent_column](HttpRequest& req) {
    auto pid = path_id(req, "id", parent.spec().name);
    if (!pid) return problem_from(pid.error(), req.target);
    if (auto p = parent.get(workspace(req), *pid); !p) return problem_from(p.error(), req.target);
    auto q = list_query(req, repo.spec(), st_);
    if (!q) return problem_from(q.error(), req.target);
    q->conditions.push_back({Condition::Op::equals, {parent_column}, *pid});
    return list_response(repo, *q, req);
  });
}

}  // namespace voqo::api::rest
