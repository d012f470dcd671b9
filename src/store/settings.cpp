#include "store/settings.hpp"

#include <spdlog/spdlog.h>

#include <functional>

#include <algorithm>
#include <vector>

#include "core/id.hpp"
#include "core/ip_network.hpp"
#include "core/time.hpp"
#include "model/settings_snapshot.hpp"
#include "model/validation.hpp"

namespace voqo::store {
namespace {

const model::FieldSpec* find(std::string_view key) {
  for (const auto& f : setting_specs())
    if (f.json == key) return &f;
  return nullptr;
}

Error unknown_key(std::string_view key) {
  std::string known;
  for (const auto& f : setting_specs()) known += (known.empty() ? "" : ", ") + std::string(f.json);
  Error e = Error::not_found("unknown setting '" + std::string(key) + "'; known settings: " + known);
  e.fields.push_back({std::string(key), "unknown setting"});
  return e;
}

Result<void> upsert(Connection& c, const WorkspaceId& ws, std::string_view key, const std::string& value_json) {
  auto st = c.prepare(
      "INSERT INTO settings (id, key, value, updated_at, workspace_id) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (workspace_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  if (!st) return std::unexpected(st.error());
  (*st)->bind_text(1, new_id());
  (*st)->bind_text(2, key);
  (*st)->bind_text(3, value_json);
  (*st)->bind_text(4, now_iso8601());
  (*st)->bind_text(5, ws.value);
  if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  return {};
}

// ------------------------------------------------------------ members of object settings

/// What a member of an object setting may hold ("" is always accepted for
/// text-like kinds: not configured).
enum class Kind { text, http_url, sip_uri, hhmm_start, hhmm_end, price, currency, object, codec_list };

struct Member {
  std::string_view name;
  Kind kind = Kind::text;
  std::vector<std::string_view> choices = {};  ///< text: the allowed values (empty = any)
  std::vector<Member> members = {};            ///< object: its members
};

constexpr std::size_t kMaxMemberText = 2000;

/// The members each object setting may have, as the code that reads them
/// expects (call_service.cpp trunk(), engines.cpp, sms.cpp make_sms_sender,
/// calling_hours.cpp, live_monitor.cpp prices). `inbound_numbers` is a map
/// checked on its own.
const std::vector<Member>* members_of(std::string_view key) {
  static const std::vector<std::pair<std::string_view, std::vector<Member>>> rules = {
      {"sip_trunk",
       {{"uri", Kind::sip_uri}, {"transport", Kind::text, {"udp", "tcp"}}, {"username"}, {"password"}, {"callerId"},
        {"codecs", Kind::codec_list, {"G722", "PCMU", "PCMA"}}}},
      {"speech_providers",
       {{"stt", Kind::text, {"pocketsphinx", "openai", "deepgram"}},
        {"openai", Kind::object, {}, {{"baseUrl", Kind::http_url}, {"apiKey"}, {"model"}}},
        {"deepgram", Kind::object, {}, {{"baseUrl", Kind::http_url}, {"apiKey"}, {"model"}}},
        {"elevenlabs", Kind::object, {}, {{"baseUrl", Kind::http_url}, {"apiKey"}, {"modelId"}}}}},
      {"llm", {{"baseUrl", Kind::http_url}, {"apiKey"}, {"model"}}},
      {"sms_provider",
       {{"provider", Kind::text, {"outbox", "twilio"}},
        {"twilio", Kind::object, {}, {{"accountSid"}, {"authToken"}, {"from"}, {"baseUrl", Kind::http_url}}}}},
      {"callee_local_hours", {{"start", Kind::hhmm_start}, {"end", Kind::hhmm_end}}},
      {"call_prices",
       {{"currency", Kind::currency}, {"sip", Kind::price}, {"stt", Kind::price}, {"llm", Kind::price}, {"tts", Kind::price}}},
  };
  for (const auto& [k, m] : rules)
    if (k == key) return &m;
  return nullptr;
}

void check_members(const nlohmann::json& value, const std::vector<Member>& members, const std::string& path,
                   std::vector<FieldError>& errors) {
  for (const auto& [name, v] : value.items()) {
    const std::string field = path + "." + name;
    const Member* m = nullptr;
    for (const auto& candidate : members)
      if (candidate.name == name) m = &candidate;
    if (!m) {
      std::string known;
      for (const auto& c : members) known += (known.empty() ? "" : ", ") + std::string(c.name);
      errors.push_back({field, "unknown member; known: " + known});
      continue;
    }
    auto fail = [&](std::string message) { errors.push_back({field, std::move(message)}); };
    if (m->kind == Kind::object) {
      if (!v.is_object()) fail("must be an object");
      else check_members(v, m->members, field, errors);
      continue;
    }
    if (m->kind == Kind::codec_list) {  // SDP encoding names, most preferred first (RFC 3264 §5.1)
      bool ok = v.is_array() && !v.empty();
      for (std::size_t i = 0; ok && i < v.size(); ++i)
        ok = v[i].is_string() && std::find(m->choices.begin(), m->choices.end(), v[i].get<std::string>()) != m->choices.end() &&
             std::count(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v[i]) == 0;
      if (!ok) fail("must be a non-empty list of distinct codecs from G722, PCMU, PCMA, most preferred first");
      continue;
    }
    if (m->kind == Kind::price) {
      if (!v.is_number() || v.get<double>() < 0) fail("must be a number ≥ 0 (price per minute)");
      continue;
    }
    if (!v.is_string()) {
      fail("must be a string");
      continue;
    }
    const auto& t = v.get_ref<const std::string&>();
    if (t.size() > kMaxMemberText) {
      fail("must be at most " + std::to_string(kMaxMemberText) + " characters");
      continue;
    }
    switch (m->kind) {
      case Kind::text:
        if (!m->choices.empty() && std::find(m->choices.begin(), m->choices.end(), t) == m->choices.end()) {
          std::string list;
          for (auto c : m->choices) list += (list.empty() ? "" : ", ") + std::string(c);
          fail("must be one of " + list);
        }
        break;
      case Kind::http_url:
        if (!t.empty() && !((t.starts_with("http://") && t.size() > 7) || (t.starts_with("https://") && t.size() > 8)))
          fail("must be an http:// or https:// URL (or empty)");
        break;
      case Kind::sip_uri:  // RFC 3261 §19.1
        if (!t.empty() && !((t.starts_with("sip:") && t.size() > 4) || (t.starts_with("sips:") && t.size() > 5)))
          fail("must be a sip: or sips: URI such as sip:trunk.example.com:5060 (or empty)");
        break;
      case Kind::hhmm_start:
        if (!parse_hhmm(t, false)) fail("must be \"HH:MM\" (24-hour, 00:00-23:59)");
        break;
      case Kind::hhmm_end:
        if (auto minute = parse_hhmm(t, true); !minute || *minute == 0) fail("must be \"HH:MM\" (24-hour, 00:01-24:00)");
        break;
      case Kind::currency:  // ISO 4217 alphabetic code
        if (t.size() != 3 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
          fail("must be a three-letter ISO 4217 code such as USD");
        break;
      default:
        break;
    }
  }
}

/// The rules an object setting's members follow, beyond "is an object".
std::vector<FieldError> member_errors(std::string_view key, const nlohmann::json& value) {
  std::vector<FieldError> errors;
  const std::string path(key);
  if (key == "sip_inbound_sources") {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string field = path + "[" + std::to_string(i) + "]";
      if (!value[i].is_string()) errors.push_back({field, "must be an IP address or CIDR network such as \"198.51.100.0/24\""});
      else if (auto n = IpNetwork::parse(value[i].get_ref<const std::string&>(), field); !n)
        errors.push_back({field, n.error().message});
    }
    return errors;
  }
  if (key == "inbound_numbers") {
    for (const auto& [number, agent] : value.items())
      if (number.empty() || !agent.is_string() || agent.get_ref<const std::string&>().empty())
        errors.push_back({path + "." + number, "must map a dialed number (or \"*\") to an agent id or name"});
    return errors;
  }
  const auto* members = members_of(key);
  if (!members) return errors;
  check_members(value, *members, path, errors);
  if (!errors.empty()) return errors;
  if (key == "callee_local_hours") {
    for (const char* k : {"start", "end"})
      if (!value.contains(k)) errors.push_back({path + "." + k, "is required"});
    if (errors.empty() && parse_hhmm(value["start"].get<std::string>(), false) == parse_hhmm(value["end"].get<std::string>(), true))
      errors.push_back({path + ".end", "must differ from start (use 00:00-24:00 for the whole day)"});
  }
  if (key == "sms_provider" && value.value("provider", "outbox") == "twilio") {
    const auto t = value.value("twilio", nlohmann::json::object());
    for (const char* k : {"accountSid", "authToken", "from"})
      if (t.value(k, "").empty()) errors.push_back({path + ".twilio." + k, "is required when provider is twilio"});
  }
  return errors;
}

Result<std::string> validated(std::string_view key, const nlohmann::json& value) {
  const auto* f = find(key);
  if (!f) return std::unexpected(unknown_key(key));
  auto v = model::validate_field(*f, value, {});
  if (!v) return std::unexpected(Error::invalid(std::string(key), v.error()));
  if (auto errors = member_errors(key, value); !errors.empty()) {
    Error e = Error::invalid(errors[0].field, errors[0].message);
    e.fields = std::move(errors);
    return std::unexpected(e);
  }
  return value.dump();
}

bool is_secret_member(std::string_view name) { return name == "apiKey" || name == "password" || name == "authToken"; }

void redact_members(nlohmann::json& v) {
  if (!v.is_object()) return;
  for (auto& [k, member] : v.items()) {
    if (is_secret_member(k) && member.is_string()) {
      if (!member.get_ref<const std::string&>().empty()) member = kSecretMask;
    } else {
      redact_members(member);
    }
  }
}

/// The endpoint a secret of the same object is sent to (issue 16 §6: a
/// secret is bound to where it goes).
std::string endpoint_of(const nlohmann::json& o) {
  if (!o.is_object()) return {};
  for (const char* k : {"baseUrl", "uri"})
    if (auto it = o.find(k); it != o.end() && it->is_string()) return it->get<std::string>();
  return {};
}

/// Puts the stored secret back wherever `incoming` holds the mask — unless
/// the object's endpoint (baseUrl, uri) changed: the stored secret is never
/// sent to a new host, so the client must send it again (422 naming it).
Result<void> restore_members(nlohmann::json& incoming, const nlohmann::json& stored, const std::string& path) {
  if (!incoming.is_object()) return {};
  const bool moved = endpoint_of(incoming) != endpoint_of(stored);
  for (auto& [k, member] : incoming.items()) {
    const nlohmann::json* old = stored.is_object() && stored.contains(k) ? &stored.at(k) : nullptr;
    if (is_secret_member(k) && member == kSecretMask) {
      const bool had = old && old->is_string() && !old->get_ref<const std::string&>().empty();
      if (had && moved)
        return std::unexpected(Error::invalid(path + "." + k, "the endpoint changed: send the secret again for " +
                                                                  endpoint_of(incoming)));
      member = had ? *old : nlohmann::json("");
    } else if (old) {
      if (auto r = restore_members(member, *old, path + "." + k); !r) return r;
    }
  }
  return {};
}

constexpr std::string_view kSealedPrefix = "sb1:";

/// Applies `fn` to every secret string of setting `key`'s value (the
/// top-level webhook_secret, and apiKey/password/authToken members at any depth).
void for_each_secret(std::string_view key, nlohmann::json& v, const std::function<void(nlohmann::json&)>& fn) {
  if (key == "webhook_secret") {
    if (v.is_string()) fn(v);
    return;
  }
  std::function<void(nlohmann::json&)> walk = [&](nlohmann::json& o) {
    if (!o.is_object()) return;
    for (auto& [k, member] : o.items()) {
      if (is_secret_member(k) && member.is_string()) fn(member);
      else walk(member);
    }
  };
  walk(v);
}

}  // namespace

nlohmann::json redact_secrets(std::string_view key, nlohmann::json value) {
  if (key == "webhook_secret") {
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) value = kSecretMask;
    return value;
  }
  redact_members(value);
  return value;
}

const std::vector<model::FieldSpec>& setting_specs() { return model::setting_specs(); }

Result<void> SettingsRepository::insert_defaults(Connection& c, const WorkspaceId& ws) {
  for (const auto& f : setting_specs()) {
    auto st = c.prepare("INSERT INTO settings (id, key, value, updated_at, workspace_id) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (workspace_id, key) DO NOTHING");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, new_id());
    (*st)->bind_text(2, f.json);
    (*st)->bind_text(3, f.default_json);
    (*st)->bind_text(4, now_iso8601());
    (*st)->bind_text(5, ws.value);
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
  }
  return {};
}

Result<void> SettingsRepository::insert_defaults() {
  return db_.write([](Connection& c) -> Result<void> {
    std::vector<WorkspaceId> all;
    {
      auto st = c.prepare("SELECT id FROM workspaces");
      if (!st) return std::unexpected(st.error());
      while (true) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        all.emplace_back(std::string((*st)->column_text(0)));
      }
    }
    for (const auto& ws : all)
      if (auto r = insert_defaults(c, ws); !r) return r;
    return {};
  });
}

Result<nlohmann::json> SettingsRepository::all(const WorkspaceId& ws) {
  return db_.read([&](Connection& c) -> Result<nlohmann::json> {
    auto st = c.prepare("SELECT key, value FROM settings WHERE workspace_id = ? ORDER BY key");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    nlohmann::json out = nlohmann::json::object();
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      const std::string key((*st)->column_text(0));
      if (!find(key)) continue;  // a key a newer voqo wrote: not ours to show
      out[key] = opened(key, nlohmann::json::parse((*st)->column_text(1), nullptr, false));
    }
    return out;
  });
}

Result<nlohmann::json> SettingsRepository::get(const WorkspaceId& ws, const std::string& key) {
  if (!find(key)) return std::unexpected(unknown_key(key));
  return db_.read([&](Connection& c) -> Result<nlohmann::json> {
    auto st = c.prepare("SELECT value FROM settings WHERE workspace_id = ? AND key = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, key);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return nlohmann::json::parse(find(key)->default_json);
    return opened(key, nlohmann::json::parse((*st)->column_text(0), nullptr, false));
  });
}

Result<nlohmann::json> SettingsRepository::put(const WorkspaceId& ws, const std::string& key,
                                               const nlohmann::json& given) {
  auto value = unmask(ws, key, given);
  if (!value) return std::unexpected(value.error());
  auto text = validated(key, *value);
  if (!text) return std::unexpected(text.error());
  auto r = db_.write([&](Connection& c) { return upsert(c, ws, key, sealed(key, *text)); });
  if (!r) return std::unexpected(r.error());
  return *value;
}

Result<nlohmann::json> SettingsRepository::unmask(const WorkspaceId& ws, const std::string& key,
                                                  nlohmann::json value) {
  if (!find(key)) return value;  // validated() reports the unknown key
  auto stored = get(ws, key);
  if (!stored) return std::unexpected(stored.error());
  if (key == "webhook_secret" && value == kSecretMask) return *stored;
  if (auto r = restore_members(value, *stored, key); !r) return std::unexpected(r.error());
  return value;
}

Result<nlohmann::json> SettingsRepository::patch(const WorkspaceId& ws, const nlohmann::json& values) {
  if (!values.is_object()) return std::unexpected(Error::bad_request("request body must be a JSON object"));
  Error errors{ErrorCode::invalid_argument, "", {}};
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [key, given] : values.items()) {
    auto value = unmask(ws, key, given);
    if (!value) return std::unexpected(value.error());
    auto text = validated(key, *value);
    if (!text) {
      if (text.error().fields.empty()) errors.fields.push_back({key, text.error().message});
      for (const auto& f : text.error().fields) errors.fields.push_back(f);
      continue;
    }
    rows.emplace_back(key, *text);
  }
  if (!errors.fields.empty()) {
    errors.message = "'" + errors.fields[0].field + "' " + errors.fields[0].message;
    return std::unexpected(errors);
  }
  auto r = db_.write([&](Connection& c) -> Result<void> {
    for (const auto& [k, v] : rows)
      if (auto u = upsert(c, ws, k, sealed(k, v)); !u) return u;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return all(ws);
}

Result<std::vector<std::pair<WorkspaceId, nlohmann::json>>> SettingsRepository::across_workspaces(
    const std::string& key) {
  if (!find(key)) return std::unexpected(unknown_key(key));
  return db_.read([&](Connection& c) -> Result<std::vector<std::pair<WorkspaceId, nlohmann::json>>> {
    auto st = c.prepare("SELECT s.workspace_id, s.value FROM settings s JOIN workspaces w ON w.id = s.workspace_id "
                        "WHERE s.key = ? ORDER BY w.created_at, w.id");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, key);
    std::vector<std::pair<WorkspaceId, nlohmann::json>> out;
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto value = nlohmann::json::parse((*st)->column_text(1), nullptr, false);
      if (value.is_discarded()) continue;
      out.emplace_back(WorkspaceId(std::string((*st)->column_text(0))), std::move(value));
    }
    return out;
  });
}

std::string SettingsRepository::sealed(std::string_view key, const std::string& value_json) const {
  if (!secrets_) return value_json;
  auto v = nlohmann::json::parse(value_json, nullptr, false);
  if (v.is_discarded()) return value_json;
  for_each_secret(key, v, [&](nlohmann::json& secret) {
    const auto& text = secret.get_ref<const std::string&>();
    if (!text.empty() && !text.starts_with(kSealedPrefix)) secret = secrets_->seal(text);
  });
  return v.dump();
}

nlohmann::json SettingsRepository::opened(std::string_view key, nlohmann::json v) const {
  if (!secrets_) return v;
  for_each_secret(key, v, [&](nlohmann::json& secret) {
    const auto& text = secret.get_ref<const std::string&>();
    if (!text.starts_with(kSealedPrefix)) return;  // written before secrets were sealed
    auto plain = secrets_->open(text);
    if (!plain) spdlog::error("setting {}: a secret does not open with this server's key ({})", key, plain.error().message);
    secret = plain ? *plain : std::string();
  });
  return v;
}

Result<int> SettingsRepository::seal_plaintext_secrets() {
  if (!secrets_) return 0;
  return db_.write([&](Connection& c) -> Result<int> {
    std::vector<std::tuple<WorkspaceId, std::string, std::string>> rows;
    {
      auto st = c.prepare("SELECT workspace_id, key, value FROM settings");
      if (!st) return std::unexpected(st.error());
      while (true) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        rows.emplace_back(WorkspaceId(std::string((*st)->column_text(0))), std::string((*st)->column_text(1)),
                          std::string((*st)->column_text(2)));
      }
    }
    int n = 0;
    for (const auto& [ws, key, value] : rows) {
      if (!find(key)) continue;
      const std::string sealed_value = sealed(key, value);
      if (sealed_value == value || nlohmann::json::parse(sealed_value, nullptr, false) == nlohmann::json::parse(value, nullptr, false))
        continue;
      if (auto r = upsert(c, ws, key, sealed_value); !r) return std::unexpected(r.error());
      ++n;
    }
    return n;
  });
}

std::string SettingsRepository::default_region(const WorkspaceId& ws) {
  auto v = get(ws, "default_region");
  return v && v->is_string() ? v->get<std::string>() : model::setting_default("default_region").get<std::string>();
}

Result<model::SettingsSnapshot> SettingsRepository::snapshot(const WorkspaceId& ws) {
  auto values = all(ws);
  if (!values) return std::unexpected(values.error());
  return model::settings_snapshot_from_json(*values);
}

Result<std::vector<std::pair<WorkspaceId, model::SettingsSnapshot>>> SettingsRepository::snapshots_across_workspaces(
    std::initializer_list<std::string> keys) {
  // Per workspace, in the order of the first key's rows (oldest workspace first).
  std::vector<std::pair<WorkspaceId, nlohmann::json>> merged;
  for (const auto& key : keys) {
    auto rows = across_workspaces(key);
    if (!rows) return std::unexpected(rows.error());
    for (auto& [ws, value] : *rows) {
      auto it = std::ranges::find_if(merged, [&](const auto& m) { return m.first == ws; });
      if (it == merged.end()) it = merged.insert(merged.end(), {ws, nlohmann::json::object()});
      it->second[key] = std::move(value);
    }
  }
  std::vector<std::pair<WorkspaceId, model::SettingsSnapshot>> out;
  out.reserve(merged.size());
  for (auto& [ws, values] : merged) {
    auto typed = model::settings_snapshot_from_json(values);
    if (!typed) {
      spdlog::error("settings of workspace {}: {}", ws.value, typed.error().message);
      continue;
    }
    out.emplace_back(ws, std::move(*typed));
  }
  return out;
}

}  // namespace voqo::store
