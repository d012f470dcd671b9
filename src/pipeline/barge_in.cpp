#include "pipeline/barge_in.hpp"

#include <algorithm>
#include <cmath>

namespace voqo::pipeline {

namespace {

constexpr int kFrameMs = 20;
constexpr double kFrameMarginDb = 3.0;  // a speech frame stands this far above the expected echo

constexpr std::string_view kBackchannels[] = {
    "uh", "huh", "uhhuh", "mm", "mmm", "hmm", "hm", "mhm", "mmhmm", "um", "ah", "aha",
    "oh", "yeah", "yep", "yup", "yes", "ok", "okay", "right", "sure", "alright", "gotcha"};

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\''; }
bool is_word_char(char c) { return is_letter(c) || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80; }

int frames_for(int ms) { return std::max(1, (ms + kFrameMs - 1) / kFrameMs); }

}  // namespace

InterimKind classify_interim_text(std::string_view text) {
  InterimKind kind = InterimKind::none;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_char(text[i])) ++i;
    const std::size_t begin = i;
    while (i < text.size() && is_word_char(text[i])) ++i;
    if (i == begin) break;
    std::array<char, 16> lower{};
    const std::size_t len = i - begin;
    bool known = false;
    if (len <= lower.size()) {
      std::size_t k = 0;
      for (std::size_t j = begin; j < i; ++j) {
        const char c = text[j];
        if (c == '\'') continue;  // "o'kay" → "okay"
        lower[k++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      const std::string_view word(lower.data(), k);
      known = std::find(std::begin(kBackchannels), std::end(kBackchannels), word) != std::end(kBackchannels);
    }
    if (!known) return InterimKind::words;
    kind = InterimKind::backchannel;
  }
  return kind;
}

int BargeInDetector::required_speech_ms(double s) {
  s = std::clamp(std::isnan(s) ? 0.5 : s, 0.0, 1.0);
  const double ms = std::pow(700.0, 1.0 - s) * std::pow(120.0, s);
  return frames_for(static_cast<int>(std::ceil(ms - 1e-9))) * kFrameMs;
}

double BargeInDetector::level_margin_db(double s) {
  s = std::clamp(std::isnan(s) ? 0.5 : s, 0.0, 1.0);
  return 10.0 - 6.0 * s;
}

BargeInDetector::BargeInDetector(const BargeInConfig& config)
    : config_(config),
      required_frames_(required_speech_ms(config.interruption_sensitivity) / kFrameMs),
      gap_frames_(std::max(0, config.gap_tolerance_ms / kFrameMs)),
      backchannel_frames_(frames_for(config.backchannel_max_ms)),
      margin_db_(level_margin_db(config.interruption_sensitivity)),
      window_frames_(std::clamp<std::size_t>(static_cast<std::size_t>(frames_for(config.echo_window_ms)), 1, kMaxWindow)) {
  config_.interruption_sensitivity = std::clamp(std::isnan(config.interruption_sensitivity) ? 0.5
                                                : config.interruption_sensitivity, 0.0, 1.0);
  reset();
  frame_index_ = 0;
}

void BargeInDetector::reset() {
  ref_levels_.fill(-96.0);
  ref_pos_ = 0;
  run_frames_ = 0;
  gap_run_ = 0;
  latched_ = false;
  run_text_generation_ = static_cast<uint32_t>(text_.load(std::memory_order_acquire) >> 8);
}

void BargeInDetector::on_interim_text(std::string_view words) {
  const auto kind = static_cast<uint64_t>(classify_interim_text(words));
  uint64_t old = text_.load(std::memory_order_relaxed);
  while (!text_.compare_exchange_weak(old, (((old >> 8) + 1) << 8) | kind, std::memory_order_acq_rel)) {
  }
}

BargeInDecision BargeInDetector::process(const BargeInInput& in) {
  BargeInDecision d;
  d.frame_index = frame_index_++;

  ref_levels_[ref_pos_] = in.agent_speaking ? in.reference_level_dbfs : -96.0;
  ref_pos_ = (ref_pos_ + 1) % window_frames_;
  const double peak = *std::max_element(ref_levels_.begin(), ref_levels_.begin() + static_cast<std::ptrdiff_t>(window_frames_));
  d.expected_echo_dbfs = peak - in.echo_loss_db;
  d.threshold_dbfs = d.expected_echo_dbfs + margin_db_;

  if (!in.agent_speaking) {
    // Nothing to interrupt: forget the run and the latch (the reference
    // window is kept: echo of the last words is still on its way).
    run_frames_ = 0;
    gap_run_ = 0;
    latched_ = false;
    return d;
  }

  const bool far_audible = peak > -90.0;
  const bool cut_deeply = far_audible && !std::isnan(in.near_level_dbfs) &&
                          in.near_level_dbfs - in.caller_level_dbfs > config_.max_cancelled_db;
  const bool speech = in.caller_voiced && in.caller_level_dbfs >= d.expected_echo_dbfs + kFrameMarginDb && !cut_deeply;
  const uint64_t text = text_.load(std::memory_order_acquire);
  if (speech) {
    if (run_frames_ == 0) {
      run_text_generation_ = static_cast<uint32_t>(text >> 8);
      run_power_ = 0;
      run_speech_frames_ = 0;
    }
    run_frames_ += 1 + gap_run_;  // bridged gap frames count toward the run's duration
    gap_run_ = 0;
    run_power_ += std::pow(10.0, in.caller_level_dbfs / 10.0);
    ++run_speech_frames_;
  } else if (run_frames_ > 0 && ++gap_run_ > gap_frames_) {
    run_frames_ = 0;
    gap_run_ = 0;
  }
  d.speech_ms = run_frames_ * kFrameMs;
  if (latched_ || !speech || run_frames_ < required_frames_) return d;
  // The run as a whole must stand out from the echo by the sensitivity's margin.
  d.run_level_dbfs = 10.0 * std::log10(run_power_ / run_speech_frames_);
  if (d.run_level_dbfs < d.threshold_dbfs) return d;

  const bool fresh_text = static_cast<uint32_t>(text >> 8) != run_text_generation_;
  const auto kind = fresh_text ? static_cast<InterimKind>(text & 0xff) : InterimKind::none;
  if (config_.interruption_sensitivity >= 0.8) {
    d.reason = "speech";
  } else if (kind == InterimKind::backchannel) {
    if (run_frames_ < backchannel_frames_) {
      d.reason = "backchannel";
      return d;
    }
    d.reason = "long_speech";
  } else {
    d.reason = kind == InterimKind::words ? "words" : "speech";
  }
  d.interrupt = true;
  latched_ = true;
  return d;
}

}  // namespace voqo::pipeline
