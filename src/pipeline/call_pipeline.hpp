#pragma once
/// One call's conversation pipeline (DESIGN.md "One Call owns one pipeline"):
///
///   media thread, every 20 ms (MediaHandler::on_frame):
///     caller audio (16 kHz) → recording → echo cancellation → VAD →
///     answering-machine detection → barge-in → endpointing (end of turn) →
///     audio to the STT stage;  agent audio ← TTS ring → recording
///   STT stage (serial queue on the worker pool):
///     utterance begin / audio / end → final transcript → control stage
///   control stage (serial queue): turn-taking and the brain; reply text is
///     synthesised sentence by sentence into the TTS ring as it arrives.
///
/// The media thread never blocks: it talks to the stages through wait-free
/// rings (audio) and posted events (rare). Barge-in is decided on the media
/// thread: it flushes the agent audio at once (the next packet is silence)
/// and cancels the brain and TTS through a stop token.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "brain/brain.hpp"
#include "core/worker_pool.hpp"
#include "speech/stt.hpp"
#include "speech/tts.hpp"
#include "telephony/media_engine.hpp"

namespace voqo::pipeline {

/// Turn-taking and call limits, from the agent row (the data model's agent
/// fields) plus voqo's own defaults.
struct PipelineConfig {
  int silence_threshold_ms = 1000;       ///< agents.silence_threshold_ms: silence that ends the caller's turn
  int response_delay_ms = 300;           ///< agents.response_delay_ms: pause before the agent answers
  double interruption_sensitivity = 0.5; ///< agents.interruption_sensitivity, 0–1
  int max_call_duration_min = 10;        ///< agents.max_call_duration_min
  int no_input_timeout_ms = 10000;       ///< silence before "Are you still there?" (then the same again → hang up)
  speech::Voice voice;                   ///< agents.voice_id / speech_rate / pitch
  bool outbound = true;
  bool detect_answering_machine = true;  ///< outbound only
  std::string voicemail_message;         ///< left after the beep; "" = hang up on a machine
  std::filesystem::path recording_path;  ///< stereo WAV (left caller, right agent); "" = no recording
  /// false = media plane only: the agent speaks its greeting on answer and
  /// the call is recorded, but nothing listens (no echo canceller, VAD, AMD,
  /// STT or further turns). For capacity measurements and announcements.
  bool conversation = true;
  std::string still_there_prompt = "Are you still there?";
  std::string goodbye_no_input = "I'll let you go for now. Goodbye!";
  std::string goodbye_max_duration = "I'm sorry, we're out of time for today. Thank you for your time, goodbye!";
};

/// Timestamps of one agent turn, in µs since the call was answered (the
/// stages of turn latency; 0 = not reached).
struct TurnTiming {
  int64_t last_caller_audio_us = 0;  ///< the last voiced caller frame
  int64_t end_of_turn_us = 0;        ///< silence_threshold_ms after it: turn ended
  int64_t final_transcript_us = 0;   ///< STT returned the final text
  int64_t brain_first_text_us = 0;   ///< the brain's first sentence
  int64_t first_audio_us = 0;        ///< TTS produced the first audio
  int64_t first_packet_us = 0;       ///< the first agent RTP packet of the reply left
  int64_t stt_compute_us = 0;        ///< time inside STT end_utterance
  int64_t brain_compute_us = 0;      ///< time inside the brain until its first sentence
  int64_t tts_compute_us = 0;        ///< time inside TTS until its first chunk
  int response_delay_ms = 0;         ///< the configured pause (not voqo's overhead)
};

/// What the pipeline leaves behind when the call ends.
struct PipelineResult {
  std::vector<brain::TranscriptEntry> transcript;
  brain::CallResult result;
  std::vector<TurnTiming> turns;
  std::string amd_verdict;   ///< "human", "machine" or "" when not run
  bool caller_spoke = false;
  std::string end_reason;    ///< why the pipeline ended the call ("" when the peer hung up)
};

/// Callbacks from the pipeline to its call (any thread).
struct PipelineHooks {
  std::function<void()> hang_up;                                  ///< end the call (BYE)
  std::function<void(const std::string& target)> transfer;        ///< blind transfer (REFER)
  std::function<void(const brain::TranscriptEntry&)> on_transcript;  ///< each final line, as it happens
  std::function<void(const std::string& event, const std::string& detail)> on_event;  ///< phase, barge-in, amd, ...
};

class CallPipeline final : public telephony::MediaHandler, public std::enable_shared_from_this<CallPipeline> {
 public:
  /// `tts` may be shared between calls (engines document their thread-safety);
  /// `stt` may be null when config.conversation is false.
  static Result<std::shared_ptr<CallPipeline>> create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                      std::shared_ptr<speech::TextToSpeech> tts,
                                                      std::unique_ptr<brain::Brain> brain, WorkerPool& pool,
                                                      PipelineHooks hooks);
  ~CallPipeline() override;

  /// The call was answered: starts the clock, AMD (outbound) and the greeting.
  void on_answered();
  /// The call ended (either side): stops the stages, asks the brain for the
  /// outcome/summary/memories and returns everything. Blocks (runs on the
  /// caller's thread, not the media or SIP thread).
  PipelineResult finish();

  // MediaHandler (media thread).
  void on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t tick) override;
  void on_dtmf(char digit, int duration_ms) override;

  struct Impl;

 private:
  explicit CallPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The share of a turn's latency that is voqo's own: (first packet − last
/// caller audio) minus the silence wait, the response delay and the engines'
/// compute (STT, brain, TTS), in µs. (The figure bench/ reports; target p95 ≤ 10 ms.)
int64_t own_overhead_us(const TurnTiming& t, int silence_threshold_ms);

}  // namespace voqo::pipeline
