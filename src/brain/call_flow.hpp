#pragma once
/// A campaign's call flow as the brain walks it (issue 18 §5): ordered
/// steps (swarm_call_flows rows), each speaking one part of a script
/// template (swarm_script_templates) or its fallback text. Built by calls/
/// from the store's rows (call_flow_from_rows); brain/ never reads the store.
///
/// Which part a step speaks comes from its phase name (compared ignoring
/// case, spaces, '_' and '-'):
/// - opening | greeting | introduction → the template's opening;
/// - discovery | qualification → its discovery questions, one per turn;
/// - value_proposition | presentation | pitch → its value proposition;
/// - objection_handling | objection | objections → its objection responses
///   (said when an objection intent is heard, not as a turn of their own);
/// - closing | close → its closing;
/// - any other name: a question step, spoken like discovery (its template's
///   discovery questions, else its fallback text).
/// A step without a template (or whose part is empty) speaks its
/// fallbackScript; a part no step provides comes from the agent's own
/// script (template_for()). The conversation keeps the scripted order
/// (opening → questions in display order → value proposition → closing),
/// so a question step listed after the value proposition is still asked
/// before it. Every template's objection responses are used, the objection
/// step's first. The brain's phase() is the step's name, which the live
/// monitor shows as live_calls.current_phase.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "brain/script_template.hpp"

namespace voqo::brain {

struct CallFlowStep {
  std::string phase;        ///< step name (swarm_call_flows.phase)
  std::string description;
  int target_duration_s = 0;
  std::string template_id;  ///< "" = none
  std::optional<ScriptTemplate> script;  ///< the step's template, when it has one
  std::string fallback_script;
};

struct CallFlow {
  std::vector<CallFlowStep> steps;  ///< in display order
  /// Ids of the templates the steps use, each once (for usage figures).
  [[nodiscard]] std::vector<std::string> template_ids() const;
};

/// A template row (the API's camelCase JSON: opening, discoveryQuestions,
/// valueProposition, objectionResponses [{objection, response}], closing,
/// voicemail) as a ScriptTemplate; missing texts take builtin "custom"'s.
/// objection names map to the intent detector's categories by key (price,
/// competitor, no_time/noTime, send_info/sendInfo); others are kept only in
/// `other_objections` (an LLM agent is given them).
ScriptTemplate script_template_from_row(const nlohmann::json& row);

/// The flow from flow_for_call()'s rows (each step with member "scriptTemplate").
CallFlow call_flow_from_rows(const nlohmann::json& steps);

/// What a step kind is (rule above).
enum class StepKind { opening, discovery, value_proposition, objection, closing, question };
StepKind step_kind(std::string_view phase);

/// The script a scripted brain speaks for `flow`, over `base` (the agent's
/// script), with the step name of each part.
struct FlowPlan {
  ScriptTemplate script;
  std::string opening_phase = "opening", value_phase = "value_proposition", objection_phase = "objection",
              closing_phase = "closing";
  std::vector<std::string> discovery_phases;  ///< step name of each script.discovery question
};
FlowPlan plan_flow(const CallFlow& flow, const ScriptTemplate& base);

/// The text an LLM agent is given for `step` (its description and its
/// template's parts, variables substituted from `ctx`), for its system prompt.
std::string step_prompt(const CallFlowStep& step, const CallContext& ctx);

/// Time spent in each step of a call (the measured average duration of
/// swarm_call_flows): the phase events of the call's replies, in order,
/// with their times. A phase lasts from the event that entered it to the
/// next event with another name (or the call's end); returning to a phase
/// adds to it. Not thread-safe (the call service holds its call's lock).
class PhaseTimer {
 public:
  using Clock = std::chrono::system_clock;
  /// The call is in `phase` from `at` on (a repeat of the current phase is ignored).
  void enter(const std::string& phase, Clock::time_point at);
  /// Seconds per phase, closing the current one at `end` (times before the
  /// phase's start count 0).
  [[nodiscard]] std::map<std::string, double> seconds(Clock::time_point end) const;

 private:
  std::map<std::string, double> done_;
  std::string current_;
  Clock::time_point since_{};
};

}  // namespace voqo::brain
