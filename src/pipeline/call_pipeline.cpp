#include "pipeline/call_pipeline.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>

#include "core/log.hpp"
#include "pipeline/amd.hpp"
#include "pipeline/audio_level.hpp"
#include "pipeline/barge_in.hpp"
#include "pipeline/echo_canceller.hpp"
#include "pipeline/recording.hpp"
#include "pipeline/spsc_ring.hpp"
#include "pipeline/vad.hpp"
#include "telephony/resampler.hpp"

namespace voqo::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kFrame = telephony::kFrameSamples16k;  // 320 samples = 20 ms at 16 kHz
constexpr int kFrameMs = 20;
constexpr int kPrerollFrames = 15;                   // 300 ms of audio before speech onset go to STT too
constexpr std::size_t kSttRingSamples = 16000 * 30;  // 30 s
constexpr std::size_t kTtsRingSamples = 16000 * 20;  // 20 s
constexpr std::size_t kSupervisorRingSamples = 16000 * 2;  // ring capacity; playout keeps at most 1 s queued
constexpr std::size_t kSupervisorMaxQueued = 16000;        // 1 s
constexpr double kSupervisorVoiceDbfs = -45.0;             // energy gate for the supervisor's voice
constexpr int kSupervisorHangoverFrames = 25;              // 500 ms
constexpr int kMeterFrames = 10;                           // levels every 200 ms
constexpr int64_t kGreetAfterSilenceUs = 2000000;           // outbound without AMD: greet after 2 s of no "hello"
constexpr auto kInterimEvery = std::chrono::milliseconds(300);

int64_t us_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
}

/// A sentence of the reply and where its audio sits in the TTS ring's
/// cumulative sample count.
struct SpokenSentence {
  std::string text;
  uint64_t start = 0, end = 0;
};

/// The text actually heard when playout stopped at cumulative sample `at`:
/// whole sentences before it, and the proportional share of the cut one,
/// snapped back to a word boundary.
std::string heard_text(const std::vector<SpokenSentence>& sentences, uint64_t at) {
  std::string out;
  for (const auto& s : sentences) {
    if (at >= s.end) {
      out += (out.empty() ? "" : " ") + s.text;
      continue;
    }
    if (at > s.start && s.end > s.start) {
      const double share = static_cast<double>(at - s.start) / static_cast<double>(s.end - s.start);
      std::size_t cut = static_cast<std::size_t>(share * static_cast<double>(s.text.size()));
      while (cut > 0 && cut < s.text.size() && s.text[cut] != ' ') --cut;
      if (cut > 0) out += (out.empty() ? "" : " ") + s.text.substr(0, cut);
    }
    break;
  }
  return out;
}

int16_t saturate(int32_t v) { return static_cast<int16_t>(std::clamp<int32_t>(v, INT16_MIN, INT16_MAX)); }

/// Where live-monitoring hooks run: a serial queue, closed by finish() so
/// that nothing is reported after it. Tasks hold the channel, not the
/// pipeline, so a late task is harmless.
struct LiveChannel {
  std::shared_ptr<SerialQueue> queue;
  PipelineHooks hooks;
  std::atomic<bool> closed{false};
};

/// A supervisor's place on the call (CallPipeline::join). The ring is made
/// once and reused by later supervisors in the slot; the media thread drops
/// what a supervisor left unplayed (while the slot is free, or at the next
/// join when `flush` says audio was still queued then).
struct SupervisorSlot {
  std::atomic<bool> active{false};
  std::atomic<bool> has_ring{false};
  std::atomic<bool> flush{false};
  std::atomic<uint32_t> generation{0};      // which leg owns the slot
  std::unique_ptr<SpscRing<int16_t>> ring;  // set before has_ring, never replaced
  std::mutex producer_mutex;                // speak(), join and leave: one producer at a time
  std::mutex listener_mutex;                // set_listener/leave; the media thread only try_locks it
  std::function<void(std::span<const int16_t>)> listener;
  bool has_audio = false;          // media thread: this frame carries its audio
  std::array<int16_t, telephony::kFrameSamples16k> frame{};  // media thread: its audio of this frame
};

}  // namespace

struct CallPipeline::Impl {
  PipelineConfig cfg;
  std::unique_ptr<speech::SpeechToText> stt;
  std::shared_ptr<speech::TextToSpeech> tts;
  std::unique_ptr<brain::Brain> brain;
  WorkerPool& pool;
  PipelineHooks hooks;
  std::shared_ptr<SerialQueue> stt_queue, control_queue;

  SpscRing<int16_t> stt_ring{kSttRingSamples};
  SpscRing<int16_t> tts_ring{kTtsRingSamples};

  // Shared between threads.
  std::atomic<bool> answered{false};
  std::atomic<bool> finished{false};
  // Held by the media thread for a whole frame: finish() takes it once after
  // setting `finished`, so no frame is midway (about to post to the stt queue
  // behind finish()'s drain marker, to run after the pipeline is gone) when
  // the queues are drained, and every later frame sees `finished`.
  std::mutex frame_mutex;
  Clock::time_point answered_at{};
  std::atomic<uint64_t> tts_written{0}, tts_read{0};
  std::atomic<uint64_t> reply_end_sample{UINT64_MAX};
  std::atomic<int> reply_id{0};
  std::atomic<int> flushed_reply{-1};
  // Latency stages are timed on one clock, the wall clock since answer (µs);
  // the frame counter (20 ms of audio) places transcript lines in the audio.
  std::atomic<int64_t> play_not_before_us{0};
  std::mutex play_soon_mutex;
  std::function<void()> play_soon;  // MediaStream::play_soon (set by attach; guarded by play_soon_mutex)
  std::atomic<int64_t> first_packet_frame{-1};
  std::atomic<int64_t> frame_now{-1};    // `frame`, readable off the media thread
  std::atomic<int64_t> greet_frame{-1};  // frame at which the greeting was started
  std::atomic<int64_t> first_packet_us{-1};
  int64_t last_voiced_us = 0;  // media thread: when the last voiced frame was processed
  bool utterance_under_agent = false;  // media thread: see on_caller_voiced
  std::atomic<bool> reply_active{false};
  std::atomic<bool> control_busy{false};
  std::atomic<bool> greeted{false};
  /// The media thread has posted an utterance's end-of-turn task that has not
  /// started: streaming-decode tasks ahead of it stop and leave it the rest.
  std::atomic<bool> end_of_turn_queued{false};
  /// Set at answer on an outbound call without AMD; the media thread greets
  /// kGreetAfterSilenceUs after answer unless the callee is talking.
  std::atomic<bool> greet_after_silence{false};
  std::atomic<bool> caller_talking{false};  // an utterance is open (media thread writes)
  std::atomic<bool> ending{false};
  std::mutex stop_mutex;
  std::stop_source reply_stop;

  // Media-thread state: the analysis chain and turn-taking.
  std::optional<EchoCanceller> echo;
  std::optional<VoiceActivityDetector> vad;
  std::optional<BargeInDetector> barge;
  std::optional<AnsweringMachineDetector> amd;
  std::array<int16_t, kFrame> cleaned{};
  int agent_recent_frames = 0;  // frames since the agent last made sound (echo canceller runs while < 50)
  enum class AmdState { off, pending, human, machine, unknown };
  std::atomic<AmdState> amd_state{AmdState::off};
  bool voicemail_ready_posted = false;
  int64_t frame = -1;  // frames since answer
  bool in_speech = false;
  bool utterance_open = false;
  int voiced_run = 0, unvoiced_run = 0;
  int64_t utterance_start_frame = 0, last_voiced_frame = -1;
  int64_t idle_frames = 0;
  int no_input_prompts = 0;
  bool max_duration_posted = false;
  std::array<int16_t, kFrame * kPrerollFrames> preroll{};
  int preroll_pos = 0;
  std::array<int16_t, kFrame> agent_frame{};

  // Recording (media thread writes, finish() closes).
  std::mutex recording_mutex;
  FILE* recording = nullptr;
  /// stdio's buffer for `recording`: 32 KB (0.26 s of stereo 16 kHz audio)
  /// instead of the 4 KB default, so the media thread makes one write(2) a
  /// quarter second per call, not one every 32 ms (8 % of its time at 500
  /// calls went to write(2)); a crash loses at most that much of the tail.
  std::unique_ptr<char[]> recording_buffer;
  uint64_t recorded_frames = 0;
  std::vector<int16_t> interleaved;

  // Control-stage state (control queue only), and the result.
  std::vector<SpokenSentence> sentences;
  bool reply_settled = true;  // the current reply reached playout_done or was interrupted
  brain::Reply current_reply;
  TurnTiming current_timing;
  std::mutex result_mutex;
  PipelineResult result;
  std::optional<telephony::Resampler> tts_resampler;
  std::vector<int16_t> tts_scratch;
  /// What the agent may do now (control stage): speak_reply() starts brain
  /// turns and prompts only when `allowed`; forced lines (the supervisor's
  /// closing line, the voicemail message, the max-duration goodbye) always.
  enum class Speak { brain, prompt, forced };

  // Live monitoring.
  std::shared_ptr<LiveChannel> live;
  int64_t utterance_seq = 0;          // media thread: utterances opened so far
  int64_t interim_utterance = -1;     // STT stage: the utterance whose interims were sent
  std::string last_partial;           // STT stage
  Clock::time_point last_partial_poll{};  // STT stage
  double meter_agent_sq = 0, meter_caller_sq = 0;  // media thread: this 200 ms window
  int meter_frames = 0, meter_caller_voiced = 0, meter_agent_audible = 0;

  // Supervisor controls.
  std::atomic<bool> taken_over{false};
  std::atomic<bool> transferring{false};
  std::atomic<int64_t> supervisor_voice_until{-1};  // frame until which the supervisor counts as talking
  int supervisor_voiced_run = 0;                    // media thread
  std::array<SupervisorSlot, kMaxSupervisors> slots;
  std::atomic<int> supervisors{0};
  std::mutex join_mutex;
  std::array<int16_t, kFrame> tts_frame{};    // media thread: the agent's own audio this frame
  std::array<int32_t, kFrame> mix_acc{};      // media thread
  std::array<int16_t, kFrame> heard{};        // media thread: a listener's frame
  std::array<int16_t, kFrame> drop_scratch{}; // media thread

  Impl(WorkerPool& p) : pool(p) {}

  int64_t now_us() const { return us_since(answered_at); }
  /// The pipeline itself, for tasks to keep it alive: a stage task that ran
  /// after the last owner let go (a pipeline dropped without finish(), as at
  /// shutdown) would otherwise run on freed state.
  std::weak_ptr<CallPipeline> self;
  /// Lane::urgent for the turn-critical path (end of turn → final
  /// transcript → the brain's reply; the greeting at answer): it overtakes
  /// other calls' streaming recognition on the shared pool.
  void post_control(std::function<void()> fn, Lane lane = Lane::normal) { post_to(*control_queue, std::move(fn), lane); }
  void post_stt(std::function<void()> fn, Lane lane = Lane::normal) { post_to(*stt_queue, std::move(fn), lane); }
  void post_to(SerialQueue& q, std::function<void()> fn, Lane lane) {
    if (auto keep = self.lock()) q.post([keep = std::move(keep), fn = std::move(fn)] { fn(); }, lane);
  }
  /// Runs `fn` with the hooks on the live stage (unless finish() closed it).
  void post_live(std::function<void(const PipelineHooks&)> fn) {
    live->queue->post([ch = live, fn = std::move(fn)] {
      if (!ch->closed.load()) fn(ch->hooks);
    });
  }
  void event(const std::string& name, const std::string& detail) {
    post_live([name, detail](const PipelineHooks& h) {
      if (h.on_event) h.on_event(name, detail);
    });
  }
  /// A final line (is_final is set here): the hooks, then the call's transcript.
  void add_transcript(model::TranscriptLine e) {
    e.is_final = true;
    post_live([e](const PipelineHooks& h) {
      if (h.on_transcript) h.on_transcript(e);
      if (h.on_live_line) h.on_live_line(e);
    });
    std::lock_guard lock(result_mutex);
    result.transcript.push_back(std::move(e));
  }
  /// The agent must not start a reply or prompt now (control stage).
  bool muted() const {
    return taken_over.load() || transferring.load() || frame_now.load() < supervisor_voice_until.load();
  }
  /// Stops what the agent is saying (any thread): playout stops within a
  /// frame, the brain and TTS are cancelled, the line is kept as heard.
  void stop_agent();
  void mix_supervisors(std::span<const int16_t> caller, std::span<int16_t> agent);
  void meter(std::span<const int16_t> caller, bool caller_voiced);

  // Media thread.
  void media_frame(std::span<const int16_t> caller, std::span<int16_t> agent);
  void record(std::span<const int16_t> caller, std::span<const int16_t> agent);
  void on_caller_voiced(bool voiced, std::span<const int16_t> caller, double level_db, double agent_db);
  /// Ends the open utterance (endpointing, or the call ending while the
  /// caller talks): its audio up to here is decoded by an urgent STT task and
  /// becomes the caller's turn. Media thread, or finish() once frames stop.
  void end_utterance();
  void barge_in();

  // Control stage.
  void speak_reply(const std::function<Result<brain::Reply>(const brain::TextSink&, std::stop_token)>& produce,
                   TurnTiming timing, Speak kind);
  bool synthesize_sentence(std::string_view text, std::stop_token stop, TurnTiming& timing);
  void on_caller_turn(speech::Transcript transcript, int64_t start_frame, int64_t end_frame, TurnTiming timing,
                      int64_t utterance, bool had_interim);
  void on_amd_verdict(AmdState state);
  /// An utterance's interims were shown but it gives no line: a final with "" (model::TranscriptLine).
  void retract_interim(int64_t utterance, int64_t start_frame, int64_t end_frame) {
    model::TranscriptLine line{"caller-" + std::to_string(utterance), "caller", "", start_frame * kFrameMs, end_frame * kFrameMs, 0.0, true, false};
    post_live([line = std::move(line)](const PipelineHooks& h) {
      if (h.on_live_line) h.on_live_line(line);
    });
  }
  void leave_voicemail();
  void greet();
  void on_playout_done(int id, int64_t end_frame);
  void on_interrupted(int id, uint64_t heard_at, int64_t at_frame);
  void say_and_maybe_end(const std::string& text, bool end_call, Speak kind = Speak::prompt);
};

// ---- Media thread ----------------------------------------------------------

void CallPipeline::Impl::record(std::span<const int16_t> caller, std::span<const int16_t> agent) {
  std::lock_guard lock(recording_mutex);
  if (!recording) return;
  interleaved.resize(2 * kFrame);
  for (int i = 0; i < kFrame; ++i) {
    interleaved[2 * i] = caller[i];
    interleaved[2 * i + 1] = agent[i];
  }
  std::fwrite(interleaved.data(), sizeof(int16_t), interleaved.size(), recording);
  ++recorded_frames;
}

void CallPipeline::Impl::barge_in() {
  // Stop the agent now: drop the queued audio, cancel the brain and TTS.
  utterance_under_agent = false;  // the caller has taken the turn
  const int id = reply_id.load();
  flushed_reply.store(id);
  const uint64_t heard_at = tts_read.load();
  tts_read.fetch_add(tts_ring.discard());
  {
    std::lock_guard lock(stop_mutex);
    reply_stop.request_stop();
  }
  reply_active.store(false);
  const int64_t at = frame;
  post_control([this, id, heard_at, at] { on_interrupted(id, heard_at, at); });
}

void CallPipeline::Impl::on_caller_voiced(bool voiced, std::span<const int16_t> caller, double level_db, double agent_db) {
  // Keep a 300 ms pre-roll so the recogniser hears the onset of speech.
  std::copy(caller.begin(), caller.end(), preroll.begin() + preroll_pos * kFrame);
  preroll_pos = (preroll_pos + 1) % kPrerollFrames;

  voiced ? (++voiced_run, unvoiced_run = 0) : (++unvoiced_run, voiced_run = 0);
  if (voiced) {
    last_voiced_frame = frame;
    last_voiced_us = now_us();
  }

  if (!in_speech && voiced_run >= 3) {  // 60 ms of voice: speech started
    in_speech = true;
    if (!utterance_open) {
      utterance_open = true;
      ++utterance_seq;
      caller_talking.store(true);
      utterance_start_frame = frame - voiced_run + 1;
      // Speech that starts under the agent's voice and never takes the turn
      // (no barge-in) is a backchannel or echo: it is not answered. Only
      // once the reply's audio has started: while the agent is still
      // thinking there is no voice to echo or to acknowledge, and a caller
      // who goes on with their sentence then is still taking their turn.
      utterance_under_agent = reply_active.load() && flushed_reply.load() != reply_id.load() &&
                              first_packet_frame.load(std::memory_order_relaxed) >= 0;
      // Pre-roll (oldest first), then this frame is already in it.
      for (int i = 0; i < kPrerollFrames; ++i) {
        const int idx = (preroll_pos + i) % kPrerollFrames;
        stt_ring.write(std::span<const int16_t>(preroll.data() + idx * kFrame, kFrame));
      }
      post_stt([this] {
        (void)stt->begin_utterance();
      });
    }
  } else if (utterance_open) {
    stt_ring.write(caller);
  }
  if (in_speech && unvoiced_run * kFrameMs >= 160) in_speech = false;

  // Endpointing: the turn ends after silence_threshold_ms without voice.
  if (utterance_open && !in_speech && (frame - last_voiced_frame) * kFrameMs >= cfg.silence_threshold_ms) {
    end_utterance();
  } else if (utterance_open && stt_ring.size() >= static_cast<std::size_t>(kFrame * (in_speech ? 10 : 2))) {
    // Stream audio to the recogniser while the caller talks (≈ every 200 ms),
    // and every 40 ms once they have paused: the end-of-turn search must wait
    // for the decode in flight, so that decode is kept short (40 ms blocks:
    // 200 ms blocks left it 30–100 ms of pocketsphinx work, up to 139 ms of
    // the turn's latency). While the agent speaks, the interim words tell
    // barge-in whether this is a backchannel ("uh-huh") or an interruption.
    const int64_t utt = utterance_seq, start = utterance_start_frame, at = frame;
    const bool under_agent = utterance_under_agent;
    post_stt([this, utt, start, at, under_agent] {
      // A background task (normal lane, possibly a low-priority worker): it
      // stops between blocks once the end of turn is queued behind it, and
      // that urgent task decodes the rest. It reads only what was written
      // before it saw the flag unset: the media thread sets the flag before
      // it writes the next utterance's audio and publishes the ring's write
      // position with release, so audio before `upto` is this utterance's.
      std::vector<int16_t> block(kFrame * 2);
      for (;;) {
        const std::size_t upto = stt_ring.written();
        if (end_of_turn_queued.load(std::memory_order_acquire)) return;
        const std::size_t done = stt_ring.consumed();
        if (done >= upto) break;
        const std::size_t n = stt_ring.read(std::span<int16_t>(block.data(), std::min(block.size(), upto - done)));
        if (n == 0) break;
        (void)stt->accept(std::span<const int16_t>(block.data(), n));
      }
      // Interim lines for the live view: at most every 300 ms, when changed;
      // none while the speech may still be a backchannel under the agent.
      const bool poll = !under_agent && Clock::now() - last_partial_poll >= kInterimEvery;
      const bool barge_check = reply_active.load();
      if (!poll && !barge_check) return;
      const std::string partial = stt->partial();
      if (barge_check) barge->on_interim_text(partial);
      if (!poll) return;
      last_partial_poll = Clock::now();
      if (partial.empty() || partial == last_partial) return;
      last_partial = partial;
      interim_utterance = utt;
      model::TranscriptLine line{"caller-" + std::to_string(utt), "caller", partial, start * kFrameMs, at * kFrameMs, 0.0, false, false};
      post_live([line = std::move(line)](const PipelineHooks& h) {
        if (h.on_live_line) h.on_live_line(line);
      });
    });
  }
  (void)level_db;
}

void CallPipeline::Impl::end_utterance() {
  utterance_open = false;
  caller_talking.store(false);
  TurnTiming timing;
  timing.last_caller_audio_us = last_voiced_us;
  timing.end_of_turn_us = now_us();
  const int64_t start = utterance_start_frame, end = last_voiced_frame + 1;
  const bool backchannel = utterance_under_agent;
  const int64_t utt = utterance_seq;
  // This utterance's audio ends here: on a loaded box the task may run
  // after the caller has begun the next one, whose audio follows in the ring.
  const std::size_t until = stt_ring.written();
  end_of_turn_queued.store(true, std::memory_order_release);
  post_stt([this, start, end, timing, backchannel, utt, until]() mutable {
    // Engine compute: the audio still in the ring, then the final search.
    const auto t0 = Clock::now();
    end_of_turn_queued.store(false, std::memory_order_relaxed);
    std::vector<int16_t> block(kFrame * 2);
    for (std::size_t done = stt_ring.consumed(); done < until; done = stt_ring.consumed()) {
      const std::size_t n = stt_ring.read(std::span<int16_t>(block.data(), std::min(block.size(), until - done)));
      if (n == 0) break;
      (void)stt->accept(std::span<const int16_t>(block.data(), n));
    }
    auto transcript = stt->end_utterance();
    timing.stt_compute_us = us_since(t0);
    timing.final_transcript_us = now_us();
    const bool had_interim = interim_utterance == utt;
    interim_utterance = -1;
    last_partial.clear();
    if (!transcript || backchannel) {
      if (!transcript) spdlog::warn("stt: {}", transcript.error().message);
      else event("backchannel", transcript->text);
      if (had_interim) retract_interim(utt, start, end);
      return;
    }
    post_control([this, t = std::move(*transcript), start, end, timing, utt, had_interim] {
      on_caller_turn(t, start, end, timing, utt, had_interim);
    }, Lane::urgent);
  }, Lane::urgent);
}

void CallPipeline::Impl::meter(std::span<const int16_t> caller, bool caller_voiced) {
  for (int16_t x : caller) meter_caller_sq += static_cast<double>(x) * x;
  if (caller_voiced) ++meter_caller_voiced;
  if (++meter_frames < kMeterFrames) return;
  const double samples = static_cast<double>(kMeterFrames) * kFrame;
  auto percent = [samples](double sum_sq) {
    const double rms = std::sqrt(sum_sq / samples);
    return meter_percent(rms < 1.0 ? -96.0 : 20.0 * std::log10(rms / 32768.0));
  };
  const int agent_gain = percent(meter_agent_sq), customer_gain = percent(meter_caller_sq);
  const char* speaker = meter_caller_voiced >= 3 && meter_caller_voiced >= meter_agent_audible ? "caller"
                        : meter_agent_audible >= 3                                           ? "agent"
                                                                                             : "";
  post_live([agent_gain, customer_gain, speaker](const PipelineHooks& h) {
    if (h.on_levels) h.on_levels(agent_gain, customer_gain, speaker);
  });
  meter_agent_sq = meter_caller_sq = 0;
  meter_frames = meter_caller_voiced = meter_agent_audible = 0;
}

void CallPipeline::Impl::mix_supervisors(std::span<const int16_t> caller, std::span<int16_t> agent) {
  mix_acc.fill(0);
  bool any = false;
  for (auto& slot : slots) {
    slot.has_audio = false;
    if (!slot.has_ring.load(std::memory_order_acquire)) continue;
    SpscRing<int16_t>& ring = *slot.ring;
    if (!slot.active.load(std::memory_order_acquire)) {
      if (ring.size() > 0) ring.discard();  // a supervisor left: what it queued is not played
      continue;
    }
    if (slot.flush.exchange(false)) ring.discard();
    // At most 1 s waits for playout: the oldest audio goes first.
    for (std::size_t queued = ring.size(); queued > kSupervisorMaxQueued;) {
      const std::size_t n = ring.read(std::span<int16_t>(drop_scratch.data(), std::min<std::size_t>(kFrame, queued - kSupervisorMaxQueued)));
      if (n == 0) break;
      queued -= n;
    }
    const std::size_t n = ring.read(slot.frame);
    if (n == 0) continue;
    std::fill(slot.frame.begin() + static_cast<std::ptrdiff_t>(n), slot.frame.end(), int16_t{0});
    slot.has_audio = any = true;
    for (int i = 0; i < kFrame; ++i) mix_acc[i] += slot.frame[i];
  }
  // Each listener hears the line: caller, agent and the other supervisors.
  for (auto& slot : slots) {
    if (!slot.active.load(std::memory_order_acquire)) continue;
    std::unique_lock lock(slot.listener_mutex, std::try_to_lock);
    if (!lock.owns_lock() || !slot.listener) continue;
    for (int i = 0; i < kFrame; ++i)
      heard[i] = saturate(int32_t{caller[i]} + agent[i] + mix_acc[i] - (slot.has_audio ? slot.frame[i] : 0));
    slot.listener(std::span<const int16_t>(heard));
  }
  // The energy gate: while a supervisor talks, the agent is silent.
  double sum = 0;
  for (int32_t x : mix_acc) sum += static_cast<double>(x) * x;
  const double rms = std::sqrt(sum / kFrame);
  const bool voiced = any && rms >= 1.0 && 20.0 * std::log10(rms / 32768.0) > kSupervisorVoiceDbfs;
  supervisor_voiced_run = voiced ? supervisor_voiced_run + 1 : 0;
  if (voiced) supervisor_voice_until.store(frame + kSupervisorHangoverFrames);
  if (any)
    for (int i = 0; i < kFrame; ++i) agent[i] = saturate(int32_t{agent[i]} + mix_acc[i]);
  const bool agent_playing = reply_active.load() && flushed_reply.load() != reply_id.load();
  if (supervisor_voiced_run >= 3 && agent_playing && !ending.load()) {
    barge_in();
    event("supervisor", "the agent stopped for the supervisor's voice");
  }
}

void CallPipeline::Impl::media_frame(std::span<const int16_t> caller, std::span<int16_t> agent) {
  ++frame;
  frame_now.store(frame, std::memory_order_relaxed);
  // Agent audio: the next 20 ms of the reply, once the response delay has passed.
  const int id = reply_id.load(std::memory_order_acquire);
  if (flushed_reply.load(std::memory_order_relaxed) == id) {
    tts_read.fetch_add(tts_ring.discard());
  } else if (now_us() >= play_not_before_us.load(std::memory_order_relaxed)) {
    const std::size_t n = tts_ring.read(agent);
    if (n > 0) {
      tts_read.fetch_add(n);
      int64_t expected = -1;
      if (first_packet_frame.compare_exchange_strong(expected, frame)) first_packet_us.store(now_us());
    }
    const uint64_t end = reply_end_sample.load(std::memory_order_acquire);
    if (reply_active.load() && tts_read.load() >= end) {
      reply_active.store(false);
      const int64_t at = frame;
      post_control([this, id, at] { on_playout_done(id, at); });
    }
  }
  // The agent's own voice for the meter, then the supervisors' audio mixed in:
  // what the caller hears is recorded and is the echo canceller's reference.
  for (int16_t x : agent) meter_agent_sq += static_cast<double>(x) * x;
  if (level_dbfs(agent) > -50.0) ++meter_agent_audible;
  if (supervisors.load(std::memory_order_acquire) > 0) mix_supervisors(caller, agent);
  record(caller, agent);
  if (!cfg.conversation) {
    meter(caller, level_dbfs(caller) > kSupervisorVoiceDbfs);
    return;
  }

  // Caller side: echo cancellation while the agent has spoken in the last
  // second (speex AEC, ~0.1 ms a frame, so not for silent stretches), then
  // voice activity on the cleaned audio.
  const bool agent_sound = level_dbfs(agent) > -70.0;
  agent_recent_frames = agent_sound ? 0 : agent_recent_frames + 1;
  EchoFrame ef;
  std::span<const int16_t> clean = caller;
  if (echo && agent_recent_frames < 50) {
    ef = echo->process(agent, caller, cleaned);
    clean = cleaned;
  } else {
    ef.near_level_dbfs = ef.out_level_dbfs = level_dbfs(caller);
    ef.echo_loss_db = echo ? echo->echo_loss_db() : 6.0;
  }
  const VadFrame v = vad->process(clean);
  meter(clean, v.voiced);

  // Answering-machine detection (outbound, from answer until decided and,
  // on a machine, until it is time to leave the message).
  if (amd && (amd_state.load() == AmdState::pending || amd_state.load() == AmdState::machine) && !voicemail_ready_posted) {
    const AmdUpdate u = amd->process(clean, v.voiced);
    if (u.decided) {
      const AmdState st = u.verdict == AmdVerdict::human     ? AmdState::human
                          : u.verdict == AmdVerdict::machine ? AmdState::machine
                                                             : AmdState::unknown;
      amd_state.store(st);
      const std::string reason(u.reason);
      event("amd", std::string(to_string(u.verdict)) + ": " + reason);
      post_control([this, st] { on_amd_verdict(st); }, Lane::urgent);
    }
    if (u.ready_for_message && amd_state.load() == AmdState::machine) {
      voicemail_ready_posted = true;
      event("amd", "ready for message: " + std::string(u.ready_reason));
      post_control([this] { leave_voicemail(); }, Lane::urgent);
    }
  }

  // Barge-in, decided here so the agent stops within this very frame.
  const bool agent_playing = reply_active.load(std::memory_order_relaxed) && flushed_reply.load() != reply_id.load();
  BargeInInput bi;
  bi.agent_speaking = agent_playing;  // the whole reply, pauses between words included (its echo lingers)
  bi.caller_voiced = v.voiced;
  bi.caller_level_dbfs = ef.out_level_dbfs;
  bi.reference_level_dbfs = level_dbfs(agent);
  bi.echo_loss_db = ef.echo_loss_db;
  bi.near_level_dbfs = ef.near_level_dbfs;
  const BargeInDecision d = barge->process(bi);
  if (d.interrupt && agent_playing && !ending.load()) {  // a closing line plays to its end
    barge_in();
    event("barge_in", std::string(d.reason) + " after " + std::to_string(d.speech_ms) + " ms of caller speech, at " +
                          std::to_string(frame * kFrameMs) + " ms (level " + std::to_string(static_cast<int>(d.run_level_dbfs)) +
                          " dBFS, threshold " + std::to_string(static_cast<int>(d.threshold_dbfs)) + ")");
  }
  // The recogniser hears the echo-cancelled audio only while the agent's
  // echo may be in it: the canceller's residual suppression also colours
  // the caller's own voice, which costs recognition accuracy.
  on_caller_voiced(v.voiced, clean.data() == cleaned.data() ? clean : caller, v.level_dbfs, bi.reference_level_dbfs);

  // Outbound without answering-machine detection: greet after 2 s unless
  // the callee is speaking (their turn then opens the conversation).
  if (greet_after_silence.load(std::memory_order_relaxed) && now_us() >= kGreetAfterSilenceUs) {
    greet_after_silence.store(false);
    if (!caller_talking.load()) post_control([this] { greet(); }, Lane::urgent);
  }

  // Timers, counted in frames so they follow the media clock.
  const bool idle = !reply_active.load() && !utterance_open && !control_busy.load() && greeted.load() &&
                    !taken_over.load() && !transferring.load() && frame >= supervisor_voice_until.load();
  idle_frames = idle ? idle_frames + 1 : 0;
  if (idle_frames * kFrameMs >= cfg.no_input_timeout_ms && !ending.load()) {
    idle_frames = 0;
    const int prompt = ++no_input_prompts;
    post_control([this, prompt] {
      if (prompt == 1) say_and_maybe_end(cfg.still_there_prompt, false);
      else {
        { std::lock_guard lock(result_mutex); result.end_reason = "no input"; }
        say_and_maybe_end(cfg.goodbye_no_input, true);
      }
    });
  }
  if (!max_duration_posted && frame * kFrameMs >= int64_t{cfg.max_call_duration_min} * 60000) {
    max_duration_posted = true;
    barge_in();  // stop whatever is being said
    post_control([this] {
      { std::lock_guard lock(result_mutex); result.end_reason = "max call duration"; }
      say_and_maybe_end(cfg.goodbye_max_duration, true, Speak::forced);
    });
  }
}

// ---- Control stage ---------------------------------------------------------

bool CallPipeline::Impl::synthesize_sentence(std::string_view text, std::stop_token stop, TurnTiming& timing) {
  auto format = tts->output_format(cfg.voice.id);
  if (!format) return false;
  if (format->sample_rate_hz != 16000 && (!tts_resampler || tts_resampler->from_hz() != format->sample_rate_hz)) {
    auto r = telephony::Resampler::create(format->sample_rate_hz, 16000);
    if (!r) return false;
    tts_resampler.emplace(std::move(*r));
  }
  const uint64_t start = tts_written.load();
  const auto t0 = Clock::now();
  bool first = true;
  // The first sentence of a reply starts at its first audible sample (flite
  // opens with ~200 ms of silence, which the caller would hear as latency),
  // keeping 20 ms before it.
  bool trimming = sentences.empty();
  std::vector<int16_t> lead;
  auto sink = [&](std::span<const int16_t> pcm_in) -> bool {
    std::span<const int16_t> pcm = pcm_in;
    if (trimming) {
      const auto loud = std::find_if(pcm.begin(), pcm.end(), [](int16_t x) { return x > 64 || x < -64; });
      const std::size_t at = static_cast<std::size_t>(loud - pcm.begin());
      lead.insert(lead.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(at));
      if (lead.size() > static_cast<std::size_t>(kFrame)) lead.erase(lead.begin(), lead.end() - kFrame);
      if (loud == pcm.end()) return !stop.stop_requested();
      trimming = false;
      lead.insert(lead.end(), loud, pcm.end());
      pcm = lead;
    }
    if (stop.stop_requested()) return false;
    if (first) {
      first = false;
      if (timing.first_audio_us == 0) {
        timing.tts_compute_us = us_since(t0);
        timing.first_audio_us = now_us();
      }
    }
    bool reply_opens =
        tts_written.load() == tts_read.load() && now_us() >= play_not_before_us.load(std::memory_order_relaxed);
    std::span<const int16_t> in = pcm;
    if (format->sample_rate_hz != 16000) {
      tts_scratch.clear();
      (void)tts_resampler->process(pcm, tts_scratch);
      in = tts_scratch;
    }
    while (!in.empty()) {
      const std::size_t n = tts_ring.write(in);
      tts_written.fetch_add(n);
      in = in.subspan(n);
      if (reply_opens && n > 0) {
        reply_opens = false;
        // Nothing was playing and the reply may start now: its first packet
        // goes in the next 5 ms slot, not at the stream's 20 ms phase.
        std::lock_guard lock(play_soon_mutex);
        if (play_soon) play_soon();
      }
      if (!in.empty()) {  // ring full: wait for playout (backpressure), or stop
        if (stop.stop_requested() || finished.load()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return !stop.stop_requested();
  };
  auto r = tts->synthesize(text, cfg.voice, sink);
  if (!r) spdlog::warn("tts: {}", r.error().message);
  sentences.push_back({std::string(text), start, tts_written.load()});
  return r && !r->stopped_early;
}

void CallPipeline::Impl::speak_reply(
    const std::function<Result<brain::Reply>(const brain::TextSink&, std::stop_token)>& produce, TurnTiming timing,
    Speak kind) {
  if (finished.load()) return;
  std::stop_token stop;
  {
    std::lock_guard lock(stop_mutex);
    reply_stop = std::stop_source();
    stop = reply_stop.get_token();
  }
  // Checked after the new stop source exists: a supervisor command that comes
  // later stops this reply through it (stop_agent()).
  if (kind != Speak::forced && muted()) return;
  sentences.clear();
  reply_settled = false;
  reply_end_sample.store(UINT64_MAX);
  first_packet_frame.store(-1);
  first_packet_us.store(-1);
  // The reply plays response_delay_ms after the end of the caller's turn
  // (or from now, for a greeting or prompt).
  const int64_t anchor = timing.end_of_turn_us > 0 ? timing.end_of_turn_us : now_us();
  play_not_before_us.store(anchor + int64_t{cfg.response_delay_ms} * 1000);
  timing.response_delay_ms = cfg.response_delay_ms;
  reply_id.fetch_add(1, std::memory_order_release);
  reply_active.store(true);
  const auto t0 = Clock::now();
  auto sink = [&](std::string_view sentence) -> bool {
    if (timing.brain_first_text_us == 0) {
      timing.brain_compute_us = us_since(t0);
      timing.brain_first_text_us = now_us();
    }
    return synthesize_sentence(sentence, stop, timing);
  };
  auto reply = produce(sink, stop);
  if (!reply) {
    spdlog::warn("brain: {}", reply.error().message);
    reply = brain::Reply{};
    reply->text = "";
  }
  current_reply = *reply;
  current_timing = timing;
  if (!reply->phase.empty()) event("phase", reply->phase);
  if (!reply->intent.empty()) event("intent", reply->intent);
  if (kind == Speak::brain)
    post_live([r = *reply](const PipelineHooks& h) {
      if (h.on_turn) h.on_turn(r);
    });
  reply_end_sample.store(tts_written.load(), std::memory_order_release);
  // Stopped by a supervisor command before playout was flushed for it
  // (stop_agent() saw an older reply id): flush and settle it here.
  const int id = reply_id.load();
  if (stop.stop_requested() && !finished.load() && flushed_reply.load() != id) {
    for (int f = flushed_reply.load(); f < id && !flushed_reply.compare_exchange_weak(f, id);) {
    }
    if (reply_active.exchange(false)) on_interrupted(id, tts_read.load(), frame_now.load());
    return;
  }
  // Nothing was said (empty reply or stopped before audio): settle now.
  if (sentences.empty() || tts_written.load() == tts_read.load()) {
    if (!stop.stop_requested() && reply_active.exchange(false)) on_playout_done(reply_id.load(), now_us() / 1000 / kFrameMs);
  }
}

void CallPipeline::Impl::on_playout_done(int id, int64_t end_frame) {
  if (id != reply_id.load() || reply_settled) return;
  reply_settled = true;
  TurnTiming t = current_timing;
  const int64_t first = first_packet_frame.load();
  if (first_packet_us.load() >= 0) t.first_packet_us = first_packet_us.load();
  std::string text;
  for (const auto& s : sentences) text += (text.empty() ? "" : " ") + s.text;
  if (!text.empty()) {
    const int64_t start_ms = first >= 0 ? first * kFrameMs : end_frame * kFrameMs;
    add_transcript({.entry_id = "agent-" + std::to_string(id), .speaker = "agent", .text = text, .start_ms = start_ms,
                    .end_ms = end_frame * kFrameMs});
  }
  {
    std::lock_guard lock(result_mutex);
    if (t.last_caller_audio_us > 0 && t.first_packet_us > 0) result.turns.push_back(t);
  }
  if (current_reply.transfer_to && !current_reply.transfer_to->empty()) {
    transferring.store(true);
    event("transfer", *current_reply.transfer_to);
    if (hooks.transfer) hooks.transfer(*current_reply.transfer_to);
  } else if (current_reply.end_call) {
    ending.store(true);
    event("hangup", "agent ended the call");
    if (hooks.hang_up) hooks.hang_up();
  }
}

void CallPipeline::Impl::on_interrupted(int id, uint64_t heard_at, int64_t at_frame) {
  if (id != reply_id.load() || reply_settled) return;
  reply_settled = true;
  const std::string heard = heard_text(sentences, heard_at);
  const int64_t first = first_packet_frame.load();
  if (first >= 0 || !heard.empty())
    add_transcript({.entry_id = "agent-" + std::to_string(id), .speaker = "agent", .text = heard,
                    .start_ms = first >= 0 ? first * kFrameMs : at_frame * kFrameMs, .end_ms = at_frame * kFrameMs,
                    .interrupted = true});
  brain->interrupted(heard);
}

void CallPipeline::Impl::on_caller_turn(speech::Transcript t, int64_t start_frame, int64_t end_frame, TurnTiming timing,
                                        int64_t utterance, bool had_interim) {
  if (t.text.empty()) {  // noise heard as nothing
    if (had_interim) retract_interim(utterance, start_frame, end_frame);
    return;
  }
  // Words heard are kept even when the call is ending or over (the caller's
  // last sentence before hanging up counts in the transcript, summary and
  // outcome); they are only not answered.
  {
    std::lock_guard lock(result_mutex);
    result.caller_spoke = true;
  }
  add_transcript({.entry_id = "caller-" + std::to_string(utterance), .speaker = "caller", .text = t.text,
                  .start_ms = start_frame * kFrameMs, .end_ms = end_frame * kFrameMs, .confidence = t.confidence});
  if (finished.load() || ending.load()) return;
  // Taken over, transferring or the supervisor talking: heard, not answered.
  if (muted()) return;
  // While answering-machine detection runs, or on a machine, words are kept but not answered.
  const AmdState amd_now = amd_state.load();
  if (amd_now == AmdState::pending || amd_now == AmdState::machine) return;
  control_busy.store(true);
  if (!greeted.exchange(true)) {
    // Outbound: the callee said "hello" — open the conversation.
    greeted.store(false);
    greet();
  } else if (end_frame <= greet_frame.load()) {
    // The callee's "Hello?" ended before the greeting started: the greeting is the answer to it.
  } else {
    const std::string text = t.text;
    speak_reply([this, text](const brain::TextSink& sink, std::stop_token stop) { return brain->respond(text, sink, stop); },
                timing, Speak::brain);
  }
  control_busy.store(false);
}

void CallPipeline::Impl::greet() {
  if (greeted.exchange(true)) return;
  greet_frame.store(frame_now.load());
  speak_reply([this](const brain::TextSink& sink, std::stop_token stop) { return brain->greet(sink, stop); }, {}, Speak::brain);
}

void CallPipeline::Impl::on_amd_verdict(AmdState state) {
  {
    std::lock_guard lock(result_mutex);
    result.amd_verdict = state == AmdState::human ? "human" : state == AmdState::machine ? "machine" : "unknown";
  }
  // A person (or silence: they wait for us to speak) gets the greeting; a
  // machine gets the voicemail message once its greeting is over.
  if (state != AmdState::machine) greet();
}

void CallPipeline::Impl::leave_voicemail() {
  if (finished.load() || ending.load()) return;
  {
    std::lock_guard lock(result_mutex);
    result.end_reason = "answering machine";
  }
  if (cfg.voicemail_message.empty()) {
    ending.store(true);
    event("hangup", "answering machine, no voicemail message configured");
    if (hooks.hang_up) hooks.hang_up();
    return;
  }
  say_and_maybe_end(cfg.voicemail_message, true, Speak::forced);
}

void CallPipeline::Impl::say_and_maybe_end(const std::string& text, bool end_call, Speak kind) {
  if (finished.load()) return;
  if (kind != Speak::forced && muted()) return;
  if (end_call) ending.store(true);
  speak_reply(
      [text, end_call](const brain::TextSink& sink, std::stop_token) -> Result<brain::Reply> {
        brain::Reply r;
        r.text = text;
        r.end_call = end_call;
        sink(text);
        return r;
      },
      TurnTiming{}, kind);
}

void CallPipeline::Impl::stop_agent() {
  int id = 0;
  {
    std::lock_guard lock(stop_mutex);
    id = reply_id.load();
    reply_stop.request_stop();
  }
  // The media thread drops the queued audio at its next frame; a reply that
  // starts meanwhile is settled by speak_reply() itself.
  for (int f = flushed_reply.load(); f < id && !flushed_reply.compare_exchange_weak(f, id);) {
  }
  if (reply_active.exchange(false)) {
    const uint64_t heard_at = tts_read.load();
    const int64_t at = frame_now.load();
    post_control([this, id, heard_at, at] { on_interrupted(id, heard_at, at); });
  }
}

namespace {

/// CallPipeline::join's leg: a slot of the pipeline, for one generation.
class Leg final : public SupervisorLeg {
 public:
  Leg(std::shared_ptr<CallPipeline> owner, CallPipeline::Impl& impl, SupervisorSlot& slot, uint32_t generation)
      : owner_(std::move(owner)), impl_(impl), slot_(slot), generation_(generation) {}
  ~Leg() override { leave(); }

  void speak(std::span<const int16_t> pcm) override {
    std::lock_guard lock(slot_.producer_mutex);
    if (!mine()) return;
    (void)slot_.ring->write(pcm);  // beyond the ring's 2 s: dropped here; playout keeps 1 s
  }
  void set_listener(std::function<void(std::span<const int16_t>)> on_frame) override {
    std::lock_guard lock(slot_.listener_mutex);
    if (mine()) slot_.listener = std::move(on_frame);
  }
  void leave() override {
    std::lock_guard producer(slot_.producer_mutex);
    if (!mine()) return;
    {
      std::lock_guard lock(slot_.listener_mutex);
      slot_.listener = nullptr;
    }
    slot_.active.store(false, std::memory_order_release);
    left_ = true;
    impl_.supervisors.fetch_sub(1, std::memory_order_release);
    impl_.event("supervisor", "left the call's audio");
  }

 private:
  bool mine() const { return !left_ && slot_.active.load() && slot_.generation.load() == generation_; }
  std::shared_ptr<CallPipeline> owner_;  // keeps the slot alive
  CallPipeline::Impl& impl_;
  SupervisorSlot& slot_;
  const uint32_t generation_;
  bool left_ = false;  // guarded by slot_.producer_mutex
};

}  // namespace

// ---- CallPipeline ----------------------------------------------------------

CallPipeline::CallPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CallPipeline::~CallPipeline() {
  if (impl_->recording) std::fclose(impl_->recording);
}

Result<std::shared_ptr<CallPipeline>> CallPipeline::create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                           std::shared_ptr<speech::TextToSpeech> tts,
                                                           std::unique_ptr<brain::Brain> brain, WorkerPool& pool,
                                                           PipelineHooks hooks) {
  if ((!stt && config.conversation) || !tts || !brain)
    return std::unexpected(Error{ErrorCode::internal, "pipeline needs STT (unless media only), TTS and a brain", {}});
  if (auto f = tts->output_format(config.voice.id); !f) return std::unexpected(f.error());
  auto impl = std::make_unique<Impl>(pool);
  impl->cfg = std::move(config);
  impl->stt = std::move(stt);
  impl->tts = std::move(tts);
  impl->brain = std::move(brain);
  impl->hooks = std::move(hooks);
  impl->stt_queue = SerialQueue::create(pool);
  impl->control_queue = SerialQueue::create(pool);
  impl->live = std::make_shared<LiveChannel>();
  impl->live->queue = SerialQueue::create(pool);
  impl->live->hooks = impl->hooks;
  impl->tts_scratch.reserve(16000);
  if (impl->cfg.conversation) {  // a media-only call never listens (media_frame stops before these)
    auto echo = EchoCanceller::create();
    if (!echo) return std::unexpected(echo.error());
    impl->echo.emplace(std::move(*echo));
    auto vad = VoiceActivityDetector::create();
    if (!vad) return std::unexpected(vad.error());
    impl->vad.emplace(std::move(*vad));
  }
  BargeInConfig bc;
  bc.interruption_sensitivity = impl->cfg.interruption_sensitivity;
  impl->barge.emplace(bc);
  if (impl->cfg.outbound && impl->cfg.detect_answering_machine && impl->cfg.conversation) {
    auto amd = AnsweringMachineDetector::create();
    if (!amd) return std::unexpected(amd.error());
    impl->amd.emplace(std::move(*amd));
    impl->amd_state.store(Impl::AmdState::pending);
  }
  if (!impl->cfg.recording_path.empty()) {
    // 0600 in a 0700 folder, with the header of an empty recording (rewritten in finish()).
    auto file = create_recording(impl->cfg.recording_path);
    if (!file) return std::unexpected(file.error());
    impl->recording = *file;
    constexpr std::size_t kRecordingBuffer = 32 * 1024;
    impl->recording_buffer = std::make_unique<char[]>(kRecordingBuffer);
    std::setvbuf(impl->recording, impl->recording_buffer.get(), _IOFBF, kRecordingBuffer);
  }
  auto* raw = impl.get();
  std::shared_ptr<CallPipeline> pipeline(new CallPipeline(std::move(impl)));
  raw->self = pipeline;
  return pipeline;
}

void CallPipeline::on_answered() {
  auto& d = *impl_;
  d.answered_at = Clock::now();
  d.answered.store(true, std::memory_order_release);
  if (!d.cfg.outbound || !d.cfg.conversation) {
    d.greeted.store(true);
    d.post_control([self = shared_from_this()] {
      auto& i = *self->impl_;
      i.speak_reply([&i](const brain::TextSink& sink, std::stop_token stop) { return i.brain->greet(sink, stop); }, {},
                    Impl::Speak::brain);
    });
    return;
  }
  // Outbound: answering-machine detection decides (human or silence →
  // greeting; machine → voicemail). Without it: greet on the callee's
  // "hello", or after 2 s of silence.
  if (d.amd) return;
  // Checked by the media thread (a pool task sleeping 2 s held one of the
  // pool's workers per answered call: a burst of answers stalled every
  // call's recognition and speech).
  d.greet_after_silence.store(true);
}

void CallPipeline::coach(std::string whisper) {
  auto& d = *impl_;
  if (d.finished.load()) return;
  d.post_control([&d, w = std::move(whisper)] {
    d.brain->coach(w);
    d.event("supervisor", "coach: " + w);
  });
}

void CallPipeline::take_over() {
  auto& d = *impl_;
  if (d.finished.load() || d.taken_over.exchange(true)) return;
  d.stop_agent();
  d.event("supervisor", "take_over");
}

void CallPipeline::release() {
  auto& d = *impl_;
  if (d.finished.load() || !d.taken_over.exchange(false)) return;
  d.event("supervisor", "release");
}

void CallPipeline::end_call(std::string closing_line) {
  auto& d = *impl_;
  if (d.finished.load() || d.ending.exchange(true)) return;
  d.stop_agent();
  d.event("supervisor", "end_call");
  d.post_control([&d, line = std::move(closing_line)] {
    {
      std::lock_guard lock(d.result_mutex);
      d.result.end_reason = "ended by a supervisor";
    }
    d.say_and_maybe_end(line.empty() ? d.brain->closing_line() : line, true, Impl::Speak::forced);
  });
}

void CallPipeline::transfer(std::string target) {
  auto& d = *impl_;
  if (d.finished.load()) return;
  d.transferring.store(true);
  d.stop_agent();
  d.event("supervisor", "transfer to " + target);
  d.post_control([&d, target = std::move(target)] {
    if (d.finished.load()) return;
    d.event("transfer", target);
    if (d.hooks.transfer) d.hooks.transfer(target);
  });
}

void CallPipeline::transfer_failed(const std::string& reason) {
  auto& d = *impl_;
  if (d.finished.load() || !d.transferring.exchange(false)) return;
  d.event("transfer_failed", reason);
}

Result<std::shared_ptr<SupervisorLeg>> CallPipeline::join() {
  auto& d = *impl_;
  std::lock_guard lock(d.join_mutex);
  if (d.finished.load()) return std::unexpected(Error::not_found("the call has ended"));
  for (auto& slot : d.slots) {
    std::lock_guard producer(slot.producer_mutex);
    if (slot.active.load()) continue;
    if (!slot.ring) {
      slot.ring = std::make_unique<SpscRing<int16_t>>(kSupervisorRingSamples);
      slot.has_ring.store(true, std::memory_order_release);
    }
    slot.flush.store(slot.ring->size() > 0);  // the media thread has not yet dropped a predecessor's audio
    const uint32_t gen = slot.generation.fetch_add(1) + 1;
    slot.active.store(true, std::memory_order_release);
    d.supervisors.fetch_add(1, std::memory_order_release);
    d.event("supervisor", "joined the call's audio");
    return std::shared_ptr<SupervisorLeg>(std::make_shared<Leg>(shared_from_this(), d, slot, gen));
  }
  return std::unexpected(Error{ErrorCode::conflict,
                              "at most " + std::to_string(kMaxSupervisors) + " supervisors can join a call", {}});
}

void CallPipeline::on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t tick) {
  std::lock_guard frame_lock(impl_->frame_mutex);  // uncontended but for finish()
  if (!impl_->answered.load(std::memory_order_acquire) || impl_->finished.load(std::memory_order_relaxed)) return;
  impl_->media_frame(caller, agent);
}

void CallPipeline::attach(std::function<void()> play_soon) {
  std::lock_guard lock(impl_->play_soon_mutex);
  impl_->play_soon = std::move(play_soon);
}

void CallPipeline::on_dtmf(char digit, int duration_ms) {
  impl_->event("dtmf", std::string(1, digit));
  impl_->add_transcript({.entry_id = "dtmf-" + std::to_string(impl_->frame), .speaker = "caller",
                         .text = std::string("[DTMF ") + digit + "]", .start_ms = impl_->frame * kFrameMs,
                         .end_ms = impl_->frame * kFrameMs});
}

PipelineResult CallPipeline::finish() {
  auto& d = *impl_;
  if (d.finished.exchange(true)) {
    std::lock_guard lock(d.result_mutex);
    return d.result;
  }
  { std::lock_guard wait_for_the_frame_in_progress(d.frame_mutex); }
  // No frame runs from here on. A caller who hung up (BYE, CANCEL, media
  // timeout) before the silence that ends their turn still said it: the open
  // utterance is recognised and kept (not answered), ahead of the drain below.
  if (d.utterance_open) d.end_utterance();
  {
    std::lock_guard lock(d.stop_mutex);
    d.reply_stop.request_stop();
  }
  // Let the stages drain: a marker task on each queue. The call ended while
  // the agent was speaking: the line is kept as far as it was heard.
  d.control_queue->post([&d] {
    if (!d.reply_settled && !d.sentences.empty()) d.on_interrupted(d.reply_id.load(), d.tts_read.load(), d.frame);
  });
  for (auto& q : {d.stt_queue, d.control_queue}) {
    std::promise<void> done;
    auto fut = done.get_future();
    q->post([&done] { done.set_value(); });
    fut.wait();
  }
  // The live stage last (the others post to it); nothing is reported after this.
  {
    std::promise<void> done;
    auto fut = done.get_future();
    d.live->queue->post([&done, ch = d.live] {
      ch->closed.store(true);
      done.set_value();
    });
    fut.wait();
  }
  {
    std::lock_guard lock(d.recording_mutex);
    if (d.recording) {
      // RIFF/WAVE header for 16 kHz stereo PCM16 (left caller, right agent).
      if (auto h = write_recording_header(d.recording, d.recorded_frames * kFrame * kRecordingFrameBytes); !h)
        spdlog::warn("recording {}: {}", d.cfg.recording_path.string(), h.error().message);
      std::fclose(d.recording);
      d.recording = nullptr;
    }
  }
  std::vector<model::TranscriptLine> transcript;
  {
    std::lock_guard lock(d.result_mutex);
    transcript = d.result.transcript;
  }
  auto r = d.brain->finish(transcript, {});
  std::lock_guard lock(d.result_mutex);
  if (r) d.result.result = *r;
  else spdlog::warn("brain finish: {}", r.error().message);
  if (d.result.amd_verdict == "machine") {
    // The brain saw no conversation; the summary says what happened instead.
    d.result.result.outcome = brain::Outcome::voicemail;
    // What was heard: the transcript keeps an agent line cut by the hang-up
    // as the words played before it.
    const std::string& message = d.cfg.voicemail_message;
    bool whole = false, begun = false;
    for (const auto& e : transcript)
      if (e.speaker == "agent" && !message.empty() && !e.text.empty()) {
        whole = whole || e.text == message;
        begun = begun || message.rfind(e.text, 0) == 0;
      }
    d.result.result.summary = message.empty() ? "Reached an answering machine; hung up without leaving a message."
                              : whole         ? "Reached an answering machine; left the voicemail message after the beep."
                              : begun ? "Reached an answering machine; the call ended while the voicemail message was playing."
                                      : "Reached an answering machine; the call ended before the voicemail message.";
  }
  return d.result;
}

int64_t own_overhead_us(const TurnTiming& t, int silence_threshold_ms) {
  // After the silence wait, the reply waits for the response delay and for
  // the engines, whichever is longer (the delay runs while they compute).
  const int64_t total = t.first_packet_us - t.last_caller_audio_us;
  const int64_t engines = t.stt_compute_us + t.brain_compute_us + t.tts_compute_us;
  return total - int64_t{silence_threshold_ms} * 1000 - std::max<int64_t>(int64_t{t.response_delay_ms} * 1000, engines);
}

}  // namespace voqo::pipeline
