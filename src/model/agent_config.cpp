// AgentConfig and CustomFunctionConfig from and to their rows' JSON. Each
// field is named once, in a visitor shared by the reader and the writer; each
// default is the EntitySpec's (entities.cpp), read through spec_default.
#include "model/agent_config.hpp"

#include <map>
#include <mutex>
#include <stdexcept>

#include "model/json_fields.hpp"

namespace voqo::model {

const nlohmann::json& spec_default(const EntitySpec& spec, std::string_view json_name) {
  static std::mutex mutex;
  static std::map<std::pair<const EntitySpec*, std::string>, nlohmann::json, std::less<>> cache;
  std::lock_guard lock(mutex);
  auto key = std::pair{&spec, std::string(json_name)};
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const FieldSpec* field = spec.by_json(json_name);
  if (!field)
    throw std::logic_error("spec_default: " + std::string(spec.name) + " has no field '" + std::string(json_name) + "'");
  nlohmann::json value = field->default_json.empty() ? nlohmann::json() : nlohmann::json::parse(field->default_json);
  return cache.emplace(std::move(key), std::move(value)).first->second;
}

namespace {

/// Every agent field, once: (camelCase JSON name, member).
template <class A, class F>
void agent_fields(A& a, F&& f) {
  f("id", a.id);
  f("workspaceId", a.workspace_id);
  f("name", a.name);
  f("description", a.description);
  f("systemPrompt", a.system_prompt);
  f("template", a.script_template);
  f("instructionTemplateId", a.instruction_template_id);
  f("greetingMessage", a.greeting_message);
  f("greetOnAnswer", a.greet_on_answer);
  f("voicemailMessage", a.voicemail_message);
  f("enabled", a.enabled);
  f("elevenlabsAgentId", a.elevenlabs_agent_id);
  f("purpose", a.purpose);
  f("customPurpose", a.custom_purpose);
  f("voiceProvider", a.voice.provider);
  f("voiceId", a.voice.id);
  f("voiceStyle", a.voice.style);
  f("speechRate", a.voice.speech_rate);
  f("pitch", a.voice.pitch);
  f("language", a.language);
  f("responseDelayMs", a.response_delay_ms);
  f("interruptionSensitivity", a.interruption_sensitivity);
  f("silenceThresholdMs", a.silence_threshold_ms);
  f("maxCallDurationMin", a.max_call_duration_min);
  f("temperature", a.temperature);
  f("maxTokens", a.max_tokens);
  f("enableTranscription", a.enable_transcription);
  f("enableAnalytics", a.enable_analytics);
  f("webhookUrl", a.webhook_url);
  f("status", a.status);
  f("lastActiveAt", a.last_active_at);
  f("totalCalls", a.total_calls);
  f("successRate", a.success_rate);
  f("avgCallDurationS", a.avg_call_duration_s);
  f("satisfactionRating", a.satisfaction_rating);
  f("createdAt", a.created_at);
  f("updatedAt", a.updated_at);
}

/// Every custom function field, once.
template <class C, class F>
void function_fields(C& c, F&& f) {
  f("id", c.id);
  f("workspaceId", c.workspace_id);
  f("agentId", c.agent_id);
  f("name", c.name);
  f("description", c.description);
  f("endpoint", c.endpoint);
  f("method", c.method);
  f("headers", c.headers);
  f("authType", c.auth_type);
  f("authConfig", c.auth_config);
  f("parameters", c.parameters);
  f("responseMapping", c.response_mapping);
  f("timeout", c.timeout_s);
  f("enabled", c.enabled);
  f("createdAt", c.created_at);
  f("updatedAt", c.updated_at);
}

}  // namespace

Result<AgentConfig> agent_config_from_json(const nlohmann::json& row) {
  if (!row.is_object()) return std::unexpected(Error::bad_request("agent: must be a JSON object, not " + std::string(row.type_name())));
  AgentConfig a;
  JsonFieldReader reader(row, "", "agent");
  agent_fields(a, reader);
  if (auto e = reader.error()) return std::unexpected(*e);
  return a;
}

nlohmann::json to_json(const AgentConfig& agent) {
  JsonFieldWriter writer;
  agent_fields(agent, writer);
  return std::move(writer.out);
}

Result<CustomFunctionConfig> custom_function_from_json(const nlohmann::json& row) {
  if (!row.is_object())
    return std::unexpected(Error::bad_request("custom function: must be a JSON object, not " + std::string(row.type_name())));
  CustomFunctionConfig c;
  JsonFieldReader reader(row, "", "custom function");
  function_fields(c, reader);
  if (auto e = reader.error()) return std::unexpected(*e);
  // Object members stay objects: a null responseMapping or authConfig means none.
  return c;
}

nlohmann::json to_json(const CustomFunctionConfig& function) {
  JsonFieldWriter writer;
  function_fields(function, writer);
  return std::move(writer.out);
}

}  // namespace voqo::model
