#pragma once
/// The built-in call scripts (issue 3 §4a; issue 18 §5 makes them rows of
/// swarm_script_templates): "custom" (generic, worded from {{purpose}}),
/// "property_sales" (homeowners, a free valuation meeting) and
/// "property_manager" (landlords, a demo of the management service).
///
/// One source for both users of the texts: the store seeds each workspace's
/// rows from it (is_builtin = true, editable), and brain::builtin_template()
/// builds the scripted brain's script from it, so the code and the rows
/// cannot say different things. Shape: the API's camelCase script-template
/// JSON (name, category, opening, discoveryQuestions, valueProposition,
/// objectionResponses [{objection, response}], closing, voicemail,
/// variables); texts hold {{variable}} placeholders (brain::substitute()).
#include <nlohmann/json.hpp>

namespace voqo::model {

/// The three built-in scripts as a JSON array of template bodies, in the order custom, property_sales, property_manager.
const nlohmann::json& builtin_script_templates();

/// The built-in named `name`, or null JSON when there is none.
const nlohmann::json& builtin_script_template(std::string_view name);

}  // namespace voqo::model
