#pragma once
/// The system instruction templates shipped with voqo (issue 19 §2), as
/// data: each is {name, category, content, variables} in the API's JSON
/// form. The store seeds them into every workspace as read-only rows
/// (is_system = 1; store/instruction_templates.hpp); their {{variables}} are
/// brain/instruction_template.hpp's and pass its validation (a unit test
/// checks that).
#include <nlohmann/json.hpp>

namespace voqo::model {

/// The system templates, in a fixed order: "Appointment setter",
/// "Customer survey", "Support follow-up".
const nlohmann::json& builtin_instruction_templates();

}  // namespace voqo::model
