// Agents (+ configuration versions, custom functions) and the voice preview.
#include <charconv>

#include "api/rest_kit.hpp"

namespace voqo::api::rest {

namespace {

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

}  // namespace

/// POST /api/agents: the tier's limit on agents (403 naming `agents`) and on
/// premium voices, then the agent and its configuration version 1.
HttpResponse Api::create_agent(HttpRequest& req) {
  auto body = parse_body(req);
  if (!body) return problem_from(body.error(), req.target);
  const WorkspaceId& ws = workspace(req);
  if (auto premium = premium_voice_allowed(auth_, ws, *body); !premium) return problem_from(premium.error(), req.target);
  if (auto vars = check_agent_template_fields(ws, *body, json::object()); !vars) return problem_from(vars.error(), req.target);
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
    if (body->is_object()) {
      auto stored = agents.records().get(workspace(req), *id);
      if (!stored) return problem_from(stored.error(), req.target);
      if (auto vars = check_agent_template_fields(workspace(req), *body, *stored); !vars)
        return problem_from(vars.error(), req.target);
    }
    return reply(agents.update(workspace(req), *id, *body, actor(req)), req);
  });
  add("GET", "/api/agents/{id}/configurations", [&agents](HttpRequest& req) {
    auto id = path_id(req, "id", "agent");
    if (!id) return problem_from(id.error(), req.target);
    auto items = agents.configurations(workspace(req), *id);
    if (!items) return problem_from(items.error(), req.target);
    return json_response(200, whole_page(*items));
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

}  // namespace voqo::api::rest
