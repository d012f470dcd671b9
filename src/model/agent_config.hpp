#pragma once
/// The typed agent (issue 17 §3: typed records at the seams, JSON only at the
/// api/ and store/ edges). An agent row — the camelCase JSON the repository
/// returns (model/entities.cpp `agent_spec()`) — becomes an AgentConfig once,
/// where it leaves the store or the API; every module below reads the struct.
///
/// Defaults are written once, in the EntitySpec: a field that is absent (or
/// null and not nullable) takes the spec's `default_json`, so the API's
/// defaults (create, OpenAPI) and the typed ones cannot drift. A
/// default-constructed AgentConfig equals `agent_config_from_json({})`.
/// Member names follow the specification's field names (snake_case of the
/// camelCase JSON name); units are in the names (ms, min, s).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/schema.hpp"

namespace voqo::model {

/// The default of field `json_name` of `spec`: its `FieldSpec::default_json`
/// parsed (once per process per field). Null JSON when the field has no
/// default. Throws std::logic_error for a name the spec does not have (a
/// programming error: every caller names a spec field, agent_config_test
/// constructs each record). Thread-safe.
const nlohmann::json& spec_default(const EntitySpec& spec, std::string_view json_name);
/// spec_default(agent_spec(), json_name).
inline const nlohmann::json& agent_spec_default(std::string_view json_name) {
  return spec_default(agent_spec(), json_name);
}

/// How the agent sounds (agents.voice_provider, voice_id, voice_style,
/// speech_rate, pitch).
struct AgentVoice {
  /// TTS provider: "flite", "espeak-ng" or "elevenlabs" (agents.voice_provider).
  std::string provider = agent_spec_default("voiceProvider").get<std::string>();
  /// Voice of the provider, e.g. flite slt/rms/awb/kal16 (agents.voice_id).
  std::string id = agent_spec_default("voiceId").get<std::string>();
  /// professional | friendly | energetic | calm | custom (agents.voice_style).
  std::string style = agent_spec_default("voiceStyle").get<std::string>();
  /// Speech-rate multiplier, 0.5–2.0 (agents.speech_rate).
  double speech_rate = agent_spec_default("speechRate").get<double>();
  /// Pitch multiplier, 0.5–2.0 (agents.pitch).
  double pitch = agent_spec_default("pitch").get<double>();
  /// Clarity 0–1 for providers that have the control (speech::Voice::clarity).
  /// Not an agents column: only a campaign's configuration sets it
  /// (swarm_configurations.clarity, apply_swarm_configuration).
  std::optional<double> clarity;

  bool operator==(const AgentVoice&) const = default;
};

/// One agent, every column of `agents` (data model; agent-creation
/// specification). Filled by agent_config_from_json; written back by to_json.
struct AgentConfig {
  std::string id;            ///< agents.id (cuid2)
  std::string workspace_id;  ///< agents.workspace_id: the tenant whose providers, keys and tools a call uses
  std::string name;          ///< agents.name, unique in the workspace
  std::optional<std::string> description;  ///< agents.description
  std::string system_prompt;               ///< agents.system_prompt: instructions for the brain
  /// agents.template: property_sales | property_manager | custom (the scripted brain's call flow).
  std::string script_template = agent_spec_default("template").get<std::string>();
  /// agents.instruction_template_id (issue 19 §2): the template whose rendered
  /// content is the system prompt; null = system_prompt as written.
  std::optional<std::string> instruction_template_id;
  std::optional<std::string> greeting_message;   ///< agents.greeting_message: spoken on answer; null = the brain opens
  /// agents.greet_on_answer: an outbound call's greeting starts at the answer
  /// (within the abandoned-call rule's 2 s, docs/ANALYTICS.md) instead of after
  /// the callee's hello or answering-machine detection's verdict.
  bool greet_on_answer = agent_spec_default("greetOnAnswer").get<bool>();
  std::optional<std::string> voicemail_message;  ///< agents.voicemail_message: left after the beep; null = hang up on machines
  bool enabled = agent_spec_default("enabled").get<bool>();  ///< agents.enabled: takes and places calls
  std::optional<std::string> elevenlabs_agent_id;            ///< agents.elevenlabs_agent_id
  /// agents.purpose: sales | support | appointment | technical | custom.
  std::string purpose = agent_spec_default("purpose").get<std::string>();
  std::optional<std::string> custom_purpose;  ///< agents.custom_purpose (purpose = custom)
  AgentVoice voice;                           ///< voice_provider, voice_id, voice_style, speech_rate, pitch
  std::string language = agent_spec_default("language").get<std::string>();  ///< agents.language, BCP 47 (RFC 5646)
  /// agents.response_delay_ms: pause before the agent answers, ms (0–2000).
  int response_delay_ms = agent_spec_default("responseDelayMs").get<int>();
  /// agents.interruption_sensitivity: how readily caller speech interrupts the agent, 0–1
  /// (pipeline/barge_in.hpp turns it into required speech).
  double interruption_sensitivity = agent_spec_default("interruptionSensitivity").get<double>();
  /// agents.silence_threshold_ms: silence that ends the caller's turn, ms (500–5000).
  int silence_threshold_ms = agent_spec_default("silenceThresholdMs").get<int>();
  /// agents.max_call_duration_min: longest call, minutes (1–60).
  int max_call_duration_min = agent_spec_default("maxCallDurationMin").get<int>();
  double temperature = agent_spec_default("temperature").get<double>();  ///< agents.temperature: LLM sampling, 0–2
  int max_tokens = agent_spec_default("maxTokens").get<int>();            ///< agents.max_tokens: LLM tokens per reply, 50–2000
  bool enable_transcription = agent_spec_default("enableTranscription").get<bool>();  ///< agents.enable_transcription
  bool enable_analytics = agent_spec_default("enableAnalytics").get<bool>();          ///< agents.enable_analytics
  std::optional<std::string> webhook_url;  ///< agents.webhook_url: receives call and job events (http(s) URL)
  /// agents.status: active | idle | offline | configuring | error.
  std::string status = agent_spec_default("status").get<std::string>();
  std::optional<std::string> last_active_at;  ///< agents.last_active_at, ISO-8601 UTC (read-only)
  int64_t total_calls = agent_spec_default("totalCalls").get<int64_t>();            ///< agents.total_calls (read-only)
  double success_rate = agent_spec_default("successRate").get<double>();            ///< agents.success_rate, percent (read-only)
  double avg_call_duration_s = agent_spec_default("avgCallDurationS").get<double>();  ///< seconds (read-only)
  std::optional<double> satisfaction_rating;  ///< agents.satisfaction_rating, 0–5 (read-only)
  std::string created_at;                     ///< ISO-8601 UTC
  std::string updated_at;                     ///< ISO-8601 UTC

  bool operator==(const AgentConfig&) const = default;
};

/// A tool the LLM brain may call: one row of `custom_functions` (data model;
/// model/entities.cpp `custom_function_spec()`), defaults from that spec.
/// `headers` and `auth_config` are what the row holds: masked ("********")
/// when read through the API, in clear only when store/agent_configs.hpp
/// opens them for one call.
struct CustomFunctionConfig {
  std::string id;           ///< custom_functions.id
  std::string workspace_id; ///< custom_functions.workspace_id
  std::string agent_id;     ///< custom_functions.agent_id
  std::string name;         ///< tool name the LLM sees ([A-Za-z0-9_-], ≤ 64)
  std::string description;  ///< shown to the LLM
  std::string endpoint;     ///< absolute http(s) URL
  /// GET | POST | PUT | PATCH | DELETE.
  std::string method = spec_default(custom_function_spec(), "method").get<std::string>();
  /// Extra request headers {name: value} (a JSON object: headers are wire data).
  nlohmann::json headers = spec_default(custom_function_spec(), "headers");
  /// none | api_key | bearer | basic.
  std::string auth_type = spec_default(custom_function_spec(), "authType").get<std::string>();
  /// Credentials for auth_type (brain/tool_caller.hpp lists the shapes); {} when none.
  nlohmann::json auth_config = nlohmann::json::object();
  /// JSON Schema (draft 7) of the arguments: a document for the LLM, kept as JSON.
  nlohmann::json parameters = spec_default(custom_function_spec(), "parameters");
  /// How the response maps to the tool result (brain/tool_caller.hpp); {} when none.
  nlohmann::json response_mapping = nlohmann::json::object();
  int timeout_s = spec_default(custom_function_spec(), "timeout").get<int>();  ///< custom_functions.timeout, seconds (1–300)
  bool enabled = spec_default(custom_function_spec(), "enabled").get<bool>();  ///< offered to the brain
  std::string created_at;  ///< ISO-8601 UTC
  std::string updated_at;  ///< ISO-8601 UTC

  bool operator==(const CustomFunctionConfig&) const = default;
};

/// Fills an AgentConfig from an agent row/JSON (camelCase, as the repository
/// and the API return it). Absent members, and null in a non-nullable one,
/// take the spec's default; unknown members are ignored (an old snapshot may
/// carry more). Errors: invalid_argument listing every member of the wrong
/// JSON type, each as {field: camelCase name, message: "must be a number, not
/// string"}; bad_request when `row` is not an object.
Result<AgentConfig> agent_config_from_json(const nlohmann::json& row);

/// The agent as camelCase JSON, every spec field present (null for an empty
/// optional): agent_config_from_json(to_json(a)) == a.
nlohmann::json to_json(const AgentConfig& agent);

/// Fills a CustomFunctionConfig from a custom_functions row (camelCase), with
/// the same rules and errors as agent_config_from_json.
Result<CustomFunctionConfig> custom_function_from_json(const nlohmann::json& row);

/// The function as camelCase JSON (every spec field; authConfig included).
nlohmann::json to_json(const CustomFunctionConfig& function);

}  // namespace voqo::model
