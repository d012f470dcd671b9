#pragma once
/// Sample-rate conversion of mono signed 16-bit audio with the speexdsp
/// resampler (Debian 12: speexdsp 1.2.1; a windowed-sinc polyphase filter).
/// Used between the call's codec rate and the speech engines' 16 kHz:
/// 8000 → 16000 (PCMU/PCMA caller audio to STT), 16000 → 8000 (TTS to PCMU/PCMA),
/// 22050 → 16000 / 8000 (espeak-ng output).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/error.hpp"

struct SpeexResamplerState_;

namespace voqo::telephony {

/// A streaming resampler for one audio stream (one direction of one call).
/// It keeps filter history between process() calls, so feeding a signal in
/// chunks of any sizes gives the same output as feeding it at once.
/// Thread-compatible, not thread-safe. Move-only.
class Resampler {
 public:
  /// Creates a resampler from `from_hz` to `to_hz` (both positive, e.g. 8000 and
  /// 16000) at speex quality `quality` (0 = fastest … 10 = best; speex calls
  /// 3 its VoIP and 5 its desktop setting; 5 is flat within 0.01 dB at 1 kHz,
  /// see tests/unit/codec_test.cpp, and costs ~4 µs per 20 ms at 8 ↔ 16 kHz).
  /// Errors: ErrorCode::invalid_argument (field "fromHz", "toHz" or "quality")
  /// for a non-positive rate or a quality outside 0..10; ErrorCode::internal
  /// when speexdsp refuses.
  static Result<Resampler> create(int from_hz, int to_hz, int quality = 5);

  ~Resampler();
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  [[nodiscard]] int from_hz() const { return from_hz_; }
  [[nodiscard]] int to_hz() const { return to_hz_; }

  /// Upper bound on the output samples that process() appends for `in_samples`
  /// input samples (≈ in × to/from, plus rounding); reserve this once to keep
  /// process() allocation-free.
  [[nodiscard]] std::size_t max_output(std::size_t in_samples) const;

  /// Resamples `in` (mono s16 at from_hz) and appends the output (mono s16 at
  /// to_hz) to `out`; all of `in` is consumed. Over a stream, output samples ≈
  /// input samples × to/from (the fractional remainder carries over to the next
  /// call). The first latency_samples() output samples of a stream are the
  /// filter's delay (they start from silence). Allocation-free when `out` has
  /// max_output(in.size()) spare capacity. Errors: ErrorCode::internal when
  /// speexdsp reports an error (the output appended so far is kept).
  Result<void> process(std::span<const int16_t> in, std::vector<int16_t>& out);

  /// Clears the filter history (a new stream); the next output again starts
  /// with latency_samples() of delay.
  void reset();

  /// The resampler's delay in output samples (speex_resampler_get_output_latency):
  /// a feature at input time t appears at output index ≈ t × to_hz + latency.
  /// 8 → 16 kHz at quality 5: 80 samples (5 ms).
  [[nodiscard]] int latency_samples() const;

 private:
  Resampler(SpeexResamplerState_* state, int from_hz, int to_hz);
  SpeexResamplerState_* state_ = nullptr;
  int from_hz_ = 0;
  int to_hz_ = 0;
};

}  // namespace voqo::telephony
