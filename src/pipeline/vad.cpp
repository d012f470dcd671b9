#include "pipeline/vad.hpp"

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "pipeline/audio_level.hpp"

namespace voqo::pipeline {

namespace {
constexpr int kFrameMs = 20;
constexpr double kDigitalSilenceDbfs = -90.0;  // RMS below ~1 LSB
int frames_for(int ms) { return std::max(1, (ms + kFrameMs - 1) / kFrameMs); }
}  // namespace

VoiceActivityDetector::VoiceActivityDetector(const VadConfig& config)
    : config_(config),
      frame_samples_(static_cast<std::size_t>(config.sample_rate_hz / 50)),
      start_frames_(frames_for(config.start_ms)),
      stop_frames_(frames_for(config.stop_ms)),
      sub_window_frames_(std::max(1, frames_for(config.noise_window_ms) / kSubWindows)),
      audio_frame_(std::make_unique<webrtc::AudioFrame>()) {}

VoiceActivityDetector::~VoiceActivityDetector() = default;
VoiceActivityDetector::VoiceActivityDetector(VoiceActivityDetector&&) noexcept = default;
VoiceActivityDetector& VoiceActivityDetector::operator=(VoiceActivityDetector&&) noexcept = default;

Result<VoiceActivityDetector> VoiceActivityDetector::create(const VadConfig& config) {
  if (config.sample_rate_hz != 16000 && config.sample_rate_hz != 8000)
    return std::unexpected(Error::invalid("sampleRateHz", "must be 8000 or 16000"));
  if (config.start_ms <= 0) return std::unexpected(Error::invalid("startMs", "must be positive"));
  if (config.stop_ms <= 0) return std::unexpected(Error::invalid("stopMs", "must be positive"));
  if (config.noise_window_ms <= 0) return std::unexpected(Error::invalid("noiseWindowMs", "must be positive"));

  VoiceActivityDetector vad(config);
  vad.apm_.reset(webrtc::AudioProcessing::Create());
  if (!vad.apm_) return std::unexpected(Error{ErrorCode::internal, "webrtc AudioProcessing::Create failed", {}});
  const auto mono = webrtc::AudioProcessing::kMono;
  const int rate = config.sample_rate_hz;
  webrtc::VoiceDetection* vd = vad.apm_->voice_detection();
  if (vad.apm_->Initialize(rate, rate, rate, mono, mono, mono) != webrtc::AudioProcessing::kNoError ||
      vd->Enable(true) != webrtc::AudioProcessing::kNoError ||
      vd->set_likelihood(webrtc::VoiceDetection::kLowLikelihood) != webrtc::AudioProcessing::kNoError ||
      vd->set_frame_size_ms(10) != webrtc::AudioProcessing::kNoError)
    return std::unexpected(Error{ErrorCode::internal, "webrtc voice detection refused its settings", {}});
  vad.reset();
  return vad;
}

void VoiceActivityDetector::reset() {
  if (apm_) apm_->Initialize();
  sub_min_.fill(std::numeric_limits<double>::infinity());
  sub_count_ = 0;
  sub_pos_ = 0;
  frames_in_sub_ = 0;
  current_min_ = std::numeric_limits<double>::infinity();
  smoothed_power_ = 0;
  primed_frames_ = 0;
  frame_index_ = 0;
  in_speech_ = false;
  voiced_run_ = 0;
  unvoiced_run_ = 0;
  run_first_voiced_ = 0;
  run_first_unvoiced_ = 0;
}

VadFrame VoiceActivityDetector::process(std::span<const int16_t> frame) {
  VadFrame out;
  out.frame_index = frame_index_;
  const std::size_t n = std::min(frame.size(), frame_samples_);
  const std::size_t half = frame_samples_ / 2;

  // 1. WebRTC VAD over the two 10 ms halves.
  int webrtc_voiced = 0;
  webrtc::AudioFrame& af = *audio_frame_;
  for (std::size_t h = 0; h < 2; ++h) {
    af.samples_per_channel_ = half;
    af.sample_rate_hz_ = config_.sample_rate_hz;
    af.num_channels_ = 1;
    const std::size_t begin = h * half;
    const std::size_t avail = begin < n ? std::min(half, n - begin) : 0;
    if (avail > 0) std::memcpy(af.data_, frame.data() + begin, avail * sizeof(int16_t));
    if (avail < half) std::memset(af.data_ + avail, 0, (half - avail) * sizeof(int16_t));
    if (apm_->ProcessStream(&af) == webrtc::AudioProcessing::kNoError &&
        apm_->voice_detection()->stream_has_voice())
      ++webrtc_voiced;
  }

  // 2. Level and the minimum-statistics noise floor (this frame included).
  const double level = level_dbfs(frame.first(n));
  out.level_dbfs = level;
  // Digital silence (no signal at all: before media starts, muted or dropped
  // packets) is not background noise: it stays out of the noise statistics, so
  // noise that starts after it sets the floor from its first frame.
  // Levels are smoothed first (power domain, α = 0.5) so that one odd quiet
  // frame (an echo canceller's first output, a concealed packet) cannot drag
  // the floor down; the first two frames of a stream only prime the smoother.
  if (level > kDigitalSilenceDbfs) {
    const double power = std::pow(10.0, level / 10.0);
    smoothed_power_ = primed_frames_ == 0 ? power : 0.5 * smoothed_power_ + 0.5 * power;
    if (++primed_frames_ > 2) current_min_ = std::min(current_min_, 10.0 * std::log10(smoothed_power_));
  }
  double floor = current_min_;
  for (int i = 0; i < sub_count_; ++i) floor = std::min(floor, sub_min_[static_cast<std::size_t>(i)]);
  if (++frames_in_sub_ >= sub_window_frames_) {
    sub_min_[static_cast<std::size_t>(sub_pos_)] = current_min_;
    sub_pos_ = (sub_pos_ + 1) % kSubWindows;
    sub_count_ = std::min(sub_count_ + 1, kSubWindows);
    frames_in_sub_ = 0;
    current_min_ = std::numeric_limits<double>::infinity();
  }
  floor = std::max(floor, config_.min_noise_floor_dbfs);
  out.noise_floor_dbfs = floor;
  const double threshold = floor + config_.gate_margin_db;
  const double openness = std::clamp(0.5 + (level - threshold) / 12.0, 0.0, 1.0);
  out.probability = 0.5 * webrtc_voiced * openness;
  out.voiced = webrtc_voiced > 0 && level >= threshold;

  // 3. Hysteresis.
  if (out.voiced) {
    if (voiced_run_ == 0) run_first_voiced_ = frame_index_;
    ++voiced_run_;
    unvoiced_run_ = 0;
    if (!in_speech_ && voiced_run_ >= start_frames_) {
      in_speech_ = true;
      out.speech_started = true;
      out.speech_start_ms = static_cast<int64_t>(run_first_voiced_) * kFrameMs;
    }
  } else {
    if (unvoiced_run_ == 0) run_first_unvoiced_ = frame_index_;
    ++unvoiced_run_;
    voiced_run_ = 0;
    if (in_speech_ && unvoiced_run_ >= stop_frames_) {
      in_speech_ = false;
      out.speech_stopped = true;
      out.speech_stop_ms = static_cast<int64_t>(run_first_unvoiced_) * kFrameMs;
    }
  }
  out.in_speech = in_speech_;
  ++frame_index_;
  return out;
}

}  // namespace voqo::pipeline
