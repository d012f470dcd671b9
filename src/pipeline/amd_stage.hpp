#pragma once
/// Answering-machine detection as a stage of an outbound call: the
/// AnsweringMachineDetector (amd.hpp) hears the caller's clean audio from
/// the answer until it decides and, on a machine, until the machine is
/// ready for the voicemail message (after the beep, or when none came);
/// then it hears nothing more. Its verdict is published to the other
/// threads (the control stage does not answer words heard while detection
/// runs or after a machine verdict).
///
/// Threads: attach() before the call is shared; process() on the media
/// thread; verdict()/listening() from any thread.
#include <atomic>
#include <optional>
#include <span>

#include "pipeline/amd.hpp"
#include "pipeline/frames.hpp"

namespace voqo::pipeline {

class AmdStage {
 public:
  /// Detection on with `detector` (without it the stage hears nothing and
  /// the verdict stays unknown).
  void attach(AnsweringMachineDetector detector);
  [[nodiscard]] bool attached() const { return detector_.has_value(); }
  /// The next clean 20 ms caller frame and the VAD's decision. Emits
  /// AmdResult{verdict, ready=false} on the frame the detector decides (the
  /// verdict is published first) and, on a machine, AmdResult{machine,
  /// ready=true} once, when the message should start.
  void process(std::span<const int16_t> clean, bool voiced, FrameSink& out);
  /// pending while detection runs; unknown when it is off.
  [[nodiscard]] AmdVerdict verdict() const { return verdict_.load(); }
  /// Detection runs, or found a machine: heard words are not answered.
  [[nodiscard]] bool listening() const {
    const AmdVerdict v = verdict();
    return v == AmdVerdict::pending || v == AmdVerdict::machine;
  }

 private:
  std::optional<AnsweringMachineDetector> detector_;
  std::atomic<AmdVerdict> verdict_{AmdVerdict::unknown};
  bool ready_posted_ = false;  // media thread
};

}  // namespace voqo::pipeline
