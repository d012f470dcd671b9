// One reply as a handle (ReplyPlayer), on a fake TTS and virtual time: it
// plays from its start time 20 ms a frame and reports the frame its last
// sample played; a barge-in flush silences the very next frame and what was
// heard is whole sentences plus the played share of the cut one; a reply
// stopped from another thread settles once; the first sentence starts at
// its first audible sample; other TTS rates are resampled.
#include <gtest/gtest.h>

#include "pipeline/audio_level.hpp"
#include "pipeline/reply_player.hpp"
#include "support/fake_engines.hpp"

namespace voqo::pipeline {
namespace {

using namespace std::chrono_literals;

struct Rig {
  VirtualClock clock;
  std::shared_ptr<test::FakeTextToSpeech> tts;
  ReplyPlayer player;
  int64_t frame = -1;
  explicit Rig(test::FakeTextToSpeech::Options o = {})
      : tts(std::make_shared<test::FakeTextToSpeech>(clock, o)), player(tts, {"fake", 1.0, 1.0}, clock) {}
  /// One media frame: returns the agent's level and PlayoutDone if any.
  std::pair<double, std::optional<PlayoutDone>> tick() {
    std::array<int16_t, 320> agent{};
    clock.advance(20ms);
    auto done = player.pull(agent, ++frame, clock.now());
    return {level_dbfs(agent), done};
  }
};

TEST(ReplyPlayer, PlaysFromItsStartTimeAndIsDoneOnTheFrameItsLastSamplePlayed) {
  Rig r({.ms_per_char = 20});  // "Hello there." = 12 chars = 240 ms = 12 frames
  const auto stop = r.player.arm();
  const int id = r.player.begin(r.clock.now() + 100ms);
  EXPECT_TRUE(r.player.speak("Hello there.", stop));
  std::optional<Interrupted> cut;
  EXPECT_EQ(r.player.seal(stop, 0, cut), ReplyPlayer::Sealed::playing);
  EXPECT_FALSE(cut);
  EXPECT_TRUE(r.player.playing());
  std::vector<double> levels;
  std::optional<PlayoutDone> done;
  for (int i = 0; i < 30 && !done; ++i) {
    auto [db, d] = r.tick();
    levels.push_back(db);
    done = d;
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(done->reply, id);
  // Frames 0–3 are before the start time (20, 40, 60, 80 ms < 100 ms); 4 plays the first audio.
  for (int f = 0; f < 4; ++f) EXPECT_LT(levels[static_cast<std::size_t>(f)], -90) << f;
  EXPECT_EQ(r.player.first_packet_frame(), 4);
  EXPECT_EQ(done->end_frame, 4 + 12 - 1);
  EXPECT_FALSE(r.player.active());
  EXPECT_TRUE(r.player.settle(id));
  EXPECT_FALSE(r.player.settle(id)) << "settled once";
  EXPECT_EQ(r.player.text(), "Hello there.");
}

TEST(ReplyPlayer, AFlushSilencesTheNextFrameAndWhatWasHeardIsKeptToAWord) {
  Rig r({.ms_per_char = 20});
  const auto stop = r.player.arm();
  const int id = r.player.begin(r.clock.now());
  ASSERT_TRUE(r.player.speak("One two three.", stop));             // 14 chars = 280 ms
  ASSERT_TRUE(r.player.speak("Four five six seven eight.", stop));  // 26 chars = 520 ms
  std::optional<Interrupted> cut;
  r.player.seal(stop, 0, cut);
  for (int i = 0; i < 14 + 13; ++i) EXPECT_GT(r.tick().first, -40) << i;  // the first sentence and half the second
  const Interrupted at = r.player.flush(r.frame);
  EXPECT_TRUE(stop.stop_requested()) << "synthesis and the brain are told to stop";
  EXPECT_EQ(at.reply, id);
  EXPECT_EQ(at.heard_at, 27u * 320);
  EXPECT_FALSE(r.player.playing());
  for (int i = 0; i < 5; ++i) EXPECT_LT(r.tick().first, -90) << "silent at once";
  ASSERT_TRUE(r.player.settle(id));
  const ReplyCut heard = r.player.cut(at);
  EXPECT_EQ(heard.heard, "One two three. Four five six");  // 13 of 26 frames: 13 of 26 characters, at a space
  EXPECT_EQ(heard.start_frame, 0);
}

TEST(ReplyPlayer, HeardTextIsWholeSentencesThenTheShareOfTheCutOneAtAWordBoundary) {
  const std::vector<SpokenSentence> s{{"Hi there.", 0, 100}, {"How are you today?", 100, 300}};
  EXPECT_EQ(heard_text(s, 0), "");
  EXPECT_EQ(heard_text(s, 50), "Hi");
  EXPECT_EQ(heard_text(s, 100), "Hi there.");
  EXPECT_EQ(heard_text(s, 200), "Hi there. How are");
  EXPECT_EQ(heard_text(s, 300), "Hi there. How are you today?");
}

TEST(ReplyPlayer, InterruptFromAnotherThreadStopsItOnceAndSealSaysStopped) {
  Rig r({.ms_per_char = 20});
  const auto stop = r.player.arm();
  const int id = r.player.begin(r.clock.now());
  ASSERT_TRUE(r.player.speak("Some words here.", stop));
  r.tick();
  const auto at = r.player.interrupt(r.frame);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->reply, id);
  EXPECT_EQ(at->heard_at, 320u);
  EXPECT_FALSE(r.player.interrupt(r.frame)) << "already stopped";
  EXPECT_FALSE(r.player.speak("More.", stop)) << "synthesis stops";
  std::optional<Interrupted> cut;
  EXPECT_EQ(r.player.seal(stop, r.frame, cut), ReplyPlayer::Sealed::stopped);
  EXPECT_FALSE(cut) << "the interrupt already reported it";
  EXPECT_LT(r.tick().first, -90) << "the queued audio is dropped";
}

TEST(ReplyPlayer, AReplyStoppedBeforeItsFirstFrameIsSettledBySeal) {
  Rig r;
  const auto stop = r.player.arm();
  (void)r.player.interrupt(0);  // a supervisor command between arm() and begin()
  const int id = r.player.begin(r.clock.now());
  EXPECT_FALSE(r.player.speak("Hello.", stop));
  std::optional<Interrupted> cut;
  EXPECT_EQ(r.player.seal(stop, 3, cut), ReplyPlayer::Sealed::stopped);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->reply, id);
  EXPECT_EQ(cut->at_frame, 3);
}

TEST(ReplyPlayer, AReplyWithNothingToSayIsSilentAtSeal) {
  Rig r;
  const auto stop = r.player.arm();
  r.player.begin(r.clock.now());
  std::optional<Interrupted> cut;
  EXPECT_EQ(r.player.seal(stop, 0, cut), ReplyPlayer::Sealed::silent);
  EXPECT_FALSE(r.player.active());
}

TEST(ReplyPlayer, TheFirstSentenceStartsAtItsFirstAudibleSampleKeeping20msBeforeIt) {
  Rig r({.ms_per_char = 20, .leading_silence_ms = 200});
  const auto stop = r.player.arm();
  r.player.begin(r.clock.now());
  ASSERT_TRUE(r.player.speak("Hello.", stop));  // 200 ms silence + 120 ms tone
  ASSERT_TRUE(r.player.speak("Again.", stop));  // a later sentence keeps its lead
  std::optional<Interrupted> cut;
  r.player.seal(stop, 0, cut);
  std::vector<double> levels;
  for (int i = 0; i < 40; ++i) levels.push_back(r.tick().first);
  EXPECT_LT(levels[0], -90) << "20 ms of the lead are kept";
  for (int i = 1; i < 7; ++i) EXPECT_GT(levels[static_cast<std::size_t>(i)], -40) << i;
  for (int i = 7; i < 17; ++i) EXPECT_LT(levels[static_cast<std::size_t>(i)], -90) << "the second sentence's lead, frame " << i;
  EXPECT_GT(levels[17], -40);
}

TEST(ReplyPlayer, AnEightKilohertzVoiceIsResampledTo16kHz) {
  Rig r({.rate_hz = 8000, .ms_per_char = 20});
  const auto stop = r.player.arm();
  r.player.begin(r.clock.now());
  ASSERT_TRUE(r.player.speak("Hello there.", stop));  // 240 ms
  std::optional<Interrupted> cut;
  r.player.seal(stop, 0, cut);
  std::optional<PlayoutDone> done;
  for (int i = 0; i < 30 && !done; ++i) done = r.tick().second;
  ASSERT_TRUE(done);
  EXPECT_NEAR(static_cast<double>(done->end_frame), 11.0, 1.0) << "240 ms at 16 kHz is 12 frames";
}

TEST(ReplyPlayer, ANewReplySupersedesTheLastWhoseEventsAreStale) {
  Rig r;
  auto stop = r.player.arm();
  const int first = r.player.begin(r.clock.now());
  stop = r.player.arm();
  const int second = r.player.begin(r.clock.now());
  EXPECT_EQ(second, first + 1);
  EXPECT_FALSE(r.player.settle(first)) << "stale";
  EXPECT_TRUE(r.player.settle(second));
}

TEST(ReplyPlayer, FirstAudioIsTimedOnTheClockWithTheSynthesisLatency) {
  Rig r({.first_chunk_delay = 80ms});
  const auto stop = r.player.arm();
  r.player.begin(r.clock.now());
  const SteadyTime t0 = r.clock.now();
  ASSERT_TRUE(r.player.speak("Hi.", stop));
  const auto first = r.player.first_audio();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->first - t0, 80ms);
  EXPECT_EQ(first->second, 80000);
}

}  // namespace
}  // namespace voqo::pipeline
