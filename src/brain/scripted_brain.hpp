#pragma once
/// The embedded scripted call-flow brain (issue 3 §4a): no model, no network,
/// deterministic (the same utterances always give the same replies).
///
/// Phases (phase()): "opening" → "discovery" (one ScriptTemplate::discovery
/// question per turn) → "value_proposition" → "objection" (each objection
/// category answered once) → "closing" (asks for a demo/meeting and a time)
/// → "goodbye" (end_call). "call_back" while waiting for a callback time.
///
/// Every question the agent asks is remembered as the pending question, and
/// the next caller utterance is read as its answer. Intents (intent.hpp)
/// drive the transitions; the first matching rule wins:
/// - silence ("" or whitespace): "Hello, are you still there?" plus the
///   pending question once; a second silence in a row ends the call (No
///   Answer if the caller never spoke, else Follow-up Needed).
/// - voicemail_greeting: leave ScriptTemplate::voicemail, end, Voicemail.
/// - stop_calling: confirm the removal, end, Not Interested, do_not_call.
/// - wrong_number: apologise, end, Wrong Number.
/// - asks_for_human: with CallContext::variables["transfer_to"] (a non-empty
///   string: SIP URI or E.164) say so and set Reply::transfer_to, outcome
///   Transferred, end_call false (the transfer ends the leg); without one,
///   promise a call from a colleague, end, Follow-up Needed.
/// - a time phrase while a time was asked for (closing, "when works?", "when
///   should I call back?"): schedule it (Demo Scheduled or Call Back Later).
/// - call_back_later: with a time phrase, confirm it in words ("I'll call you
///   back on Tuesday at 2 PM"), end, Call Back Later, callback_at; without
///   one, ask once when, then end with Call Back Later (no time).
/// - not_interested (and "no" to the value proposition, an objection answer
///   or the closing): one polite retry (the value proposition if not yet
///   said, else a no-obligation line), then goodbye, Not Interested.
/// - objection: the template's response for that category the first time;
///   a repeated category is accepted: send_info → "I'll send it over", end,
///   Follow-up Needed; no_time → ask for a callback time; price/competitor →
///   goodbye, Not Interested.
/// - question: a short answer by topic (identity, purpose, price,
///   number_source, robot, other), then the pending question again.
/// - otherwise by the pending question: yes/statement/greeting advance (no
///   to "do you have a minute?" asks for a callback time); unclear re-asks
///   once ("Sorry, I didn't catch that." + the question's trailing question
///   sentences, not the whole block), then moves on ("No problem." + the next step); closing + yes with
///   a time → Demo Scheduled at that time; yes without a time → "What day and
///   time work best?", and an answer without a time ends Demo Scheduled with
///   no time (the team confirms by email).
///
/// Streaming: each reply is split into sentences and sent to the TextSink one
/// by one; a false return or a stop request ends the reply there (its text is
/// what was sent). Barge-in: a question that was not fully heard (not sent,
/// or cut per interrupted()) is asked again on the next turn, prefixed "Sorry
/// about that.", instead of reading the next utterance as its answer (the
/// strong intents above still apply).
///
/// Supervisor coaching (coach()): the scripted brain has no language model,
/// so a whisper becomes words the agent says. Rule: when the whisper holds
/// text in double quotes ("..." or “...”), the quoted parts (joined by a
/// space) are the line; otherwise the whole whisper is. The line (trimmed,
/// given a final "." when it ends without . ! or ?) is said verbatim, before
/// the scripted reply, at the start of the brain's next turn (greet or
/// respond, whatever that turn is); several whispers are said in the order
/// given. Variables are not substituted in it. It changes no state of the
/// call flow (the pending question stays the scripted one).
///
/// Call flows (issue 18 §5): with CallContext::call_flow set, the script is
/// plan_flow(flow, the agent's script) (brain/call_flow.hpp: which step
/// speaks which part) and phase() names the flow's step ("qualification"
/// rather than "discovery"); call_back and goodbye keep their names.
///
/// Skip conditions and success criteria (brain/step_conditions.hpp): when
/// the flow reaches a step (the opening at greet(), a question, the value
/// proposition, the closing), its skipConditions are evaluated against the
/// call's variables and the intents the callee has said so far; a matching
/// step is not spoken, its phase not entered, and the flow goes on to the
/// next step. A skipped opening (with it the agent's greeting, which takes
/// the opening's place) is replaced by "Hi {contact_name}, this is
/// {agent_name} from {company}." and the next step; a skipped value
/// proposition is not used by the not-interested retry or a purpose
/// question either; a skipped closing ends the call with the general
/// goodbye (Follow-up Needed). A step with an object successCriteria counts
/// the callee's answers to it (a silence counts): an answer whose intent
/// meets it marks the step met; otherwise, while fewer than maxTurns answers
/// were given, the step asks again ("Just to be sure." + the question the
/// first time, the step's fallbackScript, when it has one, from the second),
/// and at maxTurns it is not met and the rules above move on (an unclear
/// answer is not re-asked again). Strong intents (stop calling, objection,
/// question, ...) are handled as always. finish() reports each step's
/// result in CallResult::flow_steps.
///
/// Time phrases are resolved against CallContext::now in
/// CallContext::time_zone. finish() uses summary.hpp with the outcome, time
/// and do-not-call flag settled during the call.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brain/brain.hpp"
#include "brain/call_flow.hpp"
#include "brain/intent.hpp"
#include "brain/script_template.hpp"

namespace voqo::brain {

class ScriptedBrain final : public Brain {
 public:
  /// Uses template_for(ctx) (and ctx.call_flow, when set).
  explicit ScriptedBrain(CallContext ctx);
  /// `script` is the agent's script; ctx.call_flow's steps override its parts.
  ScriptedBrain(CallContext ctx, ScriptTemplate script);

  Result<Reply> greet(const TextSink& sink, std::stop_token stop) override;
  Result<Reply> respond(std::string_view caller_text, const TextSink& sink, std::stop_token stop) override;
  void interrupted(std::string_view spoken) override;
  [[nodiscard]] std::string phase() const override;
  Result<CallResult> finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) override;
  /// Queues the whisper's line for the next turn (rule above); a whisper
  /// with nothing to say (blank, or empty quotes) is ignored.
  void coach(std::string_view whisper) override;
  /// The script's general goodbye (ScriptTemplate::goodbye.general), variables substituted.
  [[nodiscard]] std::string closing_line() const override;

  /// The line a whisper makes the agent say, per the rule above ("" = none).
  static std::string coached_line(std::string_view whisper);

 private:
  enum class Phase { opening, discovery, value_proposition, objection, closing, call_back, goodbye };
  /// What the pending question asked.
  enum class Ask { none, opening, discovery, value, objection, retry, closing, demo_time, callback_time };

  /// One turn's output being assembled.
  struct Turn {
    std::vector<std::string> lines;  ///< texts (each may hold several sentences), variables already substituted
    std::string question;            ///< the pending question's text, when this turn asks one
    Reply reply;
  };

  void say(Turn& t, std::string_view text) const;
  void ask(Turn& t, std::string_view text, Ask what, Phase phase);
  void end(Turn& t, std::string_view text, Outcome outcome);
  Result<Reply> emit(Turn t, const TextSink& sink, const std::stop_token& stop);
  void say_coached(Turn& t);  ///< the queued coached lines first, then none left

  void next_step(Turn& t, std::string_view ack);  ///< discovery question, value proposition or closing
  void not_interested(Turn& t);
  void objection(Turn& t, Objection o);
  void answer_question(Turn& t, const IntentResult& ir);
  void callback(Turn& t, const std::optional<std::chrono::system_clock::time_point>& at);
  void schedule_demo(Turn& t, const std::optional<std::chrono::system_clock::time_point>& at);
  void reask_or_move_on(Turn& t);
  // Call-flow steps (indexes into ctx_.call_flow->steps; FlowPlan::npos = the agent's script).
  bool skip_step(std::size_t step);    ///< evaluates (once skipped, always) and records a skip
  void enter_step(std::size_t step);   ///< the pending question is now this step's
  /// The pending step's object successCriteria while it is undecided, else null.
  const SuccessCriteria* held_criteria() const;
  void hold_step(Turn& t, bool unclear);  ///< asks the pending step again (rule above)
  void ask_closing(Turn& t);

  CallContext ctx_;
  ScriptTemplate script_;
  std::optional<FlowPlan> flow_;  ///< step names, when the call has a flow
  std::vector<StepResult> results_;  ///< per flow step
  std::size_t step_ = FlowPlan::npos;  ///< the flow step of the pending question
  int step_answers_ = 0;             ///< callee answers to it (silences included)
  std::set<Intent> heard_;           ///< intents the callee has said so far
  Phase phase_ = Phase::opening;
  Ask ask_ = Ask::none;
  std::string question_;          ///< the pending question's text
  std::string repeat_;            ///< unheard part of the pending question ("" = heard)
  std::string last_text_;         ///< the full text of the last reply as produced
  std::size_t discovery_index_ = 0;
  int reasks_ = 0;                ///< re-asks of the pending question
  int silences_ = 0;              ///< silent turns in a row
  int turns_ = 0;
  bool value_said_ = false;
  bool retried_ = false;
  bool asked_callback_time_ = false;
  bool caller_spoke_ = false;
  bool ended_ = false;
  std::set<Objection> answered_;
  std::optional<Outcome> outcome_;
  std::optional<std::chrono::system_clock::time_point> callback_at_;
  bool do_not_call_ = false;
  std::vector<std::string> coached_;  ///< lines from coach() not yet said
};

}  // namespace voqo::brain
