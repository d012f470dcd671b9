#include "pipeline/level_meter.hpp"

#include <cmath>

#include "pipeline/audio_level.hpp"

namespace voqo::pipeline {

void LevelMeter::agent(std::span<const int16_t> pcm) {
  for (int16_t x : pcm) agent_sq_ += static_cast<double>(x) * x;
  if (level_dbfs(pcm) > -50.0) ++agent_audible_;
}

std::optional<Levels> LevelMeter::caller(std::span<const int16_t> pcm, bool voiced) {
  for (int16_t x : pcm) caller_sq_ += static_cast<double>(x) * x;
  samples_ += pcm.size();
  if (voiced) ++caller_voiced_;
  if (++frames_ < kWindowFrames) return std::nullopt;
  const double samples = static_cast<double>(samples_ > 0 ? samples_ : 1);
  auto percent = [samples](double sum_sq) {
    const double rms = std::sqrt(sum_sq / samples);
    return meter_percent(rms < 1.0 ? -96.0 : 20.0 * std::log10(rms / 32768.0));
  };
  Levels out{percent(agent_sq_), percent(caller_sq_),
             caller_voiced_ >= 3 && caller_voiced_ >= agent_audible_ ? "caller" : agent_audible_ >= 3 ? "agent" : ""};
  agent_sq_ = caller_sq_ = 0;
  frames_ = caller_voiced_ = agent_audible_ = 0;
  samples_ = 0;
  return out;
}

}  // namespace voqo::pipeline
