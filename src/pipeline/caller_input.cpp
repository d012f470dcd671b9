#include "pipeline/caller_input.hpp"

#include "pipeline/audio_level.hpp"

namespace voqo::pipeline {
namespace {
constexpr int kEchoFrames = 50;  // 1 s
}

Result<CallerInput> CallerInput::create() {
  auto echo = EchoCanceller::create();
  if (!echo) return std::unexpected(echo.error());
  auto vad = VoiceActivityDetector::create();
  if (!vad) return std::unexpected(vad.error());
  return CallerInput(std::move(*echo), std::move(*vad));
}

CallerFrame CallerInput::process(std::span<const int16_t> caller, std::span<const int16_t> agent) {
  CallerFrame out;
  agent_quiet_frames_ = level_dbfs(agent) > -70.0 ? 0 : agent_quiet_frames_ + 1;
  if (agent_quiet_frames_ < kEchoFrames) {
    out.echo = echo_.process(agent, caller, cleaned_);
    out.clean = cleaned_;
  } else {
    out.echo.near_level_dbfs = out.echo.out_level_dbfs = level_dbfs(caller);
    out.echo.echo_loss_db = echo_.echo_loss_db();
    out.clean = caller;
  }
  out.vad = vad_.process(out.clean);
  return out;
}

}  // namespace voqo::pipeline
