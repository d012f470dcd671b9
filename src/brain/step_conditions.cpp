#include "brain/step_conditions.hpp"

#include <algorithm>
#include <cctype>

namespace voqo::brain {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxConditions = 20;
constexpr std::size_t kMaxValues = 50;
constexpr std::size_t kMaxText = 2000;
constexpr int kMaxTurns = 10;

constexpr Intent kIntents[] = {Intent::unclear,        Intent::statement,       Intent::greeting,      Intent::yes,
                               Intent::question,       Intent::no,              Intent::objection,     Intent::not_interested,
                               Intent::call_back_later, Intent::asks_for_human, Intent::wrong_number, Intent::stop_calling,
                               Intent::voicemail_greeting};

std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

std::string folded(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A scalar as compared text, or nullopt for anything else.
std::optional<std::string> scalar_text(const json& v) {
  if (v.is_string()) return folded(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return std::to_string(static_cast<int64_t>(d));
    return v.dump();
  }
  return std::nullopt;
}

std::string names_of_intents() {
  std::string s;
  for (Intent i : kIntents) s += (s.empty() ? "" : ", ") + std::string(intent_name(i));
  return s;
}

Error bad(const std::string& field, const std::string& message) { return Error::invalid(field, message); }

Result<Intent> intent_at(const json& v, const std::string& field) {
  if (!v.is_string()) return std::unexpected(bad(field, "must be an intent name (" + names_of_intents() + ")"));
  auto i = intent_from_name(v.get<std::string>());
  if (!i) return std::unexpected(bad(field, "unknown intent '" + v.get<std::string>() + "'; one of " + names_of_intents()));
  return *i;
}

Result<int> turns_at(const json& v, const std::string& field) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > kMaxTurns)
    return std::unexpected(bad(field, "must be an integer from 1 to 10"));
  return static_cast<int>(v.get<int64_t>());
}

Result<SkipCondition> parse_condition(const json& c, const std::string& at) {
  if (!c.is_object())
    return std::unexpected(bad(at, "must be an object: {variable, exists|equals|in} or {intentHeard}"));
  for (auto it = c.begin(); it != c.end(); ++it)
    if (it.key() != "variable" && it.key() != "exists" && it.key() != "equals" && it.key() != "in" &&
        it.key() != "intentHeard")
      return std::unexpected(bad(at + "." + it.key(), "unknown field (variable, exists, equals, in, intentHeard)"));
  SkipCondition out;
  if (auto ih = c.find("intentHeard"); ih != c.end()) {
    if (c.size() != 1) return std::unexpected(bad(at + ".intentHeard", "stands alone: no variable, exists, equals or in beside it"));
    auto i = intent_at(*ih, at + ".intentHeard");
    if (!i) return std::unexpected(i.error());
    out.kind = SkipCondition::Kind::intent_heard;
    out.intent = *i;
    return out;
  }
  auto var = c.find("variable");
  if (var == c.end()) return std::unexpected(bad(at + ".variable", "is required (or use intentHeard)"));
  if (!var->is_string() || var->get<std::string>().empty() || var->get<std::string>().size() > 64 ||
      key_of(var->get<std::string>()).empty())
    return std::unexpected(bad(at + ".variable", "must be a variable name of 1-64 characters"));
  out.variable = var->get<std::string>();
  const int tests = static_cast<int>(c.contains("exists")) + static_cast<int>(c.contains("equals")) +
                    static_cast<int>(c.contains("in"));
  if (tests != 1) return std::unexpected(bad(at, "needs exactly one of exists, equals or in beside variable"));
  if (auto e = c.find("exists"); e != c.end()) {
    if (!e->is_boolean()) return std::unexpected(bad(at + ".exists", "must be true or false"));
    out.kind = SkipCondition::Kind::exists;
    out.exists = e->get<bool>();
  } else if (auto q = c.find("equals"); q != c.end()) {
    auto t = scalar_text(*q);
    if (!t) return std::unexpected(bad(at + ".equals", "must be a string, number or boolean"));
    out.kind = SkipCondition::Kind::equals;
    out.values.push_back(*t);
  } else {
    const json& in = c.at("in");
    if (!in.is_array() || in.empty() || in.size() > kMaxValues)
      return std::unexpected(bad(at + ".in", "must be an array of 1-50 strings, numbers or booleans"));
    out.kind = SkipCondition::Kind::in;
    for (std::size_t i = 0; i < in.size(); ++i) {
      auto t = scalar_text(in[i]);
      if (!t) return std::unexpected(bad(at + ".in[" + std::to_string(i) + "]", "must be a string, number or boolean"));
      out.values.push_back(*t);
    }
  }
  return out;
}

}  // namespace

std::optional<Intent> intent_from_name(std::string_view name) {
  for (Intent i : kIntents)
    if (intent_name(i) == name) return i;
  return std::nullopt;
}

Result<std::vector<SkipCondition>> parse_skip_conditions(const json& value, const std::string& field) {
  std::vector<SkipCondition> out;
  if (value.is_null()) return out;
  if (value.is_object()) {
    auto c = parse_condition(value, field);
    if (!c) return std::unexpected(c.error());
    out.push_back(std::move(*c));
    return out;
  }
  if (!value.is_array()) return std::unexpected(bad(field, "must be a condition object, an array of them, or null"));
  if (value.size() > kMaxConditions) return std::unexpected(bad(field, "at most 20 conditions"));
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = parse_condition(value[i], field + "[" + std::to_string(i) + "]");
    if (!c) return std::unexpected(c.error());
    out.push_back(std::move(*c));
  }
  return out;
}

Result<std::optional<SuccessCriteria>> parse_success_criteria(const json& value, const std::string& field) {
  if (value.is_null()) return std::optional<SuccessCriteria>();
  SuccessCriteria out;
  if (value.is_string()) {
    const std::string& t = value.get_ref<const std::string&>();
    if (t.size() > kMaxText || t.find_first_not_of(" \t\r\n") == std::string::npos)
      return std::unexpected(bad(field, "must be a non-empty text of at most 2000 characters"));
    out.text = t;
    return std::optional(out);
  }
  if (!value.is_object())
    return std::unexpected(bad(field, "must be a text or an object {intent|anyIntent|minTurns, maxTurns, description}"));
  for (auto it = value.begin(); it != value.end(); ++it)
    if (it.key() != "intent" && it.key() != "anyIntent" && it.key() != "minTurns" && it.key() != "maxTurns" &&
        it.key() != "description")
      return std::unexpected(bad(field + "." + it.key(), "unknown field (intent, anyIntent, minTurns, maxTurns, description)"));
  out.typed = true;
  if (value.contains("intent") && value.contains("anyIntent"))
    return std::unexpected(bad(field + ".anyIntent", "give intent or anyIntent, not both"));
  if (auto i = value.find("intent"); i != value.end()) {
    auto v = intent_at(*i, field + ".intent");
    if (!v) return std::unexpected(v.error());
    out.intents.push_back(*v);
  }
  if (auto a = value.find("anyIntent"); a != value.end()) {
    if (!a->is_array() || a->empty() || a->size() > std::size(kIntents))
      return std::unexpected(bad(field + ".anyIntent", "must be an array of 1-13 intent names"));
    for (std::size_t k = 0; k < a->size(); ++k) {
      auto v = intent_at((*a)[k], field + ".anyIntent[" + std::to_string(k) + "]");
      if (!v) return std::unexpected(v.error());
      out.intents.push_back(*v);
    }
  }
  if (auto m = value.find("minTurns"); m != value.end()) {
    auto v = turns_at(*m, field + ".minTurns");
    if (!v) return std::unexpected(v.error());
    out.min_turns = *v;
  }
  if (auto m = value.find("maxTurns"); m != value.end()) {
    auto v = turns_at(*m, field + ".maxTurns");
    if (!v) return std::unexpected(v.error());
    out.max_turns = *v;
  }
  if (out.intents.empty() && out.min_turns == 0)
    return std::unexpected(bad(field, "needs intent, anyIntent or minTurns"));
  if (out.max_turns < out.min_turns) return std::unexpected(bad(field + ".maxTurns", "must be at least minTurns"));
  if (auto d = value.find("description"); d != value.end()) {
    if (!d->is_string() || d->get<std::string>().size() > kMaxText)
      return std::unexpected(bad(field + ".description", "must be a text of at most 2000 characters"));
    out.text = d->get<std::string>();
  }
  return std::optional(out);
}

bool SuccessCriteria::met_by(Intent intent, int answers) const {
  if (answers < std::max(1, min_turns)) return false;
  return intents.empty() || std::find(intents.begin(), intents.end(), intent) != intents.end();
}

std::string SuccessCriteria::described() const {
  if (!typed) return text;
  std::string s;
  if (!intents.empty()) {
    s = "the contact's answer is ";
    for (std::size_t i = 0; i < intents.size(); ++i)
      s += (i == 0 ? "" : i + 1 == intents.size() ? " or " : ", ") + std::string(intent_name(intents[i]));
  }
  if (min_turns > 1) s += (s.empty() ? "" : ", ") + std::string("after at least ") + std::to_string(min_turns) + " answers";
  if (s.empty()) s = "the contact has answered";
  if (!text.empty()) s += " (" + text + ")";
  s += "; move on after " + std::to_string(max_turns) + " tries either way";
  return s;
}

std::string condition_variable(const CallContext& ctx, std::string_view name) {
  const std::string k = key_of(name);
  if (k == "contactname") return ctx.contact_name;
  if (k == "agentname") return ctx.agent_name;
  if (ctx.variables.is_object())
    for (auto it = ctx.variables.begin(); it != ctx.variables.end(); ++it)
      if (key_of(it.key()) == k) {
        auto t = scalar_text(it.value());
        return t ? *t : std::string();
      }
  if (k == "firstname") return folded(ctx.contact_name.substr(0, ctx.contact_name.find(' ')));
  return {};
}

bool condition_matches(const SkipCondition& c, const CallContext& ctx, const std::set<Intent>& heard) {
  switch (c.kind) {
    case SkipCondition::Kind::intent_heard: return heard.contains(c.intent);
    case SkipCondition::Kind::exists: return folded(condition_variable(ctx, c.variable)).empty() != c.exists;
    case SkipCondition::Kind::equals:
    case SkipCondition::Kind::in: {
      const std::string v = folded(condition_variable(ctx, c.variable));
      if (v.empty()) return false;
      return std::find(c.values.begin(), c.values.end(), v) != c.values.end();
    }
  }
  return false;
}

bool any_condition_matches(const std::vector<SkipCondition>& conditions, const CallContext& ctx,
                           const std::set<Intent>& heard) {
  return std::any_of(conditions.begin(), conditions.end(),
                     [&](const SkipCondition& c) { return condition_matches(c, ctx, heard); });
}

}  // namespace voqo::brain
