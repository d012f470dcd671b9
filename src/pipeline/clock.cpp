#include "pipeline/clock.hpp"

#include <thread>

namespace voqo::pipeline {

void SteadyClock::sleep_for(std::chrono::microseconds d) { std::this_thread::sleep_for(d); }

SteadyClock& SteadyClock::instance() {
  static SteadyClock clock;
  return clock;
}

void VirtualClock::sleep_for(std::chrono::microseconds d) {
  if (sleeper_) sleeper_(d);
  else advance(d);
}

void VirtualClock::advance_to(SteadyTime t) {
  auto cur = ns_.load(std::memory_order_acquire);
  while (t.time_since_epoch().count() > cur &&
         !ns_.compare_exchange_weak(cur, t.time_since_epoch().count(), std::memory_order_acq_rel)) {
  }
}

}  // namespace voqo::pipeline
