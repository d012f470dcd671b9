#include "pipeline/echo_canceller.hpp"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "pipeline/audio_level.hpp"

namespace voqo::pipeline {

namespace {
constexpr double kGeigelDb = 6.0;      // G.168 Geigel threshold (half amplitude)
constexpr double kPowerSmooth = 0.04;  // τ ≈ 25 frames = 0.5 s
constexpr double kLossUp = 0.02;       // τ ≈ 50 frames = 1 s
constexpr double kLossDown = 0.03;     // τ ≈ 33 frames ≈ 0.7 s

double power_of(double dbfs) { return std::pow(10.0, dbfs / 10.0); }
}  // namespace

Result<EchoCanceller> EchoCanceller::create(const EchoCancellerConfig& config) {
  if (config.sample_rate_hz != 16000 && config.sample_rate_hz != 8000)
    return std::unexpected(Error::invalid("sampleRateHz", "must be 8000 or 16000"));
  if (config.filter_ms < 20 || config.filter_ms > 1000)
    return std::unexpected(Error::invalid("filterMs", "must be within 20..1000"));
  if (config.max_echo_delay_ms < 20 || config.max_echo_delay_ms > 2000)
    return std::unexpected(Error::invalid("maxEchoDelayMs", "must be within 20..2000"));
  EchoCanceller ec;
  ec.config_ = config;
  ec.frame_samples_ = static_cast<std::size_t>(config.sample_rate_hz / 50);
  ec.peak_frames_ = std::clamp<std::size_t>(static_cast<std::size_t>(config.max_echo_delay_ms / 20), 1, kMaxPeakFrames);
  const int frame = static_cast<int>(ec.frame_samples_);
  const int taps = config.filter_ms * config.sample_rate_hz / 1000;
  ec.echo_ = speex_echo_state_init(frame, taps);
  if (!ec.echo_) return std::unexpected(Error{ErrorCode::internal, "speex_echo_state_init failed", {}});
  int rate = config.sample_rate_hz;
  speex_echo_ctl(ec.echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  if (config.residual_suppression) {
    ec.pre_ = speex_preprocess_state_init(frame, rate);
    if (!ec.pre_) return std::unexpected(Error{ErrorCode::internal, "speex_preprocess_state_init failed", {}});
    int on = 1, off = 0;
    int echo_suppress = config.echo_suppress_db, echo_active = config.echo_suppress_active_db;
    int noise_suppress = config.noise_suppress_db;
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_DENOISE, &on);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_AGC, &off);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_DEREVERB, &off);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &noise_suppress);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &echo_suppress);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &echo_active);
    speex_preprocess_ctl(ec.pre_, SPEEX_PREPROCESS_SET_ECHO_STATE, ec.echo_);
  }
  ec.reset();
  return ec;
}

void EchoCanceller::destroy() {
  if (pre_) speex_preprocess_state_destroy(pre_);
  if (echo_) speex_echo_state_destroy(echo_);
  pre_ = nullptr;
  echo_ = nullptr;
}

EchoCanceller::~EchoCanceller() { destroy(); }

EchoCanceller::EchoCanceller(EchoCanceller&& o) noexcept { *this = std::move(o); }

EchoCanceller& EchoCanceller::operator=(EchoCanceller&& o) noexcept {
  if (this != &o) {
    destroy();
    config_ = o.config_;
    frame_samples_ = o.frame_samples_;
    echo_ = std::exchange(o.echo_, nullptr);
    pre_ = std::exchange(o.pre_, nullptr);
    ref_ = o.ref_;
    near_ = o.near_;
    out_ = o.out_;
    ref_levels_ = o.ref_levels_;
    peak_frames_ = o.peak_frames_;
    ref_pos_ = o.ref_pos_;
    near_power_ = o.near_power_;
    out_power_ = o.out_power_;
    erle_db_ = o.erle_db_;
    echo_loss_db_ = o.echo_loss_db_;
  }
  return *this;
}

void EchoCanceller::reset() {
  if (echo_) speex_echo_state_reset(echo_);
  ref_levels_.fill(-96.0);
  ref_pos_ = 0;
  near_power_ = 0;
  out_power_ = 0;
  erle_db_ = 0;
  echo_loss_db_ = config_.initial_echo_loss_db;
}

EchoFrame EchoCanceller::process(std::span<const int16_t> reference, std::span<const int16_t> near,
                                 std::span<int16_t> out) {
  const std::size_t n = frame_samples_;
  auto copy_padded = [n](std::span<const int16_t> in, std::array<int16_t, kMaxFrame>& to) {
    const std::size_t k = std::min(in.size(), n);
    std::copy_n(in.begin(), k, to.begin());
    std::fill(to.begin() + static_cast<std::ptrdiff_t>(k), to.begin() + static_cast<std::ptrdiff_t>(n), int16_t{0});
  };
  copy_padded(reference, ref_);
  copy_padded(near, near_);
  const std::span<const int16_t> ref_frame(ref_.data(), n), near_frame(near_.data(), n), out_frame(out_.data(), n);

  speex_echo_cancellation(echo_, near_.data(), ref_.data(), out_.data());
  if (pre_) speex_preprocess_run(pre_, out_.data());
  std::copy_n(out_.begin(), std::min(out.size(), n), out.begin());

  EchoFrame f;
  f.reference_level_dbfs = level_dbfs(ref_frame);
  f.near_level_dbfs = level_dbfs(near_frame);
  f.out_level_dbfs = level_dbfs(out_frame);
  ref_levels_[ref_pos_] = f.reference_level_dbfs;
  ref_pos_ = (ref_pos_ + 1) % peak_frames_;
  f.reference_peak_dbfs = *std::max_element(ref_levels_.begin(), ref_levels_.begin() + static_cast<std::ptrdiff_t>(peak_frames_));
  f.far_active = f.reference_peak_dbfs >= config_.far_active_dbfs;
  f.double_talk = f.far_active && f.near_level_dbfs > f.reference_peak_dbfs - kGeigelDb;

  if (f.far_active && !f.double_talk) {
    near_power_ += kPowerSmooth * (power_of(f.near_level_dbfs) - near_power_);
    out_power_ += kPowerSmooth * (power_of(f.out_level_dbfs) - out_power_);
    if (out_power_ > 0 && near_power_ > 0)
      erle_db_ = std::clamp(10.0 * std::log10(near_power_ / out_power_), 0.0, 60.0);
    const double measured = std::clamp(f.reference_peak_dbfs - f.out_level_dbfs, 0.0, 80.0);
    echo_loss_db_ += (measured > echo_loss_db_ ? kLossUp : kLossDown) * (measured - echo_loss_db_);
  }
  f.erle_db = erle_db_;
  f.echo_loss_db = echo_loss_db_;
  return f;
}

}  // namespace voqo::pipeline
