// Live calls (issue 5): the live view, transcript, supervisor actions; call analytics.
#include <algorithm>

#include "api/rest_kit.hpp"
#include "model/phone.hpp"

namespace voqo::api::rest {

namespace {

/// A sip: or sips: URI (RFC 3261 §19.1) as far as a transfer target needs:
/// the scheme, then a user part or host without spaces or control characters.
bool is_sip_uri(std::string_view t) {
  const std::string_view rest = t.starts_with("sip:") ? t.substr(4) : t.starts_with("sips:") ? t.substr(5) : std::string_view{};
  if (rest.empty() || rest.size() > 512) return false;
  return std::ranges::none_of(rest, [](char ch) { return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f; });
}

}  // namespace

void Api::live() {
  auto& live = st_.live();
  add("GET", "/api/live-calls", [&live](HttpRequest& req) {
    std::optional<std::string> status;
    for (const auto& [key, value] : req.query) {
      if (key != "status") return problem_from(Error::invalid(key, "unknown query parameter"), req.target);
      status = value;
    }
    auto items = live.live_calls(workspace(req), status);
    return items ? json_response(200, whole_page(std::move(*items))) : problem_from(items.error(), req.target);
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
      return items ? json_response(200, whole_page(std::move(*items))) : problem_from(items.error(), req.target);
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

}  // namespace voqo::api::rest
