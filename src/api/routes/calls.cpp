// Calls: the records, placing a call, recordings (byte ranges) and analytics.
#include "api/byte_range.hpp"
#include "api/rest_kit.hpp"
#include "calls/call_service.hpp"
#include "core/time.hpp"
#include "model/phone.hpp"

namespace voqo::api::rest {

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

}  // namespace voqo::api::rest
