// The orchestrator of a call: the chain of stages per media frame, and the
// decisions (greet, respond, prompt, voicemail, supervisor controls, timers,
// finish). The stages own their state (one class per file); this file holds
// order and decisions, grouped by the thread that runs them.
#include "pipeline/call_pipeline.hpp"

#include <optional>
#include <variant>

#include "core/log.hpp"
#include "pipeline/amd_stage.hpp"
#include "pipeline/audio_level.hpp"
#include "pipeline/barge_in.hpp"
#include "pipeline/call_log.hpp"
#include "pipeline/call_recorder.hpp"
#include "pipeline/call_timers.hpp"
#include "pipeline/caller_input.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/level_meter.hpp"
#include "pipeline/live_feed.hpp"
#include "pipeline/reply_player.hpp"
#include "pipeline/stt_stage.hpp"
#include "pipeline/supervisor_mixer.hpp"
#include "pipeline/turn_detector.hpp"

namespace voqo::pipeline {
namespace {

constexpr int kFrameMs = 20;
constexpr double kMediaOnlyVoiceDbfs = -45.0;  // "voiced" for the meter of a media-only call

}  // namespace

struct CallPipeline::Impl final : FrameSink {
  // ---- fixed at creation ----
  PipelineConfig cfg;
  std::unique_ptr<brain::Brain> brain;
  PipelineHooks hooks;
  Clock& clock;
  std::shared_ptr<StageQueue> stt_queue, control_queue;
  std::weak_ptr<CallPipeline> self;  // tasks keep the pipeline alive while they run
  std::shared_ptr<CallUsage> usage;  // what the call's work costs (ResourceUse); the queues' tasks count into it
  LiveFeed live;                     // the hooks, on the live queue
  CallLog log{live};                 // the record (PipelineResult); its lines also go live

  // ---- the stages, in the order of the chain (media_frame); built here or, when they need an engine or can fail, in create() ----
  ReplyPlayer player;
  LevelMeter meter;
  SupervisorMixer mixer{[this](std::string_view detail) { live.event("supervisor", std::string(detail)); }};
  std::unique_ptr<CallRecorder> recorder;  // null: not recorded
  std::optional<CallerInput> input;        // conversation only, as stt (amd attached only then)
  AmdStage amd;                            // attached: outbound with detection
  BargeInDetector barge{BargeInConfig{.interruption_sensitivity = cfg.interruption_sensitivity}};
  TurnDetector turn{TurnDetectorConfig{.silence_threshold_ms = cfg.silence_threshold_ms}};
  std::unique_ptr<SttStage> stt;
  CallTimers timers{CallTimersConfig{std::chrono::milliseconds(cfg.no_input_timeout_ms), std::chrono::minutes(cfg.max_call_duration_min)}};

  // ---- shared between threads ----
  std::atomic<bool> answered{false}, finished{false}, ending{false};
  std::atomic<bool> greeted{false}, control_busy{false}, caller_talking{false};
  std::atomic<bool> taken_over{false}, transferring{false};
  std::atomic<int64_t> frame_now{-1}, greet_frame{-1};
  SteadyTime answered_at{};  // written before `answered` (release)
  // Held by the media thread for a whole frame: finish() takes it once after
  // setting `finished`, so no frame is midway when the queues drain.
  std::mutex frame_mutex;

  // ---- media thread ----
  int64_t frame = -1;  // frames since answer
  uint64_t frames_seen = 0;  // on_frame calls that ran the chain (every 8th is timed: ResourceUse::cpu_ms)

  // ---- control stage ----
  brain::Reply current_reply;
  TurnTiming current_timing;
  enum class Speak { brain, prompt, forced };  // forced: the closing line, voicemail, max-duration goodbye

  Impl(PipelineConfig c, std::unique_ptr<brain::Brain> b, std::shared_ptr<speech::TextToSpeech> tts, Clock& clk, StageExecutor& ex, PipelineHooks h,
       std::shared_ptr<CallUsage> u)
      : cfg(std::move(c)), brain(std::move(b)), hooks(h), clock(clk), stt_queue(ex.make_queue()), control_queue(ex.make_queue()), usage(std::move(u)),
        live(ex.make_queue(), std::move(h)), player(std::move(tts), cfg.voice, clk) {}

  int64_t us(SteadyTime t) const { return std::chrono::duration_cast<std::chrono::microseconds>(t - answered_at).count(); }
  void post_to(StageQueue& q, std::function<void()> fn, Lane lane) {
    if (auto keep = self.lock()) q.post([keep = std::move(keep), fn = std::move(fn)] { fn(); }, lane);
  }
  /// Lane::urgent for the turn-critical path (end of turn → final transcript → reply; the greeting).
  void post_control(std::function<void()> fn, Lane lane = Lane::normal) { post_to(*control_queue, std::move(fn), lane); }
  void event(std::string name, std::string detail) { live.event(std::move(name), std::move(detail)); }
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
    amd.process(clean, v.voiced, *this);  // from the answer until decided and, on a machine, until the message
    // Barge-in, decided here so the agent stops within this very frame.
    const bool playing = player.playing();  // the whole reply, pauses included (its echo lingers)
    const BargeInDecision d = barge.process({playing, v.voiced, in.echo.out_level_dbfs, level_dbfs(agent), in.echo.echo_loss_db, in.echo.near_level_dbfs});
    if (d.interrupt && playing && !ending.load())  // a closing line plays to its end
      emit(BargeIn{frame, false, d.reason, d.speech_ms, static_cast<int>(d.run_level_dbfs), static_cast<int>(d.threshold_dbfs)});
    const TurnStep step = turn.process(frame, clean, v.voiced, now);
    if (step.started) emit(*step.started);
    if (step.audio) stt->feed(clean);
    if (step.ended) emit(*step.ended);
    else if (turn.utterance_open()) stt->stream(turn.in_speech(), frame);
    const bool idle = !player.active() && !turn.utterance_open() && !control_busy.load() && greeted.load() &&
                      !taken_over.load() && !transferring.load() && frame >= mixer.voice_until();
    timers.poll(now, idle, ending.load(), *this);
  }

  /// Flushes the reply now (media thread): the caller has the turn.
  void cut_reply() {
    if (stt) stt->took_turn();
    const Interrupted at = player.flush(frame);
    post_control([this, at] { settle_interrupted(at); });
  }

  // ---- the stages' events (FrameSink); each on the thread that made it ----
  void emit(Frame f) override { std::visit([this](auto& x) { on(x); }, f); }
  void on(const UtteranceStarted& u) {
    caller_talking.store(true);
    // Speech that starts under the agent's audible voice and never takes the
    // turn (no barge-in) is a backchannel or echo: it is not answered.
    stt->open(u, player.playing() && player.audible(), [this](auto&& fn) { turn.preroll(fn); });
  }
  void on(const UtteranceEnded& e) { caller_talking.store(false); stt->end_turn(e); }
  void on(const BargeIn& b) { cut_reply(); live.report(b); }
  void on(const PlayoutDone& d) { post_control([this, d] { on_playout_done(d); }); }
  void on(const Interrupted& i) { post_control([this, i] { settle_interrupted(i); }); }
  void on(const AmdResult& a) {
    live.report(a);
    if (a.ready) return post_control([this] { leave_voicemail(); }, Lane::urgent);
    post_control([this, v = a.verdict] { on_amd_verdict(v); }, Lane::urgent);
  }
  void on(const Levels& l) { live.report(l); }
  void on(const Timeout& t) {
    switch (t.kind) {
      case Timeout::Kind::greeting:  // outbound without AMD: the callee said nothing
        if (!caller_talking.load()) post_control([this] { greet(); }, Lane::urgent);
        return;
      case Timeout::Kind::no_input:
        return post_control([this, prompt = t.prompt] {
          if (prompt == 1) return say_and_maybe_end(cfg.still_there_prompt, false);
          log.end_reason("no input");
          say_and_maybe_end(cfg.goodbye_no_input, true);
        });
      case Timeout::Kind::max_duration:
        cut_reply();  // stop whatever is being said
        return post_control([this] {
          log.end_reason("max call duration");
          say_and_maybe_end(cfg.goodbye_max_duration, true, Speak::forced);
        });
    }
  }
  void on(const InterimTranscript& t) { live.report(t); }
  void on(const FinalTranscript& f) {
    const UtteranceEnded& u = f.turn;
    if (!f.transcript || f.backchannel) {
      if (!f.transcript) spdlog::warn("stt: {}", f.transcript.error().message);
      else event("backchannel", f.transcript->text);
      if (f.had_interim) live.retract(u.utterance, u.start_frame, u.end_frame);
      return;
    }
    const TurnTiming timing{.last_caller_audio_us = us(u.last_voiced_at), .end_of_turn_us = us(u.ended_at),
                            .final_transcript_us = us(f.decoded_at), .stt_compute_us = f.compute_us};
    post_control([this, f, timing] { on_caller_turn(*f.transcript, f.turn, timing, f.had_interim); }, Lane::urgent);
  }
  void on(const ReplyCut& c) {  // control stage: what was heard of a cut reply
    if (auto line = cut_line(c)) log.line(std::move(*line));
    brain->interrupted(c.heard);
  }

  // ---- control stage ----
  void settle_interrupted(const Interrupted& at) {
    if (player.settle(at.reply)) on(player.cut(at));
  }
  /// Stops what the agent is saying (any thread): playout stops within a
  /// frame, the brain and TTS are cancelled, the line is kept as heard.
  void stop_agent() {
    if (auto at = player.interrupt(frame_now.load())) emit(*at);
  }

  void speak_reply(const ReplySource& produce, TurnTiming timing, Speak kind) {
    if (finished.load()) return;
    const std::stop_token stop = player.arm();
    if (kind != Speak::forced && muted()) return;  // after arm(): a later supervisor command stops this reply
    // The reply plays response_delay_ms after the end of the caller's turn (or from now: a greeting, a prompt).
    const SteadyTime anchor = timing.end_of_turn_us > 0 ? answered_at + std::chrono::microseconds(timing.end_of_turn_us) : clock.now();
    timing.response_delay_ms = cfg.response_delay_ms;
    player.begin(anchor + std::chrono::milliseconds(cfg.response_delay_ms));
    const SteadyTime t0 = clock.now();
    auto reply = produce([&](std::string_view sentence) { return player.speak(sentence, stop); }, stop);
    if (!reply) {
      spdlog::warn("brain: {}", reply.error().message);
      reply = brain::Reply{};
    }
    if (auto first = player.first_text_at()) {
      timing.brain_compute_us = std::chrono::duration_cast<std::chrono::microseconds>(*first - t0).count();
      timing.brain_first_text_us = us(*first);
    }
    if (auto first = player.first_audio()) {
      timing.first_audio_us = us(first->first);
      timing.tts_compute_us = first->second;
    }
    current_reply = *reply;
    current_timing = timing;
    live.reply(*reply, kind == Speak::brain);
    std::optional<Interrupted> cut;
    const auto sealed = player.seal(stop, frame_now.load(), cut);
    if (cut) settle_interrupted(*cut);
    if (sealed == ReplyPlayer::Sealed::silent) on_playout_done({player.id(), us(clock.now()) / 1000 / kFrameMs});
  }

  void on_playout_done(const PlayoutDone& d) {
    if (!player.settle(d.reply)) return;
    TurnTiming t = current_timing;
    if (auto first = player.first_packet_at()) t.first_packet_us = us(*first);
    if (auto line = player.played_line(d.end_frame)) log.line(std::move(*line));
    if (t.last_caller_audio_us > 0 && t.first_packet_us > 0) log.turn(t);
    if (current_reply.transfer_to && !current_reply.transfer_to->empty()) {
      transferring.store(true);
      transfer_to(*current_reply.transfer_to);
    } else if (current_reply.end_call) {
      hang_up("agent ended the call");
    }
  }
  void transfer_to(const std::string& target) {
    event("transfer", target);
    if (hooks.transfer) hooks.transfer(target);
  }
  void hang_up(std::string why) {
    ending.store(true);
    event("hangup", std::move(why));
    if (hooks.hang_up) hooks.hang_up();
  }

  void on_caller_turn(const speech::Transcript& t, const UtteranceEnded& u, TurnTiming timing, bool had_interim) {
    if (t.text.empty()) {  // noise heard as nothing
      if (had_interim) live.retract(u.utterance, u.start_frame, u.end_frame);
      return;
    }
    // Words heard are kept even when the call is ending or over (they count
    // in the transcript, summary and outcome); they are only not answered.
    log.caller_said(t, u);
    if (finished.load() || ending.load() || muted()) return;  // taken over, transferring, the supervisor talking
    // While answering-machine detection runs, or on a machine, words are kept but not answered.
    if (amd.listening()) return;
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
    speak_greeting();
  }
  void speak_greeting() {
    speak_reply([this](const brain::TextSink& sink, std::stop_token stop) { return brain->greet(sink, stop); }, {}, Speak::brain);
  }

  void on_amd_verdict(AmdVerdict verdict) {
    log.amd_verdict(verdict);
    if (verdict != AmdVerdict::machine) greet();  // a person (or silence: they wait for us) gets the greeting
  }

  void leave_voicemail() {
    if (finished.load() || ending.load()) return;
    log.end_reason("answering machine");
    if (!cfg.voicemail_message.empty()) return say_and_maybe_end(cfg.voicemail_message, true, Speak::forced);
    hang_up("answering machine, no voicemail message configured");
  }

  void say_and_maybe_end(const std::string& text, bool end_call, Speak kind = Speak::prompt) {
    if (finished.load() || (kind != Speak::forced && muted())) return;
    if (end_call) ending.store(true);
    speak_reply(fixed_line(text, end_call), TurnTiming{}, kind);
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
  auto usage = std::make_shared<CallUsage>();
  MeteredExecutor metered(*runtime.executor, usage);  // every stage task counts for the call (its queues keep `usage`)
  auto impl = std::make_unique<Impl>(std::move(config), std::move(brain), std::move(tts), clock, metered, std::move(hooks), usage);
  Impl& d = *impl;
  if (d.cfg.conversation) {  // a media-only call never listens (media_frame stops before these)
    auto input = CallerInput::create();
    if (!input) return std::unexpected(input.error());
    d.input.emplace(std::move(*input));
    SttStage::Hooks sh{[&d] { return d.player.active(); }, [&d](std::string_view words) { d.barge.on_interim_text(words); }, &d};
    d.stt = std::make_unique<SttStage>(
        std::move(stt), [&d](std::function<void()> fn, Lane lane) { d.post_to(*d.stt_queue, std::move(fn), lane); }, clock, std::move(sh));
    if (d.cfg.outbound && d.cfg.detect_answering_machine) {
      auto amd = AnsweringMachineDetector::create();
      if (!amd) return std::unexpected(amd.error());
      d.amd.attach(std::move(*amd));
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
  // Outbound: answering-machine detection decides (human or silence →
  // greeting; machine → voicemail); without it, greet on the callee's
  // "hello" or after 2 s of silence (checked by the media thread: nothing
  // sleeps). An agent set to greet on answer does so at once (AMD listens on).
  const bool greet_now = !d.cfg.outbound || !d.cfg.conversation || d.cfg.greet_on_answer;
  d.timers.start(d.answered_at, !greet_now && !d.amd.attached());
  if (greet_now) d.greeted.store(true);
  d.answered.store(true, std::memory_order_release);
  if (greet_now) d.post_control([&d] { d.speak_greeting(); });
}

void CallPipeline::on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t) {
  std::lock_guard frame_lock(impl_->frame_mutex);  // uncontended but for finish()
  if (!impl_->answered.load(std::memory_order_acquire) || impl_->finished.load(std::memory_order_relaxed)) return;
  // The media thread's share of the call's CPU, sampled: a thread CPU clock
  // read costs ~0.3 µs, so one frame in 8 is timed and counts for 8.
  if ((impl_->frames_seen++ & 7) != 0) return impl_->media_frame(caller, agent);
  const int64_t t0 = thread_cpu_ns();
  impl_->media_frame(caller, agent);
  impl_->usage->add_cpu_ns(8 * (thread_cpu_ns() - t0));
}

void CallPipeline::attach(std::function<void()> play_soon) { impl_->player.set_play_soon(std::move(play_soon)); }

void CallPipeline::on_dtmf(char digit, int) { impl_->log.dtmf(digit, impl_->frame); }

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
    d.log.end_reason("ended by a supervisor");
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
    if (!d.finished.load()) d.transfer_to(target);
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
  PipelineResult r;
  {
    UsageScope scope(d.usage.get());  // the brain's summary and outcome are the call's work too
    r = finish_stages();
  }
  r.usage = {d.usage->cpu_ms(), d.usage->memory_bytes(), d.usage->api_calls()};
  return r;
}

PipelineResult CallPipeline::finish_stages() {
  auto& d = *impl_;
  auto first_agent_audio = [&d](PipelineResult r) {
    if (d.answered.load(std::memory_order_acquire))
      if (auto first = d.player.first_call_packet_at())
        r.agent_audio_after_answer_ms =
            std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(*first - d.answered_at).count());
    return r;
  };
  if (d.finished.exchange(true)) return first_agent_audio(d.log.result());
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
  d.live.close();
  if (d.recorder)
    if (auto closed = d.recorder->close(); !closed)
      spdlog::warn("recording {}: {}", d.cfg.recording_path.string(), closed.error().message);
  PipelineResult r = first_agent_audio(d.log.close(*d.brain, d.cfg.voicemail_message));
  // ResourceUse::memory_bytes: every part only grew during the call, so now is its peak.
  std::size_t text = r.result.summary.size();
  for (const auto& line : r.transcript) text += line.text.size();
  d.usage->note_memory(static_cast<int64_t>(sizeof(Impl) + text) + d.player.memory_bytes() + (d.stt ? d.stt->memory_bytes() : 0));
  return r;
}

}  // namespace voqo::pipeline
