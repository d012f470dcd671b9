// Supervisors' legs on their own: each leg's audio is added (saturating) to
// what the caller hears and each listener hears the line without its own
// voice; a supervisor who talks holds the agent for 500 ms after and stops
// it after 60 ms; at most four legs; what a leg leaves unplayed is dropped,
// and at most 1 s waits for playout.
#include <gtest/gtest.h>

#include <algorithm>

#include "pipeline/supervisor_mixer.hpp"

namespace voqo::pipeline {
namespace {

std::vector<int16_t> constant(int16_t v, std::size_t n = 320) { return std::vector<int16_t>(n, v); }

struct Rig {
  std::vector<std::string> reports;
  SupervisorMixer mixer{[this](std::string_view d) { reports.emplace_back(d); }};
  std::shared_ptr<int> owner = std::make_shared<int>(0);
  int64_t frame = 0;
  /// One frame: caller and agent constant; returns what the caller hears and the mix's verdict.
  std::pair<std::vector<int16_t>, SupervisorMix> tick(int16_t caller = 0, int16_t agent = 0) {
    auto c = constant(caller);
    auto a = constant(agent);
    const auto m = mixer.mix(c, a, frame++);
    return {a, m};
  }
};

TEST(SupervisorMixer, ALegIsMixedForTheCallerAndEachListenerHearsTheLineWithoutItself) {
  Rig r;
  auto a = r.mixer.join(r.owner);
  auto b = r.mixer.join(r.owner);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(r.mixer.legs(), 2);
  std::vector<int16_t> heard_a, heard_b;
  (*a)->set_listener([&](std::span<const int16_t> f) { heard_a.assign(f.begin(), f.end()); });
  (*b)->set_listener([&](std::span<const int16_t> f) { heard_b.assign(f.begin(), f.end()); });
  (*a)->speak(constant(5000));
  (*b)->speak(constant(30000));
  const auto [out, mix] = r.tick(100, 10);
  EXPECT_EQ(out[0], 32767) << "agent + both legs, saturated";
  ASSERT_EQ(heard_a.size(), 320u);
  EXPECT_EQ(heard_a[0], 100 + 10 + 30000) << "caller, agent and the other leg";
  EXPECT_EQ(heard_b[0], 100 + 10 + 5000);
}

TEST(SupervisorMixer, AVoicedSupervisorStopsTheAgentAfter60msAndHoldsIt500msAfter) {
  Rig r;
  auto leg = r.mixer.join(r.owner);
  ASSERT_TRUE(leg);
  (*leg)->speak(constant(3000, 320 * 5));  // −21 dBFS, 100 ms
  std::vector<bool> talking;
  for (int i = 0; i < 8; ++i) talking.push_back(r.tick().second.talking);
  EXPECT_EQ(talking, (std::vector<bool>{false, false, true, true, true, false, false, false}));
  EXPECT_EQ(r.mixer.voice_until(), 4 + 25) << "the last voiced frame + 500 ms";

  (*leg)->speak(constant(20, 320 * 5));  // −64 dBFS: below the −45 dBFS gate
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(r.tick().second.talking);
  EXPECT_EQ(r.mixer.voice_until(), 29);
}

TEST(SupervisorMixer, AtMostFourLegsAndALeftLegsAudioIsNotPlayed) {
  Rig r;
  std::vector<std::shared_ptr<SupervisorLeg>> legs;
  for (int i = 0; i < 4; ++i) {
    auto l = r.mixer.join(r.owner);
    ASSERT_TRUE(l);
    legs.push_back(*l);
  }
  auto fifth = r.mixer.join(r.owner);
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code, ErrorCode::conflict);
  legs[0]->speak(constant(5000, 320 * 10));
  legs[0]->leave();
  legs[0]->leave();  // idempotent
  EXPECT_EQ(r.mixer.legs(), 3);
  EXPECT_EQ(r.tick().first[0], 0) << "what it queued is dropped";
  auto again = r.mixer.join(r.owner);
  ASSERT_TRUE(again) << "its slot is free again";
  EXPECT_EQ(r.tick().first[0], 0);
  EXPECT_EQ(std::count(r.reports.begin(), r.reports.end(), "joined the call's audio"), 5);
  EXPECT_EQ(std::count(r.reports.begin(), r.reports.end(), "left the call's audio"), 1);
}

TEST(SupervisorMixer, AtMostOneSecondWaitsForPlayoutTheOldestGoesFirst) {
  Rig r;
  auto leg = r.mixer.join(r.owner);
  ASSERT_TRUE(leg);
  (*leg)->speak(constant(1, 16000));  // 1 s of 1s
  (*leg)->speak(constant(2, 8000));   // then 0.5 s of 2s: 1.5 s queued
  EXPECT_EQ(r.tick().first[0], 1) << "0.5 s of the oldest dropped, the rest plays";
  for (int i = 1; i < 25; ++i) r.tick();
  EXPECT_EQ(r.tick().first[0], 2);
}

TEST(SupervisorMixer, ADestroyedLegLeaves) {
  Rig r;
  {
    auto leg = r.mixer.join(r.owner);
    ASSERT_TRUE(leg);
    EXPECT_EQ(r.mixer.legs(), 1);
  }
  EXPECT_EQ(r.mixer.legs(), 0);
}

}  // namespace
}  // namespace voqo::pipeline
