// The orchestrator of a call: the chain of stages per media frame, and the
// decisions (greet, respond, prompt, voicemail, supervisor controls, timers,
// finish). The stages own their state (one class per file); this file holds
// order and decisions, grouped by the thread that runs them.
#include "pipeline/call_pipeline.hpp"

#include <algorithm>
#include <optional>
#include <variant>

#include "core/log.hpp"
#include "pipeline/amd.hpp"
#include "pipeline/audio_level.hpp"
#include "pipeline/barge_in.hpp"
#include "pipeline/call_recorder.hpp"
#include "pipeline/caller_input.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/level_meter.hpp"
#include "pipeline/live_feed.hpp"
#include "pipeline/reply_player.hpp"
#include "pipeline/stt_stage.hpp"
#include "pipeline/supervisor_mixer.hpp"
#include "pipeline/turn_detector.hpp"
#include "pipeline/voicemail.hpp"

namespace voqo::pipeline {
namespace {

constexpr int kFrameMs = 20;
constexpr double kMediaOnlyVoiceDbfs = -45.0;  // "voiced" for the meter of a media-only call
constexpr auto kGreetAfterSilence = std::chrono::seconds(2);  // outbound without AMD: greet unless "hello"

}  // namespace

struct CallPipeline::Impl final : FrameSink {
  // ---- fixed at creation ----
  PipelineConfig cfg;
  std::unique_ptr<brain::Brain> brain;
  PipelineHooks hooks;
  Clock& clock;
  std::shared_ptr<StageQueue> stt_queue, control_queue;
  std::weak_ptr<CallPipeline> self;  // tasks keep the pipeline alive while they run

  // ---- the stages, in the order of the chain (media_frame) ----
  ReplyPlayer player;
  LevelMeter meter;
  SupervisorMixer mixer{[this](std::string_view detail) { live->event("supervisor", std::string(detail)); }};
  std::unique_ptr<CallRecorder> recorder;  // null: not recorded
  std::optional<CallerInput> input;        // conversation only, as the next four
  std::optional<AnsweringMachineDetector> amd;  // outbound with detection
  std::optional<BargeInDetector> barge;
  TurnDetector turn;
  std::unique_ptr<SttStage> stt;
  std::optional<LiveFeed> live;  // the hooks

  // ---- shared between threads ----
  std::atomic<bool> answered{false}, finished{false}, ending{false};
  std::atomic<bool> greeted{false}, control_busy{false}, caller_talking{false};
  std::atomic<bool> taken_over{false}, transferring{false};
  std::atomic<AmdVerdict> amd_state{AmdVerdict::unknown};  // pending from creation while AMD runs
  std::atomic<int64_t> frame_now{-1}, greet_frame{-1};
  SteadyTime answered_at{};  // written before `answered` (release)
  // Held by the media thread for a whole frame: finish() takes it once after
  // setting `finished`, so no frame is midway when the queues drain.
  std::mutex frame_mutex;
  std::mutex result_mutex;
  PipelineResult result;

  // ---- media thread ----
  int64_t frame = -1;  // frames since answer
  bool voicemail_ready_posted = false, max_duration_posted = false;
  int no_input_prompts = 0;
  Deadline greet_after_silence, no_input, max_duration;

  // ---- control stage ----
  brain::Reply current_reply;
  TurnTiming current_timing;
  enum class Speak { brain, prompt, forced };  // forced: the closing line, voicemail, max-duration goodbye

  Impl(PipelineConfig c, std::shared_ptr<speech::TextToSpeech> tts, Clock& clk)
      : cfg(std::move(c)), clock(clk), player(std::move(tts), cfg.voice, clk),
        turn(TurnDetectorConfig{.silence_threshold_ms = cfg.silence_threshold_ms}) {}

  int64_t us(SteadyTime t) const { return std::chrono::duration_cast<std::chrono::microseconds>(t - answered_at).count(); }
  int64_t now_us() const { return us(clock.now()); }
  void post_to(StageQueue& q, std::function<void()> fn, Lane lane) {
    if (auto keep = self.lock()) q.post([keep = std::move(keep), fn = std::move(fn)] { fn(); }, lane);
  }
  /// Lane::urgent for the turn-critical path (end of turn → final transcript → reply; the greeting).
  void post_control(std::function<void()> fn, Lane lane = Lane::normal) { post_to(*control_queue, std::move(fn), lane); }
  void event(std::string name, std::string detail) { live->event(std::move(name), std::move(detail)); }
  void add_transcript(brain::TranscriptEntry e, std::string entry_id) {
    live->transcript(e, std::move(entry_id));
    with_result([&](PipelineResult& r) { r.transcript.push_back(std::move(e)); });
  }
  void with_result(const std::function<void(PipelineResult&)>& fn) {
    std::lock_guard lock(result_mutex);
    fn(result);
  }
  /// Answering-machine detection runs, or found a machine (heard words are then not answered).
  bool amd_listening() const { return amd_state.load() == AmdVerdict::pending || amd_state.load() == AmdVerdict::machine; }
  /// The agent must not start a reply or prompt now (control stage).
  bool muted() const { return taken_over.load() || transferring.load() || frame_now.load() < mixer.voice_until(); }

  // ---- media thread: the chain, then the timers ----
  void media_frame(std::span<const int16_t> caller, std::span<int16_t> agent) {
    frame_now.store(++frame, std::memory_order_relaxed);
    const SteadyTime now = clock.now();
    if (auto done = player.pull(agent, frame, now)) emit(*done);
    meter.agent(agent);  // the agent's own voice; then the supervisors: what the caller hears is recorded
    if (mixer.legs() > 0 && mixer.mix(caller, agent, frame).talking && player.playing() && !ending.load())
      emit(BargeIn{frame, true, "supervisor", 0, 0, 0});
    if (recorder) recorder->write(caller, agent);
    if (!cfg.conversation) {
      if (auto l = meter.caller(caller, level_dbfs(caller) > kMediaOnlyVoiceDbfs)) emit(*l);
      return;  // nothing listens: no turns, no timers
    }
    const CallerFrame in = input->process(caller, agent);
    const std::span<const int16_t> clean = in.clean;
    const VadFrame& v = in.vad;
    if (auto l = meter.caller(clean, v.voiced)) emit(*l);
    // Answering-machine detection: from answer until decided and, on a machine, until the message.
    if (amd && amd_listening() && !voicemail_ready_posted) {
      const AmdUpdate u = amd->process(clean, v.voiced);
      if (u.decided) emit(AmdResult{u.verdict, false, u.reason});
      if (u.ready_for_message && amd_state.load() == AmdVerdict::machine) {
        voicemail_ready_posted = true;
        emit(AmdResult{AmdVerdict::machine, true, u.ready_reason});
      }
    }
    // Barge-in, decided here so the agent stops within this very frame.
    const bool playing = player.playing();  // the whole reply, pauses included (its echo lingers)
    const BargeInDecision d = barge->process({playing, v.voiced, in.echo.out_level_dbfs, level_dbfs(agent), in.echo.echo_loss_db, in.echo.near_level_dbfs});
    if (d.interrupt && playing && !ending.load())  // a closing line plays to its end
      emit(BargeIn{frame, false, d.reason, d.speech_ms, static_cast<int>(d.run_level_dbfs), static_cast<int>(d.threshold_dbfs)});
    const TurnStep step = turn.process(frame, clean, v.voiced, now);
    if (step.started) emit(*step.started);
    if (step.audio) stt->feed(clean);
    if (step.ended) emit(*step.ended);
    else if (turn.utterance_open()) stt->stream(turn.in_speech(), frame);
    timers(now);
  }

  void timers(SteadyTime now) {
    if (greet_after_silence.fire(now) && !caller_talking.load()) post_control([this] { greet(); }, Lane::urgent);
    const bool idle = !player.active() && !turn.utterance_open() && !control_busy.load() && greeted.load() &&
                      !taken_over.load() && !transferring.load() && frame >= mixer.voice_until();
    if (!idle) no_input.disarm();
    else if (!no_input.armed()) no_input.arm(now + std::chrono::milliseconds(cfg.no_input_timeout_ms));
    if (!ending.load() && no_input.fire(now)) {
      const int prompt = ++no_input_prompts;
      post_control([this, prompt] {
        if (prompt == 1) return say_and_maybe_end(cfg.still_there_prompt, false);
        set_end_reason("no input");
        say_and_maybe_end(cfg.goodbye_no_input, true);
      });
    }
    if (!max_duration_posted && max_duration.fire(now)) {
      max_duration_posted = true;
      cut_reply();  // stop whatever is being said
      post_control([this] {
        set_end_reason("max call duration");
        say_and_maybe_end(cfg.goodbye_max_duration, true, Speak::forced);
      });
    }
  }

  /// Flushes the reply now (media thread): the caller has the turn.
  void cut_reply() {
    if (stt) stt->took_turn();
    const Interrupted at = player.flush(frame);
    post_control([this, at] { settle_interrupted(at); });
  }

  // ---- the stages' events (FrameSink); each on the thread that made it ----
  void emit(Frame f) override {
    std::visit([this](auto& x) { on(x); }, f);
  }
  void on(const UtteranceStarted& u) {
    caller_talking.store(true);
    // Speech that starts under the agent's audible voice and never takes the
    // turn (no barge-in) is a backchannel or echo: it is not answered.
    stt->open(u, player.playing() && player.audible(), [this](auto&& fn) { turn.preroll(fn); });
  }
  void on(const UtteranceEnded& e) {
    caller_talking.store(false);
    stt->end_turn(e);
  }
  void on(const BargeIn& b) {
    cut_reply();
    live->report(b);
  }
  void on(const PlayoutDone& d) { post_control([this, d] { on_playout_done(d); }); }
  void on(const Interrupted& i) { post_control([this, i] { settle_interrupted(i); }); }
  void on(const AmdResult& a) {
    live->report(a);
    if (a.ready) return post_control([this] { leave_voicemail(); }, Lane::urgent);
    amd_state.store(a.verdict);
    post_control([this, v = a.verdict] { on_amd_verdict(v); }, Lane::urgent);
  }
  void on(const Levels& l) { live->report(l); }
  void on(const InterimTranscript& t) { live->report(t); }
  void on(const FinalTranscript& f) {
    const UtteranceEnded& u = f.turn;
    if (!f.transcript || f.backchannel) {
      if (!f.transcript) spdlog::warn("stt: {}", f.transcript.error().message);
      else event("backchannel", f.transcript->text);
      if (f.had_interim) live->retract(u.utterance, u.start_frame, u.end_frame);
      return;
    }
    TurnTiming timing;
    timing.last_caller_audio_us = us(u.last_voiced_at);
    timing.end_of_turn_us = us(u.ended_at);
    timing.stt_compute_us = f.compute_us;
    timing.final_transcript_us = us(f.decoded_at);
    post_control([this, f, timing] { on_caller_turn(*f.transcript, f.turn, timing, f.had_interim); }, Lane::urgent);
  }
  void on(const ReplyCut& c) {  // control stage: what was heard of a cut reply
    if (c.start_frame >= 0 || !c.heard.empty())
      add_transcript({"agent", c.heard, (c.start_frame >= 0 ? c.start_frame : c.at_frame) * kFrameMs, c.at_frame * kFrameMs, 1.0, true},
                     "agent-" + std::to_string(c.reply));
    brain->interrupted(c.heard);
  }

  // ---- control stage ----
  void set_end_reason(std::string reason) {
    with_result([&](PipelineResult& r) { r.end_reason = std::move(reason); });
  }
  void settle_interrupted(const Interrupted& at) {
    if (player.settle(at.reply)) on(player.cut(at));
  }
  /// Stops what the agent is saying (any thread): playout stops within a
  /// frame, the brain and TTS are cancelled, the line is kept as heard.
  void stop_agent() {
    if (auto at = player.interrupt(frame_now.load())) emit(*at);
  }

  void speak_reply(const std::function<Result<brain::Reply>(const brain::TextSink&, std::stop_token)>& produce,
                   TurnTiming timing, Speak kind) {
    if (finished.load()) return;
    const std::stop_token stop = player.arm();
    if (kind != Speak::forced && muted()) return;  // after arm(): a later supervisor command stops this reply
    // The reply plays response_delay_ms after the end of the caller's turn (or from now: a greeting, a prompt).
    const SteadyTime anchor = timing.end_of_turn_us > 0 ? answered_at + std::chrono::microseconds(timing.end_of_turn_us) : clock.now();
    timing.response_delay_ms = cfg.response_delay_ms;
    player.begin(anchor + std::chrono::milliseconds(cfg.response_delay_ms));
    const SteadyTime t0 = clock.now();
    auto sink = [&](std::string_view sentence) -> bool {
      if (timing.brain_first_text_us == 0) {
        timing.brain_compute_us = clock.us_since(t0);
        timing.brain_first_text_us = now_us();
      }
      return player.speak(sentence, stop);
    };
    auto reply = produce(sink, stop);
    if (!reply) {
      spdlog::warn("brain: {}", reply.error().message);
      reply = brain::Reply{};
    }
    if (auto first = player.first_audio()) {
      timing.first_audio_us = us(first->first);
      timing.tts_compute_us = first->second;
    }
    current_reply = *reply;
    current_timing = timing;
    if (!reply->phase.empty()) event("phase", reply->phase);
    if (!reply->intent.empty()) event("intent", reply->intent);
    if (kind == Speak::brain) live->turn(*reply);
    std::optional<Interrupted> cut;
    const auto sealed = player.seal(stop, frame_now.load(), cut);
    if (cut) settle_interrupted(*cut);
    if (sealed == ReplyPlayer::Sealed::silent) on_playout_done({player.id(), now_us() / 1000 / kFrameMs});
  }

  void on_playout_done(const PlayoutDone& d) {
    if (!player.settle(d.reply)) return;
    TurnTiming t = current_timing;
    if (auto first = player.first_packet_at()) t.first_packet_us = us(*first);
    const int64_t first = player.first_packet_frame();
    if (std::string text = player.text(); !text.empty())
      add_transcript({"agent", std::move(text), (first >= 0 ? first : d.end_frame) * kFrameMs, d.end_frame * kFrameMs, 1.0, false},
                     "agent-" + std::to_string(d.reply));
    if (t.last_caller_audio_us > 0 && t.first_packet_us > 0) with_result([&](PipelineResult& r) { r.turns.push_back(t); });
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

  void on_caller_turn(const speech::Transcript& t, const UtteranceEnded& u, TurnTiming timing, bool had_interim) {
    if (t.text.empty()) {  // noise heard as nothing
      if (had_interim) live->retract(u.utterance, u.start_frame, u.end_frame);
      return;
    }
    // Words heard are kept even when the call is ending or over (they count
    // in the transcript, summary and outcome); they are only not answered.
    with_result([](PipelineResult& r) { r.caller_spoke = true; });
    add_transcript({"caller", t.text, u.start_frame * kFrameMs, u.end_frame * kFrameMs, t.confidence, false},
                   "caller-" + std::to_string(u.utterance));
    if (finished.load() || ending.load() || muted()) return;  // taken over, transferring, the supervisor talking
    // While answering-machine detection runs, or on a machine, words are kept but not answered.
    if (amd_listening()) return;
    control_busy.store(true);
    if (!greeted.load()) {
      greet();  // outbound: the callee said "hello" — open the conversation
    } else if (u.end_frame > greet_frame.load()) {  // else: their "Hello?" ended before the greeting, which answers it
      speak_reply([this, text = t.text](const brain::TextSink& sink, std::stop_token stop) { return brain->respond(text, sink, stop); },
                  timing, Speak::brain);
    }
    control_busy.store(false);
  }

  void greet() {
    if (greeted.exchange(true)) return;
    greet_frame.store(frame_now.load());
    speak_reply([this](const brain::TextSink& sink, std::stop_token stop) { return brain->greet(sink, stop); }, {}, Speak::brain);
  }

  void on_amd_verdict(AmdVerdict verdict) {
    with_result([&](PipelineResult& r) { r.amd_verdict = to_string(verdict); });
    if (verdict != AmdVerdict::machine) greet();  // a person (or silence: they wait for us) gets the greeting
  }

  void leave_voicemail() {
    if (finished.load() || ending.load()) return;
    set_end_reason("answering machine");
    if (!cfg.voicemail_message.empty()) return say_and_maybe_end(cfg.voicemail_message, true, Speak::forced);
    ending.store(true);
    event("hangup", "answering machine, no voicemail message configured");
    if (hooks.hang_up) hooks.hang_up();
  }

  void say_and_maybe_end(const std::string& text, bool end_call, Speak kind = Speak::prompt) {
    if (finished.load() || (kind != Speak::forced && muted())) return;
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
};

// ---- CallPipeline: creation and the call's edges -----------------------------

CallPipeline::CallPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CallPipeline::~CallPipeline() = default;

Result<std::shared_ptr<CallPipeline>> CallPipeline::create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                           std::shared_ptr<speech::TextToSpeech> tts,
                                                           std::unique_ptr<brain::Brain> brain, WorkerPool& pool,
                                                           PipelineHooks hooks) {
  PoolExecutor executor(pool);  // its queues need only the pool
  return create(std::move(config), std::move(stt), std::move(tts), std::move(brain), PipelineRuntime{nullptr, &executor}, std::move(hooks));
}

Result<std::shared_ptr<CallPipeline>> CallPipeline::create(PipelineConfig config, std::unique_ptr<speech::SpeechToText> stt,
                                                           std::shared_ptr<speech::TextToSpeech> tts,
                                                           std::unique_ptr<brain::Brain> brain, PipelineRuntime runtime,
                                                           PipelineHooks hooks) {
  if ((!stt && config.conversation) || !tts || !brain || !runtime.executor)
    return std::unexpected(Error{ErrorCode::internal, "pipeline needs STT (unless media only), TTS, a brain and an executor", {}});
  if (auto f = tts->output_format(config.voice.id); !f) return std::unexpected(f.error());
  Clock& clock = runtime.clock ? *runtime.clock : SteadyClock::instance();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(tts), clock);
  Impl& d = *impl;
  d.brain = std::move(brain);
  d.hooks = hooks;
  d.live.emplace(runtime.executor->make_queue(), std::move(hooks));
  d.control_queue = runtime.executor->make_queue();
  d.stt_queue = runtime.executor->make_queue();
  if (d.cfg.conversation) {  // a media-only call never listens (media_frame stops before these)
    auto input = CallerInput::create();
    if (!input) return std::unexpected(input.error());
    d.input.emplace(std::move(*input));
    d.barge.emplace(BargeInConfig{.interruption_sensitivity = d.cfg.interruption_sensitivity});
    SttStage::Hooks sh{[&d] { return d.player.active(); }, [&d](std::string_view words) { d.barge->on_interim_text(words); }, &d};
    d.stt = std::make_unique<SttStage>(
        std::move(stt), [&d](std::function<void()> fn, Lane lane) { d.post_to(*d.stt_queue, std::move(fn), lane); }, clock, std::move(sh));
    if (d.cfg.outbound && d.cfg.detect_answering_machine) {
      auto amd = AnsweringMachineDetector::create();
      if (!amd) return std::unexpected(amd.error());
      d.amd.emplace(std::move(*amd));
      d.amd_state.store(AmdVerdict::pending);
    }
  }
  if (!d.cfg.recording_path.empty()) {
    auto rec = CallRecorder::open(d.cfg.recording_path);
    if (!rec) return std::unexpected(rec.error());
    d.recorder = std::move(*rec);
  }
  std::shared_ptr<CallPipeline> pipeline(new CallPipeline(std::move(impl)));
  d.self = pipeline;
  return pipeline;
}

void CallPipeline::on_answered() {
  auto& d = *impl_;
  d.answered_at = d.clock.now();
  d.max_duration.arm(d.answered_at + std::chrono::minutes(d.cfg.max_call_duration_min));
  // Outbound: answering-machine detection decides (human or silence →
  // greeting; machine → voicemail); without it, greet on the callee's
  // "hello" or after 2 s of silence (checked by the media thread: nothing sleeps).
  const bool greet_now = !d.cfg.outbound || !d.cfg.conversation;
  if (!greet_now && !d.amd) d.greet_after_silence.arm(d.answered_at + kGreetAfterSilence);
  if (greet_now) d.greeted.store(true);
  d.answered.store(true, std::memory_order_release);
  if (greet_now)
    d.post_control([&d] {
      d.speak_reply([&d](const brain::TextSink& sink, std::stop_token stop) { return d.brain->greet(sink, stop); }, {}, Impl::Speak::brain);
    });
}

void CallPipeline::on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t) {
  std::lock_guard frame_lock(impl_->frame_mutex);  // uncontended but for finish()
  if (!impl_->answered.load(std::memory_order_acquire) || impl_->finished.load(std::memory_order_relaxed)) return;
  impl_->media_frame(caller, agent);
}

void CallPipeline::attach(std::function<void()> play_soon) { impl_->player.set_play_soon(std::move(play_soon)); }

void CallPipeline::on_dtmf(char digit, int) {
  auto& d = *impl_;
  d.event("dtmf", std::string(1, digit));
  d.add_transcript({"caller", std::string("[DTMF ") + digit + "]", d.frame * kFrameMs, d.frame * kFrameMs, 1.0, false},
                   "dtmf-" + std::to_string(d.frame));
}

// ---- supervisor controls (any thread) -----------------------------------------

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
    d.set_end_reason("ended by a supervisor");
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
  if (impl_->finished.load()) return std::unexpected(Error::not_found("the call has ended"));
  return impl_->mixer.join(shared_from_this());
}

// ---- the end of the call (the caller's thread) -----------------------------------

PipelineResult CallPipeline::finish() {
  auto& d = *impl_;
  if (d.finished.exchange(true)) {
    std::lock_guard lock(d.result_mutex);
    return d.result;
  }
  { std::lock_guard wait_for_the_frame_in_progress(d.frame_mutex); }
  // No frame runs from here on. A caller who hung up before the silence
  // that ends their turn still said it: the open utterance is recognised and
  // kept (not answered), ahead of the drain below.
  if (d.stt)
    if (auto open = d.turn.close(d.clock.now())) d.on(*open);
  d.player.close();
  // The call ended while the agent was speaking: the line is kept as far as it was heard.
  d.control_queue->post([&d] {
    if (!d.player.settled() && d.player.said_anything()) d.settle_interrupted({d.player.id(), d.player.played(), d.frame});
  });
  d.stt_queue->drain();
  d.control_queue->drain();
  // The live stage last (the others post to it); nothing is reported after this.
  d.live->close();
  if (d.recorder)
    if (auto closed = d.recorder->close(); !closed)
      spdlog::warn("recording {}: {}", d.cfg.recording_path.string(), closed.error().message);
  std::vector<brain::TranscriptEntry> transcript;
  {
    std::lock_guard lock(d.result_mutex);
    transcript = d.result.transcript;
  }
  auto r = d.brain->finish(transcript, {});
  std::lock_guard lock(d.result_mutex);
  if (r) d.result.result = *r;
  else spdlog::warn("brain finish: {}", r.error().message);
  if (d.result.amd_verdict == "machine") {  // the brain saw no conversation: say what happened instead
    d.result.result.outcome = brain::Outcome::voicemail;
    d.result.result.summary = voicemail_summary(d.cfg.voicemail_message, transcript);
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
