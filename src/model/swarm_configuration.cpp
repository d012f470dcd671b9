// A campaign's configuration, typed (issue 18 §6): read from its row, the
// body checks the table's own rules cannot say, and its application to a
// call's agent, settings and brain variables.
#include "model/swarm_configuration.hpp"

#include <algorithm>
#include <cctype>

#include "model/json_fields.hpp"
#include "model/phone.hpp"

namespace voqo::model {

namespace {

template <class C, class F>
void configuration_fields(C& c, F&& f) {
  f("id", c.id);
  f("workspaceId", c.workspace_id);
  f("campaignId", c.campaign_id);
  f("model", c.model);
  f("temperature", c.temperature);
  f("maxTokens", c.max_tokens);
  f("systemPrompt", c.system_prompt);
  f("voiceProvider", c.voice_provider);
  f("voiceModel", c.voice_model);
  f("speakingRate", c.speaking_rate);
  f("clarity", c.clarity);
  f("language", c.language);
  f("personality", c.personality);
  f("tone", c.tone);
  f("formality", c.formality);
  f("objectionStyle", c.objection_style);
  f("maxCallDurationMin", c.max_call_duration_min);
  f("retryAttempts", c.retry_attempts);
  f("queueTimeoutS", c.queue_timeout_s);
  f("successThreshold", c.success_threshold);
  f("escalateOnHumanRequest", c.triggers.human_request);
  f("negativeSentimentTurns", c.triggers.negative_sentiment_turns);
  f("repeatedObjectionCount", c.triggers.repeated_objection);
  f("escalationKeywords", c.triggers.keywords);
  f("autoTransfer", c.auto_transfer);
  f("transferNumber", c.transfer_number);
  f("supervisorAlerts", c.supervisor_alerts);
  f("alertWebhookUrl", c.alert_webhook_url);
  f("qualityCheck", c.quality_check);
}

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace

Result<SwarmConfiguration> swarm_configuration_from_json(const nlohmann::json& row) {
  if (!row.is_object())
    return std::unexpected(Error::bad_request("swarm configuration: must be a JSON object, not " + std::string(row.type_name())));
  SwarmConfiguration c;
  JsonFieldReader reader(row, "", "swarm configuration");
  configuration_fields(c, reader);
  if (auto e = reader.error()) return std::unexpected(*e);
  for (std::string& k : c.triggers.keywords) k = lower(k);
  return c;
}

Result<void> check_swarm_configuration(const nlohmann::json& body, const nlohmann::json& stored, std::string_view region) {
  if (auto it = body.find("escalationKeywords"); it != body.end()) {
    if (!it->is_array() || it->size() > 50)
      return std::unexpected(Error::invalid("escalationKeywords", "must be an array of at most 50 strings"));
    for (const auto& k : *it) {
      const bool blank = k.is_string() && std::ranges::all_of(k.get<std::string>(), [](unsigned char ch) { return std::isspace(ch); });
      if (!k.is_string() || k.get<std::string>().empty() || k.get<std::string>().size() > 100 || blank)
        return std::unexpected(Error::invalid("escalationKeywords", "each keyword must be a string of 1-100 characters"));
    }
  }
  auto value = [&](const char* name) -> nlohmann::json {
    if (auto it = body.find(name); it != body.end()) return *it;
    return stored.is_object() ? stored.value(name, nlohmann::json()) : nlohmann::json();
  };
  // The rule the call service applies when it transfers (model::transfer_target), so a stored number is usable.
  if (auto it = body.find("transferNumber"); it != body.end() && it->is_string())
    if (auto t = transfer_target(it->get<std::string>(), region); !t)
      return std::unexpected(Error::invalid("transferNumber", "must be a phone number (E.164) or a sip:/sips: URI: " + t.error().message));
  const nlohmann::json on = value("autoTransfer"), number = value("transferNumber");
  if (on.is_boolean() && on.get<bool>() && !(number.is_string() && !number.get<std::string>().empty()))
    return std::unexpected(Error::invalid("transferNumber", "autoTransfer needs a transferNumber to transfer to"));
  return {};
}

void apply_swarm_configuration(const SwarmConfiguration& c, AgentConfig& agent, SettingsSnapshot& settings,
                               nlohmann::json& variables) {
  if (c.model && !c.model->empty()) settings.llm.model = *c.model;
  if (c.temperature) agent.temperature = *c.temperature;
  if (c.max_tokens) agent.max_tokens = *c.max_tokens;
  if (c.system_prompt) agent.system_prompt = *c.system_prompt;
  if (c.voice_provider) agent.voice.provider = *c.voice_provider;
  if (c.voice_model && !c.voice_model->empty()) agent.voice.id = *c.voice_model;
  if (c.speaking_rate) agent.voice.speech_rate = *c.speaking_rate;
  if (c.clarity) agent.voice.clarity = *c.clarity;
  if (c.language && !c.language->empty()) agent.language = *c.language;
  if (c.max_call_duration_min) agent.max_call_duration_min = *c.max_call_duration_min;
  if (!variables.is_object()) variables = nlohmann::json::object();
  // A member's own personalityProfile (its variant) wins over the campaign's.
  if (c.personality && !variables.contains("personalityProfile")) variables["personalityProfile"] = *c.personality;
  if (c.tone) variables["tone"] = *c.tone;
  if (c.formality) variables["formality"] = *c.formality;
  if (c.objection_style) variables["objectionStyle"] = *c.objection_style;
}

}  // namespace voqo::model
