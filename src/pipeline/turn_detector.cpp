#include "pipeline/turn_detector.hpp"

#include <algorithm>

namespace voqo::pipeline {

TurnDetector::TurnDetector(TurnDetectorConfig config)
    : cfg_(config), ring_(static_cast<std::size_t>(std::max(1, config.preroll_frames) * config.frame_samples)) {
  cfg_.preroll_frames = std::max(1, cfg_.preroll_frames);
}

TurnStep TurnDetector::process(int64_t frame, std::span<const int16_t> pcm, bool voiced, SteadyTime now) {
  TurnStep step;
  const std::size_t n = std::min<std::size_t>(pcm.size(), static_cast<std::size_t>(cfg_.frame_samples));
  std::copy_n(pcm.begin(), n, ring_.begin() + static_cast<std::ptrdiff_t>(pos_) * cfg_.frame_samples);
  pos_ = (pos_ + 1) % cfg_.preroll_frames;

  voiced ? (++voiced_run_, unvoiced_run_ = 0) : (++unvoiced_run_, voiced_run_ = 0);
  if (voiced) {
    last_voiced_frame_ = frame;
    last_voiced_at_ = now;
  }
  if (!in_speech_ && voiced_run_ >= cfg_.start_frames) {
    in_speech_ = true;
    if (!open_) {
      open_ = true;
      start_frame_ = frame - voiced_run_ + 1;
      step.started = UtteranceStarted{++utterance_, start_frame_};
    }
  }
  step.audio = open_ && !step.started;
  if (in_speech_ && unvoiced_run_ * 20 >= cfg_.stop_ms) in_speech_ = false;
  if (open_ && !in_speech_ && (frame - last_voiced_frame_) * 20 >= cfg_.silence_threshold_ms)
    step.ended = end(now);
  return step;
}

std::optional<UtteranceEnded> TurnDetector::close(SteadyTime now) {
  if (!open_) return std::nullopt;
  return end(now);
}

UtteranceEnded TurnDetector::end(SteadyTime now) {
  open_ = false;
  return UtteranceEnded{utterance_, start_frame_, last_voiced_frame_ + 1, last_voiced_at_, now};
}

}  // namespace voqo::pipeline
