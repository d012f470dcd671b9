#pragma once
/// A call-flow step's skipConditions and successCriteria (issue 18 §5:
/// swarm_call_flows.skip_conditions / success_criteria, API skipConditions /
/// successCriteria) as typed values: parsed and checked here, so the API
/// refuses a bad one (422 naming the field) and the brains evaluate the same
/// shapes.
///
/// skipConditions: null, one condition object, or an array of them (at most
/// 20); the step is skipped when ANY condition matches. A condition is exactly
/// one of:
/// - {"variable": NAME, "exists": true|false}: the variable has a non-empty
///   value (true) / has none (false);
/// - {"variable": NAME, "equals": V}: the variable's value is V (V a string,
///   number or boolean);
/// - {"variable": NAME, "in": [V, ...]}: it is one of the Vs (1-50 of them,
///   strings, numbers or booleans; no nested arrays);
/// - {"intentHeard": INTENT}: the callee already said INTENT earlier in this
///   call (INTENT: an intent_name() of brain/intent.hpp: "yes", "no",
///   "not_interested", "objection", "question", "call_back_later", ...).
/// NAME (1-64 characters) is a call variable: contact_name, first_name
/// (variables.first_name, else the first word of contact_name), agent_name,
/// or a key of CallContext::variables (the contact's / lead's columns and the
/// brain variables), matched ignoring case, spaces, '_' and '-' as
/// substitute() does. Values compare as text, ignoring case and surrounding
/// spaces; a number is its shortest decimal text (12, 2.5), a boolean
/// "true"/"false"; an unknown variable has no value (equals/in never match,
/// exists:false matches). There is no attempt-number condition: a call's
/// context does not carry the lead's attempt.
///
/// successCriteria: null; a string (free text, 1-2000 characters: given to an
/// LLM agent as "Done when: ...", ignored by the scripted brain); or an
/// object with at least one of {"intent": INTENT}, {"anyIntent": [INTENT,
/// ...]} (1-13 names), {"minTurns": N} (1-10), and optionally "maxTurns": N
/// (1-10, default 2, at least minTurns) and "description": text (what an LLM
/// agent is told). The criterion is met on a callee answer to the step whose
/// intent is the one (any of the ones) named, once the callee has answered
/// the step at least minTurns times. The scripted brain stays on the step
/// (asks again, then the step's fallbackScript) until it is met or maxTurns
/// answers were given, then moves on (brain/scripted_brain.hpp).
///
/// Unknown keys, wrong types, out-of-range numbers and unknown intent names
/// are errors naming the field: "skipConditions[1].intentHeard",
/// "successCriteria.anyIntent[0]", "skipConditions.variable".
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "brain/intent.hpp"
#include "core/error.hpp"

namespace voqo::brain {

/// One skip condition (shapes above).
struct SkipCondition {
  enum class Kind { exists, equals, in, intent_heard };
  Kind kind = Kind::exists;
  std::string variable;             ///< exists / equals / in
  bool exists = true;               ///< exists: wanted presence
  std::vector<std::string> values;  ///< equals (one) / in: the values as compared text
  Intent intent = Intent::unclear;  ///< intent_heard
};

/// A typed success criterion (shapes above). `text` alone = the free-text form.
struct SuccessCriteria {
  std::string text;            ///< free text, or the object's "description" ("" = none)
  std::vector<Intent> intents; ///< intent / anyIntent (empty = any answer)
  int min_turns = 0;           ///< callee answers to the step needed (0 = 1)
  int max_turns = 2;           ///< answers after which the step moves on, met or not
  bool typed = false;          ///< the object form: the scripted brain holds the step on it
  /// Whether an answer with `intent`, the `answers`-th to the step (from 1), meets it.
  [[nodiscard]] bool met_by(Intent intent, int answers) const;
  /// "the contact says yes", "the contact says yes or interested, after 2 answers" ... for an LLM prompt.
  [[nodiscard]] std::string described() const;
};

/// The skipConditions value (null → none). Errors: ErrorCode::invalid naming
/// the field under `field` (e.g. "skipConditions[1].intentHeard").
Result<std::vector<SkipCondition>> parse_skip_conditions(const nlohmann::json& value,
                                                         const std::string& field = "skipConditions");
/// The successCriteria value (null → nullopt). Errors as parse_skip_conditions.
Result<std::optional<SuccessCriteria>> parse_success_criteria(const nlohmann::json& value,
                                                              const std::string& field = "successCriteria");

/// The text value of call variable `name` (rule above; "" = none).
std::string condition_variable(const CallContext& ctx, std::string_view name);

/// Whether `c` matches for a call with context `ctx` whose callee has said `heard` so far.
bool condition_matches(const SkipCondition& c, const CallContext& ctx, const std::set<Intent>& heard);
/// Whether any of `conditions` matches (false for none).
bool any_condition_matches(const std::vector<SkipCondition>& conditions, const CallContext& ctx,
                           const std::set<Intent>& heard);

/// The intent named `name` (intent_name()'s spelling), or nullopt.
std::optional<Intent> intent_from_name(std::string_view name);

}  // namespace voqo::brain
