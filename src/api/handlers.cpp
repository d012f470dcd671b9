#include "api/handlers.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <mutex>
#include <optional>
#include <streambuf>

#include "api/byte_range.hpp"
#include "api/multipart.hpp"
#include "api/openapi.hpp"
#include "api/problem.hpp"
#include "api/rest_kit.hpp"
#include "access/tiers.hpp"
#include "calls/call_service.hpp"
#include "campaign/contact_import.hpp"
#include "campaign/dialer.hpp"
#include "campaign/do_not_call.hpp"
#include "core/id.hpp"
#include "core/json_parse.hpp"
#include "core/time.hpp"
#include "api/permissions.hpp"
#include <spdlog/spdlog.h>
#include "model/phone.hpp"

namespace voqo::api::rest {

using nlohmann::json;
using store::Condition;
using store::ListQuery;

/// Reads bytes [offset, offset + length) of a file as a stream (the file part
/// of a multipart upload, read in place).
class RangeStreamBuf final : public std::streambuf {
 public:
  RangeStreamBuf(std::ifstream& in, uint64_t offset, uint64_t length) : in_(in), left_(length) {
    in_.seekg(static_cast<std::streamoff>(offset));
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (left_ == 0) return traits_type::eof();
    const auto want = static_cast<std::streamsize>(std::min<uint64_t>(left_, sizeof buf_));
    in_.read(buf_, want);
    const auto got = in_.gcount();
    if (got <= 0) return traits_type::eof();
    left_ -= static_cast<uint64_t>(got);
    setg(buf_, buf_, buf_ + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::ifstream& in_;
  uint64_t left_;
  char buf_[64 * 1024];
};

/// The CSV of a spooled request body: the whole body, or the file part of a
/// multipart/form-data body (RFC 7578), read in place from the spool file.
struct SpooledCsv {
  std::ifstream file;
  std::optional<RangeStreamBuf> buffer;
  std::istream stream{nullptr};
  std::string filename;  ///< the multipart part's filename, "" otherwise
};

/// Opens `out` on `req`'s body. An empty body (which may come without a spool
/// file) reads as an empty CSV. Errors: a malformed multipart body; io when
/// the spool file is missing.
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
                             const std::function<Result<bool>(std::string_view, std::string_view, ListQuery&)>& extra = {}) {
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
                      uint32_t limit = 100) {
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


/// Whether workspace `ws` may use the voice an agent body names: ElevenLabs
/// voices are premium (issue 16 §5), refused with 403 naming `premiumVoices`
/// on a tier without them.
Result<void> premium_voice_allowed(Authenticator& auth, const WorkspaceId& ws, const json& body) {
  auto it = body.find("voiceProvider");
  if (it == body.end() || !it->is_string() || *it != "elevenlabs") return {};
  if (auth.limits(ws).premium_voices) return {};
  return std::unexpected(Error::forbidden(
      "premiumVoices", "ElevenLabs voices are premium: this workspace's tier does not include them (limit premiumVoices)"));
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
        !pattern.starts_with("/api/workspaces")) {  // those name their own workspace (access_routes.cpp)
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
                 const std::string& child_param, store::Repository& repo) {
  const std::string coll = parent_base + "/{id}/" + child;
  const std::string one = coll + "/{" + child_param + "}";
  std::string parent_column;
  for (const auto& f : repo.spec().fields)
    if (f.has(model::kParent)) parent_column = std::string(f.column);
  child_list(coll, parent, repo, parent_column);
  add("POST", coll, [this, &repo, &parent, parent_base, child](HttpRequest& req) {
    auto pid = path_id(req, "id", parent.spec().name);
    if (!pid) return problem_from(pid.error(), req.target);
    if (auto p = parent.get(workspace(req), *pid); !p) return problem_from(p.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
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
  add("PATCH", one, [this, &repo, &parent, child_param](HttpRequest& req) {
    auto ids = child_ids(req, parent, repo, child_param);
    if (!ids) return problem_from(ids.error(), req.target);
    const auto& [pid, id] = *ids;
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    return reply(repo.update(workspace(req), id, *body, pid, context(req)), req);
  });
  add("DELETE", one, [&repo, &parent, child_param](HttpRequest& req) {
    auto ids = child_ids(req, parent, repo, child_param);
    if (!ids) return problem_from(ids.error(), req.target);
    const auto& [pid, id] = *ids;
    return reply(repo.remove(workspace(req), id, pid), req);
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

/// POST /api/agents: the tier's limit on agents (403 naming `agents`) and on
/// premium voices, then the agent and its configuration version 1.
HttpResponse Api::create_agent(HttpRequest& req) {
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  const WorkspaceId& ws = workspace(req);
  if (auto premium = premium_voice_allowed(auth_, ws, *body); !premium) return problem_from(premium.error(), req.target);
  if (auto max = auth_.limits(ws).agents) {
    auto n = st_.agents().count(ws);
    if (!n) return problem_from(n.error(), req.target);
    if (*n >= static_cast<int64_t>(*max))
      return problem_from(Error::forbidden("agents", "this workspace's tier allows " + std::to_string(*max) +
                                                         " agent" + (*max == 1 ? "" : "s") + " (limit agents)"),
                          req.target);
  }
  auto agent = st_.agents().create(ws, *body, actor(req));
  if (!agent) return problem_from(agent.error(), req.target);
  return created(*agent, "/api/agents/" + (*agent)["id"].get<std::string>());
}

void Api::agents() {
  auto& agents = st_.agents();
  auto& repo = agents.records();
  crud("/api/agents", repo, {.list = true, .get = true, .create = false, .update = false, .remove = true});
  add("POST", "/api/agents", [this](HttpRequest& req) { return create_agent(req); });
  add("PATCH", "/api/agents/{id}", [this, &agents](HttpRequest& req) {
    auto id = path_id(req, "id", "agent");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (auto premium = premium_voice_allowed(auth_, workspace(req), *body); !premium)
      return problem_from(premium.error(), req.target);
    return reply(agents.update(workspace(req), *id, *body, actor(req)), req);
  });
  add("GET", "/api/agents/{id}/configurations", [&agents](HttpRequest& req) {
    auto id = path_id(req, "id", "agent");
    if (!id) return problem_from(id.error(), req.target);
    auto items = agents.configurations(workspace(req), *id);
    if (!items) return problem_from(items.error(), req.target);
    return json_response(200, json{{"items", *items}, {"nextCursor", nullptr}});
  });
  add("POST", "/api/agents/{id}/configurations/{version}/activate", [&agents](HttpRequest& req) {
    auto id = path_id(req, "id", "agent");
    if (!id) return problem_from(id.error(), req.target);
    const auto text = req.param("version");
    int64_t version = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (ec != std::errc{} || p != text.data() + text.size() || version < 1)
      return problem_from(Error::not_found("configuration version " + std::string(text) + " not found"), req.target);
    return reply(agents.activate(workspace(req), *id, version, actor(req)), req);
  });
  nested("/api/agents", repo, "functions", "functionId", st_.custom_functions());
  add("POST", "/api/tts/preview", [this](HttpRequest& req) { return tts_preview(req); }, {.lane = Lane::slow});
}

/// POST /api/tts/preview {voiceProvider, voiceId, speechRate?, pitch?, text?}
/// → audio/wav. The rules are the agent fields' (data model: agents) plus
/// text ≤ 500 characters; every bad field is reported (422).
HttpResponse Api::tts_preview(HttpRequest& req) {
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  if (!body->is_object()) return problem_from(Error::bad_request("request body must be a JSON object"), req.target);
  std::vector<FieldError> errors;
  speech::Voice voice;
  std::string provider, text = "Hi, this is your voice agent. How can I help you today?";
  for (const auto& [key, v] : body->items()) {
    if (key == "voiceProvider") {
      if (v.is_string() && (v == "flite" || v == "espeak-ng" || v == "elevenlabs")) provider = v.get<std::string>();
      else errors.push_back({key, "must be one of flite, espeak-ng, elevenlabs"});
    } else if (key == "voiceId") {
      if (v.is_string() && !v.get_ref<const std::string&>().empty() && v.get_ref<const std::string&>().size() <= 200)
        voice.id = v.get<std::string>();
      else errors.push_back({key, "must be a voice name of 1–200 characters"});
    } else if (key == "speechRate" || key == "pitch") {
      if (v.is_number() && v.get<double>() >= 0.5 && v.get<double>() <= 2.0)
        (key == "pitch" ? voice.pitch : voice.speech_rate) = v.get<double>();
      else errors.push_back({key, "must be a number from 0.5 to 2.0"});
    } else if (key == "text") {
      if (v.is_string() && !v.get_ref<const std::string&>().empty() && v.get_ref<const std::string&>().size() <= 500)
        text = v.get<std::string>();
      else errors.push_back({key, "must be 1–500 characters"});
    } else if (key != "language" && key != "voiceStyle") {  // agent fields a form may send along; not used by the engines
      errors.push_back({key, "unknown field"});
    }
  }
  if (provider.empty() && !body->contains("voiceProvider")) errors.push_back({"voiceProvider", "required"});
  if (voice.id.empty() && !body->contains("voiceId")) errors.push_back({"voiceId", "required"});
  if (!errors.empty()) return problem(422, "Unprocessable Content", "the voice preview request is invalid", errors, req.target);
  if (auto premium = premium_voice_allowed(auth_, workspace(req), {{"voiceProvider", provider}}); !premium)
    return problem_from(premium.error(), req.target);
  if (!config_.tts_preview) return problem(503, "Service Unavailable", "speech engines are not available on this server", {}, req.target);
  auto wav = config_.tts_preview(workspace(req), provider, voice, text);
  if (!wav) return problem_from(wav.error(), req.target);
  return HttpResponse{200, "audio/wav", std::move(*wav), {{"Cache-Control", "no-store"}}};
}

void Api::contacts() {
  auto& contacts = st_.contacts();
  crud("/api/contacts", contacts, {.get = false});
  // GET one contact embeds its memories (newest first).
  add("GET", "/api/contacts/{id}", [this, &contacts](HttpRequest& req) {
    auto id = path_id(req, "id", "contact");
    if (!id) return problem_from(id.error(), req.target);
    auto c = contacts.get(workspace(req), *id);
    if (!c) return problem_from(c.error(), req.target);
    auto memories = embedded(workspace(req), st_.memories(), "contact_id", *id);
    if (!memories) return problem_from(memories.error(), req.target);
    (*c)["memories"] = std::move(*memories);
    return json_response(200, *c);
  });
  nested("/api/contacts", contacts, "memories", "memoryId", st_.memories());
}

void Api::calls() {
  auto& calls = st_.calls();
  add("GET", "/api/calls", [this, &calls](HttpRequest& req) {
    auto q = list_query(req, calls.spec(), st_, [this, &req](std::string_view key, std::string_view value, ListQuery& q) -> Result<bool> {
      if (key == "phone") {
        auto p = model::normalize_phone(value, st_.settings().default_region(workspace(req)));
        if (!p) return std::unexpected(Error::invalid("phone", p.error().message));
        q.conditions.push_back({Condition::Op::any_equals, {"from_phone", "to_phone"}, p->e164});
        return true;
      }
      if (key == "from" || key == "to") {
        auto tp = parse_iso8601(value);
        if (!tp) return std::unexpected(Error::invalid(std::string(key), "must be an ISO-8601 date or date-time"));
        q.conditions.push_back({key == "from" ? Condition::Op::at_least : Condition::Op::before, {"created_at"},
                                to_iso8601(*tp)});
        return true;
      }
      return false;
    });
    if (!q) return problem_from(q.error(), req.target);
    return list_response(calls, *q, req);
  });
  add("GET", "/api/calls/{id}", [&calls](HttpRequest& req) {
    auto id = path_id(req, "id", "call");
    return id ? reply(calls.get(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });
  add("POST", "/api/calls", [this](HttpRequest& req) { return place_call(req); });
  add("GET", "/api/calls/{id}/recording", [this, &calls](HttpRequest& req) {
    auto id = path_id(req, "id", "call");
    if (!id) return problem_from(id.error(), req.target);
    auto call = calls.get(workspace(req), *id);
    if (!call) return problem_from(call.error(), req.target);
    if (!(*call)["recordingUrl"].is_string() || config_.recordings_dir.empty())
      return problem(404, "Not Found", "this call has no recording", {}, req.target);
    auto res = serve_file(config_.recordings_dir / (*id + ".wav"), "audio/wav", req);
    // A recording leaving the server is an export (issue 16 §8): logged once
    // per download or playback (from its start), not per later range.
    const auto range = req.header("range");
    if (res.status < 300 && (range.empty() || range.starts_with("bytes=0-")))
      audit(req, "GET /api/calls/{id}/recording", "calls", *id, json{{"range", std::string(range)}});
    return res;
  });
}

HttpResponse Api::place_call(HttpRequest& req) {
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  std::vector<FieldError> errors;
  for (const char* f : {"agentId", "to"})
    if (!body->contains(f) || !(*body)[f].is_string() || (*body)[f].get<std::string>().empty())
      errors.push_back({f, "required: a non-empty string"});
  if (body->contains("variables") && !(*body)["variables"].is_object()) errors.push_back({"variables", "must be an object"});
  for (const auto& [key, value] : body->items())
    if (key != "agentId" && key != "to" && key != "variables") errors.push_back({key, "unknown field"});
  if (!errors.empty()) return problem(422, "Unprocessable Content", "the call request is invalid", errors, req.target);
  if (!config_.calls) return problem(503, "Service Unavailable", "telephony is not running on this server (started without SIP)", {}, req.target);
  calls::PlaceCall pc{workspace(req), (*body)["agentId"], (*body)["to"], body->value("variables", json::object()), ""};
  auto id = config_.calls->place_call(pc);
  if (!id) return problem_from(id.error(), req.target);
  return json_response(202, json{{"id", *id}, {"status", "connecting"}, {"agentId", pc.agent}, {"to", pc.to}});
}

/// Serves a file, streamed by the server (never read into memory), with
/// byte ranges as evaluate_range() decides (RFC 9110 §14): 206 with
/// Content-Range for one satisfiable range, 416 with `Content-Range: bytes
/// */size` when none is, the whole file for no Range or one to ignore.
HttpResponse Api::serve_file(const std::filesystem::path& path, std::string content_type, const HttpRequest& req) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return problem(404, "Not Found", "the recording file is missing", {}, req.target);
  const auto range = evaluate_range(req, size);
  if (range.kind == RangeDecision::Kind::unsatisfiable) {
    auto r = problem(416, "Range Not Satisfiable", "the range is outside the recording", {}, req.target);
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  const bool partial = range.kind == RangeDecision::Kind::partial;
  HttpResponse r{partial ? 206 : 200, std::move(content_type), {}, {{"Accept-Ranges", "bytes"}}};
  r.file = FileSlice{path, partial ? range.first : 0, partial ? range.length : size};
  if (partial)
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.first + range.length - 1) + "/" + std::to_string(size));
  return r;
}

HttpResponse Api::upload(HttpRequest& req) {
  auto cid = path_id(req, "id", "campaign");
  if (!cid) return problem_from(cid.error(), req.target);
  if (auto c = st_.campaigns().get(workspace(req), *cid); !c) return problem_from(c.error(), req.target);
  campaign::ImportOptions options;
  options.region = st_.settings().default_region(workspace(req));
  std::string filename = "upload.csv";
  for (const auto& [key, value] : req.query) {
    if (key == "region") {
      if (!model::is_valid_region(value))
        return problem_from(Error::invalid("region", "must be an ISO 3166-1 region code such as US"), req.target);
      options.region = value;
    } else if (key == "filename") {
      if (auto ok = check_upload_filename(value); !ok) return problem_from(ok.error(), req.target);
      filename = value;
    } else {
      return problem_from(Error::invalid(key, "unknown query parameter"), req.target);
    }
  }
  const auto type = req.header("content-type");
  if (!type.empty() && !type.starts_with("multipart/") && !type.starts_with("text/") &&
      !type.starts_with("application/csv") && !type.starts_with("application/octet-stream") &&
      !type.starts_with("application/vnd.ms-excel")) {
    return problem_from(Error{ErrorCode::unsupported,
                              "upload a CSV as text/csv or as a multipart/form-data file part, not " + std::string(type), {}},
                        req.target);
  }
  SpooledCsv csv;
  if (auto opened = open_spooled_csv(req, csv); !opened) return problem_from(opened.error(), req.target);
  if (!csv.filename.empty()) {  // an empty one is a browser's "no name": keep the default
    if (auto ok = check_upload_filename(csv.filename); !ok) return problem_from(ok.error(), req.target);
    filename = csv.filename;
  }
  auto report = campaign::import_contacts(st_.uploads(), workspace(req), *cid, filename, csv.stream, options);
  if (!report) return problem_from(report.error(), req.target);
  json body = import_report_json(*report, config_.max_inline_rejections);
  body["campaignId"] = *cid;
  body["filename"] = filename;
  return created(body, "/api/uploads/" + report->upload_id);
}

void Api::campaigns_and_uploads() {
  auto& campaigns = st_.campaigns();
  auto& uploads = st_.upload_records();
  crud("/api/campaigns", campaigns);
  add("POST", "/api/campaigns/{id}/uploads", [this](HttpRequest& req) { return upload(req); },
      RouteOptions{.spool_body = true, .lane = Lane::slow});
  child_list("/api/campaigns/{id}/uploads", campaigns, uploads, "campaign_id");

  crud("/api/uploads", uploads, {.list = true, .get = false, .create = false, .update = false, .remove = true});
  add("GET", "/api/uploads/{id}", [this, &uploads](HttpRequest& req) {
    auto id = path_id(req, "id", "upload");
    if (!id) return problem_from(id.error(), req.target);
    auto u = uploads.get(workspace(req), *id);
    if (!u) return problem_from(u.error(), req.target);
    auto contacts = embedded(workspace(req), st_.batch_contacts(), "upload_id", *id);
    auto rejections = embedded(workspace(req), st_.upload_rejections(), "upload_id", *id);
    if (!contacts) return problem_from(contacts.error(), req.target);
    if (!rejections) return problem_from(rejections.error(), req.target);
    (*u)["batchContacts"] = std::move(*contacts);
    (*u)["rejections"] = std::move(*rejections);
    return json_response(200, *u);
  });
  child_list("/api/uploads/{id}/contacts", uploads, st_.batch_contacts(), "upload_id");
  child_list("/api/uploads/{id}/rejections", uploads, st_.upload_rejections(), "upload_id");
}

json progress_json(const campaign::JobProgress& p) {
  return {{"total", p.total},         {"pending", p.pending},     {"waiting", p.waiting}, {"calling", p.calling},
          {"completed", p.completed}, {"failed", p.failed},       {"paused", p.paused},   {"outcomes", p.outcomes}};
}

void Api::jobs() {
  auto& jobs = st_.jobs();
  auto& repo = jobs.records();
  crud("/api/jobs", repo, {.list = true, .get = false, .create = false, .update = false, .remove = false});
  add_create("/api/jobs", [this, &jobs](HttpRequest& req, const json& body) {
    return config_.dialer ? config_.dialer->create_job(workspace(req), body) : jobs.create(workspace(req), body);
  });
  add("GET", "/api/jobs/{id}", [this, &jobs, &repo](HttpRequest& req) {
    auto id = path_id(req, "id", "job");
    if (!id) return problem_from(id.error(), req.target);
    auto j = repo.get(workspace(req), *id);
    if (!j) return problem_from(j.error(), req.target);
    auto calls = embedded(workspace(req), jobs.job_calls(), "job_id", *id);
    if (!calls) return problem_from(calls.error(), req.target);
    (*j)["jobCalls"] = std::move(*calls);
    if (config_.dialer)
      if (auto p = config_.dialer->progress(workspace(req), *id)) (*j)["progress"] = progress_json(*p);
    return json_response(200, *j);
  });
  using Control = Result<json> (campaign::Dialer::*)(const WorkspaceId&, const std::string&);
  for (const auto& [verb, fn] : std::initializer_list<std::pair<const char*, Control>>{
           {"pause", &campaign::Dialer::pause}, {"resume", &campaign::Dialer::resume}, {"cancel", &campaign::Dialer::cancel}}) {
    add("POST", std::string("/api/jobs/{id}/") + verb, [this, fn, &repo](HttpRequest& req) {
      auto id = path_id(req, "id", "job");
      if (!id) return problem_from(id.error(), req.target);
      if (auto job = repo.get(workspace(req), *id); !job) return problem_from(job.error(), req.target);
      if (!config_.dialer)
        return problem(503, "Service Unavailable", "this server runs without telephony (--no-sip): jobs do not run", {},
                       req.target);
      return reply((config_.dialer->*fn)(workspace(req), *id), req);
    });
  }
  child_list("/api/jobs/{id}/events", repo, st_.job_events(), "job_id");
  add("DELETE", "/api/jobs/{id}", [&jobs](HttpRequest& req) {
    auto id = path_id(req, "id", "job");
    return id ? reply(jobs.remove(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });
  child_list("/api/jobs/{id}/calls", repo, jobs.job_calls(), "job_id");
}

void Api::compliance_and_outboxes() {
  auto& dnc = st_.do_not_call();
  crud("/api/do-not-call", dnc, {.list = true, .get = true, .create = false, .update = false, .remove = false});
  add_create("/api/do-not-call", [this](HttpRequest& req, const json& body) -> Result<json> {
    if (!body.is_object() || !body.contains("phone") || !body["phone"].is_string())
      return std::unexpected(Error::invalid("phone", "required: the number never to dial"));
    for (auto it = body.begin(); it != body.end(); ++it)
      if (it.key() != "phone" && it.key() != "reason") return std::unexpected(Error::invalid(it.key(), "unknown field"));
    if (body.contains("reason") && !body["reason"].is_string() && !body["reason"].is_null())
      return std::unexpected(Error::invalid("reason", "must be a string"));
    campaign::DoNotCallList list(st_.db());
    const std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
    return list.add(workspace(req), body["phone"].get<std::string>(), reason, "api", "",
                    st_.settings().default_region(workspace(req)));
  });
  add("DELETE", "/api/do-not-call/{id}", [this](HttpRequest& req) {
    auto id = path_id(req, "id", "do-not-call entry");
    if (!id) return problem_from(id.error(), req.target);
    campaign::DoNotCallList list(st_.db());
    return reply(list.remove(workspace(req), *id, st_.settings().default_region(workspace(req))), req);
  });
  add(
      "POST", "/api/do-not-call/import",
      [this](HttpRequest& req) {
        SpooledCsv csv;
        if (auto opened = open_spooled_csv(req, csv); !opened) return problem_from(opened.error(), req.target);
        campaign::DoNotCallList list(st_.db());
        auto report = list.import_csv(workspace(req), csv.stream, st_.settings().default_region(workspace(req)));
        if (!report) return problem_from(report.error(), req.target);
        json rejected = json::array();
        for (const auto& r : report->rejected) rejected.push_back({{"line", r.line}, {"reason", r.reason}});
        return json_response(200, json{{"added", report->added},
                                       {"alreadyListed", report->already_listed},
                                       {"rejectedCount", report->rejected_count},
                                       {"rejected", std::move(rejected)}});
      },
      RouteOptions{.spool_body = true, .lane = Lane::slow});
  crud("/api/sms-messages", st_.sms_messages(), {.list = true, .get = true, .create = false, .update = false, .remove = false});
  crud("/api/webhook-events", st_.webhook_events(),
       {.list = true, .get = true, .create = false, .update = false, .remove = false});
}

/// A list the live routes return: every item, in one page.
json all_items(json items) { return json{{"items", std::move(items)}, {"nextCursor", nullptr}}; }

/// A sip: or sips: URI (RFC 3261 §19.1) as far as a transfer target needs:
/// the scheme, then a user part or host without spaces or control characters.
bool is_sip_uri(std::string_view t) {
  const std::string_view rest = t.starts_with("sip:") ? t.substr(4) : t.starts_with("sips:") ? t.substr(5) : std::string_view{};
  if (rest.empty() || rest.size() > 512) return false;
  return std::ranges::none_of(rest, [](char ch) { return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f; });
}

void Api::live() {
  auto& live = st_.live();
  add("GET", "/api/live-calls", [&live](HttpRequest& req) {
    std::optional<std::string> status;
    for (const auto& [key, value] : req.query) {
      if (key != "status") return problem_from(Error::invalid(key, "unknown query parameter"), req.target);
      status = value;
    }
    auto items = live.live_calls(workspace(req), status);
    return items ? json_response(200, all_items(std::move(*items))) : problem_from(items.error(), req.target);
  });
  add("GET", "/api/live-calls/{id}", [&live](HttpRequest& req) {
    auto id = path_id(req, "id", "live call");
    return id ? reply(live.live_call(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });
  using List = Result<json> (store::LiveStore::*)(const WorkspaceId&, const std::string&);
  for (const auto& [child, fn] : std::initializer_list<std::pair<const char*, List>>{
           {"transcript", &store::LiveStore::transcript}, {"actions", &store::LiveStore::supervisor_actions}}) {
    add("GET", std::string("/api/live-calls/{id}/") + child, [&live, fn](HttpRequest& req) {
      auto id = path_id(req, "id", "live call");
      if (!id) return problem_from(id.error(), req.target);
      if (auto row = live.call_row(workspace(req), *id); !row) return problem_from(row.error(), req.target);
      auto items = (live.*fn)(workspace(req), *id);
      return items ? json_response(200, all_items(std::move(*items))) : problem_from(items.error(), req.target);
    });
  }
  add("POST", "/api/live-calls/{id}/actions", [this](HttpRequest& req) { return supervisor_action(req); });
  add("GET", "/api/calls/{id}/analytics", [&live](HttpRequest& req) {
    auto id = path_id(req, "id", "call");
    return id ? reply(live.analytics(workspace(req), *id), req) : problem_from(id.error(), req.target);
  });
}

/// POST /api/live-calls/{id}/actions {action, details?}; the supervisor is the caller.
HttpResponse Api::supervisor_action(HttpRequest& req) {
  auto id = path_id(req, "id", "live call");
  if (!id) return problem_from(id.error(), req.target);
  auto row = st_.live().call_row(workspace(req), *id);
  if (!row) return problem_from(row.error(), req.target);
  if ((*row)["endedAt"].is_string())
    return problem(409, "", "call " + *id + " has ended: supervisor actions apply to calls in progress", {}, req.target);
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  if (!body->is_object()) return problem_from(Error::bad_request("the request body must be a JSON object"), req.target);
  std::vector<FieldError> errors;
  std::string action;
  if (auto a = body->find("action"); a == body->end() || !a->is_string())
    errors.push_back({"action", "required: one of the supervisor actions"});
  else if (action = a->get<std::string>(); std::ranges::find(store::kSupervisorActions, action) == std::end(store::kSupervisorActions))
    errors.push_back({"action", "must be one of COACH_AGENT, JOIN_CALL, TAKE_OVER, RELEASE, TRANSFER_CALL, END_CALL, ADD_NOTE, "
                                "BOOKMARK_MOMENT, FLAG_FOR_REVIEW"});
  json details = body->value("details", json::object());
  if (details.is_null()) details = json::object();
  if (!details.is_object()) errors.push_back({"details", "must be an object"});
  // The supervisor is who the server authenticated (issue 16 §3): a
  // supervisorId or supervisorName in the body is not trusted, only refused
  // when it names someone else.
  const std::string who[2] = {actor(req), req.principal ? req.principal->name : std::string("API")};
  const char* who_fields[2] = {"supervisorId", "supervisorName"};
  for (int i = 0; i < 2; ++i) {
    auto f = body->find(who_fields[i]);
    if (f == body->end() || f->is_null()) continue;
    if (!f->is_string() || *f != who[i])
      errors.push_back({who_fields[i], "is set by the server to the signed-in user or key (" + who[i] + ")"});
  }
  for (const auto& [key, _] : body->items())
    if (key != "action" && key != "details" && key != "supervisorId" && key != "supervisorName")
      errors.push_back({key, "unknown field"});
  if (errors.empty() && (action == "COACH_AGENT" || action == "ADD_NOTE")) {
    auto t = details.find("text");
    if (t == details.end() || !t->is_string() || t->get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos ||
        t->get_ref<const std::string&>().size() > 4000)
      errors.push_back({"details.text", "required: the text (1–4000 characters)"});
  }
  if (errors.empty() && action == "TRANSFER_CALL") {
    auto t = details.find("target");
    bool ok = t != details.end() && t->is_string();
    if (ok && !is_sip_uri(t->get_ref<const std::string&>())) {
      auto phone = model::normalize_phone(t->get_ref<const std::string&>(), st_.settings().default_region(workspace(req)));
      ok = phone.has_value();
      if (ok) *t = phone->e164;
    }
    if (!ok) errors.push_back({"details.target", "required: an E.164 number or a sip: URI"});
  }
  if (!errors.empty()) return problem(422, "Unprocessable Content", "the supervisor action is invalid", errors, req.target);
  if (config_.live_action) {
    auto done = config_.live_action(workspace(req), *id, action, details, who[0], who[1]);
    return done ? json_response(202, *done) : problem_from(done.error(), req.target);
  }
  if (action != "ADD_NOTE" && action != "BOOKMARK_MOMENT" && action != "FLAG_FOR_REVIEW")
    return problem(503, "Service Unavailable", "live control unavailable: this server cannot act on calls", {}, req.target);
  auto at = st_.live().call_time_ms(workspace(req), *id);
  if (!at) return problem_from(at.error(), req.target);
  auto recorded = st_.live().record_supervisor_action(workspace(req), *id, action, details, who[0], who[1], *at);
  return recorded ? json_response(202, *recorded) : problem_from(recorded.error(), req.target);
}

void Api::settings() {
  // Secrets are write-only: every answer masks them (store::redact_secrets).
  auto& s = st_.settings();
  auto redact_all = [](Result<json> all) -> Result<json> {
    if (all)
      for (auto& [key, value] : all->items()) value = store::redact_secrets(key, std::move(value));
    return all;
  };
  add("GET", "/api/settings", [&s, redact_all](HttpRequest& req) { return reply(redact_all(s.all(workspace(req))), req); });
  add("PATCH", "/api/settings", [&s, redact_all](HttpRequest& req) {
    auto body = parse_body(req);
    return body ? reply(redact_all(s.patch(workspace(req), *body)), req) : problem_from(body.error(), req.target);
  });
  add("GET", "/api/settings/{key}", [&s](HttpRequest& req) {
    const std::string key(req.param("key"));
    auto v = s.get(workspace(req), key);
    if (!v) return problem_from(v.error(), req.target);
    return json_response(200, json{{"key", key}, {"value", store::redact_secrets(key, std::move(*v))}});
  });
  add("PUT", "/api/settings/{key}", [&s](HttpRequest& req) {
    const std::string key(req.param("key"));
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (!body->is_object() || !body->contains("value") || body->size() != 1)
      return problem_from(Error::invalid("value", "body must be {\"value\": ...}"), req.target);
    auto v = s.put(workspace(req), key, (*body)["value"]);
    if (!v) return problem_from(v.error(), req.target);
    return json_response(200, json{{"key", key}, {"value", store::redact_secrets(key, std::move(*v))}});
  });
}

void Api::register_all() {
  // On the I/O thread (it never blocks), so it answers however busy the workers are.
  add("GET", "/api/health", [this](HttpRequest&) {
    return json_response(200, json{{"status", "ok"}, {"database", st_.db().dialect()}, {"time", now_iso8601()}});
  }, {.lane = Lane::io});
  agents();
  contacts();
  calls();
  campaigns_and_uploads();
  jobs();
  compliance_and_outboxes();
  live();
  settings();
  access();
  // Last, so the document lists every route registered above.
  // Built on first use, when every route (this one included) is registered.
  add("GET", "/api/openapi.json", [this](HttpRequest&) {
    std::call_once(openapi_once_, [this] { openapi_ = openapi_document(router_).dump(2); });
    return HttpResponse::json(200, openapi_);
  });
}

}  // namespace voqo::api::rest

namespace voqo::api {

using nlohmann::json;

json import_report_json(const campaign::ImportReport& report, size_t max_rejections) {
  auto issues = [&](const std::vector<store::RowIssue>& list) {
    json out = json::array();
    for (size_t i = 0; i < list.size() && i < max_rejections; ++i)
      out.push_back({{"line", list[i].line}, {"column", list[i].column}, {"reason", list[i].reason}});
    return out;
  };
  json rejected = issues(report.rejected);
  const bool truncated = report.rejected_total > rejected.size();
  return json{{"uploadId", report.upload_id},
              {"totalRows", report.total_rows},
              {"imported", report.imported},
              {"rejectedCount", report.rejected_total},
              {"rejected", std::move(rejected)},
              {"rejectedTruncated", truncated},
              {"warningCount", report.warnings_total},
              {"warnings", issues(report.warnings)},
              {"delimiter", std::string(1, report.delimiter)},
              {"phoneColumn", report.phone_column},
              {"nameColumn", report.name_column}};
}

struct RestApi::Impl {
  rest::Api api;
};

RestApi::RestApi(Router& router, store::Store& store, ApiConfig config)
    : impl_(new Impl{rest::Api(router, store, std::move(config))}) {
  impl_->api.register_all();
}

RestApi::~RestApi() = default;

}  // namespace voqo::api
