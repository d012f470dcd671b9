// Turn detection on its own, frame by frame on virtual time: speech opens an
// utterance after three voiced frames with the pre-roll before it, pauses
// shorter than the silence threshold keep it open, endpointing closes it on
// the clock, and close() ends it when the call ends mid-sentence.
#include <gtest/gtest.h>

#include <numeric>

#include "pipeline/turn_detector.hpp"

namespace voqo::pipeline {
namespace {

using namespace std::chrono_literals;

/// Feeds voiced/unvoiced frames; each frame's samples all hold the frame's index.
struct Feeder {
  TurnDetector turn;
  VirtualClock clock;
  int64_t frame = 0;
  std::vector<TurnStep> steps;
  explicit Feeder(TurnDetectorConfig c) : turn(c) {}
  TurnStep one(bool voiced) {
    std::vector<int16_t> pcm(320, static_cast<int16_t>(frame));
    clock.advance(20ms);
    steps.push_back(turn.process(frame++, pcm, voiced, clock.now()));
    return steps.back();
  }
  void run(bool voiced, int frames) {
    for (int i = 0; i < frames; ++i) one(voiced);
  }
  int first(const std::function<bool(const TurnStep&)>& pred) const {
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (pred(steps[i])) return static_cast<int>(i);
    return -1;
  }
};

TEST(TurnDetector, ThreeVoicedFramesOpenAnUtteranceFromTheFirstOfThem) {
  Feeder f({.silence_threshold_ms = 600});
  f.run(false, 20);
  f.run(true, 2);
  EXPECT_FALSE(f.turn.utterance_open()) << "60 ms of voice are needed";
  const TurnStep s = f.one(true);
  ASSERT_TRUE(s.started);
  EXPECT_EQ(s.started->utterance, 1);
  EXPECT_EQ(s.started->start_frame, 20);
  EXPECT_FALSE(s.audio) << "the opening frame is in the pre-roll";
  EXPECT_TRUE(f.one(true).audio);
}

TEST(TurnDetector, ThePrerollIsTheLast300msOldestFirstEndingWithTheOpeningFrame) {
  Feeder f({.silence_threshold_ms = 600});
  f.run(false, 37);  // frames 0..36, then voiced 37..39: opened at 39
  f.run(true, 3);
  ASSERT_TRUE(f.steps.back().started);
  std::vector<int16_t> pre;
  f.turn.preroll([&](std::span<const int16_t> s) { pre.insert(pre.end(), s.begin(), s.end()); });
  ASSERT_EQ(pre.size(), 15u * 320);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(pre[static_cast<std::size_t>(i) * 320], 25 + i) << "frame " << i << " of the pre-roll";
}

TEST(TurnDetector, PausesShorterThanTheThresholdKeepTheUtteranceOpen) {
  Feeder f({.silence_threshold_ms = 600});
  f.run(true, 10);
  f.run(false, 25);  // 500 ms
  f.run(true, 10);
  EXPECT_TRUE(f.turn.utterance_open());
  EXPECT_EQ(f.first([](const TurnStep& s) { return s.ended.has_value(); }), -1);
  EXPECT_EQ(f.turn.utterance(), 1);
  // The frame where speech resumes inside the open utterance goes to the recogniser too.
  for (int i = 3; i < 45; ++i) EXPECT_TRUE(f.steps[static_cast<std::size_t>(i)].audio) << "frame " << i;
}

TEST(TurnDetector, EndpointingClosesTheTurnThresholdAfterTheLastVoicedFrameOnTheClock) {
  for (int threshold : {300, 700, 1000}) {
    Feeder f({.silence_threshold_ms = threshold});
    f.run(true, 10);  // frames 0..9; last voiced frame 9
    const SteadyTime last_voiced = f.clock.now();
    f.run(false, threshold / 20 + 5);
    const int ended = f.first([](const TurnStep& s) { return s.ended.has_value(); });
    ASSERT_EQ(ended, 9 + threshold / 20) << threshold;
    const UtteranceEnded& e = *f.steps[static_cast<std::size_t>(ended)].ended;
    EXPECT_EQ(e.start_frame, 0);
    EXPECT_EQ(e.end_frame, 10);
    EXPECT_EQ(e.last_voiced_at, last_voiced);
    EXPECT_EQ(e.ended_at - e.last_voiced_at, std::chrono::milliseconds(threshold));
    EXPECT_FALSE(f.turn.utterance_open());
  }
}

TEST(TurnDetector, EndpointingCountsTheCallersAudioNotTheTicksJitter) {
  // Frames processed a little early (a burst after a stalled tick): the
  // turn still ends after 500 ms of audio, on the 25th silent frame, and
  // the decision is stamped with the clock's time.
  Feeder f({.silence_threshold_ms = 500});
  f.run(true, 5);
  std::vector<int16_t> pcm(320, 0);
  TurnStep s;
  for (int i = 0; i < 60; ++i) {
    f.clock.advance(i % 2 ? 25ms : 14ms);
    s = f.turn.process(f.frame++, pcm, false, f.clock.now());
    if (s.ended) break;
  }
  ASSERT_TRUE(s.ended);
  EXPECT_EQ(f.frame, 5 + 25);
  EXPECT_EQ(s.ended->ended_at, f.clock.now());
}

TEST(TurnDetector, ANewUtteranceGetsTheNextNumberAndCloseEndsAnOpenOne) {
  Feeder f({.silence_threshold_ms = 200});
  f.run(true, 5);
  f.run(false, 20);
  f.run(true, 5);
  EXPECT_EQ(f.turn.utterance(), 2);
  EXPECT_EQ(f.turn.start_frame(), 25);
  auto e = f.turn.close(f.clock.now());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->utterance, 2);
  EXPECT_EQ(e->end_frame, 30);
  EXPECT_FALSE(f.turn.close(f.clock.now())) << "nothing open any more";
}

TEST(TurnDetector, IsolatedVoicedFramesNeverOpenAnUtterance) {
  Feeder f({.silence_threshold_ms = 200});
  for (int i = 0; i < 50; ++i) {
    f.one(true);
    f.one(true);
    f.one(false);
  }
  EXPECT_EQ(f.turn.utterance(), 0);
}

}  // namespace
}  // namespace voqo::pipeline
