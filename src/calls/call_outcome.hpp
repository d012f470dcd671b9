#pragma once
/// What a call left behind, typed (issue 17 §3): the outcome, the callback
/// time, do-not-call, memories, whether the caller spoke, whether the number
/// is bad, the AMD verdict, how and why it ended, its turn timings, and the
/// ids that place it (workspace, agent, contact, job). CallService builds it
/// when a call ends, beside the stored call record (store/calls.hpp
/// CallRecord, the API's JSON of GET /api/calls/{id}), which stays the
/// durable truth and the API contract; consumers below the API (the dialer,
/// the outcome loop, the live monitor) read this struct, not the record's
/// `systemInfo` keys or error strings.
///
/// A record read back from the store (crash recovery, the outcome loop's
/// recover()) becomes a CallOutcome through call_outcome_from_record(): the
/// one place outside the writer (call_service.cpp) that reads systemInfo by
/// key.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "pipeline/call_pipeline.hpp"

namespace voqo::calls {

/// How the call ended at the SIP level: the data model's calls.status values
/// (telephony::CallEnd::status).
enum class CallStatus {
  completed,  ///< answered (a conversation took place)
  failed,     ///< a SIP failure, a transport error, or interrupted by a crash
  no_answer,  ///< rang out (ring timeout, 408/480)
  busy,       ///< 486/600
  cancelled,  ///< we hung up before the answer
};

/// "completed" | "failed" | "no_answer" | "busy" | "cancelled".
std::string_view call_status_label(CallStatus status);
/// The status with `label`; anything else (including "") is failed.
CallStatus parse_call_status(std::string_view label);

/// Whether a final SIP response says the dialed number itself is bad, so
/// dialing it again cannot help (RFC 3261 §21.4.5 404 Not Found, §21.4.6 410
/// Gone, §21.4.22 484 Address Incomplete, §21.6.3 604 Does Not Exist
/// Anywhere).
bool sip_code_means_invalid_number(int sip_code);

struct CallOutcome {
  // Which call (the call record's ids).
  std::string call_id;
  WorkspaceId workspace;
  std::string agent_id;
  std::optional<std::string> contact_id;
  std::string job_id, job_call_id;  ///< the dialer's attempt ("" = not placed by the dialer)
  std::string direction;            ///< inbound | outbound
  std::string from_phone, to_phone; ///< E.164, or the SIP URI / user part as dialed or received
  /// The answer (calls.started_at); nullopt when the call was never answered.
  std::optional<std::chrono::system_clock::time_point> started_at;
  /// When the call ended (calls.ended_at; for a record never answered, which
  /// has no ended_at, when its record was written).
  std::chrono::system_clock::time_point ended_at{};
  std::optional<int64_t> duration_s;  ///< s from the answer to the end; nullopt when never answered

  // How it ended.
  CallStatus status = CallStatus::failed;
  std::optional<int> sip_code;  ///< the final SIP response, when there was one
  /// Why it ended (calls.error_message): the pipeline's reason when it ended
  /// the call ("no input", "max duration", ...), else the SIP layer's ("BYE
  /// from peer", "SIP 486 Busy Here", "interrupted" after a crash, ...).
  std::string end_reason;
  bool remote_hangup = false;   ///< the peer sent the BYE
  /// The number cannot be dialed: the SIP failure says so
  /// (sip_code_means_invalid_number) or it did not normalise to E.164
  /// (the dialer's own attempt that never left). Not retried.
  bool invalid_number = false;

  // What the conversation decided (brain::CallResult at the end of the call).
  /// The data model's outcome; nullopt for a call that failed or was cancelled before the answer.
  std::optional<brain::Outcome> outcome;
  std::string summary;                                                ///< "" when none
  std::optional<std::chrono::system_clock::time_point> callback_at;  ///< a "call me back ..." time the callee gave
  bool do_not_call = false;             ///< the callee asked never to be called again
  std::vector<std::string> memories;    ///< facts worth keeping about the contact, in the brain's order
  /// The caller said something that was transcribed (true when unknown: a
  /// record written before the field existed).
  bool caller_spoke = true;
  /// Answering-machine detection's verdict: "human", "machine", or "" when it
  /// did not run (inbound, disabled, unanswered, or read back from a record,
  /// which does not keep it).
  std::string amd_verdict;

  // Turn latency.
  std::vector<pipeline::TurnTiming> turns;  ///< each agent turn that answered the caller, in order
  int silence_threshold_ms = 0;             ///< the agent's endpointing wait those turns include
};

/// One entry of a call record's turnMetrics (the calls table's
/// turn_metrics; the API's Call.turnMetrics) for one agent turn: the
/// TurnTiming stamps in µs since the answer (lastCallerAudioUs, endOfTurnUs,
/// finalTranscriptUs, brainFirstTextUs, firstAudioUs, firstPacketUs), the
/// engines' compute (sttComputeUs, brainComputeUs, ttsComputeUs),
/// responseDelayMs, silenceThresholdMs and ownOverheadUs
/// (pipeline::own_overhead_us). call_outcome_from_record reads the same
/// names back: both go through one field list in call_outcome.cpp.
nlohmann::json turn_metrics_entry(const pipeline::TurnTiming& timing, int silence_threshold_ms);

/// Reads a stored call record (the API's JSON of a call, as
/// store::CallStore / GET /api/calls/{id} give it) back into a CallOutcome:
/// status, sipCode, errorMessage, outcome (a label), summary, the ids and
/// times, turnMetrics, and systemInfo's remoteHangup, callerSpoke,
/// callbackAt, doNotCall and memories. Fields a record does not keep take
/// the struct's defaults (amd_verdict ""). Errors: invalid_argument with
/// field "id" (no id) or "workspaceId" (no workspace).
Result<CallOutcome> call_outcome_from_record(const nlohmann::json& record);

}  // namespace voqo::calls
