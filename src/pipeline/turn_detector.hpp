#pragma once
/// Turn detection on the caller's side (media thread): keeps a pre-roll of
/// the caller's audio, finds voiced runs in the VAD's per-frame decisions,
/// opens an utterance on speech and closes it by endpointing.
///
/// The rules (per 20 ms frame; "voiced" is VadFrame::voiced of the caller frame):
///  * Speech starts after `start_frames` (3 = 60 ms) voiced frames in a row;
///    the first speech of a closed turn opens an utterance whose first frame
///    is the run's first voiced frame. The recogniser then gets the pre-roll
///    first: the last `preroll_frames` (15 = 300 ms) frames, oldest first,
///    ending with the frame that opened it, so the onset of speech is heard.
///  * Speech stops after `stop_ms` (160 ms) of unvoiced frames; the
///    utterance stays open across such pauses.
///  * Endpointing: with speech stopped, the utterance ends on the frame
///    `silence_threshold_ms` (agents.silence_threshold_ms) of audio after the
///    last voiced frame ((frame − last voiced frame) × 20 ms ≥ threshold).
///    The silence is counted in the caller's audio, not on the wall clock: a
///    media tick a little early or late (jitter, a burst after a stall) must
///    neither cut the caller's pause short nor add a frame to every turn
///    (measured: comparing clock times instead added 20 ms to the p50 of
///    bench_turn_latency's own share). The Clock times the turn: the
///    UtteranceEnded carries when the last voiced frame and the decision were
///    processed, for TurnTiming.
///
/// Allocation-free after construction; not thread-safe (the media thread).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "pipeline/clock.hpp"
#include "pipeline/frames.hpp"

namespace voqo::pipeline {

struct TurnDetectorConfig {
  int silence_threshold_ms = 1000;  ///< agents.silence_threshold_ms
  int start_frames = 3;             ///< voiced frames in a row that start speech
  int stop_ms = 160;                ///< unvoiced audio that stops speech
  int preroll_frames = 15;          ///< frames of audio before the onset given to the recogniser
  int frame_samples = 320;          ///< 20 ms at 16 kHz
};

/// What one frame did to the turn.
struct TurnStep {
  std::optional<UtteranceStarted> started;  ///< an utterance opened: preroll() holds its audio so far, this frame included
  bool audio = false;                       ///< this frame belongs to the open utterance (and is not in the pre-roll)
  std::optional<UtteranceEnded> ended;      ///< endpointing closed the utterance after this frame
};

class TurnDetector {
 public:
  explicit TurnDetector(TurnDetectorConfig config = {});
  /// One caller frame (`frame_samples` samples), `frame` its index since the
  /// answer, `voiced` the VAD's decision, `now` the Clock's time.
  TurnStep process(int64_t frame, std::span<const int16_t> pcm, bool voiced, SteadyTime now);
  /// Ends the open utterance at `now` (the call ended while the caller
  /// talked); nullopt when none is open.
  std::optional<UtteranceEnded> close(SteadyTime now);
  /// The pre-roll in order, oldest first, as at most two spans.
  template <typename Fn>
  void preroll(Fn&& fn) const {
    const std::size_t split = static_cast<std::size_t>(pos_) * cfg_.frame_samples;
    fn(std::span<const int16_t>(ring_).subspan(split));
    if (split > 0) fn(std::span<const int16_t>(ring_).first(split));
  }
  [[nodiscard]] bool utterance_open() const { return open_; }
  [[nodiscard]] bool in_speech() const { return in_speech_; }
  [[nodiscard]] int64_t utterance() const { return utterance_; }
  [[nodiscard]] int64_t start_frame() const { return start_frame_; }
  [[nodiscard]] const TurnDetectorConfig& config() const { return cfg_; }

 private:
  UtteranceEnded end(SteadyTime now);
  TurnDetectorConfig cfg_;
  std::vector<int16_t> ring_;  // preroll_frames × frame_samples
  int pos_ = 0;                // next frame slot of ring_
  int voiced_run_ = 0, unvoiced_run_ = 0;
  bool in_speech_ = false, open_ = false;
  int64_t utterance_ = 0, start_frame_ = 0, last_voiced_frame_ = -1;
  SteadyTime last_voiced_at_{};
};

}  // namespace voqo::pipeline
