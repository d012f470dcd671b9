#pragma once
/// Call scripts for the scripted brain (issue 3 §4a): what the agent says in
/// each phase of the call flow, as plain text with {variables}.
///
/// JSON form (camelCase keys; parse_script_template()):
/// ```json
/// {
///   "name": "property_sales",                  // optional, "custom" by default
///   "opening": "Hi {contact_name}, this is {agent_name} ... Do you have a minute?",   // required
///   "discovery": ["Are you thinking of selling?", "..."],  // optional, array of strings
///   "valueProposition": "We help owners ... Would that be useful?",                    // required
///   "objections": {"price": "...", "competitor": "...", "noTime": "...", "sendInfo": "..."},  // optional
///   "closing": "Could we set up a short meeting? What day works for you?",             // required
///   "voicemail": "Hi {contact_name}, this is {agent_name} ...",                         // optional
///   "goodbye": "Thanks for your time. Goodbye!"   // optional: a string, or an object
///              // {"default", "demoScheduled", "notInterested", "callBack", "wrongNumber", "doNotCall"}
/// }
/// ```
/// Every text must be a non-empty string; unknown keys are rejected (a typo
/// such as "valueProp" would otherwise silently fall back to defaults).
/// Missing optional texts take the generic wording of builtin_template("custom").
///
/// Variables: written {name} or {{name}} (script-template rows, issue 18 §5).
/// A name with '.' or ':' ({{contact.name}}, {{lead.company}}, {{now:date}})
/// is an instruction template's (instruction_template.hpp, resolve_reference()).
/// substitute() replaces {agent_name}, {contact_name},
/// {first_name} (variables.first_name, else the first word of contact_name),
/// {company} (variables.company, else "our team"), {purpose}
/// (custom_purpose, else the purpose's words, e.g. "property sales"), and any
/// key of CallContext::variables (matched ignoring case, spaces, '_' and '-';
/// strings and numbers only). Unknown or empty variables become "" and the
/// text is tidied (" ," → ",", doubled spaces), so "Hi {contact_name}, this
/// is" reads "Hi, this is" when the name is unknown.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "brain/intent.hpp"

namespace voqo::brain {

/// Lines said when the call ends, by why it ends.
struct GoodbyeLines {
  std::string general;          ///< JSON "default"
  std::string demo_scheduled;   ///< after a demo/meeting was agreed
  std::string not_interested;
  std::string call_back;        ///< after a callback time was agreed
  std::string wrong_number;
  std::string do_not_call;
};

/// A call script. Texts may contain {variables} (see substitute()).
struct ScriptTemplate {
  std::string name = "custom";
  std::string opening;                 ///< first turn when the agent has no greeting; should end in a question
  std::vector<std::string> discovery;  ///< one question per turn
  std::string value_proposition;       ///< should end in a yes/no question ("Would that help?")
  std::map<Objection, std::string> objections;  ///< response per objection category; should end in a question
  std::string closing;                 ///< asks for a demo/meeting and a time
  std::string voicemail;               ///< message left on an answering machine
  GoodbyeLines goodbye;
  /// Objection → response pairs of a template row whose objection is none of
  /// the four categories (the scripted brain cannot detect them; an LLM is told).
  std::vector<std::pair<std::string, std::string>> other_objections;
};

/// The built-in script named `name`: "property_sales" (homeowners, a free
/// valuation meeting), "property_manager" (landlords and managers, a demo of
/// the management service) or "custom" (generic, worded from {purpose}).
/// Any other name gives "custom". The texts are model/builtin_scripts.hpp's,
/// the same the store seeds as each workspace's built-in template rows.
ScriptTemplate builtin_template(std::string_view name);

/// The script for a call: CallContext::script_template as a built-in name,
/// or, when it starts with '{', as JSON (falling back to "custom" if the JSON
/// is invalid).
ScriptTemplate template_for(const CallContext& ctx);

/// Parses the JSON form above. Errors: ErrorCode::bad_request for text that
/// is not JSON; ErrorCode::invalid_argument with one FieldError per bad field
/// ("opening", "discovery[2]", "objections.price", "goodbye.callBack", ...).
Result<ScriptTemplate> parse_script_template(std::string_view json_text);
/// As above, from a parsed JSON value.
Result<ScriptTemplate> script_template_from_json(const nlohmann::json& json);

/// `text` with its {variables} replaced from `ctx` (see the header comment).
std::string substitute(std::string_view text, const CallContext& ctx);

}  // namespace voqo::brain
