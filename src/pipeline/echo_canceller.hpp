#pragma once
/// Acoustic/line echo cancellation of a call's caller audio: the agent's
/// synthesized voice comes back on the caller channel (a handset or speaker
/// phone on the far end, a 2-wire/4-wire hybrid in the network), delayed by
/// the network and the far-end echo path (50–300 ms) and attenuated. Without
/// removal, the agent would hear itself and interrupt itself (barge-in).
///
/// Engine: speexdsp 1.2 (Debian libspeexdsp-dev). speex_echo_state_init with a
/// 20 ms frame and a `filter_ms` adaptive filter (MDF: multi-delay block
/// frequency-domain NLMS, J.-M. Valin, "On adjusting the learning rate in
/// frequency domain echo cancellation with double-talk", IEEE TASLP 2007),
/// followed by speex_preprocess_run with SPEEX_PREPROCESS_SET_ECHO_STATE for
/// residual echo suppression (and speex's stationary-noise suppression).
/// The linear filter only cancels echo whose delay plus tail fits in
/// `filter_ms`. The default is 400 ms rather than speex's customary ~256 ms
/// because call echo arrives 50–300 ms late (network + far-end path) and
/// still has a tail after that; it costs ~1.2× the CPU of 256 ms (see
/// bench/bench_vad.cpp) and converges a little more slowly.
///
/// Measurements, per 20 ms frame (levels in dBFS, see level_dbfs()):
///  * far-end activity: the loudest reference frame of the last
///    `max_echo_delay_ms` (so delayed echo still counts as "far active") is at
///    least `far_active_dbfs`;
///  * double talk (Geigel detector, ITU-T G.168 §A: near-end speech is present
///    when the near input is louder than the recent far-end peak minus 6 dB,
///    i.e. louder than any echo through a ≥ 6 dB echo-return-loss path);
///  * ERLE (echo return loss enhancement, G.168 §3): 10·log10 of smoothed
///    input power over smoothed output power, over far-active single-talk
///    frames (exponential smoothing, τ ≈ 0.5 s);
///  * echo loss: the total loss from the reference to the cleaned output
///    (ERL + ERLE), i.e. how far below the recent reference peak any echo left
///    in the output lies. It starts at `initial_echo_loss_db` (G.168's minimum
///    ERL of 6 dB) and follows per-frame measurements (recent reference peak −
///    output level) over far-active single-talk frames, slowly both ways
///    (τ ≈ 1 s up, ≈ 0.7 s down) so that a short loud residue or undetected
///    double talk moves it little. The barge-in detector uses it to predict the
///    echo level from the reference level.
///
/// Hot path: process() allocates nothing, takes no lock, never throws.
/// Thread-compatible, not thread-safe. Move-only.
#include <array>
#include <cstdint>
#include <span>

#include "core/error.hpp"

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace voqo::pipeline {

/// Canceller settings.
struct EchoCancellerConfig {
  int sample_rate_hz = 16000;        ///< 16000 or 8000; frames are 20 ms (320 / 160 samples)
  int filter_ms = 400;               ///< adaptive filter length (echo delay + tail it can model), 20..1000
  bool residual_suppression = true;  ///< run speex_preprocess (residual echo + noise suppression)
  int echo_suppress_db = -40;        ///< residual echo attenuation, far end alone (speex default)
  int echo_suppress_active_db = -15; ///< residual echo attenuation during double talk (speex default)
  int noise_suppress_db = -15;       ///< stationary noise attenuation (speex default)
  int max_echo_delay_ms = 400;       ///< window of the recent reference peak (covers the echo delay)
  double far_active_dbfs = -50.0;    ///< a reference peak at least this loud means "agent audible"
  double initial_echo_loss_db = 6.0; ///< echo loss assumed before any measurement (G.168 minimum ERL)
};

/// Measurements of one frame.
struct EchoFrame {
  double near_level_dbfs = -96;       ///< caller frame before cancellation
  double out_level_dbfs = -96;        ///< caller frame after cancellation (+ suppression)
  double reference_level_dbfs = -96;  ///< agent frame played this tick
  double reference_peak_dbfs = -96;   ///< loudest agent frame of the last max_echo_delay_ms
  bool far_active = false;            ///< reference_peak_dbfs ≥ far_active_dbfs
  bool double_talk = false;           ///< Geigel: near_level > reference_peak − 6 dB (only when far_active)
  double erle_db = 0;                 ///< smoothed ERLE estimate (≥ 0)
  double echo_loss_db = 6;            ///< smoothed reference-to-output echo loss estimate
};

/// One call's echo canceller (caller direction).
class EchoCanceller {
 public:
  /// Creates a canceller. Errors: ErrorCode::invalid_argument (field
  /// "sampleRateHz", "filterMs" or "maxEchoDelayMs") for a rate other than
  /// 8000/16000, filter_ms outside 20..1000 or max_echo_delay_ms outside 20..2000;
  /// ErrorCode::internal when speexdsp refuses.
  static Result<EchoCanceller> create(const EchoCancellerConfig& config = {});

  ~EchoCanceller();
  EchoCanceller(EchoCanceller&&) noexcept;
  EchoCanceller& operator=(EchoCanceller&&) noexcept;
  EchoCanceller(const EchoCanceller&) = delete;
  EchoCanceller& operator=(const EchoCanceller&) = delete;

  /// Samples per 20 ms frame (320 at 16 kHz).
  [[nodiscard]] std::size_t frame_samples() const { return frame_samples_; }

  /// One tick: `reference` is the agent frame played out this tick (far end;
  /// empty or shorter = silence-padded), `near` the caller frame received this
  /// tick (shorter = zero-padded); writes the cleaned caller frame to `out`
  /// (its first frame_samples() samples; `out` may not alias `near`, and a
  /// shorter `out` receives a prefix). Allocation-free, never throws.
  EchoFrame process(std::span<const int16_t> reference, std::span<const int16_t> near, std::span<int16_t> out);

  /// Current estimates (as in the last EchoFrame).
  [[nodiscard]] double erle_db() const { return erle_db_; }
  [[nodiscard]] double echo_loss_db() const { return echo_loss_db_; }

  /// Forgets the adaptive filter and the estimates (a new call).
  void reset();

 private:
  EchoCanceller() = default;
  void destroy();

  static constexpr std::size_t kMaxFrame = 320;
  static constexpr std::size_t kMaxPeakFrames = 100;  // 2 s of 20 ms frames
  EchoCancellerConfig config_;
  std::size_t frame_samples_ = 320;
  SpeexEchoState_* echo_ = nullptr;
  SpeexPreprocessState_* pre_ = nullptr;
  std::array<int16_t, kMaxFrame> ref_{};
  std::array<int16_t, kMaxFrame> near_{};
  std::array<int16_t, kMaxFrame> out_{};
  std::array<double, kMaxPeakFrames> ref_levels_{};
  std::size_t peak_frames_ = 20;
  std::size_t ref_pos_ = 0;
  double near_power_ = 0;
  double out_power_ = 0;
  double erle_db_ = 0;
  double echo_loss_db_ = 6;
};

}  // namespace voqo::pipeline
