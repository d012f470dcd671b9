#pragma once
/// The typed settings of one workspace (issue 17 §3), read once per call (or
/// per delivery batch) where it leaves the store (store/settings.hpp
/// `SettingsRepository::snapshot`). Every module below the store reads this
/// struct instead of the `settings` rows' JSON.
///
/// Keys, rules and defaults are the setting specs' (`setting_specs()`, the
/// data model's `settings` table: FieldSpec::json is the key, default_json the
/// default inserted for every workspace). A setting that is absent takes its
/// spec default; a member absent from an object setting takes that member of
/// the spec default (llm.model → "gpt-4o-mini"), so each default is written
/// once. `SettingsSnapshot{}` equals `settings_snapshot_from_json({})`.
/// Member names follow the setting keys (snake_case) and the members' JSON
/// names (camelCase → snake_case).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/schema.hpp"

namespace voqo::model {

/// The known settings with their rules and defaults (FieldSpec::json is the
/// key; every field is required and has a default). store/settings.cpp
/// validates writes against them.
const std::vector<FieldSpec>& setting_specs();

/// The default of setting `key` (its spec's default_json, parsed once).
/// Throws std::logic_error for an unknown key (a programming error).
const nlohmann::json& setting_default(std::string_view key);

/// sip_trunk: the outbound SIP trunk.
struct SipTrunkSettings {
  std::string uri;        ///< "sip:host[:port]" ("" = no trunk: calls go to the dialed URI)
  std::string transport;  ///< udp | tcp
  std::string username;   ///< digest credentials (RFC 3261 §22); "" = none
  std::string password;   ///< in clear here (sealed at rest, store/settings.hpp)
  std::string caller_id;  ///< user part of From, usually our E.164 number
  /// SDP codec names offered, most preferred first (G722, PCMU, PCMA);
  /// empty = the telephony default order (telephony/sip_agent.hpp SipTrunk).
  std::vector<std::string> codecs;
  bool operator==(const SipTrunkSettings&) const = default;
};

/// One speech provider's endpoint (speech_providers.openai / .deepgram).
struct SttProviderSettings {
  std::string base_url;  ///< http(s) URL; "" = the provider's public endpoint
  std::string api_key;
  std::string model;     ///< "" = the provider's default
  bool operator==(const SttProviderSettings&) const = default;
};

/// speech_providers.elevenlabs.
struct ElevenLabsSettings {
  std::string base_url;
  std::string api_key;
  std::string model_id;  ///< "" = the provider's default
  bool operator==(const ElevenLabsSettings&) const = default;
};

/// speech_providers: which recogniser calls use, and the providers' keys.
struct SpeechProviderSettings {
  std::string stt;  ///< pocketsphinx (embedded) | openai | deepgram
  SttProviderSettings openai, deepgram;
  ElevenLabsSettings elevenlabs;  ///< for agents whose voiceProvider is elevenlabs
  /// The settings of the recogniser `stt` names; null for pocketsphinx or an unknown name.
  [[nodiscard]] const SttProviderSettings* stt_settings() const {
    return stt == "openai" ? &openai : stt == "deepgram" ? &deepgram : nullptr;
  }
  bool operator==(const SpeechProviderSettings&) const = default;
};

/// llm: the OpenAI-compatible chat completions endpoint of the LLM brain.
struct LlmSettings {
  std::string base_url;  ///< "" = the scripted call-flow brain
  std::string api_key;
  std::string model;
  [[nodiscard]] bool enabled() const { return !base_url.empty(); }
  bool operator==(const LlmSettings&) const = default;
};

/// sms_provider.twilio (Twilio's Messages API).
struct TwilioSettings {
  std::string account_sid, auth_token, from;
  std::string base_url;  ///< "" = https://api.twilio.com
  bool operator==(const TwilioSettings&) const = default;
};

/// sms_provider: where follow-up SMS go.
struct SmsProviderSettings {
  std::string provider;  ///< outbox (kept in sms_messages) | twilio
  TwilioSettings twilio;
  bool operator==(const SmsProviderSettings&) const = default;
};

/// callee_local_hours: when a callee may be dialed in their own time zone.
struct CalleeLocalHours {
  std::string start;  ///< "HH:MM" 24-hour, 00:00–23:59
  std::string end;    ///< "HH:MM", 00:01–24:00 (exclusive); end < start spans midnight
  bool operator==(const CalleeLocalHours&) const = default;
};

/// call_prices: price per call minute by component (live cost figures).
struct CallPrices {
  std::string currency;  ///< ISO 4217, e.g. USD
  double sip = 0, stt = 0, llm = 0, tts = 0;  ///< per minute, in currency
  [[nodiscard]] double per_minute() const { return sip + stt + llm + tts; }
  bool operator==(const CallPrices&) const = default;
};

/// Every setting of one workspace (the keys of setting_specs()).
struct SettingsSnapshot {
  std::string sms_template;          ///< follow-up SMS; {caller_name}, {call_summary}, {agent_name}
  bool sms_enabled = false;          ///< send the follow-up SMS
  bool sms_skip_silent = false;      ///< no SMS when the caller said nothing
  bool auto_create_contacts = false; ///< create a contact from each call's number
  bool save_memories = false;        ///< keep memories extracted from calls
  std::string default_region;        ///< ISO 3166-1 alpha-2, for numbers without a country code
  SipTrunkSettings sip_trunk;
  std::vector<std::string> sip_inbound_sources;  ///< IP addresses / CIDR networks admitted for inbound INVITEs
  int64_t max_concurrent_calls = 0;  ///< inbound INVITEs beyond it get 503; 0 = no cap
  std::map<std::string, std::string> inbound_numbers;  ///< dialed number (or "*") → agent id or name
  SpeechProviderSettings speech_providers;
  LlmSettings llm;
  SmsProviderSettings sms_provider;
  std::string webhook_secret;  ///< HMAC-SHA256 key of webhook deliveries ("" until first use)
  CalleeLocalHours callee_local_hours;
  CallPrices call_prices;
  bool allow_private_tool_hosts = false;  ///< custom functions and webhooks may reach private addresses

  SettingsSnapshot();  ///< every setting at its spec default
  bool operator==(const SettingsSnapshot&) const = default;
};

/// Fills a snapshot from the settings object {key: value} (SettingsRepository::all):
/// absent keys and members take the spec defaults, unknown keys and members
/// are ignored. Errors: invalid_argument listing every value of the wrong JSON
/// type by path ("llm.baseUrl must be a string, not number"); bad_request when
/// `all` is not an object.
Result<SettingsSnapshot> settings_snapshot_from_json(const nlohmann::json& all);

/// The snapshot as the settings object {key: value}, every key and member present:
/// settings_snapshot_from_json(to_json(s)) == s.
nlohmann::json to_json(const SettingsSnapshot& settings);

}  // namespace voqo::model
