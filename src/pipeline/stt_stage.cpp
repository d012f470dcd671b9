#include "pipeline/stt_stage.hpp"

#include <algorithm>

namespace voqo::pipeline {
namespace {
constexpr std::size_t kFrame = 320;
constexpr auto kInterimEvery = std::chrono::milliseconds(300);
}  // namespace

SttStage::SttStage(std::unique_ptr<speech::SpeechToText> stt, Post post, const Clock& clock, Hooks hooks)
    : stt_(std::move(stt)), post_(std::move(post)), clock_(clock), hooks_(std::move(hooks)), block_(kFrame * 2) {}

void SttStage::decode_until(std::size_t until, bool stop_for_end_of_turn) {
  for (;;) {
    const std::size_t upto = stop_for_end_of_turn ? ring_.written() : until;
    if (stop_for_end_of_turn && end_of_turn_queued_.load(std::memory_order_acquire)) return;
    const std::size_t done = ring_.consumed();
    if (done >= upto) return;
    const std::size_t n = ring_.read(std::span<int16_t>(block_.data(), std::min(block_.size(), upto - done)));
    if (n == 0) return;
    (void)stt_->accept(std::span<const int16_t>(block_.data(), n));
  }
}

void SttStage::stream(bool in_speech, int64_t at_frame) {
  if (ring_.size() < kFrame * (in_speech ? 10 : 2)) return;
  const int64_t utt = utterance_.utterance, start = utterance_.start_frame;
  const bool under_agent = under_agent_;
  post_([this, utt, start, at_frame, under_agent] {
    // A background task (normal lane): it reads only what was written
    // before it saw the end-of-turn flag unset (the media thread sets the
    // flag before it writes the next utterance's audio and publishes the
    // ring's write position with release), so that audio is this utterance's.
    decode_until(0, true);
    if (end_of_turn_queued_.load(std::memory_order_acquire)) return;
    const bool poll = !under_agent && clock_.now() - last_poll_ >= kInterimEvery;
    const bool barge_check = hooks_.agent_speaking && hooks_.agent_speaking();
    if (!poll && !barge_check) return;
    std::string partial = stt_->partial();
    if (barge_check && hooks_.on_interim_words) hooks_.on_interim_words(partial);
    if (!poll) return;
    last_poll_ = clock_.now();
    if (partial.empty() || partial == last_partial_) return;
    last_partial_ = partial;
    interim_utterance_ = utt;
    if (hooks_.sink) hooks_.sink->emit(InterimTranscript{utt, start, at_frame, std::move(partial)});
  }, Lane::normal);
}

void SttStage::end_turn(const UtteranceEnded& turn) {
  const bool backchannel = under_agent_;
  const std::size_t until = ring_.written();
  end_of_turn_queued_.store(true, std::memory_order_release);
  post_([this, turn, backchannel, until] {
    // Engine compute: the audio still in the ring, then the final search.
    const auto t0 = clock_.now();
    end_of_turn_queued_.store(false, std::memory_order_relaxed);
    decode_until(until, false);
    FinalTranscript f{turn, stt_->end_utterance(), 0, {}, backchannel, interim_utterance_ == turn.utterance};
    f.decoded_at = clock_.now();
    f.compute_us = std::chrono::duration_cast<std::chrono::microseconds>(f.decoded_at - t0).count();
    interim_utterance_ = -1;
    last_partial_.clear();
    if (hooks_.sink) hooks_.sink->emit(std::move(f));
  }, Lane::urgent);
}

}  // namespace voqo::pipeline
