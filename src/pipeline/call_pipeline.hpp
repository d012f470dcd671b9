#pragma once
/// One call's conversation pipeline (DESIGN.md "One Call owns one pipeline"),
/// an orchestrator over stages that own their state (one class per file):
///
///   media thread, every 20 ms (MediaHandler::on_frame):
///     agent audio ← ReplyPlayer → LevelMeter → SupervisorMixer → CallRecorder;
///     caller audio → CallerInput (EchoCanceller → VoiceActivityDetector) →
///     LevelMeter → AmdStage → BargeInDetector → TurnDetector (pre-roll,
///     voiced runs, endpointing) → SttStage's ring; then CallTimers
///   STT stage (SttStage, a serial queue): streaming decode, interims, the
///     final transcript of each turn
///   control stage (a serial queue): turn-taking and the brain; reply text is
///     synthesised sentence by sentence into the ReplyPlayer as it arrives.
///   live stage (a serial queue): the hooks, in order.
///
/// Stages hand the orchestrator events (pipeline/frames.hpp). The media
/// thread never blocks: it talks to the stages through wait-free rings
/// (audio) and posted events (rare). Barge-in is decided on the media
/// thread: it flushes the agent audio at once (the next packet is silence)
/// and cancels the brain and TTS through a stop token. Every timer reads the
/// injected Clock (pipeline/clock.hpp).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
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
#include "core/worker_pool.hpp"
#include "model/transcript_line.hpp"
#include "pipeline/clock.hpp"
#include "pipeline/stage_executor.hpp"
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
  /// agents.greet_on_answer (outbound): greet at the answer rather than on the
  /// callee's hello / AMD's verdict / 2 s of silence. AMD still listens: a
  /// machine's verdict supersedes the greeting with the voicemail message.
  bool greet_on_answer = false;
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

/// What a call's work cost (core/call_usage.hpp; stored as calls.cpu_ms,
/// memory_bytes, api_calls and added to its swarm agent's totals).
struct ResourceUse {
  /// Thread CPU time, ms (rounded up): every task of the call's stages on
  /// the worker pool (STT, the brain and TTS on the control stage, the live
  /// hooks) and finish() (the brain's summary), measured whole; plus the
  /// pipeline's chain on the media thread, sampled (every 8th frame measured,
  /// counted 8 times). Not counted: the media engine's own RTP and codec
  /// work, SIP, and the store's writes.
  int64_t cpu_ms = 0;
  /// The call's own memory at its largest, bytes: the pipeline's state
  /// (sizeof), the bytes its audio rings ever held (reply playout, up to 20 s,
  /// and speech-to-text, up to 30 s, of 16 kHz PCM16: pages are mapped as
  /// they are first written), its synthesis and decode buffers, the text it
  /// keeps (transcript lines, the reply's sentences, the summary), and its
  /// speech-to-text engine's state (SpeechToText::memory_bytes: PocketSphinx
  /// = the model files its decoder loads). Shared engines (TTS, the TTS
  /// cache, the LLM) and the media engine's buffers are not the call's.
  /// Every part only grows during a call, so the value at finish() is the peak.
  int64_t memory_bytes = 0;
  /// HTTP requests (and WebSocket sessions) to providers made for the call:
  /// LLM chat completions, hosted STT and TTS, tool calls.
  int64_t api_calls = 0;
};

/// What the pipeline leaves behind when the call ends.
struct PipelineResult {
  ResourceUse usage;  ///< what the call's work cost
  std::vector<model::TranscriptLine> transcript;  ///< the final lines, in call order (is_final, with their entry ids)
  brain::CallResult result;
  std::vector<TurnTiming> turns;
  std::string amd_verdict;   ///< "human", "machine" or "" when not run
  bool caller_spoke = false;
  std::string end_reason;    ///< why the pipeline ended the call ("" when the peer hung up)
  /// The answer → the agent's first RTP packet of speech (any reply: the
  /// greeting, as a rule), ms; nullopt when the agent was never heard (or
  /// the call was never answered). Abandoned calls are told by it (issue 18 §9).
  std::optional<int64_t> agent_audio_after_answer_ms;
};

/// Callbacks from the pipeline to its call. hang_up and transfer run on the
/// control stage; every other hook runs on the pipeline's live stage (a
/// serial queue on the worker pool): never on the media thread, one at a
/// time, in the order the pipeline produced them, and never after finish()
/// has returned.
struct PipelineHooks {
  std::function<void()> hang_up;                                  ///< end the call (BYE)
  std::function<void(const std::string& target)> transfer;        ///< blind transfer (REFER)
  std::function<void(const model::TranscriptLine&)> on_transcript;  ///< each final line, as it happens
  /// phase, intent, barge_in, backchannel, amd, dtmf, transfer, hangup, supervisor, ...
  std::function<void(const std::string& event, const std::string& detail)> on_event;
  /// Interim and final lines, as they form (model::TranscriptLine's rules:
  /// interims then their final under one entry id, "" finals retract).
  std::function<void(const model::TranscriptLine&)> on_live_line;
  /// Every 200 ms of media (10 frames) from the answer: the agent's and the
  /// caller's level over those 200 ms as meter_percent() of their RMS dBFS
  /// (0–100; the agent's own voice, the caller after echo cancellation), and
  /// who is speaking: "caller" when ≥ 60 ms of the window were voiced (VAD)
  /// and at least as many as the agent's audible frames, else "agent" when
  /// ≥ 60 ms of agent audio were above −50 dBFS, else "".
  std::function<void(int agent_gain, int customer_gain, std::string_view current_speaker)> on_levels;
  std::function<void(const brain::Reply&)> on_turn;  ///< the brain's Reply after each of its turns (greet, respond)
};

/// A supervisor's audio leg on a call (CallPipeline::join). Mono PCM16 at
/// 16 kHz. Thread-safe; leave() on destruction.
class SupervisorLeg {
 public:
  virtual ~SupervisorLeg() = default;
  /// Queues the supervisor's audio: mixed (added, saturating) into what the
  /// caller hears, 20 ms per media frame. Wait-free hand-off to the media
  /// thread (an SPSC ring; concurrent speak() calls serialise on a mutex off
  /// the media thread). Audio more than 1 s ahead of playout is dropped,
  /// oldest first. While it is voiced (a 20 ms frame above −45 dBFS, with
  /// 500 ms hangover) the agent stops talking and starts no reply.
  virtual void speak(std::span<const int16_t> pcm_16khz) = 0;
  /// Receives the call as heard on the line: the caller plus the agent (and
  /// other supervisors, not this one's own voice), 20 ms frames of 320
  /// samples, called on the media thread (copy and return). A frame may be
  /// skipped while set_listener() is replacing the function.
  virtual void set_listener(std::function<void(std::span<const int16_t>)> on_frame) = 0;
  /// Detaches (idempotent): no more listener calls once it returns; audio not yet played is dropped.
  virtual void leave() = 0;
};

/// Where a pipeline takes its time and runs its stages. Production: the
/// steady clock and the call service's worker pool (the create() overload
/// with a WorkerPool); tests: a VirtualClock and an executor the test
/// drains (tests/support/stage_harness.hpp). The clock must outlive the
/// pipeline; the executor only needs to outlive create() unless its queues
/// say otherwise (PoolExecutor's need only the pool; the test executor runs
/// the tasks itself, so it outlives the pipeline).
struct PipelineRuntime {
  Clock* clock = nullptr;             ///< null = SteadyClock::instance()
  StageExecutor* executor = nullptr;  ///< required
};

class CallPipeline final : public telephony::MediaHandler, public std::enable_shared_from_this<CallPipeline> {
 public:
  /// `tts` may be shared between calls (engines document their thread-safety);
  /// `stt` may be null when config.conversation is false.
  static Result<std::shared_ptr<CallPipeline>> create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                      std::shared_ptr<speech::TextToSpeech> tts,
                                                      std::unique_ptr<brain::Brain> brain, WorkerPool& pool,
                                                      PipelineHooks hooks);
  /// The same on an explicit clock and executor. Errors as above, and
  /// ErrorCode::internal without an executor.
  static Result<std::shared_ptr<CallPipeline>> create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                      std::shared_ptr<speech::TextToSpeech> tts,
                                                      std::unique_ptr<brain::Brain> brain, PipelineRuntime runtime,
                                                      PipelineHooks hooks);
  ~CallPipeline() override;

  /// The call was answered: starts the clock, AMD (outbound) and the greeting.
  void on_answered();
  /// The call ended (either side): stops the stages, asks the brain for the
  /// outcome/summary/memories and returns everything. Blocks (runs on the
  /// caller's thread, not the media or SIP thread).
  PipelineResult finish();

  // Supervisor controls (live monitoring, issue 5 §4). Any thread; they
  // act through the control stage and the media thread, and are no-ops once
  // the call is finished. Each reports an on_event "supervisor" with what it did.

  /// COACH_AGENT: `whisper` goes to Brain::coach before the brain's next
  /// turn; nothing is said now.
  void coach(std::string whisper);
  /// TAKE_OVER: the agent stops talking at once (the cut line is kept as
  /// heard, interrupted) and says nothing — no greeting, reply or "are you
  /// still there" — until release(); caller lines are still transcribed.
  void take_over();
  /// Ends take_over(): the agent answers again from the next caller turn.
  void release();
  /// END_CALL: the agent stops talking, says `closing_line` ("" = the
  /// brain's closing_line()), which nothing interrupts, and hangs up (hook
  /// hang_up) once it has been played. Speaks even while taken over.
  void end_call(std::string closing_line);
  /// TRANSFER_CALL: the agent stops talking and stays silent, on_event
  /// "transfer" with the target, then hook transfer(target) (REFER).
  void transfer(std::string target);
  /// The transfer was refused or failed: the agent may speak again (from the
  /// next caller turn).
  void transfer_failed(const std::string& reason);
  /// JOIN_CALL: a supervisor's audio leg. At most kMaxSupervisors at once.
  /// Errors: ErrorCode::conflict when that many are joined; ErrorCode::not_found
  /// once the call is finished.
  Result<std::shared_ptr<SupervisorLeg>> join();
  static constexpr int kMaxSupervisors = 4;

  // MediaHandler (media thread).
  void on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t tick) override;
  void on_dtmf(char digit, int duration_ms) override;
  /// Keeps the stream's play_soon: the first audio of a reply that may play
  /// at once asks for the next 5 ms slot rather than waiting for the
  /// stream's 20 ms phase (up to 20 ms of voqo's own share of turn latency).
  void attach(std::function<void()> play_soon) override;

  struct Impl;

 private:
  explicit CallPipeline(std::unique_ptr<Impl> impl);
  PipelineResult finish_stages();  ///< finish() without its ResourceUse
  std::unique_ptr<Impl> impl_;
};

/// The share of a turn's latency that is voqo's own: (first packet − last
/// caller audio) minus the silence wait, the response delay and the engines'
/// compute (STT, brain, TTS), in µs. (The figure bench/ reports; target p95 ≤ 10 ms.)
int64_t own_overhead_us(const TurnTiming& t, int silence_threshold_ms);

}  // namespace voqo::pipeline
