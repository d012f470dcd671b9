// The live meters on their own: one Levels per 200 ms window (10 frames),
// levels as meter_percent of the window's RMS, and who is speaking — the
// caller with ≥ 3 voiced frames and at least as many as the agent's audible
// ones, else the agent with ≥ 3 audible frames, else nobody.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "pipeline/audio_level.hpp"
#include "pipeline/level_meter.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

const std::vector<int16_t> kSilence(320, 0);
const std::vector<int16_t> kLoud = test::audio::tone(20, 440, -20);

/// One window: frame i has the agent audible when agent[i], the caller voiced when voiced[i].
std::optional<Levels> window(LevelMeter& m, const std::vector<bool>& agent, const std::vector<bool>& voiced) {
  std::optional<Levels> out;
  for (std::size_t i = 0; i < agent.size(); ++i) {
    m.agent(agent[i] ? kLoud : kSilence);
    if (auto l = m.caller(voiced[i] ? kLoud : kSilence, voiced[i])) {
      EXPECT_FALSE(out) << "one Levels per window";
      out = l;
    }
  }
  return out;
}

std::vector<bool> first(int n) {
  std::vector<bool> v(LevelMeter::kWindowFrames, false);
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = true;
  return v;
}

TEST(LevelMeter, OneReadingEveryTenFrames) {
  LevelMeter m;
  for (int i = 0; i < 9; ++i) {
    m.agent(kSilence);
    EXPECT_FALSE(m.caller(kSilence, false)) << i;
  }
  m.agent(kSilence);
  const auto l = m.caller(kSilence, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->speaker, "");
  EXPECT_EQ(l->agent_gain, meter_percent(-96.0));
  EXPECT_EQ(l->customer_gain, meter_percent(-96.0));
  EXPECT_FALSE(m.caller(kSilence, false)) << "a new window begins";
}

TEST(LevelMeter, TheCallerWinsWithAsManyVoicedFramesAsTheAgentHasAudible) {
  LevelMeter m;
  auto l = window(m, first(4), first(4));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->speaker, "caller");
  l = window(m, first(5), first(4));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->speaker, "agent");
  l = window(m, first(0), first(3));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->speaker, "caller");
  l = window(m, first(2), first(2));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->speaker, "") << "60 ms are needed to be speaking";
}

TEST(LevelMeter, GainsFollowTheWindowsLevel) {
  LevelMeter m;
  const auto quiet = window(m, first(1), first(0));
  const auto loud = window(m, first(10), first(10));
  ASSERT_TRUE(quiet && loud);
  EXPECT_LT(quiet->agent_gain, loud->agent_gain);
  EXPECT_LT(quiet->customer_gain, loud->customer_gain);
  EXPECT_EQ(loud->agent_gain, meter_percent(level_dbfs(kLoud)));
}

}  // namespace
}  // namespace voqo::pipeline
