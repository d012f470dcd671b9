#include "sim/persona.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_parse.hpp"

namespace voqo::sim {
namespace {

constexpr std::array<std::string_view, kPersonaCount> kNames{
    "interested", "not_interested", "callback", "wrong_number", "voicemail", "no_answer", "busy", "stop_calling", "impatient"};

std::vector<PersonaScript> make_scripts() {
  std::vector<PersonaScript> s(kPersonaCount);
  auto at = [&](Persona p) -> PersonaScript& {
    auto& x = s[static_cast<std::size_t>(p)];
    x.persona = p;
    return x;
  };
  // Every line after "Hello?" is a yes/statement in any phase of the flow
  // (opening, discovery, value proposition); the ones that carry a time
  // book the demo once the agent asks for one (closing or demo time).
  at(Persona::interested).voice = "rms";
  at(Persona::interested).lines = {
      "Hello?",
      "Yes, sure, I have a minute.",
      "Yes, we have been thinking about selling.",
      "It is our own home.",
      "Yes, that sounds good.",
      "Yes, that would be very useful.",
      "Yes. Next Tuesday at ten in the morning works for me.",
      "Yes, Tuesday at ten in the morning.",
      "Yes, Tuesday morning is good.",
  };
  // The scripted brain retries once after the first refusal, then gives up.
  at(Persona::not_interested).voice = "awb";
  at(Persona::not_interested).lines = {
      "Hello?",
      "No thanks, I am not interested.",
      "No, I am really not interested.",
      "No thank you, not interested.",
  };
  at(Persona::callback).voice = "kal16";
  at(Persona::callback).lines = {
      "Hello?",
      "I am busy right now. Call me back next Tuesday afternoon.",
      "Next Tuesday afternoon.",
      "Tuesday afternoon, please.",
  };
  at(Persona::wrong_number).voice = "rms";
  at(Persona::wrong_number).lines = {
      "Hello?",
      "Sorry, you have the wrong number.",
      "I think you have the wrong number.",
  };
  // A recorded greeting: long enough for answering-machine detection to
  // call it a machine (> 2.5 s), then a beep; the simulator then stays
  // silent while the agent leaves its message.
  at(Persona::voicemail).voice = "awb";
  at(Persona::voicemail).lines = {
      "Hi, you have reached the voicemail of Sam Taylor. I can't come to the phone right now. "
      "Please leave a message after the tone.",
  };
  at(Persona::voicemail).beep_after_first = true;
  at(Persona::no_answer).voice = "rms";
  at(Persona::no_answer).pickup = Pickup::ring_forever;
  at(Persona::busy).voice = "rms";
  at(Persona::busy).pickup = Pickup::busy;
  at(Persona::stop_calling).voice = "awb";
  at(Persona::stop_calling).lines = {
      "Hello?",
      "Stop calling me. Take me off your list.",
      "Stop calling me.",
  };
  // Says nothing until the agent speaks (the first line answers the
  // agent's opening), and hangs up if that takes 2 s; then not_interested.
  at(Persona::impatient).voice = "awb";
  at(Persona::impatient).speaks_first = false;
  at(Persona::impatient).patience = kImpatientPatience;
  at(Persona::impatient).lines = {
      "No thanks, I am not interested.",
      "No, I am really not interested.",
      "No thank you, not interested.",
  };
  return s;
}

}  // namespace

std::string_view persona_name(Persona persona) { return kNames[static_cast<std::size_t>(persona)]; }

Result<Persona> parse_persona(std::string_view name) {
  for (Persona p : kAllPersonas)
    if (persona_name(p) == name) return p;
  std::string known;
  for (auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return std::unexpected(Error::invalid("persona", "unknown persona '" + std::string(name) + "'; known: " + known));
}

const PersonaScript& persona_script(Persona persona) {
  static const std::vector<PersonaScript> scripts = make_scripts();
  return scripts[static_cast<std::size_t>(persona)];
}

Persona persona_for_last_digit(std::string_view dialed) {
  static constexpr std::array<Persona, 10> kByDigit{
      Persona::interested,   Persona::not_interested, Persona::callback, Persona::wrong_number, Persona::voicemail,
      Persona::no_answer,    Persona::busy,           Persona::stop_calling, Persona::interested, Persona::not_interested};
  for (auto it = dialed.rbegin(); it != dialed.rend(); ++it)
    if (*it >= '0' && *it <= '9') return kByDigit[static_cast<std::size_t>(*it - '0')];
  return Persona::interested;
}

Result<PersonaRules> PersonaRules::parse(std::string_view json_text) {
  const auto j = parse_json_or_discarded(json_text);
  if (j.is_discarded()) return std::unexpected(Error::bad_request("callee-sim config is not valid JSON"));
  if (!j.is_object()) return std::unexpected(Error::invalid("", "callee-sim config must be a JSON object"));
  PersonaRules out;
  std::vector<FieldError> errors;
  auto persona_at = [&](const nlohmann::json& v, const std::string& field) -> std::optional<Persona> {
    if (!v.is_string()) {
      errors.push_back({field, "must be a persona name"});
      return std::nullopt;
    }
    auto p = parse_persona(v.get<std::string>());
    if (!p) {
      errors.push_back({field, p.error().message});
      return std::nullopt;
    }
    return *p;
  };
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "rules" && it.key() != "default") errors.push_back({it.key(), "unknown key (rules, default)"});
  if (j.contains("default")) out.default_ = persona_at(j["default"], "default");
  if (j.contains("rules")) {
    const auto& rules = j["rules"];
    if (!rules.is_array()) {
      errors.push_back({"rules", "must be an array of {\"match\", \"persona\"}"});
    } else {
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string field = "rules[" + std::to_string(i) + "]";
        const auto& r = rules[i];
        if (!r.is_object()) {
          errors.push_back({field, "must be an object {\"match\", \"persona\"}"});
          continue;
        }
        for (auto k = r.begin(); k != r.end(); ++k)
          if (k.key() != "match" && k.key() != "persona") errors.push_back({field + "." + k.key(), "unknown key (match, persona)"});
        std::optional<std::regex> re;
        std::string match;
        if (!r.contains("match") || !r["match"].is_string()) {
          errors.push_back({field + ".match", "must be a regular expression string"});
        } else {
          match = r["match"].get<std::string>();
          try {  // std::regex reports a bad pattern only by throwing (config load, not a hot path)
            re.emplace(match, std::regex::ECMAScript | std::regex::optimize);
          } catch (const std::regex_error& e) {
            errors.push_back({field + ".match", "invalid regular expression '" + match + "': " + e.what()});
          }
        }
        std::optional<Persona> p;
        if (!r.contains("persona")) errors.push_back({field + ".persona", "is required"});
        else p = persona_at(r["persona"], field + ".persona");
        if (re && p) out.rules_.push_back({std::move(match), std::move(*re), *p});
      }
    }
  }
  if (!errors.empty()) {
    Error e{ErrorCode::invalid_argument,
            "invalid callee-sim config: " + (errors.front().field.empty() ? "" : errors.front().field + ": ") +
                errors.front().message,
            std::move(errors)};
    return std::unexpected(std::move(e));
  }
  return out;
}

Result<PersonaRules> PersonaRules::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::unexpected(Error::not_found("callee-sim config " + path.string() + " does not exist"));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf()))
    return std::unexpected(Error{ErrorCode::io, "cannot read callee-sim config " + path.string(), {}});
  auto rules = parse(text.str());
  if (!rules) {
    Error e = rules.error();
    e.message = path.string() + ": " + e.message;
    return std::unexpected(std::move(e));
  }
  return rules;
}

Persona PersonaRules::choose(std::string_view dialed) const {
  for (const auto& r : rules_)
    if (std::regex_search(dialed.begin(), dialed.end(), r.regex)) return r.persona;
  return default_ ? *default_ : persona_for_last_digit(dialed);
}

}  // namespace voqo::sim
