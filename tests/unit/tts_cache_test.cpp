// The synthesis cache in front of flite: a repeated sentence is synthesised
// once and replayed sample for sample; voices, rates and pitches are kept
// apart (and clarities); a barge-in stops a replay; partial syntheses are never stored; the
// byte bound evicts the least recently used sentence.
#include <gtest/gtest.h>

#include "speech/flite_tts.hpp"
#include "speech/tts_cache.hpp"

namespace voqo::speech {
namespace {

std::vector<int16_t> say(TextToSpeech& tts, std::string_view text, const Voice& v, std::size_t stop_after = SIZE_MAX) {
  std::vector<int16_t> out;
  auto r = tts.synthesize(text, v, [&](std::span<const int16_t> chunk) {
    out.insert(out.end(), chunk.begin(), chunk.end());
    return out.size() < stop_after;
  });
  EXPECT_TRUE(r.has_value());
  return out;
}

TEST(TtsCache, ARepeatedSentenceIsSynthesisedOnceAndReplayedExactly) {
  CachedTextToSpeech tts(std::make_shared<FliteTts>());
  const Voice slt{"slt", 1.0, 1.0};
  const auto first = say(tts, "Do you have a quick minute?", slt);
  const auto second = say(tts, "Do you have a quick minute?", slt);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  EXPECT_EQ(tts.stats().misses, 1u);
  EXPECT_EQ(tts.stats().hits, 1u);
  // Another rate, pitch or voice is another sentence.
  (void)say(tts, "Do you have a quick minute?", Voice{"slt", 1.2, 1.0});
  (void)say(tts, "Do you have a quick minute?", Voice{"slt", 1.0, 0.8});
  (void)say(tts, "Do you have a quick minute?", Voice{"kal16", 1.0, 1.0});
  (void)say(tts, "Do you have a quick minute?", Voice{"slt", 1.0, 1.0, 0.4});  // a clarity too
  EXPECT_EQ(tts.stats().misses, 5u);
  EXPECT_EQ(tts.stats().entries, 5u);
}

TEST(TtsCache, BargeInStopsAReplayAndAStoppedSynthesisIsNotKept) {
  CachedTextToSpeech tts(std::make_shared<FliteTts>(), {.chunk_samples = 320});
  const Voice slt{"slt", 1.0, 1.0};
  const auto partial = say(tts, "This sentence is interrupted early.", slt, 500);
  EXPECT_LT(partial.size(), 2000u);
  EXPECT_EQ(tts.stats().entries, 0u) << "a stopped synthesis was stored";
  const auto full = say(tts, "This sentence is interrupted early.", slt);
  const auto replay_cut = say(tts, "This sentence is interrupted early.", slt, 640);
  EXPECT_EQ(tts.stats().hits, 1u);
  EXPECT_EQ(replay_cut.size(), 640u);  // stopped at the chunk where the sink said stop
  EXPECT_TRUE(std::equal(replay_cut.begin(), replay_cut.end(), full.begin()));
}

TEST(TtsCache, TheByteBoundEvictsTheLeastRecentlyUsedAndLongTextIsNotKept) {
  const Voice slt{"slt", 1.0, 1.0};
  FliteTts probe;
  const std::size_t one = say(probe, "First sentence.", slt).size() * sizeof(int16_t);
  CachedTextToSpeech tts(std::make_shared<FliteTts>(), {.max_bytes = one * 2 + one / 2, .max_text_bytes = 40});
  (void)say(tts, "First sentence.", slt);
  (void)say(tts, "Second sentence.", slt);
  (void)say(tts, "First sentence.", slt);   // hit: now the most recent
  (void)say(tts, "Third sentence.", slt);   // evicts "Second sentence."
  EXPECT_LE(tts.stats().bytes, one * 2 + one / 2);
  const auto hits = tts.stats().hits;
  (void)say(tts, "First sentence.", slt);
  EXPECT_EQ(tts.stats().hits, hits + 1) << "the recently used sentence was evicted";
  (void)say(tts, "Second sentence.", slt);
  EXPECT_EQ(tts.stats().hits, hits + 1) << "the least recently used sentence was kept";
  const auto entries = tts.stats().entries;
  (void)say(tts, "This sentence is much longer than forty bytes of text.", slt);
  EXPECT_EQ(tts.stats().entries, entries);
}

}  // namespace
}  // namespace voqo::speech
