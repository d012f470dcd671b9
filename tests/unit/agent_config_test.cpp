// Typed records at the seams (issue 17 §3): an agent, a custom function and a
// workspace's settings become AgentConfig, CustomFunctionConfig and
// SettingsSnapshot with the EntitySpec's defaults, every field round-trips
// through JSON, and a member of the wrong type is reported by name. The store
// hands them out typed (AgentRepository::config, SettingsRepository::snapshot).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <set>

#include "model/agent_config.hpp"
#include "model/settings_snapshot.hpp"
#include "store/store.hpp"

namespace voqo {
namespace {

using nlohmann::json;

/// A value of `f`'s type that differs from its default and respects its rules.
json other_value(const model::FieldSpec& f) {
  const json def = f.default_json.empty() ? json() : json::parse(f.default_json);
  switch (f.type) {
    case model::FieldType::text:
      if (!f.enum_values.empty()) {
        for (auto v : f.enum_values)
          if (json(std::string(v)) != def) return std::string(v);
      }
      return "value of " + std::string(f.json);
    case model::FieldType::timestamp: return "2026-01-02T03:04:05.000Z";
    case model::FieldType::integer: {
      const int64_t base = f.min ? static_cast<int64_t>(*f.min) : 0;
      return def.is_number() && def.get<int64_t>() == base + 7 ? base + 8 : base + 7;
    }
    case model::FieldType::real: {
      const double base = f.min ? *f.min : 0.0;
      return def.is_number() && def.get<double>() == base + 0.25 ? base + 0.5 : base + 0.25;
    }
    case model::FieldType::boolean: return def.is_boolean() ? !def.get<bool>() : true;
    case model::FieldType::json_object: return json{{"key of " + std::string(f.json), "value"}};
    case model::FieldType::json_array: return json::array({"one"});
    case model::FieldType::json_any: return json{{"any", 1}};
  }
  return nullptr;
}

std::set<std::string> keys_of(const json& o) {
  std::set<std::string> out;
  for (const auto& [k, v] : o.items()) out.insert(k);
  return out;
}

std::set<std::string> names_of(const model::EntitySpec& spec) {
  std::set<std::string> out;
  for (const auto& f : spec.fields) out.insert(std::string(f.json));
  return out;
}

std::set<std::string> error_fields(const Error& e) {
  std::set<std::string> out;
  for (const auto& f : e.fields) out.insert(f.field);
  return out;
}

// --- AgentConfig -----------------------------------------------------------

TEST(AgentConfig, AnEmptyAgentHasEverySpecDefaultAndTheSameAsADefaultConstructedOne) {
  auto a = model::agent_config_from_json(json::object());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, model::AgentConfig{});
  const json out = model::to_json(*a);
  int with_default = 0;
  for (const auto& f : model::agent_spec().fields) {
    SCOPED_TRACE(std::string(f.json));
    ASSERT_TRUE(out.contains(std::string(f.json)));
    const json& v = out[std::string(f.json)];
    if (!f.default_json.empty()) {
      ++with_default;
      EXPECT_EQ(v, json::parse(f.default_json));
    } else if (f.has(model::kNullable)) {
      EXPECT_TRUE(v.is_null());
    }
  }
  EXPECT_GE(with_default, 20);  // the spec's defaults, all of them, reached the typed record
  // The figures the pipeline reads, spelled out once here as the spec says them.
  EXPECT_DOUBLE_EQ(a->interruption_sensitivity, 0.5);
  EXPECT_EQ(a->silence_threshold_ms, 1000);
  EXPECT_EQ(a->voice.provider, "flite");
  EXPECT_FALSE(a->voicemail_message.has_value());
}

TEST(AgentConfig, EverySpecFieldIsMappedAndRoundTrips) {
  json row = json::object();
  for (const auto& f : model::agent_spec().fields) row[std::string(f.json)] = other_value(f);
  auto a = model::agent_config_from_json(row);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_NE(*a, model::AgentConfig{});
  const json back = model::to_json(*a);
  // Exactly the spec's fields: a field added to the spec without AgentConfig fails here.
  EXPECT_EQ(keys_of(back), names_of(model::agent_spec()));
  for (const auto& f : model::agent_spec().fields) {
    SCOPED_TRACE(std::string(f.json));
    EXPECT_EQ(back[std::string(f.json)], row[std::string(f.json)]);
  }
  EXPECT_EQ(model::agent_config_from_json(back).value(), *a);
  EXPECT_EQ(a->voice.id, "value of voiceId");
  EXPECT_EQ(a->script_template, row["template"].get<std::string>());
}

TEST(AgentConfig, NullEmptiesANullableFieldAndKeepsTheDefaultOfAnotherOne) {
  auto a = model::agent_config_from_json(
      json{{"greetingMessage", "Hello"}, {"voicemailMessage", nullptr}, {"responseDelayMs", nullptr}});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->greeting_message, "Hello");
  EXPECT_FALSE(a->voicemail_message);
  EXPECT_EQ(a->response_delay_ms, model::AgentConfig{}.response_delay_ms);
}

TEST(AgentConfig, MembersOfTheWrongTypeAreEachReportedByName) {
  auto a = model::agent_config_from_json(
      json{{"interruptionSensitivity", "high"}, {"enabled", 1}, {"silenceThresholdMs", 800.5}, {"name", "ok"}});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(error_fields(a.error()), (std::set<std::string>{"interruptionSensitivity", "enabled", "silenceThresholdMs"}));
  EXPECT_NE(a.error().message.find("interruptionSensitivity must be a number, not string"), std::string::npos)
      << a.error().message;
  EXPECT_NE(a.error().message.find("silenceThresholdMs must be an integer, not number"), std::string::npos);
  auto not_object = model::agent_config_from_json(json::array());
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::bad_request);
}

TEST(CustomFunctionConfig, DefaultsAreTheSpecsAndEveryFieldRoundTrips) {
  auto empty = model::custom_function_from_json(json::object());
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(*empty, model::CustomFunctionConfig{});
  const json defaults = model::to_json(*empty);
  for (const auto& f : model::custom_function_spec().fields) {
    if (!f.default_json.empty()) {
      EXPECT_EQ(defaults[std::string(f.json)], json::parse(f.default_json)) << f.json;
    }
  }

  json row = json::object();
  for (const auto& f : model::custom_function_spec().fields) row[std::string(f.json)] = other_value(f);
  auto c = model::custom_function_from_json(row);
  ASSERT_TRUE(c) << c.error().message;
  const json back = model::to_json(*c);
  EXPECT_EQ(keys_of(back), names_of(model::custom_function_spec()));
  for (const auto& f : model::custom_function_spec().fields)
    EXPECT_EQ(back[std::string(f.json)], row[std::string(f.json)]) << f.json;

  auto bad = model::custom_function_from_json(json{{"timeout", "30"}, {"parameters", "{}"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_fields(bad.error()), (std::set<std::string>{"timeout", "parameters"}));
}

// --- SettingsSnapshot ------------------------------------------------------

TEST(SettingsSnapshot, NoSettingsMeansEverySpecDefault) {
  auto s = model::settings_snapshot_from_json(json::object());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, model::SettingsSnapshot{});
  const json out = model::to_json(*s);
  std::set<std::string> spec_keys;
  for (const auto& f : model::setting_specs()) {
    SCOPED_TRACE(std::string(f.json));
    spec_keys.insert(std::string(f.json));
    const json def = json::parse(f.default_json);
    ASSERT_TRUE(out.contains(std::string(f.json)));
    if (def.is_object()) {
      for (const auto& [member, value] : def.items()) EXPECT_EQ(out[std::string(f.json)][member], value) << member;
    } else {
      EXPECT_EQ(out[std::string(f.json)], def);
    }
  }
  EXPECT_EQ(keys_of(out), spec_keys);  // a setting added to the specs without the snapshot fails here
  EXPECT_EQ(s->speech_providers.stt, "pocketsphinx");
  EXPECT_FALSE(s->llm.enabled());
  EXPECT_EQ(s->default_region, "US");
}

TEST(SettingsSnapshot, AMemberLeftOutOfAnObjectSettingKeepsItsSpecDefault) {
  auto s = model::settings_snapshot_from_json(json{{"llm", {{"baseUrl", "http://127.0.0.1:9/v1"}}},
                                                   {"callee_local_hours", {{"start", "09:00"}}}});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->llm.enabled());
  EXPECT_EQ(s->llm.model, model::setting_default("llm")["model"].get<std::string>());
  EXPECT_EQ(s->callee_local_hours.start, "09:00");
  EXPECT_EQ(s->callee_local_hours.end, model::setting_default("callee_local_hours")["end"].get<std::string>());
}

TEST(SettingsSnapshot, EverySettingRoundTrips) {
  json all = {
      {"sms_template", "Hi {caller_name}"},
      {"sms_enabled", false},
      {"sms_skip_silent", false},
      {"auto_create_contacts", false},
      {"save_memories", false},
      {"default_region", "GB"},
      {"sip_trunk",
       {{"uri", "sip:trunk.example.com:5070"}, {"transport", "tcp"}, {"username", "u"}, {"password", "p"},
        {"callerId", "+442079460000"}, {"codecs", {"PCMA", "PCMU"}}}},
      {"sip_inbound_sources", {"198.51.100.0/24"}},
      {"max_concurrent_calls", 7},
      {"inbound_numbers", {{"+442079460001", "agent-a"}, {"*", "agent-b"}}},
      {"speech_providers",
       {{"stt", "deepgram"},
        {"openai", {{"baseUrl", "http://o"}, {"apiKey", "ko"}, {"model", "whisper-1"}}},
        {"deepgram", {{"baseUrl", "http://d"}, {"apiKey", "kd"}, {"model", "nova-2"}}},
        {"elevenlabs", {{"baseUrl", "http://e"}, {"apiKey", "ke"}, {"modelId", "eleven_turbo_v2"}}}}},
      {"llm", {{"baseUrl", "http://l"}, {"apiKey", "kl"}, {"model", "llama3"}}},
      {"sms_provider",
       {{"provider", "twilio"},
        {"twilio", {{"accountSid", "AC1"}, {"authToken", "t"}, {"from", "+15005550006"}, {"baseUrl", "http://t"}}}}},
      {"webhook_secret", "whsec_1"},
      {"callee_local_hours", {{"start", "10:00"}, {"end", "18:30"}}},
      {"call_prices", {{"currency", "EUR"}, {"sip", 0.5}, {"stt", 0.25}, {"llm", 0.125}, {"tts", 1.0}}},
      {"allow_private_tool_hosts", true},
  };
  auto s = model::settings_snapshot_from_json(all);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(model::to_json(*s), all);
  EXPECT_EQ(model::settings_snapshot_from_json(model::to_json(*s)).value(), *s);
  EXPECT_EQ(s->speech_providers.stt_settings(), &s->speech_providers.deepgram);
  EXPECT_DOUBLE_EQ(s->call_prices.per_minute(), 1.875);
  EXPECT_EQ(s->inbound_numbers.at("*"), "agent-b");
}

TEST(SettingsSnapshot, ValuesOfTheWrongTypeAreEachReportedByPath) {
  auto s = model::settings_snapshot_from_json(json{{"llm", {{"baseUrl", 5}}},
                                                   {"sms_enabled", "yes"},
                                                   {"sip_trunk", "sip:x"},
                                                   {"sip_inbound_sources", {"10.0.0.0/8", 3}},
                                                   {"inbound_numbers", {{"*", 42}}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(error_fields(s.error()),
            (std::set<std::string>{"llm.baseUrl", "sms_enabled", "sip_trunk", "sip_inbound_sources", "inbound_numbers"}));
  EXPECT_NE(s.error().message.find("llm.baseUrl must be a string, not number"), std::string::npos) << s.error().message;
  EXPECT_FALSE(model::settings_snapshot_from_json(json("settings")));
}

// --- the store hands them out typed ----------------------------------------

class TempFolder {
 public:
  TempFolder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "voqo-typed-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

TEST(TypedStore, AStoredAgentAndTheWorkspacesSettingsComeOutTyped) {
  TempFolder dir;
  auto st = store::Store::open(dir / "voqo.db");
  ASSERT_TRUE(st) << st.error().message;
  auto ws = (*st)->access().default_workspace();
  ASSERT_TRUE(ws) << ws.error().message;

  auto created = (*st)->agents().create(*ws, json{{"name", "Typed"}, {"systemPrompt", "You are a test agent."},
                                                  {"interruptionSensitivity", 0.8}, {"voicemailMessage", "Call me"}});
  ASSERT_TRUE(created) << created.error().message;
  auto agent = (*st)->agents().config(*ws, (*created)["id"].get<std::string>());
  ASSERT_TRUE(agent) << agent.error().message;
  EXPECT_EQ(agent->workspace_id, ws->value);
  EXPECT_EQ(agent->name, "Typed");
  EXPECT_DOUBLE_EQ(agent->interruption_sensitivity, 0.8);
  EXPECT_EQ(agent->voicemail_message, "Call me");
  // What the database defaulted is what the spec says.
  EXPECT_EQ(agent->silence_threshold_ms, model::AgentConfig{}.silence_threshold_ms);
  EXPECT_EQ(agent->voice, model::AgentVoice{});
  EXPECT_EQ(model::to_json(*agent), model::to_json(model::agent_config_from_json(*created).value()));

  auto fresh = (*st)->settings().snapshot(*ws);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(*fresh, model::SettingsSnapshot{});  // the inserted defaults are the spec's
  ASSERT_TRUE((*st)->settings().put(*ws, "llm", json{{"baseUrl", "http://127.0.0.1:9/v1"}, {"apiKey", "sk-1"}}));
  ASSERT_TRUE((*st)->settings().put(*ws, "inbound_numbers", json{{"*", "Typed"}}));
  auto changed = (*st)->settings().snapshot(*ws);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->llm.api_key, "sk-1");  // opened, not masked nor sealed
  EXPECT_EQ(changed->llm.model, model::SettingsSnapshot{}.llm.model);

  auto across = (*st)->settings().snapshots_across_workspaces({"inbound_numbers", "default_region"});
  ASSERT_TRUE(across) << across.error().message;
  ASSERT_EQ(across->size(), 1u);
  EXPECT_EQ(across->front().first, *ws);
  EXPECT_EQ(across->front().second.inbound_numbers.at("*"), "Typed");
  EXPECT_FALSE(across->front().second.llm.enabled());  // keys not asked for stay at their defaults
}

}  // namespace
}  // namespace voqo
