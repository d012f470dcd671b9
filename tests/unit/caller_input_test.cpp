// The caller's side of each frame on its own: echo cancellation runs only
// while the agent made sound in the last second (else the caller passes
// through untouched), it takes the agent's echo out, and the VAD decides on
// what comes out.
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/audio_level.hpp"
#include "pipeline/caller_input.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

const std::vector<int16_t> kSilence(320, 0);

std::span<const int16_t> frame_of(const std::vector<int16_t>& pcm, std::size_t i) { return std::span(pcm).subspan(i * 320, 320); }

TEST(CallerInput, TheCancellerRunsOnlyWithinASecondOfTheAgentsSound) {
  auto in = CallerInput::create();
  ASSERT_TRUE(in);
  const std::vector<int16_t> caller = test::audio::noise(20, -50);
  const std::vector<int16_t> agent = test::audio::tone(20, 440, -20);
  auto passes_through = [&](std::span<const int16_t> a) { return in->process(caller, a).clean.data() == caller.data(); };
  for (int i = 0; i < 49; ++i) EXPECT_FALSE(passes_through(kSilence)) << "the first second counts as after the agent: " << i;
  EXPECT_TRUE(passes_through(kSilence));
  EXPECT_FALSE(passes_through(agent)) << "the agent spoke";
  for (int i = 0; i < 49; ++i) EXPECT_FALSE(passes_through(kSilence)) << i;
  EXPECT_TRUE(passes_through(kSilence)) << "a second of agent silence later";
}

TEST(CallerInput, TheAgentsEchoIsTakenOut) {
  auto in = CallerInput::create();
  ASSERT_TRUE(in);
  const std::vector<int16_t> agent = test::audio::noise(4000, -20, 7);
  std::vector<int16_t> echo(agent.size());
  for (std::size_t i = 0; i < agent.size(); ++i) echo[i] = static_cast<int16_t>(agent[i] / 4);  // −12 dB on the line
  double in_db = 0, out_db = 0;
  for (std::size_t f = 0; f < agent.size() / 320; ++f) {
    const CallerFrame out = in->process(frame_of(echo, f), frame_of(agent, f));
    if (f >= 150) {  // the last second, once the filter has adapted
      in_db += level_dbfs(frame_of(echo, f)) / 50;
      out_db += level_dbfs(out.clean) / 50;
      EXPECT_FALSE(out.vad.voiced) << "echo is not the caller's voice: frame " << f;
    }
  }
  std::printf("  echo %.1f dBFS → after the canceller %.1f dBFS\n", in_db, out_db);
  EXPECT_LT(out_db, in_db - 10);
}

TEST(CallerInput, TheVadDecidesOnWhatComesOut) {
  auto in = CallerInput::create();
  ASSERT_TRUE(in);
  const std::vector<int16_t> line = test::audio::noise(1000, -65);
  const std::vector<int16_t> voice = test::audio::vowel(500);
  int voiced = 0;
  for (std::size_t f = 0; f < line.size() / 320; ++f) voiced += in->process(frame_of(line, f), kSilence).vad.voiced;
  EXPECT_EQ(voiced, 0) << "line noise";
  for (std::size_t f = 0; f < voice.size() / 320; ++f) voiced += in->process(frame_of(voice, f), kSilence).vad.voiced;
  EXPECT_GE(voiced, 20) << "a vowel over 500 ms";
}

}  // namespace
}  // namespace voqo::pipeline
