#pragma once
/// Voice activity detection for one audio stream (one direction of one call),
/// run on the media thread every 20 ms frame.
///
/// The decision per frame combines two detectors (both must agree):
///
///  1. WebRTC's statistical VAD, through the webrtc-audio-processing library
///     (Debian libwebrtc-audio-processing 0.3: AudioProcessing with only
///     voice_detection() enabled, likelihood kLowLikelihood = WebRTC VAD mode 2,
///     fed two 10 ms AudioFrames per 20 ms frame). It models speech and noise
///     with Gaussian mixtures over six sub-band log energies and adapts its noise
///     model, so it rejects stationary noise of any level; it says "voice" on
///     its first ~8 frames of any signal (initialisation transient, measured)
///     and holds "voice" for up to ~90 ms after speech (its own hangover).
///  2. An adaptive noise-floor energy gate: the frame's RMS level L (dBFS) must
///     reach F + `gate_margin_db`, where the noise floor F is the minimum frame
///     level over the last `noise_window_ms` (minimum statistics, R. Martin,
///     "Noise power spectral density estimation based on optimal smoothing and
///     minimum statistics", IEEE TSAP 2001; here on broadband frame power,
///     smoothed first-order with α = 0.5 as Martin smooths before taking
///     minima, the first two frames of a stream only priming the smoother;
///     tracked as the minimum of 10 sub-window minima, without bias
///     compensation; frames of digital silence, below −90 dBFS, are left out
///     of the statistics), and never below `min_noise_floor_dbfs` (so signals
///     quieter than min_noise_floor_dbfs + gate_margin_db, −56 dBFS by default,
///     are never voiced, e.g. comfort noise over digital silence). The gate
///     covers what the statistical VAD gets wrong: its start-up transient,
///     non-stationary noise bursts at noise level, and echo residue near the
///     floor. Speech holds the floor down through its own pauses (a 2 s window
///     of speech always contains inter-word dips), while a rise in background
///     noise lifts the floor after one window.
///
/// A frame is voiced when the WebRTC VAD says voice in at least one of its two
/// 10 ms halves and the gate is open. Hysteresis then turns voiced frames into
/// speech events: speech starts after `start_ms` of consecutive voiced frames
/// (reported with the time of the run's first voiced frame) and stops after
/// `stop_ms` of consecutive unvoiced frames (reported with the time of the
/// first unvoiced frame).
///
/// Hot path: process() allocates nothing, never throws, and takes no lock but
/// the library's own per-instance critical section inside
/// AudioProcessing::ProcessStream (never contended: one instance per stream,
/// one thread). Thread-compatible, not thread-safe. Move-only.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "core/error.hpp"

namespace webrtc {
class AudioProcessing;
class AudioFrame;
}  // namespace webrtc

namespace voqo::pipeline {

/// Detector settings. Defaults suit telephone speech at 16 kHz.
struct VadConfig {
  int sample_rate_hz = 16000;          ///< 16000 or 8000 (frames are 20 ms: 320 or 160 samples)
  int start_ms = 60;                   ///< voiced time before speech_started (multiple of 20 ms, rounded up)
  int stop_ms = 160;                   ///< unvoiced time before speech_stopped (multiple of 20 ms, rounded up)
  double gate_margin_db = 9.0;         ///< level above the noise floor that a voiced frame needs
  int noise_window_ms = 2000;          ///< minimum-statistics window of the noise floor
  double min_noise_floor_dbfs = -65.0; ///< the noise floor never goes below this
};

/// The analysis of one 20 ms frame.
struct VadFrame {
  uint64_t frame_index = 0;       ///< frames since creation/reset (0-based); time = index × 20 ms
  bool voiced = false;            ///< this frame holds speech (both detectors agree)
  double probability = 0;         ///< soft score in [0,1]: share of WebRTC-voiced 10 ms halves × gate
                                  ///< openness (0.5 at the gate threshold, ±6 dB → 1/0); voiced ⇒ ≥ 0.25
  double level_dbfs = -96;        ///< RMS level (dBFS, −96 for digital silence), see level_dbfs()
  double noise_floor_dbfs = -96;  ///< the tracked noise floor F
  bool in_speech = false;         ///< hysteresis state after this frame
  bool speech_started = false;    ///< speech began (edge); see speech_start_ms
  bool speech_stopped = false;    ///< speech ended (edge); see speech_stop_ms
  int64_t speech_start_ms = -1;   ///< when speech_started: time of the run's first voiced frame
  int64_t speech_stop_ms = -1;    ///< when speech_stopped: time of the first unvoiced frame after speech
};

/// Per-stream voice activity detector (see the file comment for the rule).
class VoiceActivityDetector {
 public:
  /// Creates a detector. Errors: ErrorCode::invalid_argument (field
  /// "sampleRateHz", "startMs", "stopMs" or "noiseWindowMs") for a rate other
  /// than 8000/16000 or a non-positive duration; ErrorCode::internal when the
  /// WebRTC library refuses to initialise.
  static Result<VoiceActivityDetector> create(const VadConfig& config = {});

  ~VoiceActivityDetector();
  VoiceActivityDetector(VoiceActivityDetector&&) noexcept;
  VoiceActivityDetector& operator=(VoiceActivityDetector&&) noexcept;
  VoiceActivityDetector(const VoiceActivityDetector&) = delete;
  VoiceActivityDetector& operator=(const VoiceActivityDetector&) = delete;

  /// Samples in one 20 ms frame: sample_rate_hz / 50 (320 at 16 kHz).
  [[nodiscard]] std::size_t frame_samples() const { return frame_samples_; }
  [[nodiscard]] const VadConfig& config() const { return config_; }

  /// Analyses the next 20 ms frame (mono s16 at the configured rate). A frame
  /// of another length is zero-padded or truncated to frame_samples() (the
  /// pipeline always passes whole frames). Allocation-free, never throws.
  VadFrame process(std::span<const int16_t> frame);

  /// Starts a new stream: clears the hysteresis, the noise floor, the frame
  /// counter and the WebRTC VAD state (re-initialising the library, which
  /// allocates: call it between calls, not every tick).
  void reset();

 private:
  explicit VoiceActivityDetector(const VadConfig& config);

  static constexpr int kSubWindows = 10;
  VadConfig config_;
  std::size_t frame_samples_ = 320;
  int start_frames_ = 3;
  int stop_frames_ = 8;
  int sub_window_frames_ = 10;
  std::unique_ptr<webrtc::AudioProcessing> apm_;
  std::unique_ptr<webrtc::AudioFrame> audio_frame_;
  // Minimum statistics: minima of the last kSubWindows sub-windows (ring) + the current one.
  std::array<double, kSubWindows> sub_min_{};
  int sub_count_ = 0;        // sub-windows completed (saturates at kSubWindows)
  int sub_pos_ = 0;          // ring position of the next completed sub-window
  int frames_in_sub_ = 0;
  double current_min_ = 0;
  double smoothed_power_ = 0;  // frame power, first-order smoothed
  int primed_frames_ = 0;
  // Hysteresis.
  uint64_t frame_index_ = 0;
  bool in_speech_ = false;
  int voiced_run_ = 0;
  int unvoiced_run_ = 0;
  uint64_t run_first_voiced_ = 0;
  uint64_t run_first_unvoiced_ = 0;
};

}  // namespace voqo::pipeline
