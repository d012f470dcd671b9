#include "store/live.hpp"

#include "store/swarm_config.hpp"

#include "store/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <span>

#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "core/time.hpp"

namespace voqo::store {
namespace {

using nlohmann::json;

/// snake_case → camelCase ("call_time_ms" → "callTimeMs").
std::string camel(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper = false;
  for (char ch : snake) {
    if (ch == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      upper = false;
    }
  }
  return out;
}

bool is_boolean_column(std::string_view c) {
  return c == "is_final" || c == "interrupted" || c == "is_active" || c == "is_recording";
}

/// One row as JSON: camelCase keys, 0/1 booleans as true/false, the
/// `json_columns` parsed (text that is not JSON stays a string).
json row_json(Statement& s, std::span<const std::string_view> json_columns = {}) {
  json out = json::object();
  for (int i = 0; i < s.column_count(); ++i) {
    const std::string_view name = s.column_name(i);
    json& v = out[camel(name)];
    if (s.is_null(i)) v = nullptr;
    else if (is_boolean_column(name)) v = s.column_int(i) != 0;
    else if (std::ranges::find(json_columns, name) != json_columns.end()) {
      v = json::parse(s.column_text(i), nullptr, false);
      if (v.is_discarded()) v = std::string(s.column_text(i));
    } else if (s.is_integer(i)) v = s.column_int(i);
    else if (s.is_number(i)) v = s.column_double(i);
    else v = std::string(s.column_text(i));
  }
  return out;
}

/// Runs `sql` with text arguments and collects every row as JSON.
Result<json> rows(Connection& c, std::string_view sql, std::initializer_list<std::string_view> args,
                  std::span<const std::string_view> json_columns = {}) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  int i = 1;
  for (auto a : args) (*st)->bind_text(i++, a);
  json out = json::array();
  for (;;) {
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(row_json(**st, json_columns));
  }
  return out;
}

/// The first row of `sql`, or null.
Result<json> first_row(Connection& c, std::string_view sql, std::initializer_list<std::string_view> args,
                       std::span<const std::string_view> json_columns = {}) {
  auto all = rows(c, sql, args, json_columns);
  if (!all) return std::unexpected(all.error());
  return all->empty() ? json(nullptr) : (*all)[0];
}

Result<void> exec_bound(Connection& c, std::string_view sql, std::initializer_list<std::string_view> args) {
  auto st = c.prepare(sql);
  if (!st) return std::unexpected(st.error());
  int i = 1;
  for (auto a : args) (*st)->bind_text(i++, a);
  if (auto done = (*st)->step(); !done) return std::unexpected(done.error());
  return {};
}

Error unknown_call(const std::string& call_id) { return Error::not_found("live call " + call_id + " not found"); }

/// A live_calls row as the API shows it: the table's columns plus the call's
/// overall sentiment label (sentiment_analysis.overall; null before the first).
constexpr std::string_view kLiveCallSelect =
    "SELECT l.*, s.overall AS sentiment FROM live_calls l LEFT JOIN sentiment_analysis s ON s.call_id = l.call_id";

/// The live_calls row, or not_found; a call of another workspace than `ws`
/// (when given) is not found either.
Result<json> call_row_in(Connection& c, const std::string& call_id, const WorkspaceId* ws = nullptr) {
  auto row = ws ? first_row(c, std::string(kLiveCallSelect) + " WHERE l.call_id = ? AND l.workspace_id = ?",
                            {call_id, ws->value})
                : first_row(c, std::string(kLiveCallSelect) + " WHERE l.call_id = ?", {call_id});
  if (!row) return std::unexpected(row.error());
  if (row->is_null()) return std::unexpected(unknown_call(call_id));
  return *row;
}

// ------------------------------------------------------------ validated inserts

enum class Kind { text, integer, real, boolean };

/// One column written from a JSON field.
struct Col {
  std::string_view column;
  std::string_view json;     ///< field name in the input object
  Kind kind = Kind::text;
  bool required = false;
  std::string_view rule;     ///< what the column's CHECK demands, for messages
  std::string_view fallback; ///< JSON literal used when the field is absent ("" = NULL)
};

constexpr std::size_t kMaxText = 20000;

std::string path_of(const std::string& prefix, std::string_view field) {
  return prefix.empty() ? std::string(field) : prefix + "." + std::string(field);
}

/// Turns a constraint violation of an insert into Error::invalid naming the
/// field (CHECK constraints are named after their column), a missing parent
/// row into not_found; anything else passes through.
Error field_error(const Error& e, const std::string& prefix, std::span<const Col> cols, const std::string& call_id) {
  auto col_field = [&](std::string_view column) -> std::pair<std::string, std::string> {
    for (const auto& c : cols)
      if (c.column == column) return {path_of(prefix, c.json), std::string(c.rule)};
    return {path_of(prefix, camel(column)), ""};
  };
  if (e.code == ErrorCode::invalid_argument) {
    constexpr std::string_view check = "CHECK constraint failed: ", not_null = "NOT NULL constraint failed: ";
    if (auto pos = e.message.find(check); pos != std::string::npos) {
      auto [field, rule] = col_field(std::string_view(e.message).substr(pos + check.size()));
      return Error::invalid(field, rule.empty() ? "out of range" : "must be " + rule);
    }
    if (auto pos = e.message.find(not_null); pos != std::string::npos) {
      std::string_view rest = std::string_view(e.message).substr(pos + not_null.size());
      if (auto dot = rest.rfind('.'); dot != std::string_view::npos) rest = rest.substr(dot + 1);
      return Error::invalid(col_field(rest).first, "required");
    }
    return e;
  }
  if (e.code == ErrorCode::conflict) {
    if (e.fields.empty()) return unknown_call(call_id);  // FOREIGN KEY: no live_calls row
    return Error::invalid(col_field(e.fields.front().field).first, "must be unique within the call");
  }
  return e;
}

/// Checks `obj` against `cols` (an object, no unknown fields, types) and
/// binds the columns from parameter `first` on.
Result<void> bind_fields(Statement& s, int first, const json& obj, std::span<const Col> cols, const std::string& prefix) {
  if (!obj.is_object()) return std::unexpected(Error::invalid(prefix, "must be an object"));
  for (const auto& [key, _] : obj.items())
    if (std::ranges::none_of(cols, [&](const Col& c) { return c.json == key; }))
      return std::unexpected(Error::invalid(path_of(prefix, key), "unknown field"));
  int i = first;
  for (const auto& c : cols) {
    const std::string field = path_of(prefix, c.json);
    json v = obj.contains(c.json) ? obj.at(std::string(c.json)) : json(nullptr);
    if (v.is_null() && !c.fallback.empty() && !obj.contains(c.json)) v = json::parse(c.fallback);
    if (v.is_null()) {
      if (c.required) return std::unexpected(Error::invalid(field, "required"));
      s.bind_null(i++);
      continue;
    }
    switch (c.kind) {
      case Kind::text:
        if (!v.is_string()) return std::unexpected(Error::invalid(field, "must be a string"));
        if (v.get_ref<const std::string&>().size() > kMaxText)
          return std::unexpected(Error::invalid(field, "must be at most 20000 bytes"));
        s.bind_text(i, v.get_ref<const std::string&>());
        break;
      case Kind::integer:
        if (v.is_number_integer()) s.bind_int(i, v.get<int64_t>());
        else if (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()))
          s.bind_int(i, static_cast<int64_t>(v.get<double>()));
        else return std::unexpected(Error::invalid(field, "must be an integer"));
        break;
      case Kind::real:
        if (!v.is_number() || !std::isfinite(v.get<double>())) return std::unexpected(Error::invalid(field, "must be a number"));
        s.bind_double(i, v.get<double>());
        break;
      case Kind::boolean:
        if (!v.is_boolean()) return std::unexpected(Error::invalid(field, "must be true or false"));
        s.bind_int(i, v.get<bool>() ? 1 : 0);
        break;
    }
    ++i;
  }
  return {};
}

/// A child table written from JSON: INSERT INTO table (id, call_id,
/// updated_at, ["order",] [created_at,] cols...).
struct Table {
  std::string_view name;
  std::vector<Col> cols;
  bool ordered = false;
  bool created_at = false;
  std::string sql;  ///< built once
};

Table make_table(std::string_view name, std::vector<Col> cols, bool ordered, bool created_at) {
  Table t{name, std::move(cols), ordered, created_at, {}};
  // The row's workspace is its call's (live_calls is written first, by CallService).
  std::string columns = "id, call_id, updated_at, workspace_id",
              values = "?, ?, ?, (SELECT workspace_id FROM live_calls WHERE call_id = ?2)";
  if (ordered) columns += ", \"order\"", values += ", ?";
  if (created_at) columns += ", created_at", values += ", ?";
  for (const auto& c : t.cols) columns += ", " + std::string(c.column), values += ", ?";
  t.sql = "INSERT INTO " + std::string(name) + " (" + columns + ") VALUES (" + values + ")";
  return t;
}

Result<void> insert_row(Connection& c, const Table& t, const std::string& call_id, const json& obj,
                        const std::string& prefix, int order, const std::string& now,
                        const std::string& created_at = {}) {
  auto st = c.prepare(t.sql);
  if (!st) return std::unexpected(st.error());
  auto& s = **st;
  s.bind_text(1, new_id());
  s.bind_text(2, call_id);
  s.bind_text(3, now);
  int i = 4;
  if (t.ordered) s.bind_int(i++, order);
  if (t.created_at) s.bind_text(i++, created_at.empty() ? now : created_at);
  if (auto b = bind_fields(s, i, obj, t.cols, prefix); !b) return b;
  if (auto done = s.step(); !done) return std::unexpected(field_error(done.error(), prefix, t.cols, call_id));
  return {};
}

constexpr std::string_view kPct = "a number between 0 and 100";

const Table& phases_table() {
  static const Table t = make_table(
      "call_phases",
      {{"name", "name", Kind::text, true, "1–100 characters"},
       {"status", "status", Kind::text, true, "one of pending, active, completed, skipped"},
       {"start_time", "startTime", Kind::text},
       {"end_time", "endTime", Kind::text},
       {"duration", "duration", Kind::real, false, "≥ 0 (seconds)"},
       {"quality", "quality", Kind::real, false, kPct}},
      true, false);
  return t;
}
const Table& objectives_table() {
  static const Table t = make_table("call_objectives",
                                    {{"key", "key", Kind::text, true},
                                     {"title", "title", Kind::text, true, "non-empty"},
                                     {"status", "status", Kind::text, true, "one of pending, in_progress, completed, failed"}},
                                    true, false);
  return t;
}
const Table& next_actions_table() {
  static const Table t = make_table("next_actions",
                                    {{"type", "type", Kind::text, true, "one of immediate, next, follow-up"},
                                     {"action", "action", Kind::text, true, "non-empty"},
                                     {"reason", "reason", Kind::text},
                                     {"priority", "priority", Kind::integer, false, "an integer between 1 and 10"}},
                                    true, false);
  return t;
}
const Table& coaching_table() {
  static const Table t = make_table("coaching_recommendations",
                                    {{"key", "key", Kind::text, true},
                                     {"type", "type", Kind::text, true, "one of positive, warning, suggestion"},
                                     {"title", "title", Kind::text, true, "non-empty"},
                                     {"description", "description", Kind::text, false, "", "\"\""},
                                     {"priority", "priority", Kind::integer, true, "an integer between 1 and 10"},
                                     {"is_active", "isActive", Kind::boolean, false, "", "true"}},
                                    true, true);
  return t;
}
const Table& sentiment_table() {
  static const Table t = make_table("sentiment_analysis",
                                    {{"positive", "positive", Kind::real, true, kPct},
                                     {"neutral", "neutral", Kind::real, true, kPct},
                                     {"negative", "negative", Kind::real, true, kPct},
                                     {"overall", "overall", Kind::text, true, "one of positive, neutral, negative"},
                                     {"trend", "trend", Kind::text, true, "one of improving, stable, declining"},
                                     {"last_positive_text", "lastPositive.text", Kind::text},
                                     {"last_positive_at", "lastPositive.at", Kind::text},
                                     {"last_negative_text", "lastNegative.text", Kind::text},
                                     {"last_negative_at", "lastNegative.at", Kind::text}},
                                    false, false);
  return t;
}
const Table& metrics_table() {
  static const Table t = make_table(
      "live_performance_metrics",
      {{"script_adherence", "scriptAdherence", Kind::real, false, kPct},
       {"agent_confidence", "agentConfidence", Kind::real, false, kPct},
       {"conversation_quality", "conversationQuality", Kind::real, false, kPct},
       {"prospect_engagement", "prospectEngagement", Kind::real, false, kPct},
       {"voice_energy", "voiceEnergy", Kind::text, false, "one of LOW, MEDIUM, HIGH"},
       {"response_quality", "responseQuality", Kind::text, false, "one of POOR, FAIR, GOOD, EXCELLENT"},
       {"question_frequency", "questionFrequency", Kind::real, false, "≥ 0"},
       {"interest_signals", "interestSignals", Kind::text, false, "one of WEAK, MODERATE, STRONG"},
       {"conversion_probability", "conversionProbability", Kind::real, false, kPct},
       {"demo_acceptance_probability", "demoAcceptanceProbability", Kind::real, false, kPct},
       {"immediate_close_probability", "immediateCloseProbability", Kind::real, false, kPct}},
      false, false);
  return t;
}
const Table& system_config_table() {
  static const Table t = make_table("call_system_config",
                                    {{"sip_provider", "sipProvider", Kind::text},
                                     {"sip_status", "sipStatus", Kind::text},
                                     {"stt_provider", "sttProvider", Kind::text},
                                     {"stt_status", "sttStatus", Kind::text},
                                     {"llm_provider", "llmProvider", Kind::text},
                                     {"llm_status", "llmStatus", Kind::text},
                                     {"tts_provider", "ttsProvider", Kind::text},
                                     {"tts_status", "ttsStatus", Kind::text},
                                     {"api_latency_ms", "apiLatencyMs", Kind::integer, false, "an integer ≥ 0"},
                                     {"error_rate", "errorRate", Kind::real, false, kPct},
                                     {"queue_depth", "queueDepth", Kind::integer, false, "an integer ≥ 0"},
                                     {"cost_per_minute", "costPerMinute", Kind::real, false, "≥ 0"},
                                     {"total_cost", "totalCost", Kind::real, false, "≥ 0"}},
                                    false, false);
  return t;
}

/// {lastPositive: {text, at}} → {"lastPositive.text", "lastPositive.at"}.
Result<json> flatten_sentiment(const json& in) {
  if (!in.is_object()) return std::unexpected(Error::invalid("sentiment", "must be an object or null"));
  json flat = json::object();
  for (const auto& [key, value] : in.items()) {
    if (key != "lastPositive" && key != "lastNegative") {
      flat[key] = value;
      continue;
    }
    if (value.is_null()) continue;
    if (!value.is_object()) return std::unexpected(Error::invalid("sentiment." + key, "must be {text, at} or null"));
    for (const auto& [k, v] : value.items()) {
      if (k != "text" && k != "at") return std::unexpected(Error::invalid("sentiment." + key + "." + k, "unknown field"));
      flat[key + "." + k] = v;
    }
  }
  return flat;
}

/// The sentiment row as the API shows it: lastPositive/lastNegative nested.
json nest_sentiment(json row) {
  if (row.is_null()) return row;
  for (const char* which : {"lastPositive", "lastNegative"}) {
    const std::string text = std::string(which) + "Text", at = std::string(which) + "At";
    row[which] = row[text].is_null() ? json(nullptr) : json{{"text", row[text]}, {"at", row[at]}};
    row.erase(text);
    row.erase(at);
  }
  return row;
}

/// The bundle of one call, read on `c` (inside or outside a transaction).
Result<json> bundle_in(Connection& c, const std::string& call_id, const WorkspaceId* ws = nullptr) {
  auto call = call_row_in(c, call_id, ws);
  if (!call) return std::unexpected(call.error());
  json out = {{"call", std::move(*call)}};
  static constexpr std::string_view details[] = {"details"};
  const struct {
    const char* key;
    const char* sql;
    bool single;
  } parts[] = {
      {"transcript", "SELECT * FROM live_transcripts WHERE call_id = ? ORDER BY \"order\"", false},
      {"phases", "SELECT * FROM call_phases WHERE call_id = ? ORDER BY \"order\"", false},
      {"objectives", "SELECT * FROM call_objectives WHERE call_id = ? ORDER BY \"order\"", false},
      {"nextActions", "SELECT * FROM next_actions WHERE call_id = ? ORDER BY \"order\"", false},
      {"coaching", "SELECT * FROM coaching_recommendations WHERE call_id = ? ORDER BY \"order\"", false},
      {"sentiment", "SELECT * FROM sentiment_analysis WHERE call_id = ?", true},
      {"metrics", "SELECT * FROM live_performance_metrics WHERE call_id = ?", true},
      {"systemConfig", "SELECT * FROM call_system_config WHERE call_id = ?", true},
      {"supervisorActions", "SELECT * FROM supervisor_actions WHERE call_id = ? ORDER BY \"order\"", false},
  };
  for (const auto& p : parts) {
    auto r = p.single ? first_row(c, p.sql, {call_id}) : rows(c, p.sql, {call_id}, details);
    if (!r) return std::unexpected(r.error());
    out[p.key] = std::move(*r);
  }
  out["sentiment"] = nest_sentiment(std::move(out["sentiment"]));
  return out;
}

bool one_of(std::string_view v, std::span<const std::string_view> values) {
  return std::ranges::find(values, v) != values.end();
}

}  // namespace

std::string call_clock(int64_t ms) {
  if (ms < 0) ms = 0;
  const int64_t s = ms / 1000;
  const int64_t sec = s % 60;
  return std::to_string(s / 60) + (sec < 10 ? ":0" : ":") + std::to_string(sec);
}

Result<json> LiveStore::upsert_transcript(const std::string& call_id, const LiveTranscriptRow& in) {
  const model::TranscriptLine& r = in.line;
  static const Col cols[] = {{"entry_id", "entryId", Kind::text, true, "1–200 characters"},
                             {"speaker", "speaker", Kind::text, true, "one of agent, caller, supervisor"},
                             {"start_ms", "startMs", Kind::integer, true, "≥ 0"},
                             {"end_ms", "endMs", Kind::integer, true, "≥ 0"},
                             {"sentiment", "sentiment", Kind::text, false, "one of positive, neutral, negative, \"\""},
                             {"confidence", "confidence", Kind::real, true, "a number between 0 and 1"}};
  if (!std::isfinite(r.confidence)) return std::unexpected(Error::invalid("confidence", "must be a number between 0 and 1"));
  return db_.write([&](Connection& c) -> Result<json> {
    // An unknown call is not found (its rows take their workspace from it).
    if (auto call = call_row_in(c, call_id); !call) return std::unexpected(call.error());
    auto st = c.prepare(
        "INSERT INTO live_transcripts (id, call_id, entry_id, speaker, text, timestamp, start_ms, end_ms, sentiment, "
        "confidence, is_final, interrupted, \"order\", created_at, updated_at, workspace_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "(SELECT coalesce(max(\"order\"), 0) + 1 FROM live_transcripts WHERE call_id = ?13), ?14, ?15, "
        "(SELECT workspace_id FROM live_calls WHERE call_id = ?2)) "
        "ON CONFLICT (call_id, entry_id) DO UPDATE SET speaker = excluded.speaker, text = excluded.text, "
        "timestamp = excluded.timestamp, start_ms = excluded.start_ms, end_ms = excluded.end_ms, "
        "sentiment = excluded.sentiment, confidence = excluded.confidence, is_final = excluded.is_final, "
        "interrupted = excluded.interrupted, updated_at = excluded.updated_at "
        "WHERE live_transcripts.is_final = 0 OR excluded.is_final = 1");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    const std::string now = now_iso8601();
    s.bind_text(1, new_id());
    s.bind_text(2, call_id);
    s.bind_text(3, r.entry_id);
    s.bind_text(4, r.speaker);
    s.bind_text(5, r.text);
    s.bind_text(6, call_clock(r.start_ms));
    s.bind_int(7, r.start_ms);
    s.bind_int(8, r.end_ms);
    if (in.sentiment.empty()) s.bind_null(9);
    else s.bind_text(9, in.sentiment);
    s.bind_double(10, r.confidence);
    s.bind_int(11, r.is_final ? 1 : 0);
    s.bind_int(12, r.interrupted ? 1 : 0);
    s.bind_text(13, call_id);
    s.bind_text(14, now);
    s.bind_text(15, now);
    if (auto done = s.step(); !done) return std::unexpected(field_error(done.error(), "", cols, call_id));
    auto row = first_row(c, "SELECT * FROM live_transcripts WHERE call_id = ? AND entry_id = ?", {call_id, r.entry_id});
    if (!row) return std::unexpected(row.error());
    return *row;
  });
}

Result<void> LiveStore::update_levels(const std::string& call_id, int agent_gain, int customer_gain,
                                      const std::string& current_speaker, int duration_s) {
  if (agent_gain < 0 || agent_gain > 100) return std::unexpected(Error::invalid("agentGain", "must be between 0 and 100"));
  if (customer_gain < 0 || customer_gain > 100)
    return std::unexpected(Error::invalid("customerGain", "must be between 0 and 100"));
  if (!current_speaker.empty() && current_speaker != "agent" && current_speaker != "caller" && current_speaker != "supervisor")
    return std::unexpected(Error::invalid("currentSpeaker", "must be one of agent, caller, supervisor or \"\""));
  if (duration_s < 0) return std::unexpected(Error::invalid("duration", "must be ≥ 0"));
  return db_.write([&](Connection& c) -> Result<void> {
    auto st = c.prepare(
        "UPDATE live_calls SET agent_gain = ?, customer_gain = ?, current_speaker = ?, duration = ?, updated_at = ? "
        "WHERE call_id = ? AND ended_at IS NULL");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_int(1, agent_gain);
    s.bind_int(2, customer_gain);
    if (current_speaker.empty()) s.bind_null(3);
    else s.bind_text(3, current_speaker);
    s.bind_int(4, duration_s);
    s.bind_text(5, now_iso8601());
    s.bind_text(6, call_id);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    if (c.changes() == 0) return std::unexpected(unknown_call(call_id));
    return {};
  });
}

Result<void> LiveStore::save_insights(const std::string& call_id, const json& insights) {
  if (!insights.is_object()) return std::unexpected(Error::invalid("insights", "must be an object"));
  static const std::map<std::string, std::pair<const Table*, bool>, std::less<>> parts = {
      {"phases", {&phases_table(), false}},         {"objectives", {&objectives_table(), false}},
      {"nextActions", {&next_actions_table(), false}}, {"coaching", {&coaching_table(), false}},
      {"sentiment", {&sentiment_table(), true}},    {"metrics", {&metrics_table(), true}}};
  for (const auto& [key, value] : insights.items()) {
    auto it = parts.find(key);
    if (it == parts.end()) return std::unexpected(Error::invalid(key, "unknown field"));
    if (!it->second.second && !value.is_array()) return std::unexpected(Error::invalid(key, "must be an array"));
  }
  return db_.write([&](Connection& c) -> Result<void> {
    if (auto call = call_row_in(c, call_id); !call) return std::unexpected(call.error());
    const std::string now = now_iso8601();
    for (const auto& [key, value] : insights.items()) {
      const auto& [table, single] = parts.find(key)->second;
      // Coaching keeps when each recommendation (by key) first appeared.
      std::map<std::string, std::string> created;
      if (table->created_at) {
        auto old = rows(c, "SELECT key, created_at FROM " + std::string(table->name) + " WHERE call_id = ?", {call_id});
        if (!old) return std::unexpected(old.error());
        for (const auto& r : *old) created[r["key"].get<std::string>()] = r["createdAt"].get<std::string>();
      }
      if (auto d = exec_bound(c, "DELETE FROM " + std::string(table->name) + " WHERE call_id = ?", {call_id}); !d) return d;
      if (single) {
        if (value.is_null()) continue;
        json obj = value;
        if (table == &sentiment_table()) {
          auto flat = flatten_sentiment(value);
          if (!flat) return std::unexpected(flat.error());
          obj = std::move(*flat);
        }
        if (auto ins = insert_row(c, *table, call_id, obj, key, 0, now); !ins) return ins;
        continue;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& item = value[i];
        std::string at;
        if (table->created_at && item.is_object() && item.contains("key") && item["key"].is_string())
          if (auto f = created.find(item["key"].get<std::string>()); f != created.end()) at = f->second;
        const std::string prefix = key + "[" + std::to_string(i) + "]";
        if (auto ins = insert_row(c, *table, call_id, item, prefix, static_cast<int>(i + 1), now, at); !ins) return ins;
      }
    }
    return {};
  });
}

Result<void> LiveStore::save_system_config(const std::string& call_id, const json& config) {
  if (!config.is_object()) return std::unexpected(Error::invalid("systemConfig", "must be an object"));
  const Table& t = system_config_table();
  return db_.write([&](Connection& c) -> Result<void> {
    if (auto call = call_row_in(c, call_id); !call) return std::unexpected(call.error());
    auto old = first_row(c, "SELECT * FROM call_system_config WHERE call_id = ?", {call_id});
    if (!old) return std::unexpected(old.error());
    json merged = json::object();
    if (old->is_object())
      for (const auto& col : t.cols) merged[std::string(col.json)] = (*old)[camel(col.column)];
    for (const auto& [key, value] : config.items()) merged[key] = value;
    if (auto d = exec_bound(c, "DELETE FROM call_system_config WHERE call_id = ?", {call_id}); !d) return d;
    return insert_row(c, t, call_id, merged, "", 0, now_iso8601());
  });
}

Result<json> LiveStore::record_supervisor_action(const WorkspaceId& ws, const std::string& call_id,
                                                 const std::string& action,
                                                 const json& details, const std::string& supervisor_id,
                                                 const std::string& supervisor_name, int64_t call_time_ms) {
  static const Col cols[] = {
      {"action", "action", Kind::text, true,
       "one of COACH_AGENT, JOIN_CALL, TAKE_OVER, RELEASE, TRANSFER_CALL, END_CALL, ADD_NOTE, BOOKMARK_MOMENT, FLAG_FOR_REVIEW"},
      {"supervisor_id", "supervisorId", Kind::text, true, "1–200 characters"},
      {"supervisor_name", "supervisorName", Kind::text, true, "1–200 characters"},
      {"call_time_ms", "callTimeMs", Kind::integer, true, "≥ 0"}};
  if (!details.is_object()) return std::unexpected(Error::invalid("details", "must be an object"));
  return db_.write([&](Connection& c) -> Result<json> {
    if (auto call = call_row_in(c, call_id, &ws); !call) return std::unexpected(call.error());
    auto st = c.prepare(
        "INSERT INTO supervisor_actions (id, call_id, action, details, supervisor_id, supervisor_name, timestamp, "
        "call_time_ms, \"order\", workspace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "(SELECT coalesce(max(\"order\"), 0) + 1 FROM supervisor_actions WHERE call_id = ?9), "
        "(SELECT workspace_id FROM live_calls WHERE call_id = ?2))");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    const std::string id = new_id();
    s.bind_text(1, id);
    s.bind_text(2, call_id);
    s.bind_text(3, action);
    s.bind_text(4, details.dump(-1, ' ', false, json::error_handler_t::replace));
    s.bind_text(5, supervisor_id);
    s.bind_text(6, supervisor_name);
    s.bind_text(7, now_iso8601());
    s.bind_int(8, call_time_ms);
    s.bind_text(9, call_id);
    if (auto done = s.step(); !done) return std::unexpected(field_error(done.error(), "", cols, call_id));
    static constexpr std::string_view json_cols[] = {"details"};
    auto row = first_row(c, "SELECT * FROM supervisor_actions WHERE id = ?", {id}, json_cols);
    if (!row) return std::unexpected(row.error());
    return *row;
  });
}

Result<std::optional<json>> LiveStore::finish(const std::string& call_id, const json& analytics) {
  if (!analytics.is_null() && !analytics.is_object()) return std::unexpected(Error::invalid("analytics", "must be an object"));
  // The caller's objections and how many the agent answered (issue 18 §8), when the call intelligence counted them.
  std::optional<int64_t> objections_raised, objections_answered;
  if (analytics.is_object() && analytics.contains("objections") && !analytics["objections"].is_null()) {
    const json& o = analytics["objections"];
    if (!o.is_object()) return std::unexpected(Error::invalid("objections", "must be {raised, answered} or null"));
    for (const char* k : {"raised", "answered"})
      if (!o.contains(k) || !o[k].is_number_integer() || o[k].get<int64_t>() < 0)
        return std::unexpected(Error::invalid(std::string("objections.") + k, "must be an integer ≥ 0"));
    objections_raised = o["raised"].get<int64_t>();
    objections_answered = o["answered"].get<int64_t>();
    if (*objections_answered > *objections_raised)
      return std::unexpected(Error::invalid("objections.answered", "must not exceed objections.raised"));
  }
  return db_.write([&](Connection& c) -> Result<std::optional<json>> {
    if (auto call = call_row_in(c, call_id); !call) return std::unexpected(call.error());
    const std::string now = now_iso8601();
    if (auto u = exec_bound(c, "UPDATE coaching_recommendations SET is_active = 0, updated_at = ? WHERE call_id = ?", {now, call_id}); !u)
      return std::unexpected(u.error());
    if (auto u = exec_bound(c, "UPDATE live_calls SET ended_at = coalesce(ended_at, ?), updated_at = ? WHERE call_id = ?",
                            {now, now, call_id});
        !u)
      return std::unexpected(u.error());
    auto b = bundle_in(c, call_id);
    if (!b) return std::unexpected(b.error());
    const json& call = (*b)["call"];
    // Talk time and entries of the final transcript.
    int64_t entries = 0, agent_ms = 0, caller_ms = 0;
    for (const auto& line : (*b)["transcript"]) {
      if (!line.value("isFinal", false)) continue;
      ++entries;
      const int64_t ms = std::max<int64_t>(0, line.value("endMs", int64_t{0}) - line.value("startMs", int64_t{0}));
      if (line["speaker"] == "agent") agent_ms += ms;
      else if (line["speaker"] == "caller") caller_ms += ms;
    }
    int64_t completed = 0;
    for (const auto& o : (*b)["objectives"])
      if (o["status"] == "completed") ++completed;
    std::string final_phase = call["currentPhase"].is_string() ? call["currentPhase"].get<std::string>() : "";
    for (const auto& p : (*b)["phases"])
      if (p["status"] == "active" || p["status"] == "completed") final_phase = p["name"].get<std::string>();
    int64_t duration = call["duration"].is_number_integer() ? call["duration"].get<int64_t>() : 0;
    const std::string ended = call["endedAt"].is_string() ? call["endedAt"].get<std::string>() : now;
    if (duration <= 0) {
      auto a = parse_iso8601(call["startTime"].is_string() ? call["startTime"].get<std::string>() : "");
      auto z = parse_iso8601(ended);
      if (a && z && *z > *a) duration = std::chrono::duration_cast<std::chrono::seconds>(*z - *a).count();
    }
    const json& sentiment = (*b)["sentiment"];
    const json& metrics = (*b)["metrics"];
    auto text_or_null = [](const json& j) { return j.is_string() ? std::optional<std::string>(j.get<std::string>()) : std::nullopt; };
    auto number_or_null = [](const json& j) { return j.is_number() ? std::optional<double>(j.get<double>()) : std::nullopt; };

    if (auto d = exec_bound(c, "DELETE FROM call_analytics WHERE call_id = ?", {call_id}); !d) return std::unexpected(d.error());
    auto st = c.prepare(
        "INSERT INTO call_analytics (id, call_id, agent_id, agent_name, customer_phone, campaign_id, started_at, ended_at, "
        "duration, final_phase, transcript_entries, agent_talk_ms, caller_talk_ms, agent_talk_share, overall_sentiment, "
        "objectives_completed, objectives_total, script_adherence, conversion_probability, coaching_count, "
        "supervisor_action_count, phases, objectives, next_actions, coaching, sentiment, metrics, system_config, "
        "supervisor_actions, details, created_at, workspace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, "
        "(SELECT workspace_id FROM live_calls WHERE call_id = ?2))");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    auto opt_text = [&](int i, const std::optional<std::string>& v) { v ? s.bind_text(i, *v) : s.bind_null(i); };
    auto opt_real = [&](int i, const std::optional<double>& v) { v ? s.bind_double(i, *v) : s.bind_null(i); };
    auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
    s.bind_text(1, new_id());
    s.bind_text(2, call_id);
    opt_text(3, text_or_null(call["agentId"]));
    opt_text(4, text_or_null(call["agentName"]));
    opt_text(5, text_or_null(call["customerPhone"]));
    opt_text(6, text_or_null(call["campaignId"]));
    opt_text(7, text_or_null(call["startTime"]));
    s.bind_text(8, ended);
    s.bind_int(9, duration);
    opt_text(10, final_phase.empty() ? std::nullopt : std::optional(final_phase));
    s.bind_int(11, entries);
    s.bind_int(12, agent_ms);
    s.bind_int(13, caller_ms);
    opt_real(14, agent_ms + caller_ms > 0 ? std::optional(100.0 * static_cast<double>(agent_ms) /
                                                          static_cast<double>(agent_ms + caller_ms))
                                          : std::nullopt);
    opt_text(15, sentiment.is_object() ? text_or_null(sentiment["overall"]) : std::nullopt);
    s.bind_int(16, completed);
    s.bind_int(17, static_cast<int64_t>((*b)["objectives"].size()));
    opt_real(18, metrics.is_object() ? number_or_null(metrics["scriptAdherence"]) : std::nullopt);
    opt_real(19, metrics.is_object() ? number_or_null(metrics["conversionProbability"]) : std::nullopt);
    s.bind_int(20, static_cast<int64_t>((*b)["coaching"].size()));
    s.bind_int(21, static_cast<int64_t>((*b)["supervisorActions"].size()));
    s.bind_text(22, dump((*b)["phases"]));
    s.bind_text(23, dump((*b)["objectives"]));
    s.bind_text(24, dump((*b)["nextActions"]));
    s.bind_text(25, dump((*b)["coaching"]));
    s.bind_text(26, dump(sentiment));
    s.bind_text(27, dump(metrics));
    s.bind_text(28, dump((*b)["systemConfig"]));
    s.bind_text(29, dump((*b)["supervisorActions"]));
    s.bind_text(30, dump(analytics.is_null() ? json::object() : analytics));
    s.bind_text(31, now);
    if (auto done = s.step(); !done) return std::unexpected(done.error());
    // Quality, adherence, objections and sentiment into the call, its
    // metrics by period and the recent-calls feed (issue 18 §8): the
    // difference from what they held, so archiving again changes nothing.
    const std::optional<double> quality = metrics.is_object() ? number_or_null(metrics["conversationQuality"]) : std::nullopt;
    IntelligenceFigures figures;
    figures.quality = quality;
    figures.adherence = metrics.is_object() ? number_or_null(metrics["scriptAdherence"]) : std::nullopt;
    figures.objections_raised = objections_raised;
    figures.objections_answered = objections_answered;
    figures.sentiment = sentiment.is_object() ? text_or_null(sentiment["overall"]) : std::nullopt;
    if (auto r = AnalyticsRepository::record_intelligence_in(c, call_id, figures); !r) return std::unexpected(r.error());
    // The campaign's quality check (issue 18 §6): flagged once, with its alert.
    return SwarmConfigRepository::quality_check_in(c, call_id, quality);
  });
}

Result<int> LiveStore::purge_ended_before(std::chrono::system_clock::time_point cutoff) {
  return db_.write([&](Connection& c) -> Result<int> {
    if (auto d = exec_bound(c, "DELETE FROM live_calls WHERE ended_at IS NOT NULL AND ended_at < ?", {to_iso8601(cutoff)}); !d)
      return std::unexpected(d.error());
    return static_cast<int>(c.changes());
  });
}

Result<json> LiveStore::live_call(const WorkspaceId& ws, const std::string& call_id) {
  return db_.read([&](Connection& c) { return bundle_in(c, call_id, &ws); });
}

Result<json> LiveStore::call_row(const WorkspaceId& ws, const std::string& call_id) {
  return db_.read([&](Connection& c) { return call_row_in(c, call_id, &ws); });
}

Result<json> LiveStore::live_calls(const WorkspaceId& ws, const std::optional<std::string>& status) {
  if (status && !one_of(*status, kLiveCallStatuses))
    return std::unexpected(Error::invalid("status", "must be one of connecting, ringing, connected, on-hold, transferring"));
  return db_.read([&](Connection& c) {
    const std::string base = std::string(kLiveCallSelect) + " WHERE l.ended_at IS NULL AND l.workspace_id = ?";
    return status ? rows(c, base + " AND l.status = ? ORDER BY l.start_time DESC, l.id DESC", {ws.value, *status})
                  : rows(c, base + " ORDER BY l.start_time DESC, l.id DESC", {ws.value});
  });
}

Result<json> LiveStore::transcript(const WorkspaceId& ws, const std::string& call_id) {
  return db_.read([&](Connection& c) {
    return rows(c, "SELECT * FROM live_transcripts WHERE call_id = ? AND workspace_id = ? ORDER BY \"order\"",
                {call_id, ws.value});
  });
}

Result<json> LiveStore::supervisor_actions(const WorkspaceId& ws, const std::string& call_id) {
  static constexpr std::string_view json_cols[] = {"details"};
  return db_.read([&](Connection& c) {
    return rows(c, "SELECT * FROM supervisor_actions WHERE call_id = ? AND workspace_id = ? ORDER BY \"order\"",
                {call_id, ws.value}, json_cols);
  });
}

Result<int64_t> LiveStore::call_time_ms(const WorkspaceId& ws, const std::string& call_id) {
  auto row = call_row(ws, call_id);
  if (!row) return std::unexpected(row.error());
  auto start = parse_iso8601((*row)["startTime"].is_string() ? (*row)["startTime"].get<std::string>() : "");
  if (!start) return int64_t{0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() - *start).count();
  return std::max<int64_t>(0, ms);
}

Result<json> LiveStore::analytics(const WorkspaceId& ws, const std::string& call_id) {
  static constexpr std::string_view json_cols[] = {"phases",       "objectives", "next_actions",      "coaching", "sentiment",
                                                   "metrics",      "system_config", "supervisor_actions", "details"};
  auto row = db_.read([&](Connection& c) {
    return first_row(c, "SELECT * FROM call_analytics WHERE call_id = ? AND workspace_id = ?", {call_id, ws.value},
                     json_cols);
  });
  if (!row) return std::unexpected(row.error());
  if (row->is_null()) return std::unexpected(Error::not_found("no analytics for call " + call_id));
  return *row;
}

// ------------------------------------------------------------------ retention

LiveRetention::LiveRetention(LiveStore& store, Options options) : store_(store), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
}

LiveRetention::~LiveRetention() { stop(); }

void LiveRetention::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      if (auto n = run_once(); !n) spdlog::warn("live retention: purge failed: {}", n.error().message);
      lock.lock();
      cv_.wait_for(lock, options_.interval, [this] { return stopping_; });
    }
  });
}

void LiveRetention::stop() {
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    t = std::move(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
}

Result<int> LiveRetention::run_once() {
  auto n = store_.purge_ended_before(options_.now() - options_.retention);
  if (n && *n > 0) {
    std::lock_guard lock(mutex_);
    purged_ += *n;
  }
  return n;
}

int64_t LiveRetention::purged() const {
  std::lock_guard lock(mutex_);
  return purged_;
}

}  // namespace voqo::store
