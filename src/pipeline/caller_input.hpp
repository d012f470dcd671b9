#pragma once
/// The caller's side of each media frame before any decision: echo
/// cancellation (speex AEC, ~0.1 ms a frame) while the agent made sound in
/// the last second (50 frames; not for silent stretches), then voice
/// activity (VoiceActivityDetector) on the result. The recogniser, the
/// meters, AMD and barge-in all take the caller from here: echo-cancelled
/// only while the agent's echo may be in it (the canceller's residual
/// suppression also colours the caller's own voice, which costs recognition
/// accuracy). Media thread; allocation-free after create().
#include <array>
#include <span>

#include "core/error.hpp"
#include "pipeline/echo_canceller.hpp"
#include "pipeline/vad.hpp"

namespace voqo::pipeline {

/// One caller frame, analysed.
struct CallerFrame {
  std::span<const int16_t> clean;  ///< 320 samples: echo-cancelled, or as received (valid until the next process())
  EchoFrame echo;                  ///< levels; echo_loss_db is the canceller's estimate even when it did not run
  VadFrame vad;
};

class CallerInput {
 public:
  /// Errors: those of EchoCanceller::create and VoiceActivityDetector::create.
  static Result<CallerInput> create();
  /// `caller` as received and `agent` as played this frame (320 samples each).
  CallerFrame process(std::span<const int16_t> caller, std::span<const int16_t> agent);

 private:
  CallerInput(EchoCanceller echo, VoiceActivityDetector vad) : echo_(std::move(echo)), vad_(std::move(vad)) {}
  EchoCanceller echo_;
  VoiceActivityDetector vad_;
  std::array<int16_t, 320> cleaned_{};
  int agent_quiet_frames_ = 0;  // frames since the agent last made sound (> −70 dBFS)
};

}  // namespace voqo::pipeline
