#pragma once
/// What a call in progress tells the live-monitoring side (issue 5), and what
/// a supervisor can do to it. calls/ produces these events; live/ (the live
/// monitor: call intelligence, the live tables, the realtime hub) consumes
/// them. Field names follow the live-monitoring specification's tables
/// (live_calls, live_transcripts, supervisor_actions).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "brain/brain.hpp"

namespace voqo::calls {

/// A call as live_calls first shows it (status "connecting").
struct LiveCallInfo {
  std::string call_id;
  std::string agent_id, agent_name;
  std::string customer_name;   ///< the contact's name, "" when unknown
  std::string customer_phone;  ///< E.164 (or the SIP URI dialed)
  std::string direction;       ///< inbound | outbound
  std::string campaign_id, campaign_name;  ///< "" outside a campaign
  std::string job_id;
  std::string sip_endpoint;    ///< the remote SIP URI
  std::string session_id;      ///< the SIP Call-ID
  bool is_recording = false;
  std::string started_at;      ///< ISO-8601 UTC, when the call was created
  std::string workspace_id;    ///< the call's workspace: live feeds go to its subscribers only
};

/// One transcript line as it forms: interim hypotheses of an utterance share
/// its `entry_id` with the final line that replaces them.
struct LiveTranscriptEvent {
  std::string entry_id;   ///< stable per utterance (caller) or per agent turn
  std::string speaker;    ///< "agent" | "caller"
  std::string text;
  int64_t start_ms = 0;   ///< from the answer of the call
  int64_t end_ms = 0;
  double confidence = 1.0;  ///< 0–1 (STT for the caller; 1 for the agent)
  bool is_final = false;
  bool interrupted = false;  ///< an agent line cut by barge-in
};

/// Receives live events of every call of a CallService. Called from SIP,
/// worker and stage threads — never from the media thread (the pipeline
/// posts from there) — and possibly concurrently for different calls, in
/// order for one call. Implementations must be thread-safe and return
/// quickly (queue heavy work).
class LiveObserver {
 public:
  virtual ~LiveObserver() = default;
  /// The call exists (live_calls status "connecting").
  virtual void call_created(const LiveCallInfo& call) = 0;
  /// live_calls.status: "ringing" | "connected" | "on-hold" | "transferring".
  virtual void call_status(const std::string& call_id, std::string_view status) = 0;
  /// An interim or final transcript line.
  virtual void transcript(const std::string& call_id, const LiveTranscriptEvent& line) = 0;
  /// Audio levels, every 200 ms while connected: 0–100 each (agent_gain,
  /// customer_gain), and who is speaking now ("agent" | "caller" | "" = nobody).
  virtual void levels(const std::string& call_id, int agent_gain, int customer_gain,
                      std::string_view current_speaker) = 0;
  /// The brain finished a turn: its call-flow phase, the caller intent it
  /// detected ("" = none), the settled outcome if any.
  virtual void agent_turn(const std::string& call_id, const brain::Reply& reply) = 0;
  /// Something notable happened ("barge_in", "amd", "supervisor", ...), as
  /// PipelineHooks::on_event reports it.
  virtual void event(const std::string& call_id, std::string_view name, std::string_view detail) = 0;
  /// The call ended and its record is stored (`record` = the API's JSON of
  /// the call). The call's live rows become history.
  virtual void call_ended(const std::string& call_id, const nlohmann::json& record) = 0;
};

/// A supervisor's command to a call in progress (the specification's
/// supervisor actions that act on the audio or the brain).
struct SupervisorCommand {
  enum class Kind {
    coach,      ///< COACH_AGENT: `text` joins the brain's context for its next turn; the caller hears nothing
    take_over,  ///< TAKE_OVER: the agent stays silent until release (the supervisor speaks via SupervisorAudio)
    release,    ///< ends TAKE_OVER: the agent resumes with the next caller turn
    transfer,   ///< TRANSFER_CALL: blind transfer (SIP REFER) to `target` (E.164 or SIP URI); outcome Transferred
    end_call,   ///< END_CALL: the agent says a closing line (`text`, or the script's goodbye), then BYE
  };
  Kind kind = Kind::coach;
  std::string text;    ///< coach: the whisper; end_call: optional closing line
  std::string target;  ///< transfer: where to
};

/// A supervisor's audio leg on a live call (JOIN_CALL). PCM is 16-bit signed,
/// mono, 16 kHz, in frames of any length (20 ms = 320 samples is natural).
/// While the supervisor's voice is active the agent does not start speaking.
class SupervisorAudio {
 public:
  virtual ~SupervisorAudio() = default;
  /// The supervisor's microphone: mixed into what the caller hears. Any
  /// thread; audio beyond 1 s not yet played is dropped (oldest first).
  virtual void speak(std::span<const int16_t> pcm_16khz) = 0;
  /// Sets the receiver of the call's audio (caller and agent mixed), 20 ms
  /// frames of 320 samples. Called on the media thread: copy and return.
  virtual void set_listener(std::function<void(std::span<const int16_t>)> on_frame) = 0;
  /// Leaves the call (idempotent; also on destruction).
  virtual void leave() = 0;
};

}  // namespace voqo::calls
