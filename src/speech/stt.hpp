#pragma once
/// Speech-to-text engine interface (DESIGN.md "Engines behind small
/// interfaces"): streaming, one utterance at a time.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.hpp"
#include "speech/audio.hpp"

namespace voqo::speech {

/// The final result of one utterance.
struct Transcript {
  std::string text;  ///< recognised words, lower case, separated by single spaces; "" for silence
  /// Engine confidence in [0, 1]; its meaning is the engine's (PocketsphinxStt:
  /// the posterior probability of the best hypothesis in the word lattice).
  double confidence = 0.0;
  std::chrono::microseconds processing_time{0};  ///< wall time spent inside accept() and end_utterance()
  std::chrono::milliseconds audio_duration{0};   ///< audio accepted for this utterance
};

/// A streaming recogniser.
///
/// Thread-compatible, not thread-safe: one instance per call (per audio
/// stream), used by one thread at a time. Engines block, so callers run them
/// on a worker pool, never on the io threads (DESIGN.md "Threads").
///
/// Input is always 16 kHz mono signed 16-bit (`kWideband`). Narrowband
/// (8 kHz PCMU/PCMA) call audio must be resampled by the caller (or the call
/// negotiated as G.722); engines refuse other formats rather than guess.
class SpeechToText {
 public:
  virtual ~SpeechToText() = default;

  /// Starts an utterance of audio in `format`. Errors: ErrorCode::unsupported
  /// when `format` is not 16 kHz mono; ErrorCode::conflict when an utterance is
  /// already open; ErrorCode::internal when the engine fails.
  virtual Result<void> begin_utterance(AudioFormat format = kWideband) = 0;

  /// Feeds the next block of samples (16 kHz mono, any length, e.g. 320
  /// samples = 20 ms). Errors: ErrorCode::conflict outside an utterance;
  /// ErrorCode::internal when the engine fails.
  virtual Result<void> accept(std::span<const int16_t> samples_16khz) = 0;

  /// The interim hypothesis for the audio accepted so far ("" when none or
  /// outside an utterance). Cheap enough to call every ~100 ms.
  virtual std::string partial() = 0;

  /// Ends the utterance and returns its final transcript. Errors:
  /// ErrorCode::conflict outside an utterance; ErrorCode::internal.
  virtual Result<Transcript> end_utterance() = 0;

  /// Bytes of memory this instance holds for its call (part of the call's
  /// memory_bytes, core/call_usage.hpp): the engine's own estimate of its
  /// state; 0 (the default) for engines whose state lives at a provider.
  [[nodiscard]] virtual int64_t memory_bytes() const { return 0; }
};

/// Convenience: one whole utterance (begin, accept in 20 ms blocks, end).
/// Errors: those of the calls above (ErrorCode::unsupported when `audio` is
/// not 16 kHz mono).
Result<Transcript> transcribe(SpeechToText& stt, const PcmAudio& audio);

}  // namespace voqo::speech
