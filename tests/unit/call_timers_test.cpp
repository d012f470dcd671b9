// The call's timers on their own, on virtual time, polled every 20 ms as the
// media thread does: the outbound greeting 2 s after a silent answer, the
// no-input prompts (each after an idle wait that a non-idle frame restarts,
// held while the call says goodbye) and the maximum duration, once.
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/call_timers.hpp"

namespace voqo::pipeline {
namespace {

using namespace std::chrono_literals;

struct Collect final : FrameSink {
  std::vector<Timeout> fired;
  void emit(Frame f) override {
    if (auto* t = std::get_if<Timeout>(&f)) fired.push_back(*t);
  }
};

/// Polls `timers` every 20 ms for `ms`, recording when each timeout fired (ms since `t0`).
struct Poller {
  CallTimers timers;
  VirtualClock clock;
  SteadyTime t0 = clock.now();
  Collect sink;
  std::vector<int64_t> at_ms;
  explicit Poller(CallTimersConfig c) : timers(c) {}
  void run(int ms, bool idle, bool ending = false) {
    for (int i = 0; i < ms / 20; ++i) {
      clock.advance(20ms);
      const std::size_t before = sink.fired.size();
      timers.poll(clock.now(), idle, ending, sink);
      for (std::size_t k = before; k < sink.fired.size(); ++k)
        at_ms.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t0).count());
    }
  }
};

TEST(CallTimers, TheOutboundGreetingFiresOnceTwoSecondsAfterTheAnswer) {
  Poller p({.no_input = 10s, .max_duration = 10min});
  p.timers.start(p.t0, true);
  p.run(5000, false);
  ASSERT_EQ(p.sink.fired.size(), 1u);
  EXPECT_EQ(p.sink.fired[0].kind, Timeout::Kind::greeting);
  EXPECT_EQ(p.at_ms[0], 2000);
}

TEST(CallTimers, NoGreetingTimerWhenTheCallGreetsOtherwise) {
  Poller p({.no_input = 10s, .max_duration = 10min});
  p.timers.start(p.t0, false);
  p.run(5000, false);
  EXPECT_TRUE(p.sink.fired.empty());
}

TEST(CallTimers, AnIdleLineGetsNumberedPromptsAndABusyFrameRestartsTheWait) {
  Poller p({.no_input = 3s, .max_duration = 10min});
  p.timers.start(p.t0, false);
  p.run(2000, true);
  p.run(20, false);  // somebody spoke: the wait starts over
  p.run(2980, true);
  EXPECT_TRUE(p.sink.fired.empty()) << "3 s of idle line are needed, in one run";
  p.run(6000, true);
  ASSERT_EQ(p.sink.fired.size(), 2u);
  EXPECT_EQ(p.sink.fired[0].kind, Timeout::Kind::no_input);
  EXPECT_EQ(p.sink.fired[0].prompt, 1);
  EXPECT_EQ(p.sink.fired[1].prompt, 2);
  // Armed on the first idle frame after the busy one (2040 ms), fired 3 s
  // later; re-armed on the frame after that.
  EXPECT_EQ(p.at_ms[0], 2040 + 3000);
  EXPECT_EQ(p.at_ms[1], p.at_ms[0] + 20 + 3000);
}

TEST(CallTimers, NoPromptWhileTheCallSaysGoodbye) {
  Poller p({.no_input = 1s, .max_duration = 10min});
  p.timers.start(p.t0, false);
  p.run(3000, true, true);
  EXPECT_TRUE(p.sink.fired.empty());
}

TEST(CallTimers, TheMaximumDurationFiresOnceFromTheAnswer) {
  Poller p({.no_input = 1h, .max_duration = 1min});
  p.timers.start(p.t0, false);
  p.run(59980, true);
  EXPECT_TRUE(p.sink.fired.empty());
  p.run(10000, true);
  ASSERT_EQ(p.sink.fired.size(), 1u);
  EXPECT_EQ(p.sink.fired[0].kind, Timeout::Kind::max_duration);
  EXPECT_EQ(p.at_ms[0], 60000);
}

TEST(CallTimers, NothingFiresBeforeTheCallIsAnswered) {
  Poller p({.no_input = 1h, .max_duration = 1min});
  p.run(120000, false);
  EXPECT_TRUE(p.sink.fired.empty());
}

}  // namespace
}  // namespace voqo::pipeline
