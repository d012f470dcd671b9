#pragma once
/// A campaign's configuration (issue 18 §6; the swarm specification's
/// swarm_configurations, model/entities.cpp `swarm_configuration_spec()`),
/// typed: overrides of its agents' settings for the campaign's calls, the
/// escalation triggers and what happens when one fires, and the quality
/// check.
///
/// Precedence for a campaign call: the voice agent's settings < this
/// configuration < the swarm member's own variant (voiceModel,
/// personalityProfile, scriptVersion), so variants still compete under one
/// configuration.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/agent_config.hpp"
#include "model/settings_snapshot.hpp"

namespace voqo::model {

/// When a call escalates (the caller's side of the conversation only).
struct EscalationTriggers {
  bool human_request = true;         ///< the callee asks for a person (brain/intent.hpp asks_for_human)
  int negative_sentiment_turns = 0;  ///< N consecutive negative callee turns (AFINN, intel/sentiment.hpp); 0 = off
  int repeated_objection = 0;        ///< the same objection category raised N times; 0 = off
  std::vector<std::string> keywords; ///< lower-case words or phrases, matched on word boundaries
  bool operator==(const EscalationTriggers&) const = default;
};

/// One row of swarm_configurations; an unset optional keeps the agent's own value.
struct SwarmConfiguration {
  std::string id, workspace_id, campaign_id;
  std::optional<std::string> model;            ///< LLM model (settings.llm.model)
  std::optional<double> temperature;           ///< 0–2
  std::optional<int> max_tokens;               ///< 50–2000
  std::optional<std::string> system_prompt;
  std::optional<std::string> voice_provider;   ///< flite | espeak-ng | elevenlabs
  std::optional<std::string> voice_model;      ///< the provider's voice id
  std::optional<double> speaking_rate;         ///< 0.5–2.0
  std::optional<double> clarity;               ///< 0–1: speech::Voice::clarity (ElevenLabs similarity_boost)
  std::optional<std::string> language;         ///< BCP 47
  std::optional<std::string> personality;      ///< PROFESSIONAL | FRIENDLY | ENTHUSIASTIC | CONSULTATIVE
  std::optional<std::string> tone;
  std::optional<std::string> formality;        ///< casual | neutral | formal
  std::optional<std::string> objection_style;  ///< EMPATHETIC | LOGICAL | PERSISTENT | ACCOMMODATING
  std::optional<int> max_call_duration_min;    ///< 1–60
  std::optional<int> retry_attempts;           ///< 1–10, applied when the campaign starts
  std::optional<int> queue_timeout_s;          ///< a due lead waiting longer raises a queue_timeout alert
  double success_threshold = 60;               ///< quality score (0–100) under which quality_check flags a call
  EscalationTriggers triggers;
  bool auto_transfer = false;
  std::optional<std::string> transfer_number;  ///< E.164 or sip:/sips: URI
  bool supervisor_alerts = true;
  std::optional<std::string> alert_webhook_url;
  bool quality_check = false;

  /// The transfer target when an escalation fires ("" = alert only).
  [[nodiscard]] std::string transfer_target() const { return auto_transfer ? transfer_number.value_or("") : ""; }
  bool operator==(const SwarmConfiguration&) const = default;
};

/// From a row as the repository returns it (camelCase JSON). Errors:
/// invalid_argument naming the member of the wrong type.
Result<SwarmConfiguration> swarm_configuration_from_json(const nlohmann::json& row);

/// Checks a request body beyond the table's rules: escalationKeywords is an
/// array of at most 50 strings of 1–100 characters; transferNumber is what
/// model::transfer_target accepts (a sip:/sips: URI, or a phone number in
/// `region`); autoTransfer on needs a transferNumber (in the body or already
/// `stored`). Errors: invalid_argument naming the field.
Result<void> check_swarm_configuration(const nlohmann::json& body, const nlohmann::json& stored, std::string_view region);

/// Applies `config` to a call's agent, settings and brain variables (the
/// precedence above: `variables` already holding a member's
/// personalityProfile keeps it). Sets the variables personality, tone,
/// formality and objectionStyle that the brains read.
void apply_swarm_configuration(const SwarmConfiguration& config, AgentConfig& agent, SettingsSnapshot& settings,
                               nlohmann::json& variables);

}  // namespace voqo::model
