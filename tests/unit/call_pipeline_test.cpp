// The conversation pipeline driven frame by frame, in real time, with the
// embedded engines (pocketsphinx, flite) and no network: barge-in cuts the
// agent within the frame it is decided and marks the line interrupted; long
// silence gets one "Are you still there?" and then a goodbye and hang-up; an
// answering machine gets the voicemail message after its beep.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <deque>
#include <mutex>
#include <thread>

#include "pipeline/audio_level.hpp"
#include "pipeline/call_pipeline.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"
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
    return say("Thanks. Let me tell you about our service. It handles rent collection. It also tracks maintenance.", sink, stop);
  }
  void interrupted(std::string_view spoken) override { heard = std::string(spoken); }
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const brain::TranscriptEntry>, std::stop_token) override {
    return brain::CallResult{};
  }
  std::string heard;

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
};

struct Harness {
  WorkerPool pool{4, "test-pipe"};
  std::shared_ptr<CallPipeline> pipeline;
  std::atomic<bool> hung_up{false};
  std::vector<int> agent_level;  ///< meter per frame of what the agent sent
  std::vector<std::string> events;
  std::mutex mutex;

  explicit Harness(PipelineConfig cfg, std::string greeting = "Hello, this is Ava from Harbor.") {
    auto stt = speech::PocketsphinxStt::create();
    EXPECT_TRUE(stt);
    PipelineHooks hooks;
    hooks.hang_up = [this] { hung_up = true; };
    hooks.on_event = [this](const std::string& name, const std::string& detail) {
      std::lock_guard lock(mutex);
      events.push_back(name + ": " + detail);
    };
    auto p = CallPipeline::create(std::move(cfg), std::move(*stt), std::make_shared<speech::FliteTts>(),
                                  std::make_unique<TalkativeBrain>(std::move(greeting)), pool, std::move(hooks));
    EXPECT_TRUE(p) << p.error().message;
    pipeline = *p;
    pipeline->on_answered();
  }
  /// Plays `caller` (16 kHz) into the pipeline in real time, 20 ms a frame,
  /// then `tail_frames` of silence; stops early once hung up.
  void play(const std::vector<int16_t>& caller, int tail_frames) {
    std::vector<int16_t> agent(kFrame);
    const std::size_t frames = caller.size() / kFrame + static_cast<std::size_t>(tail_frames);
    auto next = std::chrono::steady_clock::now();
    for (std::size_t f = 0; f < frames && !hung_up; ++f) {
      std::vector<int16_t> in(kFrame, 0);
      if ((f + 1) * kFrame <= caller.size()) std::copy_n(caller.begin() + static_cast<long>(f * kFrame), kFrame, in.begin());
      std::fill(agent.begin(), agent.end(), 0);
      pipeline->on_frame(in, agent, agent_level.size());
      agent_level.push_back(meter_percent(level_dbfs(agent)));
      next += std::chrono::milliseconds(20);
      std::this_thread::sleep_until(next);
    }
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

TEST(CallPipeline, AnsweringMachineGetsTheVoicemailAfterTheBeep) {
  auto cfg = config();
  cfg.outbound = true;
  cfg.detect_answering_machine = true;
  cfg.voicemail_message = "Hi, this is Ava from Harbor. Please call us back.";
  Harness h(cfg);
  auto greeting = test::synthesize("Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone.");
  std::vector<int16_t> caller(8000, 0);
  caller.insert(caller.end(), greeting.begin(), greeting.end());
  caller.resize(caller.size() + 8000, 0);
  for (int i = 0; i < 16000 / 2; ++i)  // 500 ms beep at 1 kHz
    caller.push_back(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 1000.0 * i / 16000.0)));
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
}

}  // namespace
}  // namespace voqo::pipeline
