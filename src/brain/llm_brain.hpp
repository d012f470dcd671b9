#pragma once
/// The LLM brain: any OpenAI-compatible chat completions server (OpenAI,
/// vLLM, llama.cpp server, Ollama) drives the conversation, streamed sentence
/// by sentence, with the agent's custom functions as tools plus four built-in
/// call-control tools (DESIGN.md "Engines behind small interfaces").
///
/// Built-in tools (always offered; they set Reply fields, no HTTP):
///  - end_call {reason, outcome: one of the outcome labels} → end_call, outcome;
///  - transfer_call {to: E.164 or SIP URI} → transfer_to, outcome Transferred;
///  - schedule_callback {when: ISO-8601 with offset, reason} → callback_at,
///    outcome Call Back Later (a `when` without offset is read in the callee's zone);
///  - add_to_do_not_call {} → do_not_call.
/// A custom function with a built-in's name is not offered.
///
/// Threading: one call at a time (thread-compatible); blocking, so it runs on
/// a worker pool (brain.hpp).
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brain/brain.hpp"
#include "brain/intent.hpp"
#include "brain/openai_chat.hpp"
#include "brain/tool_caller.hpp"

namespace voqo::brain {

/// Where the LLM is and what it may call.
struct LlmBrainConfig {
  std::string base_url = "https://api.openai.com/v1";  ///< rule: ChatEndpoint::base_url
  std::string api_key;                                 ///< "" = none (local servers)
  std::string model;                                   ///< e.g. "gpt-4o-mini", "llama3.1"
  /// Whether custom functions may call loopback/private endpoints (settings;
  /// off = SSRF guard). The LLM server itself may always be local.
  bool allow_private_tool_hosts = false;
  std::vector<CustomFunction> functions;  ///< the agent's custom functions
  int max_tool_rounds = 4;  ///< tool-call rounds per turn; the round after the cap is sent without tools
  std::chrono::milliseconds timeout{60000};  ///< per LLM request
};

/// Marker appended to an assistant message the caller cut off (interrupted()).
inline constexpr std::string_view kInterruptedMarker = "[interrupted by the caller]";

/// Opens the system message that carries a supervisor's whisper (coach()).
inline constexpr std::string_view kCoachingPrefix = "Supervisor coaching (the caller does not hear this): ";

class LlmBrain final : public Brain {
 public:
  LlmBrain(LlmBrainConfig config, CallContext context);
  ~LlmBrain() override;

  /// The agent's greeting when set: streamed to `sink` sentence by sentence
  /// and added to history as the assistant's message, no LLM call. Otherwise
  /// the LLM opens (after a user-role note that the call was answered).
  Result<Reply> greet(const TextSink& sink, std::stop_token stop) override;
  /// Streams the answer: each completed sentence goes to `sink` as soon as
  /// the LLM has produced it (a sentence ends at . ! ? followed by space, or
  /// a line break; common abbreviations like "Mr." do not end one). Tool calls
  /// are executed and fed back, at most max_tool_rounds rounds. `stop` or the
  /// sink returning false aborts the HTTP stream at once; the Reply then holds
  /// the sentences already sent. Errors: ErrorCode::io (LLM unreachable, HTTP
  /// error with the server's message), ErrorCode::invalid_argument (bad URL).
  Result<Reply> respond(std::string_view caller_text, const TextSink& sink, std::stop_token stop) override;
  /// Rewrites the last turn's assistant message(s) to what the caller heard:
  /// `spoken` + " " + kInterruptedMarker (text after the cut is dropped).
  void interrupted(std::string_view spoken) override;
  /// "" before greet, then "opening", "conversation", "closing" (after end_call).
  [[nodiscard]] std::string phase() const override;
  /// One non-streamed completion (JSON mode when the server takes it) asking
  /// for {outcome, summary, memories[], callbackAt?, doNotCall?}; outcomes and
  /// flags set by built-in tools during the call win over the model's. With
  /// no caller speech in the transcript, no LLM call and an empty summary.
  /// Errors: as respond(), or ErrorCode::io when the answer is not the JSON
  /// asked for (callers then fall back to an extractive summary).
  Result<CallResult> finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) override;
  /// Queues the whisper: the next turn that calls the LLM (respond(), or
  /// greet() without a fixed greeting) first adds one system message
  /// kCoachingPrefix + whisper (trimmed) per whisper, in order, just before
  /// its user message; it stays in history. A blank whisper is ignored.
  void coach(std::string_view whisper) override;

  /// The system message: the agent's system prompt, the call context (agent,
  /// contact, direction, purpose, "What you know about this contact:" with
  /// one "- " line per memory, today's date and time in the callee's zone)
  /// and the voice-style rules.
  [[nodiscard]] std::string system_message() const;
  /// The conversation so far (system message first).
  [[nodiscard]] const std::vector<ChatMessage>& history() const { return history_; }

 private:
  Result<Reply> run_turn(const TextSink& sink, std::stop_token stop);
  std::vector<ToolSpec> tool_specs() const;

  LlmBrainConfig config_;
  CallContext context_;
  OpenAiChat chat_;
  ToolCaller tools_;
  std::vector<ChatMessage> history_;
  /// The last turn's assistant messages: history index, and the [begin, end)
  /// of their spoken text in that turn's Reply::text.
  struct Spoken {
    std::size_t index;
    std::size_t begin, end;
  };
  std::vector<Spoken> last_turn_;
  std::string last_turn_text_;
  std::string phase_;
  /// The call flow's current step (CallContext::call_flow): greet() is step
  /// 0, each respond() moves one step on, up to the last; the system message
  /// is rewritten with that step's script. A step whose skipConditions match
  /// when it would be reached (brain/step_conditions.hpp; intents as
  /// detect_intent() reads the caller's lines) is passed over and named in
  /// the system message as skipped; when every later step is skipped the
  /// call stays on the step it is on (at greet(): the last step).
  std::size_t step_ = 0;
  std::vector<bool> skipped_;           ///< per flow step
  std::set<Intent> heard_;              ///< intents of the caller's lines so far
  /// The first step from `from` on that is not skipped (evaluating and recording skips), or `stay`.
  std::size_t next_unskipped(std::size_t from, std::size_t stay);
  // What built-in tools decided during the call (for finish()).
  std::optional<Outcome> outcome_;
  std::optional<std::chrono::system_clock::time_point> callback_at_;
  bool do_not_call_ = false;
  std::vector<std::string> coaching_;  ///< whispers not yet given to the LLM
  void add_coaching();                 ///< moves coaching_ into history as system messages
};

}  // namespace voqo::brain
