#pragma once
/// The Brain decides what the agent says (DESIGN.md "Engines behind small
/// interfaces"): an embedded scripted call flow (scripted_brain.hpp) or any
/// OpenAI-compatible LLM (llm_brain.hpp). One Brain instance per call.
///
/// Threading: a Brain blocks (an LLM round trip, a tool's HTTP call), so the
/// call pipeline runs it on a worker pool, never on io or media threads; one
/// call at a time per instance (thread-compatible).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/agent_config.hpp"
#include "model/transcript_line.hpp"

namespace voqo::brain {

/// How a call ended, from the conversation's point of view (issue 3 §4; the
/// labels are the data model's outcome values, shown as is in the API).
enum class Outcome {
  demo_scheduled,    ///< "Demo Scheduled"
  follow_up_needed,  ///< "Follow-up Needed"
  not_interested,    ///< "Not Interested"
  call_back_later,   ///< "Call Back Later"
  wrong_number,      ///< "Wrong Number"
  no_answer,         ///< "No Answer"
  voicemail,         ///< "Voicemail"
  transferred,       ///< "Transferred"
  other,             ///< "Other"
};

/// The label of an outcome ("Demo Scheduled", ...).
std::string_view outcome_label(Outcome outcome);
/// The outcome with `label` (exact, case-insensitive), or nullopt.
std::optional<Outcome> parse_outcome(std::string_view label);
/// All outcomes, in the order of the enum.
std::span<const Outcome> all_outcomes();

struct CallFlow;  // brain/call_flow.hpp

/// What the brain knows before the call starts. Filled by the call from the
/// agent (model::AgentConfig; the agent fields' defaults are the agent spec's),
/// the contact row and its memories.
struct CallContext {
  std::string call_id;
  std::string agent_name;
  std::string system_prompt;   ///< agents.system_prompt
  std::string greeting;        ///< agents.greeting_message ("" = let the brain open)
  std::string purpose;         ///< agents.purpose: sales | support | appointment | technical | custom
  std::string custom_purpose;  ///< agents.custom_purpose
  std::string script_template; ///< agents.template: property_sales | property_manager | custom
  std::string language = model::agent_spec_default("language").get<std::string>();  ///< agents.language
  std::string direction = "outbound";  ///< inbound | outbound
  std::string contact_name;    ///< "" when unknown
  std::string contact_phone;   ///< E.164, "" when unknown
  std::vector<std::string> memories;  ///< contents of the contact's memories, oldest first
  nlohmann::json variables = nlohmann::json::object();  ///< batch contact variables (column → value)
  std::string campaign_name;   ///< the call's campaign ("" = none), {{campaign.name}}
  /// The agent's instruction template's declared variables (its `variables`
  /// JSON array, brain/instruction_template.hpp); [] = none.
  nlohmann::json template_variables = nlohmann::json::array();
  /// Anchors relative time phrases ("tomorrow afternoon"); the call's start.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::string time_zone = "UTC";  ///< IANA zone of the callee, for parsing time phrases
  double temperature = model::agent_spec_default("temperature").get<double>();  ///< agents.temperature (LLM)
  int max_tokens = model::agent_spec_default("maxTokens").get<int>();          ///< agents.max_tokens (LLM)
  /// The campaign's call flow (issue 18 §5; brain/call_flow.hpp); null = none:
  /// the scripted brain walks its steps, an LLM gets its current step's script.
  std::shared_ptr<const CallFlow> call_flow;
};

/// The brain's answer to one turn. Its text is also streamed to the TextSink
/// sentence by sentence as it is produced, so speech can start early.
struct Reply {
  std::string text;                 ///< everything the brain said this turn (the sentences streamed)
  bool end_call = false;            ///< hang up once `text` has been spoken
  std::optional<std::string> transfer_to;  ///< blind-transfer target (SIP URI or E.164) after speaking
  std::optional<Outcome> outcome;   ///< set when this turn settles the outcome
  std::optional<std::chrono::system_clock::time_point> callback_at;  ///< a parsed "call me back ..." time
  bool do_not_call = false;         ///< the caller asked never to be called again
  std::string intent;               ///< detected intent, e.g. "yes", "call_back_later" ("" = none)
  std::string phase;                ///< call-flow phase after this turn, e.g. "discovery"
};

/// Receives reply text as produced: one sentence at a time (ending in . ! ?
/// or a line break) and finally any unterminated rest. Returns false to stop
/// producing (barge-in); the brain then returns what it had so far.
using TextSink = std::function<bool(std::string_view sentence)>;

/// What the call leaves behind, decided when it ends.
struct CallResult {
  Outcome outcome = Outcome::other;
  std::string summary;                ///< a few sentences; "" for a call with no conversation
  std::vector<std::string> memories;  ///< facts worth keeping about the contact (callback time, interest, objections, preferences)
  std::optional<std::chrono::system_clock::time_point> callback_at;
  bool do_not_call = false;
  /// The call flow's steps in order with what became of each (brain/call_flow.hpp
  /// StepResult: "skipped", "met", "not_met", "reached", "not_reached"); empty
  /// without a call flow. Kept as calls.system_info.callFlowSteps.
  struct FlowStep {
    std::string phase;
    std::string result;
  };
  std::vector<FlowStep> flow_steps;
};

/// A conversation engine for one call.
class Brain {
 public:
  virtual ~Brain() = default;

  /// The opening turn, spoken when the call is answered (the agent's greeting
  /// when set, otherwise the brain's own opening). Errors: ErrorCode::io when a
  /// remote brain cannot be reached, ErrorCode::internal.
  virtual Result<Reply> greet(const TextSink& sink, std::stop_token stop) = 0;

  /// Answers one final caller utterance. `stop` is requested on barge-in or
  /// hang-up: the brain stops producing and returns promptly. Errors as greet().
  virtual Result<Reply> respond(std::string_view caller_text, const TextSink& sink, std::stop_token stop) = 0;

  /// The brain's last reply was cut off by the caller after `spoken` (a prefix
  /// of the reply's text, possibly ""); history must hold what the caller heard.
  virtual void interrupted(std::string_view spoken) = 0;

  /// The current call-flow phase ("opening", "discovery", ...; "" if none).
  [[nodiscard]] virtual std::string phase() const = 0;

  /// A supervisor's whisper (live monitoring, issue 5 §4 COACH_AGENT) for
  /// the brain's next turn (greet or respond); the caller does not hear it
  /// when it is sent. How it shapes the next reply is the brain's rule
  /// (LlmBrain: a system message; ScriptedBrain: a line it says). Several
  /// whispers before one turn all apply, in order. Called between turns, on
  /// the thread that runs the brain. The default ignores it.
  virtual void coach(std::string_view whisper) { (void)whisper; }

  /// The line the agent says when a supervisor ends the call (END_CALL
  /// without a closing line of its own): the script's general goodbye. The
  /// default is "Thank you for your time. Goodbye!".
  [[nodiscard]] virtual std::string closing_line() const { return "Thank you for your time. Goodbye!"; }

  /// Called once when the call ends: outcome, summary and memories from the
  /// whole transcript (its final lines in call order, model::TranscriptLine).
  /// Errors as greet(); callers fall back to an extractive
  /// summary on error.
  virtual Result<CallResult> finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) = 0;
};

}  // namespace voqo::brain
