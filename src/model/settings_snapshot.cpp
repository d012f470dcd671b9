// The settings' specs (moved here from store/settings.cpp so the typed
// snapshot takes its defaults from them) and SettingsSnapshot from and to the
// settings object. Each key and member is named once, in visit_fields.
#include "model/settings_snapshot.hpp"

#include <mutex>
#include <stdexcept>

#include "model/json_fields.hpp"

namespace voqo::model {
namespace {

FieldSpec setting(std::string_view key, FieldType type, std::string_view description,
                         std::string_view default_json, Format format = Format::none,
                         uint32_t max_length = 0) {
  FieldSpec f{key, key, type, kRequired, description};
  f.default_json = default_json;
  f.format = format;
  f.max_length = max_length;
  return f;
}

FieldSpec max_calls_setting() {
  auto f = setting("max_concurrent_calls", FieldType::integer,
                   "Calls in progress (both directions) beyond which inbound INVITEs get 503 with Retry-After; 0 = no cap.",
                   "100");
  f.min = 0;
  f.max = 100000;
  return f;
}

}  // namespace

const std::vector<FieldSpec>& setting_specs() {
  using T = FieldType;
  static const std::vector<FieldSpec> specs = {
      setting("sms_template", T::text,
              "Follow-up SMS; variables {caller_name}, {call_summary}, {agent_name}.",
              "\"Hi {caller_name}, thanks for calling! Here's a summary of our conversation: {call_summary}. "
              "Feel free to call back anytime. - {agent_name}\"",
              Format::none, 1600),
      setting("sms_enabled", T::boolean, "Send the follow-up SMS after calls.", "true"),
      setting("sms_skip_silent", T::boolean, "Skip the SMS for calls where the caller said nothing.", "true"),
      setting("auto_create_contacts", T::boolean, "Create or update a contact from each call's phone number.", "true"),
      setting("save_memories", T::boolean, "Save memories extracted from calls.", "true"),
      setting("default_region", T::text, "Region for numbers written without a country code (ISO 3166-1).", "\"US\"",
              Format::region, 2),
      setting("sip_trunk", T::json_object,
              "Outbound SIP trunk: {uri: \"sip:host:port\", transport: udp|tcp, username, password, callerId, codecs: "
              "[G722, PCMU, PCMA] in order of preference}.",
              "{\"uri\":\"\",\"transport\":\"udp\",\"username\":\"\",\"password\":\"\",\"callerId\":\"\"}"),
      setting("sip_inbound_sources", T::json_array,
              "Where inbound INVITEs may come from: IP addresses or CIDR networks (your carrier's signalling ranges); "
              "[] = loopback only. The sip_trunk host counts when it is an IP address. Others get 403 and allocate "
              "nothing. [\"0.0.0.0/0\", \"::/0\"] admits everyone.",
              "[]"),
      max_calls_setting(),
      setting("inbound_numbers", T::json_object,
              "Inbound routing: dialed number (E.164 or SIP user) → agent id or name; \"*\" catches the rest.", "{}"),
      setting("speech_providers", T::json_object,
              "Speech engines: {stt: pocketsphinx|openai|deepgram, openai: {baseUrl, apiKey, model}, deepgram: {apiKey, "
              "model}, elevenlabs: {apiKey, modelId}}. Each agent's voiceProvider picks its TTS.",
              "{\"stt\":\"pocketsphinx\"}"),
      setting("llm", T::json_object,
              "LLM brain (OpenAI-compatible): {baseUrl, apiKey, model}; empty baseUrl = the scripted call-flow brain.",
              "{\"baseUrl\":\"\",\"apiKey\":\"\",\"model\":\"gpt-4o-mini\"}"),
      setting("sms_provider", T::json_object,
              "Where follow-up SMS go: {provider: outbox|twilio, twilio: {accountSid, authToken, from, baseUrl}}; "
              "outbox keeps them in sms_messages only.",
              "{\"provider\":\"outbox\"}"),
      setting("webhook_secret", T::text,
              "HMAC-SHA256 key signing webhook deliveries (X-Voqo-Signature); generated on first use when empty.",
              "\"\"", Format::none, 256),
      setting("callee_local_hours", T::json_object,
              "Hours when a callee may be dialed in their own time zone (from the number): {start, end} \"HH:MM\".",
              "{\"start\":\"08:00\",\"end\":\"21:00\"}"),
      setting("call_prices", T::json_object,
              "Prices per call minute by component, for the live cost figures: {currency, sip, stt, llm, tts}.",
              "{\"currency\":\"USD\",\"sip\":0.0,\"stt\":0.0,\"llm\":0.0,\"tts\":0.0}"),
      setting("allow_private_tool_hosts", T::boolean,
              "Let custom functions and webhooks (every URL a user can aim) reach loopback, private-network, "
              "link-local and metadata addresses (off: SSRF guard).",
              "false"),
  };
  return specs;
}

const nlohmann::json& setting_default(std::string_view key) {
  static const std::map<std::string, nlohmann::json, std::less<>> defaults = [] {
    std::map<std::string, nlohmann::json, std::less<>> m;
    for (const auto& f : setting_specs()) m.emplace(std::string(f.json), nlohmann::json::parse(f.default_json));
    return m;
  }();
  auto it = defaults.find(key);
  if (it == defaults.end()) throw std::logic_error("setting_default: no setting '" + std::string(key) + "'");
  return it->second;
}

namespace {

// Every member of every setting, once: (JSON name, member).
template <class F> void visit_fields(SipTrunkSettings& t, F& f) {
  f("uri", t.uri);
  f("transport", t.transport);
  f("username", t.username);
  f("password", t.password);
  f("callerId", t.caller_id);
  f("codecs", t.codecs);
}
template <class F> void visit_fields(SttProviderSettings& p, F& f) {
  f("baseUrl", p.base_url);
  f("apiKey", p.api_key);
  f("model", p.model);
}
template <class F> void visit_fields(ElevenLabsSettings& p, F& f) {
  f("baseUrl", p.base_url);
  f("apiKey", p.api_key);
  f("modelId", p.model_id);
}
template <class F> void visit_fields(SpeechProviderSettings& s, F& f) {
  f("stt", s.stt);
  f("openai", s.openai);
  f("deepgram", s.deepgram);
  f("elevenlabs", s.elevenlabs);
}
template <class F> void visit_fields(LlmSettings& l, F& f) {
  f("baseUrl", l.base_url);
  f("apiKey", l.api_key);
  f("model", l.model);
}
template <class F> void visit_fields(TwilioSettings& t, F& f) {
  f("accountSid", t.account_sid);
  f("authToken", t.auth_token);
  f("from", t.from);
  f("baseUrl", t.base_url);
}
template <class F> void visit_fields(SmsProviderSettings& s, F& f) {
  f("provider", s.provider);
  f("twilio", s.twilio);
}
template <class F> void visit_fields(CalleeLocalHours& h, F& f) {
  f("start", h.start);
  f("end", h.end);
}
template <class F> void visit_fields(CallPrices& p, F& f) {
  f("currency", p.currency);
  f("sip", p.sip);
  f("stt", p.stt);
  f("llm", p.llm);
  f("tts", p.tts);
}
template <class F> void visit_fields(SettingsSnapshot& s, F& f) {
  f("sms_template", s.sms_template);
  f("sms_enabled", s.sms_enabled);
  f("sms_skip_silent", s.sms_skip_silent);
  f("auto_create_contacts", s.auto_create_contacts);
  f("save_memories", s.save_memories);
  f("default_region", s.default_region);
  f("sip_trunk", s.sip_trunk);
  f("sip_inbound_sources", s.sip_inbound_sources);
  f("max_concurrent_calls", s.max_concurrent_calls);
  f("inbound_numbers", s.inbound_numbers);
  f("speech_providers", s.speech_providers);
  f("llm", s.llm);
  f("sms_provider", s.sms_provider);
  f("webhook_secret", s.webhook_secret);
  f("callee_local_hours", s.callee_local_hours);
  f("call_prices", s.call_prices);
  f("allow_private_tool_hosts", s.allow_private_tool_hosts);
}

/// JsonFieldReader that also descends into the nested setting structs.
struct Reader {
  JsonFieldReader base;
  template <class T>
  void operator()(std::string_view name, T& v) {
    if constexpr (requires { visit_fields(v, *this); }) {
      const nlohmann::json* j = base.present(name);
      if (!j) return;
      if (!j->is_object()) return base.not_an_object(name, *j);
      Reader inner{JsonFieldReader(*j, base.prefix() + std::string(name) + ".", "")};
      visit_fields(v, inner);
      base.absorb(inner.base);
    } else {
      base(name, v);
    }
  }
};

/// JsonFieldWriter that writes nested setting structs as objects.
struct Writer {
  nlohmann::json out = nlohmann::json::object();
  template <class T>
  void operator()(std::string_view name, T& v) {
    if constexpr (requires { visit_fields(v, *this); }) {
      Writer inner;
      visit_fields(v, inner);
      out[std::string(name)] = std::move(inner.out);
    } else {
      out[std::string(name)] = v;
    }
  }
};

/// The spec defaults as one settings object {key: default}.
const nlohmann::json& defaults_object() {
  static const nlohmann::json all = [] {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& f : setting_specs()) o[std::string(f.json)] = setting_default(f.json);
    return o;
  }();
  return all;
}

}  // namespace

SettingsSnapshot::SettingsSnapshot() {
  // The spec defaults are valid by construction (setting_snapshot_test checks them).
  Reader r{JsonFieldReader(defaults_object(), "", "settings defaults")};
  visit_fields(*this, r);
}

Result<SettingsSnapshot> settings_snapshot_from_json(const nlohmann::json& all) {
  if (!all.is_object())
    return std::unexpected(Error::bad_request("settings: must be a JSON object, not " + std::string(all.type_name())));
  SettingsSnapshot s;  // the defaults; stored values over them, member by member
  Reader r{JsonFieldReader(all, "", "settings")};
  visit_fields(s, r);
  if (auto e = r.base.error()) return std::unexpected(*e);
  return s;
}

nlohmann::json to_json(const SettingsSnapshot& settings) {
  Writer w;
  visit_fields(const_cast<SettingsSnapshot&>(settings), w);  // visit_fields only reads through a Writer
  return std::move(w.out);
}

}  // namespace voqo::model
