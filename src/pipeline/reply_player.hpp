#pragma once
/// One agent reply as a handle (LiveKit Agents' SpeechHandle): the control
/// stage begins a reply, synthesises its sentences into the player's ring
/// as the brain streams them, and seals it; the media thread plays it 20 ms
/// a frame from `play_not_before` (the response delay) on; it ends played
/// out (PlayoutDone), flushed by a barge-in within the frame it is decided
/// (BargeIn), or interrupted from any thread (Interrupted: a supervisor, the
/// call's end). What the caller heard of it is computed from where playout
/// stopped. One reply is current at a time; a new one supersedes the last
/// (reply ids 1, 2, ...; events of an older reply are stale).
///
/// Audio: mono PCM16 at 16 kHz in a 20 s ring (synthesis waits on the Clock
/// for playout when it is full). The first sentence of a reply starts at
/// its first audible sample (|x| > 64; flite opens with ~200 ms of silence,
/// which the caller would hear as latency), keeping 20 ms before it. TTS
/// output at another rate is resampled (speexdsp).
///
/// Threads: begin/speak/seal/settle/heard on the control stage; pull/flush
/// on the media thread (the ring's consumer); interrupt/close/playing from
/// any thread. Lock-free but for the stop source (a mutex, never on the
/// media thread's path except flush()'s stop request).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "brain/brain.hpp"
#include "pipeline/clock.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/spsc_ring.hpp"
#include "speech/tts.hpp"
#include "telephony/resampler.hpp"

namespace voqo::pipeline {

/// A sentence of a reply and where its audio sits in the ring's cumulative sample count.
struct SpokenSentence {
  std::string text;
  uint64_t start = 0, end = 0;
};

/// The text heard when playout stopped at cumulative sample `at`: whole
/// sentences before it and the played share of the cut one, snapped back to
/// a word boundary.
std::string heard_text(const std::vector<SpokenSentence>& sentences, uint64_t at);

/// What produces a reply: streams its sentences to the sink as they come
/// (the brain's greet/respond, or a fixed line) and returns the Reply.
using ReplySource = std::function<Result<brain::Reply>(const brain::TextSink&, std::stop_token)>;

/// A fixed line (a prompt, a goodbye, the voicemail message) as a
/// ReplySource: one sentence; `end_call` makes it the call's last reply.
ReplySource fixed_line(std::string text, bool end_call);

/// The agent's transcript line of a cut reply: what was heard, from its
/// first packet (or the cut) to the cut, marked interrupted. nullopt when
/// nothing was played or heard.
std::optional<model::TranscriptLine> cut_line(const ReplyCut& cut);

class ReplyPlayer {
 public:
  ReplyPlayer(std::shared_ptr<speech::TextToSpeech> tts, speech::Voice voice, Clock& clock);

  // ---- control stage ----
  /// A fresh stop token for the next reply (before it begins, so a
  /// supervisor command that comes meanwhile stops it through interrupt()).
  std::stop_token arm();
  /// Begins the next reply: it plays from `play_not_before` on. Returns its id.
  int begin(SteadyTime play_not_before);
  /// Synthesises one sentence of the current reply into the ring. False when
  /// synthesis failed or stopped (the stop token, or close()).
  bool speak(std::string_view sentence, std::stop_token stop);
  /// How the reply stands once the brain is done with it.
  enum class Sealed { playing, stopped, silent };
  /// Marks the end of the current reply's audio. `stopped`: its stop token
  /// was requested (when interrupt() stopped it before playout was flushed
  /// for it and it was still active, `cut` is set: settle it); `silent`:
  /// nothing to play (settle it as played out now); else `playing`.
  Sealed seal(std::stop_token stop, int64_t at_frame, std::optional<Interrupted>& cut);
  /// Settles reply `id` once (true the first time, for the current reply only).
  bool settle(int id);
  [[nodiscard]] bool settled() const { return settled_; }
  /// What was heard of the current reply when playout stopped at `heard_at`.
  ReplyCut cut(const Interrupted& at) const;
  /// Every sentence of the current reply, joined.
  [[nodiscard]] std::string text() const;
  /// The agent's transcript line of the current reply played out at
  /// `end_frame`: its text, from its first packet (or `end_frame`) to
  /// `end_frame`. nullopt when it said nothing.
  [[nodiscard]] std::optional<model::TranscriptLine> played_line(int64_t end_frame) const;
  [[nodiscard]] bool said_anything() const { return !sentences_.empty(); }
  /// The player's memory (call_usage.hpp): the audio ring's touched bytes,
  /// the synthesis buffers and the current reply's sentences. Control stage
  /// (or once it is drained).
  [[nodiscard]] int64_t memory_bytes() const;
  /// The first audio of the current reply: when it was ready, and the TTS
  /// compute until then (µs). nullopt before any audio.
  [[nodiscard]] std::optional<std::pair<SteadyTime, int64_t>> first_audio() const { return first_audio_; }
  /// When the current reply's first sentence came to speak() (the brain's
  /// first text). nullopt before any.
  [[nodiscard]] std::optional<SteadyTime> first_text_at() const { return first_text_; }

  // ---- media thread ----
  /// Fills `agent` (20 ms) with the reply's next audio once its time has
  /// come (left as is otherwise); PlayoutDone on the frame its last sample played.
  std::optional<PlayoutDone> pull(std::span<int16_t> agent, int64_t frame, SteadyTime now);
  /// Barge-in: drops the queued audio now and stops synthesis.
  Interrupted flush(int64_t frame);

  // ---- any thread ----
  /// Stops the current reply (playout stops at the media thread's next
  /// frame, synthesis and the brain at their next check). The Interrupted
  /// to settle when the reply was still active.
  std::optional<Interrupted> interrupt(int64_t frame);
  /// Stops for good (the call is over): synthesis waits no more.
  void close();
  /// The current reply is playing or about to (active and not flushed).
  [[nodiscard]] bool playing() const {
    return active_.load(std::memory_order_relaxed) && flushed_.load() != id_.load();
  }
  [[nodiscard]] bool active() const { return active_.load(); }
  /// The current reply's audio has begun to play.
  [[nodiscard]] bool audible() const { return first_packet_frame_.load(std::memory_order_relaxed) >= 0; }
  [[nodiscard]] int id() const { return id_.load(); }
  [[nodiscard]] int64_t first_packet_frame() const { return first_packet_frame_.load(); }
  [[nodiscard]] std::optional<SteadyTime> first_packet_at() const;
  /// When the call's first agent audio of any reply (the greeting, as a
  /// rule) went out: never reset by begin(). nullopt while the agent has
  /// not been heard. For the abandoned-call figure (issue 18 §9).
  [[nodiscard]] std::optional<SteadyTime> first_call_packet_at() const;
  /// Samples played (or dropped) so far, cumulative.
  [[nodiscard]] uint64_t played() const { return read_.load(); }
  /// MediaStream::play_soon: the first audio of a reply that may play now
  /// asks for the next 5 ms slot rather than the stream's 20 ms phase.
  void set_play_soon(std::function<void()> play_soon);

 private:
  void mark_flushed(int id);
  std::shared_ptr<speech::TextToSpeech> tts_;
  speech::Voice voice_;
  Clock& clock_;
  SpscRing<int16_t> ring_{16000 * 20};
  std::atomic<uint64_t> written_{0}, read_{0};
  std::atomic<uint64_t> end_sample_{UINT64_MAX};
  std::atomic<int> id_{0};
  std::atomic<int> flushed_{-1};
  std::atomic<bool> active_{false};
  std::atomic<bool> closed_{false};
  std::atomic<SteadyTime::rep> play_not_before_{0};
  std::atomic<int64_t> first_packet_frame_{-1};
  std::atomic<SteadyTime::rep> first_packet_at_{0};
  std::atomic<bool> heard_{false};  ///< first_call_packet_at_ is set (media thread writes once)
  std::atomic<SteadyTime::rep> first_call_packet_at_{0};
  std::mutex stop_mutex_;
  std::stop_source stop_;
  std::mutex play_soon_mutex_;
  std::function<void()> play_soon_;
  // Control stage.
  std::vector<SpokenSentence> sentences_;
  bool settled_ = true;
  std::optional<std::pair<SteadyTime, int64_t>> first_audio_;
  std::optional<SteadyTime> first_text_;
  std::optional<telephony::Resampler> resampler_;
  std::vector<int16_t> scratch_, lead_;
};

}  // namespace voqo::pipeline
