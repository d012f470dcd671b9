// The recognition stage on a fake engine, its queue drained by the test:
// the pre-roll and every later frame of an utterance reach the engine once,
// in order, whether streamed or left to the end of turn; the final
// transcript carries its turn and the engine's compute on the clock; a
// streaming decode queued before the end of turn leaves it the rest;
// interims come at most every 300 ms and only when changed, never under
// the agent's voice; while the agent speaks the words go to barge-in.
#include <gtest/gtest.h>

#include "pipeline/stt_stage.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

using namespace std::chrono_literals;

struct Collector final : FrameSink {
  std::vector<Frame> frames;
  void emit(Frame f) override { frames.push_back(std::move(f)); }
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& f : frames)
      if (auto* x = std::get_if<T>(&f)) out.push_back(*x);
    return out;
  }
};

struct Rig {
  VirtualClock clock;
  test::ManualExecutor executor;
  std::shared_ptr<StageQueue> queue = executor.make_queue();
  Collector out;
  test::FakeSpeechToText* engine = nullptr;
  bool agent_speaking = false;
  std::vector<std::string> words;  // what barge-in was told
  std::unique_ptr<SttStage> stage;
  int64_t frame = 0;
  explicit Rig(std::vector<test::ScriptedTranscript> script) {
    auto e = std::make_unique<test::FakeSpeechToText>(clock, std::move(script));
    engine = e.get();
    SttStage::Hooks hooks{[this] { return agent_speaking; }, [this](std::string_view w) { words.emplace_back(w); }, &out};
    stage = std::make_unique<SttStage>(std::move(e), [this](std::function<void()> fn, Lane lane) { queue->post(std::move(fn), lane); },
                                       clock, std::move(hooks));
  }
  /// Opens utterance `n` with 15 frames of pre-roll.
  void open(int64_t n, bool under_agent = false) {
    const std::vector<int16_t> pre(15 * 320, 1);
    stage->open(UtteranceStarted{n, frame}, under_agent, [&](auto&& fn) { fn(std::span<const int16_t>(pre)); });
  }
  /// `frames` frames of the open utterance, streaming as the pipeline does, draining after each when `drain`.
  void talk(int frames, bool in_speech, bool drain = true) {
    const std::vector<int16_t> pcm(320, 2);
    for (int i = 0; i < frames; ++i) {
      clock.advance(20ms);
      stage->feed(pcm);
      stage->stream(in_speech, ++frame);
      if (drain) executor.run_until_idle();
    }
  }
  UtteranceEnded end(int64_t n) {
    UtteranceEnded e{n, 0, frame, clock.now() - 500ms, clock.now()};
    stage->end_turn(e);
    return e;
  }
};

TEST(SttStage, EveryFrameOfTheUtteranceReachesTheEngineOnceAndTheFinalCarriesItsTurn) {
  Rig r({{"hello there", 0.8, 250ms}});
  r.open(1);
  r.talk(40, true);
  r.talk(10, false);
  const auto turn = r.end(1);
  r.executor.run_until_idle();
  ASSERT_EQ(r.engine->utterance_audio_ms().size(), 1u);
  EXPECT_EQ(r.engine->utterance_audio_ms()[0], (15 + 50) * 20) << "pre-roll and 50 frames, each once";
  const auto finals = r.out.all<FinalTranscript>();
  ASSERT_EQ(finals.size(), 1u);
  ASSERT_TRUE(finals[0].transcript);
  EXPECT_EQ(finals[0].transcript->text, "hello there");
  EXPECT_EQ(finals[0].turn.utterance, 1);
  EXPECT_EQ(finals[0].turn.ended_at, turn.ended_at);
  EXPECT_EQ(finals[0].compute_us, 250000) << "the engine's compute, on the clock";
  EXPECT_EQ(finals[0].decoded_at - turn.ended_at, 250ms);
  EXPECT_FALSE(finals[0].backchannel);
}

TEST(SttStage, StreamsWhileTheCallerTalksAndLeavesOnlyTheRestToTheEndOfTurn) {
  Rig r({{"one"}});
  r.open(1);
  r.talk(30, true);  // decodes posted at 200 ms of buffered audio, drained at once
  EXPECT_LT(r.stage->buffered(), 10u * 320) << "streamed, not held for the end of turn";
  r.end(1);
  r.executor.run_until_idle();
  EXPECT_EQ(r.engine->utterance_audio_ms()[0], 45 * 20);
}

TEST(SttStage, StreamingDecodesQueuedBeforeTheEndOfTurnLeaveItEverything) {
  Rig r({{"one"}});
  r.open(1);
  r.talk(30, true, /*drain=*/false);  // a loaded box: the decodes have not run yet
  r.end(1);
  r.executor.run_until_idle();
  EXPECT_EQ(r.engine->utterance_audio_ms()[0], 45 * 20) << "nothing lost, nothing twice";
  EXPECT_EQ(r.out.all<FinalTranscript>().size(), 1u);
}

TEST(SttStage, InterimsComeAtMostEvery300msOnlyWhenChangedAndNotUnderTheAgent) {
  Rig r({{"yes please", 0.9, 0ms, "yes"}});
  r.open(1);
  r.talk(100, true);  // 2 s of speech, the partial never changes
  const auto interims = r.out.all<InterimTranscript>();
  ASSERT_EQ(interims.size(), 1u) << "sent once: it never changed";
  EXPECT_EQ(interims[0].text, "yes");
  EXPECT_EQ(interims[0].utterance, 1);
  r.end(1);
  r.executor.run_until_idle();
  EXPECT_TRUE(r.out.all<FinalTranscript>()[0].had_interim);

  Rig under({{"uh huh", 0.9, 0ms, "uh huh"}});
  under.open(1, /*under_agent=*/true);
  under.talk(50, true);
  EXPECT_TRUE(under.out.all<InterimTranscript>().empty()) << "maybe a backchannel under the agent";
  under.end(1);
  under.executor.run_until_idle();
  EXPECT_TRUE(under.out.all<FinalTranscript>()[0].backchannel);
}

TEST(SttStage, WhileTheAgentSpeaksEveryDecodeTellsBargeInTheWords) {
  Rig r({{"wait a moment", 0.9, 0ms, "wait"}});
  r.agent_speaking = true;
  r.open(1, true);
  r.talk(25, true);
  ASSERT_FALSE(r.words.empty());
  EXPECT_EQ(r.words.back(), "wait");
  r.stage->took_turn();  // barge-in: the caller has the turn
  r.end(1);
  r.executor.run_until_idle();
  EXPECT_FALSE(r.out.all<FinalTranscript>()[0].backchannel);
}

TEST(SttStage, TwoUtterancesGetTheirOwnAudioAndTranscripts) {
  Rig r({{"first"}, {"second"}});
  r.open(1);
  r.talk(20, true);
  r.end(1);
  r.open(2);
  r.talk(30, true);
  r.end(2);
  r.executor.run_until_idle();
  EXPECT_EQ(r.engine->utterance_audio_ms(), (std::vector<int64_t>{35 * 20, 45 * 20}));
  const auto finals = r.out.all<FinalTranscript>();
  ASSERT_EQ(finals.size(), 2u);
  EXPECT_EQ(finals[0].transcript->text, "first");
  EXPECT_EQ(finals[1].transcript->text, "second");
  EXPECT_EQ(finals[1].turn.utterance, 2);
}

}  // namespace
}  // namespace voqo::pipeline
