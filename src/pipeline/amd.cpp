#include "pipeline/amd.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "pipeline/audio_level.hpp"

namespace voqo::pipeline {

namespace {
constexpr int kFrameMs = 20;
constexpr double kBinStepHz = 25.0;
constexpr double kMaxToneDriftHz = 40.0;
}  // namespace

std::string_view to_string(AmdVerdict v) {
  switch (v) {
    case AmdVerdict::pending: return "pending";
    case AmdVerdict::human: return "human";
    case AmdVerdict::machine: return "machine";
    case AmdVerdict::unknown: return "unknown";
  }
  return "unknown";
}

int AnsweringMachineDetector::frames_for(int ms) const { return std::max(1, (ms + kFrameMs - 1) / kFrameMs); }

AnsweringMachineDetector::AnsweringMachineDetector(const AmdConfig& config)
    : config_(config), frame_samples_(static_cast<std::size_t>(config.sample_rate_hz / 50)) {
  const double n = static_cast<double>(frame_samples_);
  for (std::size_t i = 0; i < frame_samples_; ++i)
    window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * (static_cast<double>(i) + 0.5) / n));
  for (double f = config.beep_min_hz; f <= config.beep_max_hz + 1e-9 && bins_ < kMaxBins; f += kBinStepHz) {
    bin_hz_[bins_] = static_cast<float>(f);
    coeff_[bins_] = static_cast<float>(2.0 * std::cos(2.0 * std::numbers::pi * f / config.sample_rate_hz));
    ++bins_;
  }
  reset();
}

Result<AnsweringMachineDetector> AnsweringMachineDetector::create(const AmdConfig& config) {
  if (config.sample_rate_hz != 16000 && config.sample_rate_hz != 8000)
    return std::unexpected(Error::invalid("sampleRateHz", "must be 8000 or 16000"));
  if (!(config.beep_min_hz >= 100))
    return std::unexpected(Error::invalid("beepMinHz", "must be at least 100 Hz"));
  if (!(config.beep_max_hz <= config.sample_rate_hz / 2.0 - 100) || !(config.beep_max_hz >= config.beep_min_hz))
    return std::unexpected(Error::invalid("beepMaxHz", "must be within beepMinHz..(rate/2 − 100 Hz)"));
  if (config.min_beep_ms <= 0) return std::unexpected(Error::invalid("minBeepMs", "must be positive"));
  return AnsweringMachineDetector(config);
}

void AnsweringMachineDetector::reset() {
  frame_ = 0;
  verdict_ = AmdVerdict::pending;
  reason_ = {};
  greeting_started_ = false;
  greeting_start_frame_ = 0;
  voiced_run_ = 0;
  voiced_run_start_ = 0;
  silence_run_ = 0;
  words_ = 0;
  in_word_ = false;
  greeting_over_ = false;
  greeting_end_frame_ = 0;
  ready_ = false;
  tone_frames_ = 0;
  tone_first_hz_ = 0;
  tone_sum_hz_ = 0;
  tone_start_frame_ = 0;
}

AnsweringMachineDetector::Tone AnsweringMachineDetector::analyse_tone(std::span<const int16_t> frame) {
  Tone t;
  const std::size_t n = frame_samples_;
  const std::size_t k = std::min(frame.size(), n);
  if (level_dbfs(frame.first(k)) < config_.beep_min_dbfs) return t;
  double energy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = i < k ? static_cast<float>(frame[i]) * (1.0f / 32768.0f) : 0.0f;
    buf_[i] = x * window_[i];
    energy += static_cast<double>(buf_[i]) * buf_[i];
  }
  if (energy <= 0) return t;
  std::size_t best = 0;
  for (std::size_t b = 0; b < bins_; ++b) {
    const float c = coeff_[b];
    float s1 = 0, s2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float s = buf_[i] + c * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    power_[b] = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (power_[b] > power_[best]) best = b;
  }
  const double purity = 3.0 * power_[best] / (static_cast<double>(n) * energy);
  if (purity < config_.beep_purity) return t;
  t.tonal = true;
  double delta = 0;
  if (best > 0 && best + 1 < bins_) {
    const double a = std::log(std::max(power_[best - 1], 1e-20f));
    const double b = std::log(std::max(power_[best], 1e-20f));
    const double c = std::log(std::max(power_[best + 1], 1e-20f));
    const double denom = a - 2 * b + c;
    if (denom < 0) delta = std::clamp(0.5 * (a - c) / denom, -0.5, 0.5);
  }
  t.frequency_hz = bin_hz_[best] + delta * kBinStepHz;
  return t;
}

void AnsweringMachineDetector::decide(AmdUpdate& u, AmdVerdict v, std::string_view reason) {
  verdict_ = v;
  reason_ = reason;
  u.decided = true;
}

AmdUpdate AnsweringMachineDetector::process(std::span<const int16_t> frame, bool voiced) {
  AmdUpdate u;
  u.time_ms = frame_ * kFrameMs;
  const int64_t elapsed_frames = frame_ + 1;

  // Beep tracking.
  const Tone tone = analyse_tone(frame);
  u.tonal = tone.tonal;
  auto finish_tone = [&](int64_t end_frame) {
    if (tone_frames_ * kFrameMs >= config_.min_beep_ms) {
      AmdBeep b;
      b.frequency_hz = tone_sum_hz_ / tone_frames_;
      b.duration_ms = tone_frames_ * kFrameMs;
      b.start_ms = tone_start_frame_ * kFrameMs;
      b.end_ms = end_frame * kFrameMs;
      u.beep = b;
    }
    tone_frames_ = 0;
    tone_sum_hz_ = 0;
  };
  if (tone.tonal && tone_frames_ > 0 && std::abs(tone.frequency_hz - tone_first_hz_) > kMaxToneDriftHz)
    finish_tone(frame_);  // another tone: close the previous run
  if (tone.tonal) {
    if (tone_frames_ == 0) {
      tone_first_hz_ = tone.frequency_hz;
      tone_start_frame_ = frame_;
    }
    ++tone_frames_;
    tone_sum_hz_ += tone.frequency_hz;
  } else if (tone_frames_ > 0) {
    finish_tone(frame_);
  }

  // Word segmentation (tonal frames are not speech).
  const bool speech = voiced && !tone.tonal;
  if (speech) {
    if (voiced_run_ == 0) voiced_run_start_ = frame_;
    ++voiced_run_;
    if (!in_word_ && voiced_run_ * kFrameMs >= config_.min_word_ms) {
      in_word_ = true;
      ++words_;
      if (!greeting_started_) {
        greeting_started_ = true;
        greeting_start_frame_ = voiced_run_start_;
      }
      greeting_over_ = false;  // the machine speaks again
    }
    if (in_word_) silence_run_ = 0;
  } else {
    ++silence_run_;
    if (silence_run_ >= frames_for(config_.between_words_ms)) {
      in_word_ = false;
      voiced_run_ = 0;
    }
  }

  // Verdict.
  if (verdict_ == AmdVerdict::pending) {
    if (u.beep) {
      decide(u, AmdVerdict::machine, "beep");
    } else if (greeting_started_) {
      if (speech && in_word_ && (elapsed_frames - greeting_start_frame_) * kFrameMs >= config_.max_greeting_ms)
        decide(u, AmdVerdict::machine, "long_greeting");
      else if (words_ >= config_.max_words)
        decide(u, AmdVerdict::machine, "max_words");
      else if (!speech && silence_run_ * kFrameMs >= config_.after_greeting_silence_ms)
        decide(u, AmdVerdict::human, "short_greeting");
    } else if (elapsed_frames * kFrameMs >= config_.initial_silence_ms) {
      decide(u, AmdVerdict::unknown, "initial_silence");
    }
    if (verdict_ == AmdVerdict::pending && elapsed_frames * kFrameMs >= config_.total_analysis_ms)
      decide(u, AmdVerdict::unknown, "too_long");
  }

  // After a machine verdict: end of greeting, then ready to leave a message.
  if (verdict_ == AmdVerdict::machine && !ready_) {
    if (!greeting_over_ && greeting_started_ && silence_run_ * kFrameMs >= config_.greeting_end_silence_ms) {
      greeting_over_ = true;
      greeting_end_frame_ = elapsed_frames - silence_run_;
      u.greeting_ended = true;
    }
    if (u.beep) {
      ready_ = true;
      u.ready_for_message = true;
      u.ready_reason = "beep";
    } else if (greeting_over_ && tone_frames_ == 0 &&
               (elapsed_frames - greeting_end_frame_) * kFrameMs >= config_.beep_wait_ms) {
      ready_ = true;
      u.ready_for_message = true;
      u.ready_reason = "no_beep";
    }
  }

  u.verdict = verdict_;
  u.reason = reason_;
  ++frame_;
  return u;
}

}  // namespace voqo::pipeline
