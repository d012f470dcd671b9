#pragma once
/// What a supervisor can do to a call in progress (issue 5 §4; the
/// live-monitoring specification's supervisor actions that act on the audio
/// or the brain). live/ sends these through CallService::supervise and
/// CallService::join_audio.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace voqo::calls {

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
