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
///
/// Skip conditions and success criteria (brain/step_conditions.hpp has the
/// shapes and the matching rules): a step whose skipConditions match when
/// the call reaches it (any of them: a call variable exists / equals / is in
/// a list, or the callee already said an intent) is skipped: its text is not
/// spoken and its phase is not entered. A step with an object successCriteria
/// ({"intent"|"anyIntent"|"minTurns", "maxTurns"}) holds the scripted brain
/// until the callee's answer meets it or maxTurns answers were given; a text
/// successCriteria is only told to an LLM agent ("Done when: ..."). Each
/// step's result (StepResult) is kept in the call record
/// (calls.system_info.callFlowSteps). Unreadable stored conditions (rows
/// saved before they were checked) are ignored, logged once, never thrown.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "brain/script_template.hpp"
#include "brain/step_conditions.hpp"

namespace voqo::brain {

struct CallFlowStep {
  std::string phase;        ///< step name (swarm_call_flows.phase)
  std::string description;
  int target_duration_s = 0;
  std::string template_id;  ///< "" = none
  std::optional<ScriptTemplate> script;  ///< the step's template, when it has one
  std::string fallback_script;
  std::vector<SkipCondition> skip_conditions;    ///< skipConditions (any matches → skipped)
  std::optional<SuccessCriteria> success;        ///< successCriteria (nullopt = none)
};

/// What became of a step in one call (calls.system_info.callFlowSteps[].result).
enum class StepResult {
  not_reached,  ///< the call ended before it (or it speaks nothing in the plan)
  reached,      ///< entered; it has no object successCriteria
  met,          ///< its successCriteria was met
  not_met,      ///< entered, left (or the call ended) without meeting it
  skipped,      ///< its skipConditions matched
};
/// "not_reached" | "reached" | "met" | "not_met" | "skipped".
std::string_view to_string(StepResult r);

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

/// The flow from flow_for_call()'s rows (each step with member "scriptTemplate"
/// and the API's skipConditions / successCriteria). A condition (an element of
/// skipConditions, or a successCriteria) that does not parse is left out and
/// logged once per process (spdlog warning); this never fails.
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
  /// Index in CallFlow::steps of the step that speaks each part (npos: the
  /// agent's own script speaks it): what skip conditions and success
  /// criteria are looked up by.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t opening_step = npos, value_step = npos, closing_step = npos;
  std::vector<std::size_t> discovery_steps;  ///< one per script.discovery question
};
FlowPlan plan_flow(const CallFlow& flow, const ScriptTemplate& base);

/// The text an LLM agent is given for `step` (its description, its
/// template's parts, variables substituted from `ctx`, and its successCriteria
/// as "Done when: ..."), for its system prompt.
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
