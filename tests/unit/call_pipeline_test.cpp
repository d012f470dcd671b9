// The conversation pipeline driven frame by frame, in real time, with the
// embedded engines (pocketsphinx, flite) and no network: barge-in cuts the
// agent within the frame it is decided and marks the line interrupted; long
// silence gets one "Are you still there?" and then a goodbye and hang-up; an
// answering machine gets the voicemail message after its beep; a caller who
// goes on while the agent is still thinking keeps the turn. Live
// monitoring: interim lines before their final, levels every 10 frames;
// supervisor controls: take-over, end-call, coaching and a joined
// supervisor's audio (mixed for the caller, the line for the listener).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "pipeline/audio_level.hpp"
#include "pipeline/call_pipeline.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "speech/wer.hpp"
#include "support/speech_fixtures.hpp"

namespace voqo::pipeline {
namespace {

constexpr std::size_t kFrame = 320;

/// Says a long reply to anything; greets with `greeting`.
class TalkativeBrain final : public brain::Brain {
 public:
  explicit TalkativeBrain(std::string greeting) : greeting_(std::move(greeting)) {}
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token stop) override { return say(greeting_, sink, stop); }
  Result<brain::Reply> respond(std::string_view, const brain::TextSink& sink, std::stop_token stop) override {
    for (auto until = std::chrono::steady_clock::now() + think; std::chrono::steady_clock::now() < until && !stop.stop_requested();)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::string text = "Thanks. Let me tell you about our service. It handles rent collection. It also tracks maintenance.";
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) text = *it + " " + text;  // a coached line comes first
    pending_.clear();
    return say(text, sink, stop);
  }
  void coach(std::string_view whisper) override {
    coached.emplace_back(whisper);
    pending_.emplace_back(whisper);
  }
  void interrupted(std::string_view spoken) override { heard = std::string(spoken); }
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    return brain::CallResult{};
  }
  std::string heard;
  std::vector<std::string> coached;  ///< every whisper received (read after finish())
  std::chrono::milliseconds think{0};  ///< before the first words of a reply (a slow LLM)

 private:
  static Result<brain::Reply> say(const std::string& text, const brain::TextSink& sink, std::stop_token stop) {
    brain::Reply r;
    std::size_t start = 0;
    while (start < text.size()) {  // sentence by sentence, as brains stream
      std::size_t end = text.find(". ", start);
      end = end == std::string::npos ? text.size() : end + 1;
      if (stop.stop_requested() || !sink(text.substr(start, end - start))) break;
      r.text += text.substr(start, end - start);
      start = end + (end < text.size() ? 1 : 0);
    }
    return r;
  }
  std::string greeting_;
  std::vector<std::string> pending_;
};

struct Level {
  int agent = 0, customer = 0;
  std::string speaker;
};

struct Harness {
  WorkerPool pool;
  std::shared_ptr<CallPipeline> pipeline;
  TalkativeBrain* talker = nullptr;  ///< the brain, owned by the pipeline
  std::atomic<bool> hung_up{false};
  std::atomic<std::size_t> frames_played{0};
  std::size_t hung_up_at = 0;       ///< frames played when hang_up came
  std::vector<int> agent_level;  ///< meter per frame of what the agent sent
  std::vector<std::vector<int16_t>> caller_frames, agent_frames;  ///< every frame, as sent and as received
  std::vector<std::string> events;
  std::vector<model::TranscriptLine> lines;
  std::vector<Level> levels;
  std::vector<brain::Reply> turns;
  std::mutex mutex;

  explicit Harness(PipelineConfig cfg, std::string greeting = "Hello, this is Ava from Harbor.", int pool_threads = 4)
      : pool(pool_threads, "test-pipe") {
    auto stt = speech::PocketsphinxStt::create();
    EXPECT_TRUE(stt);
    PipelineHooks hooks;
    hooks.hang_up = [this] {
      hung_up_at = frames_played.load();
      hung_up = true;
    };
    hooks.on_event = [this](const std::string& name, const std::string& detail) {
      std::lock_guard lock(mutex);
      events.push_back(name + ": " + detail);
    };
    hooks.on_live_line = [this](const model::TranscriptLine& l) {
      std::lock_guard lock(mutex);
      lines.push_back(l);
    };
    hooks.on_levels = [this](int agent, int customer, std::string_view speaker) {
      std::lock_guard lock(mutex);
      levels.push_back({agent, customer, std::string(speaker)});
    };
    hooks.on_turn = [this](const brain::Reply& r) {
      std::lock_guard lock(mutex);
      turns.push_back(r);
    };
    auto b = std::make_unique<TalkativeBrain>(std::move(greeting));
    talker = b.get();
    auto p = CallPipeline::create(std::move(cfg), std::move(*stt), std::make_shared<speech::FliteTts>(), std::move(b), pool,
                                  std::move(hooks));
    EXPECT_TRUE(p) << p.error().message;
    pipeline = *p;
    pipeline->on_answered();
  }
  /// Plays `caller` (16 kHz) into the pipeline in real time, 20 ms a frame,
  /// then `tail_frames` of silence; stops early once hung up. `before(f)`
  /// runs before frame f (global frame number) is handed over.
  void play(const std::vector<int16_t>& caller, int tail_frames, const std::function<void(std::size_t)>& before = {}) {
    std::vector<int16_t> agent(kFrame);
    const std::size_t frames = caller.size() / kFrame + static_cast<std::size_t>(tail_frames);
    auto next = std::chrono::steady_clock::now();
    for (std::size_t f = 0; f < frames && !hung_up; ++f) {
      std::vector<int16_t> in(kFrame, 0);
      if ((f + 1) * kFrame <= caller.size()) std::copy_n(caller.begin() + static_cast<long>(f * kFrame), kFrame, in.begin());
      std::fill(agent.begin(), agent.end(), 0);
      if (before) before(agent_level.size());
      pipeline->on_frame(in, agent, agent_level.size());
      agent_level.push_back(meter_percent(level_dbfs(agent)));
      caller_frames.push_back(in);
      agent_frames.push_back(agent);
      frames_played.store(agent_level.size());
      next += std::chrono::milliseconds(20);
      std::this_thread::sleep_until(next);
    }
  }
  /// The agent's lines (speaker "agent") of a result.
  static std::vector<model::TranscriptLine> agent_lines(const PipelineResult& r) {
    std::vector<model::TranscriptLine> out;
    for (const auto& e : r.transcript)
      if (e.speaker == "agent") out.push_back(e);
    return out;
  }
  [[nodiscard]] bool saw(const std::string& prefix) {
    std::lock_guard lock(mutex);
    for (const auto& e : events)
      if (e.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

PipelineConfig config() {
  PipelineConfig c;
  c.outbound = false;  // greet at once
  c.response_delay_ms = 0;
  c.silence_threshold_ms = 700;
  c.voice = {"slt", 1.0, 1.0};
  return c;
}

TEST(CallPipeline, CallerSpeechInterruptsTheAgentWhichStopsAtOnceAndTheLineIsMarked) {
  auto cfg = config();
  cfg.interruption_sensitivity = 0.8;
  Harness h(cfg, "Hello, this is Ava from Harbor Property Management. I am calling about the rentals you manage, "
                 "and how our platform can save you hours every week on rent collection and maintenance.");
  // 1.5 s into the greeting, the caller starts talking over it.
  std::vector<int16_t> caller(static_cast<std::size_t>(1.5 * 16000), 0);
  const auto speech = test::load_speech("goforward.raw");
  caller.insert(caller.end(), speech.begin(), speech.end());
  h.play(caller, 60);
  auto result = h.pipeline->finish();
  ASSERT_TRUE(h.saw("barge_in")) << "no barge-in";
  // The first cut line is the greeting (a later one may be the reply the test
  // ended in). The agent was audible before the cut and silent right after.
  bool interrupted_line = false;
  for (const auto& e : result.transcript)
    if (e.speaker == "agent" && e.interrupted && !interrupted_line) {
      interrupted_line = true;
      EXPECT_LT(e.text.size(), std::string("Hello, this is Ava from Harbor Property Management.").size() + 60)
          << "only what was heard is kept: " << e.text;
      const std::size_t cut = static_cast<std::size_t>(e.end_ms / 20);
      ASSERT_LT(cut + 5, h.agent_level.size());
      // Within 100 ms (5 frames) of the decision the agent is silent.
      EXPECT_GT(h.agent_level[cut - 2], 0) << "the agent was speaking when cut";
      for (std::size_t f = cut + 1; f < std::min(cut + 30, h.agent_level.size()); ++f)
        EXPECT_EQ(h.agent_level[f], 0) << "agent audio at frame " << f;
    }
  EXPECT_TRUE(interrupted_line);
}

TEST(CallPipeline, EchoOfTheAgentsOwnVoiceDoesNotInterrupt) {
  auto cfg = config();
  cfg.interruption_sensitivity = 1.0;
  Harness h(cfg, "Hello, this is Ava from Harbor Property Management. I am calling about your rentals today.");
  // The caller's line returns the agent's audio 120 ms later, 12 dB down.
  std::vector<int16_t> agent(kFrame), in(kFrame);
  std::deque<std::vector<int16_t>> delay(6, std::vector<int16_t>(kFrame, 0));
  auto next = std::chrono::steady_clock::now();
  for (int f = 0; f < 600 && !h.hung_up; ++f) {  // 12 s: the greeting ends well before
    in = delay.front();
    delay.pop_front();
    std::fill(agent.begin(), agent.end(), 0);
    h.pipeline->on_frame(in, agent, static_cast<uint64_t>(f));
    std::vector<int16_t> echo(kFrame);
    for (std::size_t i = 0; i < kFrame; ++i) echo[i] = static_cast<int16_t>(agent[i] / 4);
    delay.push_back(echo);
    next += std::chrono::milliseconds(20);
    std::this_thread::sleep_until(next);
  }
  auto result = h.pipeline->finish();
  std::string events;
  for (const auto& e : h.events) events += e + "; ";
  EXPECT_FALSE(h.saw("barge_in")) << "the agent's own echo interrupted it: " << events;
  // The greeting was heard to its end (a later reply may be cut by the end of the test).
  for (const auto& e : result.transcript)
    if (e.speaker == "agent") {
      EXPECT_FALSE(e.interrupted) << e.text;
      break;
    }
}

TEST(CallPipeline, ACallerWhoGoesOnWhileTheAgentIsStillThinkingKeepsTheTurnAndTheirWords) {
  auto cfg = config();
  cfg.interruption_sensitivity = 0.0;
  Harness h(cfg, "Hi.");
  h.talker->think = std::chrono::milliseconds(3000);
  // After the greeting: a sentence, a pause past the silence threshold (the
  // turn ends and the brain starts thinking), then the caller goes on.
  const auto speech = test::load_speech("goforward.raw");
  std::vector<int16_t> caller(static_cast<std::size_t>(2.0 * 16000), 0);
  caller.insert(caller.end(), speech.begin(), speech.end());
  caller.insert(caller.end(), static_cast<std::size_t>(1.0 * 16000), 0);
  // Shorter than a barge-in needs at sensitivity 0 (700 ms): only the turn-taking rule keeps it.
  caller.insert(caller.end(), speech.begin(), speech.begin() + static_cast<long>(std::min<std::size_t>(speech.size(), 0.6 * 16000)));
  h.play(caller, 100);
  auto result = h.pipeline->finish();
  int caller_lines = 0;
  std::string transcript;
  for (const auto& e : result.transcript) {
    transcript += e.speaker + ": " + e.text + " | ";
    if (e.speaker == "caller" && !e.text.empty()) ++caller_lines;
  }
  std::string events;
  for (const auto& e : h.events) events += e + "; ";
  EXPECT_EQ(caller_lines, 2) << "the words said while the agent was thinking were dropped: " << transcript << "\n" << events;
}

TEST(CallPipeline, ACallerWhoHangsUpRightAfterSpeakingKeepsTheirWords) {
  // Issue 15 §12: the call ends (BYE, CANCEL, media timeout: finish()) 0.3 s
  // after the caller's last word, before the silence that ends a turn. The
  // open utterance is recognised and kept, not answered.
  auto cfg = config();
  cfg.silence_threshold_ms = 1000;
  Harness h(cfg, "Hi.");
  // The recording's words end at 2.4 s (then 0.4 s of room tone): the call
  // ends 0.3 s after the last word, well inside the 1 s that ends a turn.
  const auto speech = test::load_speech("goforward.raw");
  std::vector<int16_t> caller(static_cast<std::size_t>(2.0 * 16000), 0);
  caller.insert(caller.end(), speech.begin(), speech.begin() + static_cast<long>(std::min<std::size_t>(speech.size(), 2.4 * 16000)));
  h.play(caller, 15);
  auto result = h.pipeline->finish();
  std::string heard;
  for (const auto& e : result.transcript)
    if (e.speaker == "caller") heard += e.text + " ";
  EXPECT_TRUE(result.caller_spoke);
  EXPECT_LE(speech::word_error_rate("go forward ten meters", heard), 0.25) << "heard: " << heard;
  // Kept for the live view as a final line too.
  bool final_line = false;
  for (const auto& l : h.lines) final_line = final_line || (l.speaker == "caller" && l.is_final && !l.text.empty());
  EXPECT_TRUE(final_line);
  // Not answered: no agent line begins after the caller's words.
  std::string transcript;
  int64_t caller_end = 0;
  for (const auto& e : result.transcript) {
    transcript += e.speaker + " [" + std::to_string(e.start_ms) + "-" + std::to_string(e.end_ms) + "]: " + e.text + " | ";
    if (e.speaker == "caller") caller_end = std::max(caller_end, e.end_ms);
  }
  for (const auto& e : Harness::agent_lines(result)) EXPECT_LT(e.start_ms, caller_end) << transcript;
}

TEST(CallPipeline, LongSilenceGetsOnePromptThenAGoodbyeAndHangUp) {
  auto cfg = config();
  cfg.no_input_timeout_ms = 1500;
  Harness h(cfg, "Hello.");
  h.play({}, 700);  // up to 14 s of silence
  auto result = h.pipeline->finish();
  EXPECT_TRUE(h.hung_up.load());
  std::vector<std::string> said;
  for (const auto& e : result.transcript)
    if (e.speaker == "agent") said.push_back(e.text);
  ASSERT_EQ(said.size(), 3u) << "greeting, prompt, goodbye";
  EXPECT_EQ(said[1], cfg.still_there_prompt);
  EXPECT_EQ(said[2], cfg.goodbye_no_input);
  EXPECT_EQ(result.end_reason, "no input");
}

TEST(CallPipeline, OutboundWithoutAmdGreetsAfterTwoSilentSecondsWithoutHoldingAWorker) {
  // No "hello" from the callee: the agent opens after 2 s. The wait must not
  // occupy a pool worker (the pool runs every call's STT, TTS and brain): a
  // probe task posted meanwhile to a one-worker pool runs at once.
  auto cfg = config();
  cfg.outbound = true;
  cfg.detect_answering_machine = false;
  Harness h(cfg, "Hello, this is Ava from Harbor.", 1);
  std::atomic<int64_t> probe_wait_ms{-1};
  h.play({}, 260, [&](std::size_t f) {
    if (f != 10) return;
    h.pool.post([&probe_wait_ms, posted = std::chrono::steady_clock::now()] {
      probe_wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - posted).count();
    });
  });
  auto result = h.pipeline->finish();
  EXPECT_GE(probe_wait_ms.load(), 0);
  EXPECT_LT(probe_wait_ms.load(), 500) << "a task waited behind the greeting timer";
  const auto said = Harness::agent_lines(result);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].text, "Hello, this is Ava from Harbor.");
  EXPECT_GE(said[0].start_ms, 2000);
  EXPECT_LT(said[0].start_ms, 3000);
}

/// What an answering machine plays (16 kHz): 0.5 s of silence, a greeting,
/// 0.5 s of silence, a 500 ms beep at 1 kHz.
std::vector<int16_t> machine_greeting_then_beep() {
  auto greeting = test::synthesize("Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone.");
  std::vector<int16_t> caller(8000, 0);
  caller.insert(caller.end(), greeting.begin(), greeting.end());
  caller.resize(caller.size() + 8000, 0);
  for (int i = 0; i < 16000 / 2; ++i)
    caller.push_back(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 1000.0 * i / 16000.0)));
  return caller;
}

/// An outbound call with answering-machine detection and a voicemail message.
PipelineConfig voicemail_config(std::string message) {
  auto cfg = config();
  cfg.outbound = true;
  cfg.detect_answering_machine = true;
  cfg.voicemail_message = std::move(message);
  return cfg;
}

TEST(CallPipeline, AnsweringMachineGetsTheVoicemailAfterTheBeep) {
  const auto cfg = voicemail_config("Hi, this is Ava from Harbor. Please call us back.");
  Harness h(cfg);
  const auto caller = machine_greeting_then_beep();
  h.play(caller, 400);
  auto result = h.pipeline->finish();
  EXPECT_EQ(result.amd_verdict, "machine");
  EXPECT_EQ(result.result.outcome, brain::Outcome::voicemail);
  EXPECT_TRUE(h.hung_up.load());
  bool left_message = false, greeted = false;
  for (const auto& e : result.transcript) {
    if (e.speaker != "agent") continue;
    if (e.text == cfg.voicemail_message) {
      left_message = true;
      EXPECT_GE(e.start_ms, static_cast<int64_t>(caller.size() / 16)) << "the message starts after the beep";
    } else {
      greeted = true;
    }
  }
  EXPECT_TRUE(left_message);
  EXPECT_FALSE(greeted) << "a machine is not greeted";
  EXPECT_EQ(result.result.summary, "Reached an answering machine; left the voicemail message after the beep.");
}

TEST(CallPipeline, AMachineThatHangsUpDuringTheVoicemailMessageIsNotSummarisedAsAMessageLeft) {
  const auto cfg = voicemail_config("Hi, this is Ava from Harbor. Please call us back at your convenience, any day this week.");
  Harness h(cfg);
  const auto caller = machine_greeting_then_beep();
  h.play(caller, 75);  // the machine hangs up 1.5 s after its beep
  auto result = h.pipeline->finish();
  ASSERT_EQ(result.amd_verdict, "machine");
  EXPECT_EQ(result.result.outcome, brain::Outcome::voicemail);
  EXPECT_EQ(result.result.summary, "Reached an answering machine; the call ended while the voicemail message was playing.")
      << result.transcript.size() << " transcript entries";
}


std::vector<int16_t> silence_frames(std::size_t frames) { return std::vector<int16_t>(frames * kFrame, 0); }

std::vector<int16_t> tone(std::size_t samples, double hz, double amplitude) {
  std::vector<int16_t> out(samples);
  for (std::size_t i = 0; i < samples; ++i)
    out[i] = static_cast<int16_t>(amplitude * std::sin(2 * M_PI * hz * static_cast<double>(i) / 16000.0));
  return out;
}

TEST(CallPipelineLive, InterimLinesPrecedeTheirFinalAndLevelsComeEveryTenFrames) {
  Harness h(config(), "Hello, this is Ava.");
  auto caller = silence_frames(150);
  const auto speech = test::load_speech("goforward.raw");
  caller.insert(caller.end(), speech.begin(), speech.end());
  h.play(caller, 250);
  auto result = h.pipeline->finish();
  std::lock_guard lock(h.mutex);

  // Caller utterances: every interim comes before the final of its entry.
  std::map<std::string, int> interims;
  std::map<std::string, int64_t> interim_start;
  std::set<std::string> finals;
  bool interim_then_final = false;
  for (const auto& l : h.lines) {
    if (l.speaker == "agent") {
      EXPECT_TRUE(l.is_final) << "agent lines are final only: " << l.text;
      EXPECT_EQ(l.entry_id.rfind("agent-", 0), 0u) << l.entry_id;
      continue;
    }
    EXPECT_EQ(l.entry_id.rfind("caller-", 0), 0u) << l.entry_id;
    if (!l.is_final) {
      EXPECT_FALSE(finals.contains(l.entry_id)) << "interim after the final of " << l.entry_id;
      EXPECT_FALSE(l.text.empty());
      if (!interims.contains(l.entry_id)) interim_start[l.entry_id] = l.start_ms;
      ++interims[l.entry_id];
    } else {
      finals.insert(l.entry_id);
      if (interims[l.entry_id] > 0 && !l.text.empty()) {
        interim_then_final = true;
        EXPECT_EQ(l.start_ms, interim_start[l.entry_id]) << "one utterance, one start";
      }
    }
  }
  EXPECT_TRUE(interim_then_final) << "no caller line showed an interim before its final";
  // The finals are the transcript, in order.
  std::vector<std::string> live_finals, recorded;
  for (const auto& l : h.lines)
    if (l.is_final && !l.text.empty()) live_finals.push_back(l.speaker + ": " + l.text);
  for (const auto& e : result.transcript) recorded.push_back(e.speaker + ": " + e.text);
  EXPECT_EQ(live_finals, recorded);

  // Levels: one per 10 media frames (200 ms), the caller's while they talk, the agent's while it speaks.
  EXPECT_EQ(h.levels.size(), h.frames_played.load() / 10);
  bool caller_level = false, agent_level = false;
  for (const auto& l : h.levels) {
    EXPECT_GE(l.agent, 0);
    EXPECT_LE(l.agent, 100);
    EXPECT_GE(l.customer, 0);
    EXPECT_LE(l.customer, 100);
    caller_level |= l.speaker == "caller" && l.customer > 20;
    agent_level |= l.speaker == "agent" && l.agent > 20;
  }
  EXPECT_TRUE(caller_level);
  EXPECT_TRUE(agent_level);
  EXPECT_GE(h.turns.size(), 2u) << "greeting and reply";
}

TEST(CallPipelineSupervisor, TakeOverSilencesTheAgentUntilReleased) {
  auto cfg = config();
  cfg.no_input_timeout_ms = 1500;  // no "are you still there" while taken over either
  Harness h(cfg, "Hello, this is Ava from Harbor Property Management. I am calling about the rentals you manage, "
                 "and how our platform can save you hours every week on rent collection and maintenance.");
  const auto speech = test::load_speech("goforward.raw");
  auto caller = silence_frames(100);
  caller.insert(caller.end(), speech.begin(), speech.end());
  caller.resize(caller.size() + 200 * kFrame, 0);
  const std::size_t release_at = caller.size() / kFrame;
  caller.insert(caller.end(), speech.begin(), speech.end());
  h.play(caller, 250, [&](std::size_t f) {
    if (f == 40) h.pipeline->take_over();
    if (f == release_at) h.pipeline->release();
  });
  auto result = h.pipeline->finish();
  ASSERT_GT(h.agent_level.size(), release_at + 100);
  EXPECT_GT(*std::max_element(h.agent_level.begin(), h.agent_level.begin() + 40), 0) << "the greeting was playing";
  for (std::size_t f = 41; f < release_at; ++f) EXPECT_EQ(h.agent_level[f], 0) << "agent audio while taken over, frame " << f;
  const auto agent = Harness::agent_lines(result);
  ASSERT_GE(agent.size(), 2u);
  EXPECT_TRUE(agent[0].interrupted) << "the greeting was cut: " << agent[0].text;
  bool caller_heard = false;
  for (const auto& e : result.transcript)
    caller_heard |= e.speaker == "caller" && e.start_ms < static_cast<int64_t>(release_at) * 20 && !e.text.empty();
  EXPECT_TRUE(caller_heard) << "the caller is still transcribed while taken over";
  // After release, the next caller turn is answered.
  EXPECT_GE(agent[1].start_ms, static_cast<int64_t>(release_at) * 20);
  EXPECT_EQ(agent[1].text.rfind("Thanks.", 0), 0u) << agent[1].text;
  EXPECT_TRUE(h.saw("supervisor: take_over"));
  EXPECT_TRUE(h.saw("supervisor: release"));
}

TEST(CallPipelineSupervisor, EndCallSaysTheClosingLineUninterruptedThenHangsUp) {
  Harness h(config(), "Hello, this is Ava from Harbor Property Management. I am calling about the rentals you manage, "
                      "and how our platform can save you hours every week on rent collection and maintenance.");
  const std::string closing = "Thanks for your time. Goodbye.";
  // The caller talks over the closing line: it still plays to its end.
  auto caller = silence_frames(60);
  const auto speech = test::load_speech("goforward.raw");
  caller.insert(caller.end(), speech.begin(), speech.end());
  // Up to 30 s of call (play() stops at the hang-up): synthesis is slow on a loaded machine.
  h.play(caller, 1500, [&](std::size_t f) {
    if (f == 50) h.pipeline->end_call(closing);
  });
  auto result = h.pipeline->finish();
  ASSERT_TRUE(h.hung_up.load()) << [&] {
    std::string out;
    for (const auto& e : h.events) out += e + "\n";
    for (const auto& e : result.transcript) out += e.speaker + ": " + e.text + "\n";
    return out;
  }();
  const auto agent = Harness::agent_lines(result);
  ASSERT_EQ(agent.size(), 2u) << "the cut greeting and the closing line";
  EXPECT_TRUE(agent[0].interrupted);
  EXPECT_EQ(agent[1].text, closing);
  EXPECT_FALSE(agent[1].interrupted);
  EXPECT_GE(agent[1].start_ms, 50 * 20);
  // The BYE came once the line had been played.
  EXPECT_GE(static_cast<int64_t>(h.hung_up_at) * 20, agent[1].end_ms);
  EXPECT_GT(agent[1].end_ms - agent[1].start_ms, 1000) << "the whole line was heard";
  EXPECT_EQ(result.end_reason, "ended by a supervisor");
}

TEST(CallPipelineSupervisor, CoachingReachesTheBrainForItsNextTurnAndIsNotSpokenAtOnce) {
  Harness h(config(), "Hello.");
  const std::string whisper = "Mention the free valuation.";
  auto caller = silence_frames(100);
  const auto speech = test::load_speech("goforward.raw");
  caller.insert(caller.end(), speech.begin(), speech.end());
  h.play(caller, 300, [&](std::size_t f) {
    if (f == 75) h.pipeline->coach(whisper);
  });
  auto result = h.pipeline->finish();
  EXPECT_EQ(h.talker->coached, std::vector<std::string>{whisper});
  const auto agent = Harness::agent_lines(result);
  ASSERT_GE(agent.size(), 2u);
  EXPECT_EQ(agent[0].text, "Hello.");
  EXPECT_EQ(agent[1].text.rfind(whisper + " Thanks.", 0), 0u) << agent[1].text;
  EXPECT_GE(agent[1].start_ms, static_cast<int64_t>(caller.size() / 16)) << "said in the reply, not when whispered";
  EXPECT_TRUE(h.saw("supervisor: coach: " + whisper));
}

TEST(CallPipelineSupervisor, JoinedAudioIsMixedForTheCallerAndTheListenerHearsTheLine) {
  auto cfg = config();
  cfg.no_input_timeout_ms = 60000;
  Harness h(cfg, "");  // no greeting: the agent speaks only to answer the caller
  auto leg = h.pipeline->join();
  ASSERT_TRUE(leg) << leg.error().message;
  std::mutex m;
  std::vector<std::vector<int16_t>> heard;  // by frame, while joined
  (*leg)->set_listener([&](std::span<const int16_t> frame) {
    std::lock_guard lock(m);
    heard.emplace_back(frame.begin(), frame.end());
  });
  const auto speech = test::load_speech("goforward.raw");
  const std::size_t talk = 260, talk_end = talk + 100, burst = 400, leave_at = 520;
  const auto voice = tone(100 * kFrame, 440.0, 4000.0);
  h.play(speech, static_cast<int>(540 - speech.size() / kFrame), [&](std::size_t f) {
    if (f >= talk && f < talk_end)  // 20 ms of the supervisor's voice just before each frame
      (*leg)->speak(std::span<const int16_t>(voice).subspan((f - talk) * kFrame, kFrame));
    if (f == burst) (*leg)->speak(tone(3 * 16000, 440.0, 4000.0));  // 3 s at once: 1 s of it is played
    if (f == leave_at) (*leg)->leave();
  });
  auto result = h.pipeline->finish();
  ASSERT_EQ(h.agent_frames.size(), 540u);
  std::lock_guard lock(m);
  ASSERT_EQ(heard.size(), leave_at) << "one listener frame per media frame while joined, none after leave()";

  // Before the supervisor speaks, the listener hears the caller plus the agent.
  bool caller_in_mix = false, agent_in_mix = false;
  for (std::size_t f = 0; f < talk; ++f) {
    std::vector<int16_t> expect(kFrame);
    for (std::size_t i = 0; i < kFrame; ++i)
      expect[i] = static_cast<int16_t>(std::clamp(h.caller_frames[f][i] + h.agent_frames[f][i], -32768, 32767));
    ASSERT_EQ(heard[f], expect) << "frame " << f;
    caller_in_mix |= level_dbfs(h.caller_frames[f]) > -40 && level_dbfs(heard[f]) > -40;
    agent_in_mix |= level_dbfs(h.agent_frames[f]) > -40 && level_dbfs(h.caller_frames[f]) < -90 && level_dbfs(heard[f]) > -40;
  }
  EXPECT_TRUE(caller_in_mix);
  EXPECT_TRUE(agent_in_mix) << "the agent's reply had started before the supervisor spoke";
  // The supervisor's voice stops the agent within 3 frames; from then on the
  // caller hears exactly the supervisor, and the listener not its own voice.
  for (std::size_t f = talk + 4; f < talk_end; ++f) {
    ASSERT_EQ(h.agent_frames[f], std::vector<int16_t>(voice.begin() + static_cast<long>((f - talk) * kFrame),
                                                      voice.begin() + static_cast<long>((f - talk + 1) * kFrame)))
        << "frame " << f;
    EXPECT_EQ(level_dbfs(heard[f]), -96.0) << "frame " << f;
  }
  EXPECT_TRUE(h.saw("supervisor: the agent stopped"));
  const auto agent = Harness::agent_lines(result);
  ASSERT_FALSE(agent.empty());
  EXPECT_TRUE(agent.back().interrupted) << agent.back().text;
  // No new reply while the supervisor talked or after: only the burst is heard, 1 s (50 frames) of it.
  for (std::size_t f = talk_end; f < burst; ++f) EXPECT_EQ(h.agent_level[f], 0) << "frame " << f;
  std::size_t voiced = 0;
  for (std::size_t f = burst; f < 540; ++f) voiced += h.agent_level[f] > 0;
  EXPECT_EQ(voiced, 50u);
}
}  // namespace
}  // namespace voqo::pipeline
