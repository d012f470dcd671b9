// The pipeline's clock: a Deadline fires once at or after its time and not
// before; a VirtualClock moves only when told, never backwards, and hands
// sleep_for to its sleeper (a harness plays frames meanwhile) or advances.
#include <gtest/gtest.h>

#include "pipeline/clock.hpp"

namespace voqo::pipeline {
namespace {

using namespace std::chrono_literals;

TEST(PipelineClock, ADeadlineFiresOnceAtOrAfterItsTime) {
  VirtualClock clock;
  Deadline d;
  EXPECT_FALSE(d.fire(clock.now())) << "disarmed";
  d.arm(clock.now() + 100ms);
  clock.advance(99ms);
  EXPECT_FALSE(d.fire(clock.now()));
  clock.advance(1ms);
  EXPECT_TRUE(d.fire(clock.now()));
  EXPECT_FALSE(d.armed());
  EXPECT_FALSE(d.fire(clock.now() + 1s)) << "once";
  d.arm(clock.now());
  d.disarm();
  EXPECT_FALSE(d.fire(clock.now() + 1s));
}

TEST(PipelineClock, VirtualTimeMovesOnlyWhenToldAndNeverBack) {
  VirtualClock clock;
  const SteadyTime t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(20ms);
  EXPECT_EQ(clock.us_since(t0), 20000);
  clock.advance_to(t0 + 10ms);
  EXPECT_EQ(clock.now(), t0 + 20ms) << "not backwards";
  clock.advance_to(t0 + 1s);
  EXPECT_EQ(clock.now(), t0 + 1s);
}

TEST(PipelineClock, SleepForGoesToTheSleeperOrAdvances) {
  VirtualClock clock;
  const SteadyTime t0 = clock.now();
  clock.sleep_for(30ms);
  EXPECT_EQ(clock.now(), t0 + 30ms);
  std::vector<std::chrono::microseconds> slept;
  clock.set_sleeper([&](std::chrono::microseconds d) {
    slept.push_back(d);
    clock.advance(d);
  });
  clock.sleep_for(50ms);
  EXPECT_EQ(slept, std::vector<std::chrono::microseconds>{50ms});
  EXPECT_EQ(clock.now(), t0 + 80ms);
}

TEST(PipelineClock, TheSteadyClockFollowsSteadyClock) {
  auto& c = SteadyClock::instance();
  const auto before = std::chrono::steady_clock::now();
  const auto now = c.now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, std::chrono::steady_clock::now());
}

}  // namespace
}  // namespace voqo::pipeline
