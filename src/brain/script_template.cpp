#include "brain/script_template.hpp"

#include <algorithm>
#include <cctype>

#include "brain/instruction_template.hpp"
#include "core/json_parse.hpp"
#include "model/builtin_scripts.hpp"

namespace voqo::brain {
namespace {

GoodbyeLines default_goodbyes() {
  return {
      .general = "Thanks for your time, {first_name}. Have a great day. Goodbye!",
      .demo_scheduled = "You're all set. Thanks, {first_name}, and talk soon. Goodbye!",
      .not_interested = "I understand. Thanks for your time, and have a great day. Goodbye!",
      .call_back = "Thanks, {first_name}. Talk to you then. Goodbye!",
      .wrong_number = "I'm sorry to have bothered you. Have a good day. Goodbye!",
      .do_not_call = "I've removed your number from our list, and you won't be called again. "
                     "Sorry for the trouble. Goodbye.",
  };
}

ScriptTemplate from_builtin(std::string_view name);

}  // namespace

ScriptTemplate script_template_from_row(const nlohmann::json& row);

namespace {

ScriptTemplate from_builtin(std::string_view name) {
  const nlohmann::json& row = model::builtin_script_template(name);
  return script_template_from_row(row.is_null() ? model::builtin_script_template("custom") : row);
}

std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

std::string variable(const CallContext& ctx, std::string_view name) {
  if (!ctx.variables.is_object()) return {};
  const std::string want = key_of(name);
  for (auto it = ctx.variables.begin(); it != ctx.variables.end(); ++it) {
    if (key_of(it.key()) != want) continue;
    const auto& v = it.value();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number()) return v.dump();
    return {};
  }
  return {};
}

std::string purpose_words(const CallContext& ctx) {
  if (!ctx.custom_purpose.empty()) return ctx.custom_purpose;
  if (ctx.purpose == "sales" || ctx.purpose.empty() || ctx.purpose == "custom") {
    if (ctx.script_template == "property_sales") return "property sales";
    if (ctx.script_template == "property_manager") return "property management";
    return "our services";
  }
  if (ctx.purpose == "support") return "your account";
  if (ctx.purpose == "appointment") return "scheduling an appointment";
  if (ctx.purpose == "technical") return "technical support";
  std::string p = ctx.purpose;
  for (char& c : p)
    if (c == '_') c = ' ';
  return p;
}

std::string lookup(const CallContext& ctx, std::string_view name) {
  // The instruction templates' names ({{contact.name}}, {{lead.company}}, {{now:date}}).
  if (name.find_first_of(".:") != std::string_view::npos) {
    auto declared = parse_template_variables(ctx.template_variables);
    return resolve_reference(name, ctx, declared ? std::span<const TemplateVariable>(*declared)
                                                 : std::span<const TemplateVariable>{});
  }
  const std::string k = key_of(name);
  if (k == "agentname") return ctx.agent_name;
  if (k == "contactname" || k == "name") return !ctx.contact_name.empty() ? ctx.contact_name : variable(ctx, name);
  if (k == "firstname") {
    if (auto v = variable(ctx, "first_name"); !v.empty()) return v;
    return ctx.contact_name.substr(0, ctx.contact_name.find(' '));
  }
  if (k == "company") {
    auto v = variable(ctx, "company");
    return v.empty() ? "our team" : v;
  }
  if (k == "purpose") return purpose_words(ctx);
  return variable(ctx, name);
}

std::string tidy(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    if ((c == ',' || c == '.' || c == '!' || c == '?') && !out.empty() && out.back() == ' ') out.pop_back();
    if (c == ',' && !out.empty() && (out.back() == ',' || out.back() == '.' || out.back() == '!' || out.back() == '?'))
      continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// --- JSON ---
struct Parser {
  std::vector<FieldError> errors;
  void fail(std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); }
  bool text(const nlohmann::json& j, const std::string& field, std::string& out) {
    if (!j.is_string() || j.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
      fail(field, "must be a non-empty string");
      return false;
    }
    out = j.get<std::string>();
    return true;
  }
};

}  // namespace

ScriptTemplate builtin_template(std::string_view name) {
  if (name == "property_sales" || name == "property_manager") return from_builtin(name);
  return from_builtin("custom");
}

ScriptTemplate script_template_from_row(const nlohmann::json& row) {
  ScriptTemplate t;
  t.goodbye = default_goodbyes();
  const auto text = [&](const char* key) -> std::string {
    auto it = row.find(key);
    return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  t.name = text("name").empty() ? "custom" : text("name");
  t.opening = text("opening");
  if (auto it = row.find("discoveryQuestions"); it != row.end() && it->is_array())
    for (const auto& q : *it)
      if (q.is_string() && !q.get<std::string>().empty()) t.discovery.push_back(q.get<std::string>());
  t.value_proposition = text("valueProposition");
  t.closing = text("closing");
  t.voicemail = text("voicemail");
  if (auto it = row.find("objectionResponses"); it != row.end() && it->is_array())
    for (const auto& o : *it) {
      if (!o.is_object() || !o.value("objection", nlohmann::json()).is_string() ||
          !o.value("response", nlohmann::json()).is_string())
        continue;
      const std::string name = o["objection"], response = o["response"];
      if (response.empty()) continue;
      const std::string k = key_of(name);
      const Objection cat = k == "price" ? Objection::price
                            : k == "competitor" ? Objection::competitor
                            : k == "notime" ? Objection::no_time
                            : k == "sendinfo" ? Objection::send_info
                                              : Objection::none;
      if (cat == Objection::none) t.other_objections.emplace_back(name, response);
      else t.objections[cat] = response;
    }
  // Parts a row leaves out take the generic script's (its own texts, never this function's recursion).
  static const nlohmann::json& generic = model::builtin_script_template("custom");
  if (&row != &generic) {
    const ScriptTemplate g = script_template_from_row(generic);
    if (t.opening.empty()) t.opening = g.opening;
    if (t.value_proposition.empty()) t.value_proposition = g.value_proposition;
    if (t.closing.empty()) t.closing = g.closing;
    if (t.voicemail.empty()) t.voicemail = g.voicemail;
    for (const auto& [cat, text] : g.objections) t.objections.try_emplace(cat, text);
  }
  return t;
}

ScriptTemplate template_for(const CallContext& ctx) {
  const std::string& t = ctx.script_template;
  const auto first = t.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && t[first] == '{') {
    if (auto parsed = parse_script_template(std::string_view(t))) return *parsed;
  }
  return builtin_template(t);
}

Result<ScriptTemplate> parse_script_template(std::string_view json_text) {
  auto j = parse_json_or_discarded(json_text);
  if (j.is_discarded()) return std::unexpected(Error::bad_request("script template is not valid JSON"));
  return script_template_from_json(j);
}

Result<ScriptTemplate> script_template_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected(Error::invalid("", "script template must be a JSON object"));
  ScriptTemplate t = builtin_template("custom");
  t.name = "custom";
  Parser p;
  static const char* kKeys[] = {"name", "opening", "discovery", "valueProposition", "objections",
                                "closing", "voicemail", "goodbye"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(std::begin(kKeys), std::end(kKeys), it.key()) == std::end(kKeys)) p.fail(it.key(), "unknown field");
  for (const char* required : {"opening", "valueProposition", "closing"})
    if (!j.contains(required)) p.fail(required, "is required");
  if (j.contains("name")) p.text(j["name"], "name", t.name);
  if (j.contains("opening")) p.text(j["opening"], "opening", t.opening);
  if (j.contains("valueProposition")) p.text(j["valueProposition"], "valueProposition", t.value_proposition);
  if (j.contains("closing")) p.text(j["closing"], "closing", t.closing);
  if (j.contains("voicemail")) p.text(j["voicemail"], "voicemail", t.voicemail);
  if (j.contains("discovery")) {
    const auto& d = j["discovery"];
    if (!d.is_array()) p.fail("discovery", "must be an array of strings");
    else {
      t.discovery.clear();
      for (std::size_t i = 0; i < d.size(); ++i) {
        std::string q;
        if (p.text(d[i], "discovery[" + std::to_string(i) + "]", q)) t.discovery.push_back(std::move(q));
      }
    }
  }
  if (j.contains("objections")) {
    const auto& o = j["objections"];
    if (!o.is_object()) p.fail("objections", "must be an object keyed by price, competitor, noTime, sendInfo");
    else {
      for (auto it = o.begin(); it != o.end(); ++it) {
        Objection cat = it.key() == "price"        ? Objection::price
                        : it.key() == "competitor" ? Objection::competitor
                        : it.key() == "noTime"     ? Objection::no_time
                        : it.key() == "sendInfo"   ? Objection::send_info
                                                   : Objection::none;
        const std::string field = "objections." + it.key();
        if (cat == Objection::none) {
          p.fail(field, "unknown objection category (price, competitor, noTime, sendInfo)");
          continue;
        }
        p.text(it.value(), field, t.objections[cat]);
      }
    }
  }
  if (j.contains("goodbye")) {
    const auto& g = j["goodbye"];
    if (g.is_string()) {
      p.text(g, "goodbye", t.goodbye.general);
    } else if (g.is_object()) {
      const std::pair<const char*, std::string*> slots[] = {
          {"default", &t.goodbye.general},        {"demoScheduled", &t.goodbye.demo_scheduled},
          {"notInterested", &t.goodbye.not_interested}, {"callBack", &t.goodbye.call_back},
          {"wrongNumber", &t.goodbye.wrong_number}, {"doNotCall", &t.goodbye.do_not_call}};
      for (auto it = g.begin(); it != g.end(); ++it) {
        auto slot = std::find_if(std::begin(slots), std::end(slots), [&](auto& s) { return it.key() == s.first; });
        if (slot == std::end(slots)) p.fail("goodbye." + it.key(), "unknown field");
        else p.text(it.value(), "goodbye." + it.key(), *slot->second);
      }
    } else {
      p.fail("goodbye", "must be a string or an object");
    }
  }
  if (!p.errors.empty()) {
    Error e{ErrorCode::invalid_argument, "invalid script template: " + p.errors.front().field + " " +
                                             p.errors.front().message, std::move(p.errors)};
    return std::unexpected(std::move(e));
  }
  return t;
}

std::string substitute(std::string_view text, const CallContext& ctx) {
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      // {{name}} (template rows) or {name} (the older JSON scripts).
      const bool doubled = i + 1 < text.size() && text[i + 1] == '{';
      const std::size_t from = i + (doubled ? 2 : 1);
      const auto close = text.find('}', from);
      if (close != std::string_view::npos && close - i <= 64) {
        out += lookup(ctx, text.substr(from, close - from));
        i = close + (doubled && close + 1 < text.size() && text[close + 1] == '}' ? 1 : 0);
        continue;
      }
    }
    out += text[i];
  }
  return tidy(std::move(out));
}

}  // namespace voqo::brain
