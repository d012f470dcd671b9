#pragma once
/// Instruction templates (issue 19 §2): an agent's system prompt, greeting
/// and voicemail message written with typed {{variables}}, rendered from the
/// call's CallContext by both brains (ScriptedBrain, LlmBrain) and by the
/// engines for the voicemail message. Pure: no store, no clock of its own
/// (the clock is CallContext::now, the call's start, so tests inject it).
///
/// Grammar (whitespace inside the braces is allowed and ignored):
/// ```
///   reference := "{{" ws* name ws* "}}"
///   name      := "contact.name" | "contact.first_name" | "contact.phone"
///              | "lead." column         ; a column of the contact's/lead's row (CallContext::variables)
///              | "campaign.name" | "agent.name"
///              | "now:date" | "now:time"  ; the callee's zone (CallContext::time_zone), else UTC
///              | "vars." custom | custom  ; a custom variable declared in the template's `variables`
///              | "contact_name" | "first_name" | "agent_name"   ; the script templates' older names
///   column    := [A-Za-z0-9_ -]+  (matched ignoring case, spaces, '_' and '-')
///   custom    := [A-Za-z_][A-Za-z0-9_]*  (at most 64 characters)
/// ```
/// A single '{' is plain text here (an LLM prompt may quote JSON); the
/// scripted brain's older single-brace {contact_name} is script_template.hpp's
/// substitute(), which also understands the names above.
///
/// Declared variables (the template's `variables` JSON array):
/// `[{"name": "offer", "type": "string"|"number"|"date"|"boolean",
///    "default": <value of that type>?, "description": "..."?}]`; a date is
/// "YYYY-MM-DD". A declaration may also give a default to a lead column of
/// the same name (`{{lead.company}}` empty → the default of `company`).
///
/// Rendering: a value that is empty for this contact renders as the declared
/// default, else as "" with the sentence tidied (" ," → ",", doubled spaces):
/// never the raw {{...}}. Values: strings and numbers as written, booleans as
/// "yes"/"no", dates and now:date as "December 8, 2026", now:time as "3:05 PM".
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "core/error.hpp"

namespace voqo::brain {

/// The type of a declared custom variable.
enum class VariableType { string, number, date, boolean };

/// One declared custom variable (an entry of the template's `variables`).
struct TemplateVariable {
  std::string name;
  VariableType type = VariableType::string;
  std::optional<nlohmann::json> default_value;  ///< of `type`; a date is "YYYY-MM-DD"
  std::string description;
};

/// Parses a template's `variables` JSON array (shape in the header comment).
/// Errors: ErrorCode::invalid_argument naming the field, e.g. `variables`
/// (not an array), `variables[2].name` (missing, malformed or repeated),
/// `variables[0].type`, `variables[1].default` (not of the declared type),
/// `variables[0].foo` (unknown key). `field` prefixes the names ("variables").
Result<std::vector<TemplateVariable>> parse_template_variables(const nlohmann::json& variables,
                                                               std::string_view field = "variables");

/// Checks every {{...}} of `text` against the grammar and `declared`.
/// Errors: ErrorCode::invalid_argument with one FieldError for `field` (e.g.
/// "content", "greetingMessage") whose message names the variable:
/// a malformed reference ("{{" without "}}", an empty or ill-formed name),
/// an unknown name (`{{contact.age}}`, `{{campaign.id}}`), or a custom
/// variable that is not declared.
Result<void> validate_template_text(std::string_view text, std::span<const TemplateVariable> declared,
                                    std::string_view field);

/// The names `text` references, in order of first use (well-formed ones only).
std::vector<std::string> template_references(std::string_view text);

/// `text` with every {{...}} replaced from `ctx` and `declared` (rules in
/// the header comment), then tidied. Text without "{{" is returned as is.
std::string render_template(std::string_view text, const CallContext& ctx,
                            std::span<const TemplateVariable> declared);

/// As above with the declarations of CallContext::template_variables.
std::string render_template(std::string_view text, const CallContext& ctx);

/// The value of one reference `name` (as inside the braces, trimmed) for
/// `ctx`, "" when unknown or empty and nothing declared gives a default.
/// Used by script_template.hpp's substitute() for dotted names.
std::string resolve_reference(std::string_view name, const CallContext& ctx,
                              std::span<const TemplateVariable> declared = {});

}  // namespace voqo::brain
