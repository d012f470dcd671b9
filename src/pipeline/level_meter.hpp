#pragma once
/// The live meters of a call (PipelineHooks::on_levels): over each 200 ms
/// window (10 media frames) the agent's and the caller's level as
/// meter_percent() of their RMS dBFS, and who is speaking: "caller" when
/// ≥ 3 frames (60 ms) were voiced and at least as many as the agent's
/// audible frames, else "agent" when ≥ 3 agent frames were above −50 dBFS,
/// else "". Media thread; allocation-free.
#include <cstdint>
#include <optional>
#include <span>

#include "pipeline/frames.hpp"

namespace voqo::pipeline {

class LevelMeter {
 public:
  static constexpr int kWindowFrames = 10;
  /// The agent's own voice this frame (before any supervisor is mixed in).
  void agent(std::span<const int16_t> pcm);
  /// The caller this frame (after echo cancellation) and whether it was
  /// voiced; closes the frame: Levels every kWindowFrames frames.
  std::optional<Levels> caller(std::span<const int16_t> pcm, bool voiced);

 private:
  double agent_sq_ = 0, caller_sq_ = 0;
  int frames_ = 0, caller_voiced_ = 0, agent_audible_ = 0;
  std::size_t samples_ = 0;
};

}  // namespace voqo::pipeline
