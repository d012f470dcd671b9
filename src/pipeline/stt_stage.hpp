#pragma once
/// The recognition stage of a call: the caller's audio of each utterance
/// goes from the media thread through a wait-free ring to a streaming
/// recogniser on the stage's serial queue (the worker pool), and the end of
/// the turn gets the final transcript by an urgent task.
///
/// Streaming: while the utterance is open the media thread posts a decode of
/// the buffered audio every ~200 ms of speech and every 40 ms once the caller
/// pauses (the end-of-turn search waits for the decode in flight, so that
/// decode is kept short: 200 ms blocks left pocketsphinx 30–100 ms of work,
/// up to 139 ms of the turn's latency). A streaming decode stops between
/// 40 ms blocks once its utterance's end of turn is queued; that urgent task
/// decodes the rest and only this utterance's audio (a loaded box may run it
/// after the caller has begun the next one).
///
/// Interims (InterimTranscript): the engine's partial(), polled at most every
/// 300 ms (on the Clock) and emitted only when changed, never while the
/// utterance may be a backchannel under the agent's voice. While the agent
/// speaks, every decode also hands the partial to `on_interim_words` (the
/// barge-in detector tells a backchannel from an interruption with it).
///
/// Threads: open/feed/stream/end_turn on the media thread (or the caller of
/// CallPipeline::finish once frames stop); the engine and the sink's calls
/// on the stage's queue, one at a time.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pipeline/clock.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/spsc_ring.hpp"
#include "pipeline/stage_executor.hpp"
#include "speech/stt.hpp"

namespace voqo::pipeline {

class SttStage {
 public:
  struct Hooks {
    std::function<bool()> agent_speaking;                    ///< partials are wanted for barge-in now (any thread)
    std::function<void(std::string_view)> on_interim_words;  ///< the partial, while the agent speaks
    FrameSink* sink = nullptr;                               ///< InterimTranscript, FinalTranscript
  };
  /// `post` runs tasks on the stage's serial queue; `stt` is this call's engine.
  SttStage(std::unique_ptr<speech::SpeechToText> stt, Post post, const Clock& clock, Hooks hooks);

  /// The utterance opened: writes its audio so far (`preroll` calls its
  /// function with up to two spans, oldest first) and begins it in the engine.
  template <typename Preroll>
  void open(const UtteranceStarted& u, bool under_agent, Preroll&& preroll) {
    utterance_ = u;
    under_agent_ = under_agent;
    preroll([this](std::span<const int16_t> pcm) { ring_.write(pcm); });
    post_([this] { (void)stt_->begin_utterance(); }, Lane::normal);
  }
  /// The next 20 ms of the open utterance.
  void feed(std::span<const int16_t> pcm) { ring_.write(pcm); }
  /// Posts a streaming decode when enough audio waits: 200 ms while
  /// `in_speech`, 40 ms in a pause. `at_frame` is the current frame.
  void stream(bool in_speech, int64_t at_frame);
  /// The turn is over: the urgent final decode of this utterance's audio.
  void end_turn(const UtteranceEnded& turn);
  /// The caller took the turn from the agent (barge-in): the open utterance
  /// is not a backchannel.
  void took_turn() { under_agent_ = false; }
  [[nodiscard]] bool under_agent() const { return under_agent_; }
  [[nodiscard]] std::size_t buffered() const { return ring_.size(); }
  /// The stage's memory (call_usage.hpp): the audio ring's touched bytes, its
  /// decode block, and the engine's own estimate (SpeechToText::memory_bytes).
  /// Call it from the stage's queue or once the queue is drained.
  [[nodiscard]] int64_t memory_bytes() const {
    return static_cast<int64_t>(ring_.touched_bytes() + block_.capacity() * sizeof(int16_t) + last_partial_.capacity()) +
           (stt_ ? stt_->memory_bytes() : 0);
  }

 private:
  void decode_until(std::size_t until, bool stop_for_end_of_turn);
  std::unique_ptr<speech::SpeechToText> stt_;
  Post post_;
  const Clock& clock_;
  Hooks hooks_;
  SpscRing<int16_t> ring_{16000 * 30};  // 30 s
  /// An end-of-turn task is queued and has not started: streaming decodes
  /// ahead of it stop and leave it the rest.
  std::atomic<bool> end_of_turn_queued_{false};
  // Media thread.
  UtteranceStarted utterance_;
  bool under_agent_ = false;
  // Stage queue.
  int64_t interim_utterance_ = -1;
  std::string last_partial_;
  SteadyTime last_poll_{};
  std::vector<int16_t> block_;
};

}  // namespace voqo::pipeline
