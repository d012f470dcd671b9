#pragma once
/// The pipeline's time (issue 17 §2): every timed decision of a call — the
/// response delay before a reply plays, "Are you still there?" after no
/// input, the call's maximum duration, the outbound greeting after 2 s of
/// silence, the interim poll, turn-latency timestamps (endpointing's
/// timestamps too; its silence is counted in audio frames, see
/// turn_detector.hpp) — reads one injected Clock. Production uses SteadyClock;
/// tests use VirtualClock, so a conversation of minutes runs in milliseconds
/// and the same frames always give the same events.
///
/// Timers are Deadlines polled by their owner (the media thread checks its
/// deadlines once per 20 ms frame; nothing sleeps waiting for them).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace voqo::pipeline {

using SteadyTime = std::chrono::steady_clock::time_point;

/// A source of steady (monotonic) time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic now.
  [[nodiscard]] virtual SteadyTime now() const = 0;
  /// Blocks the calling worker thread for `d` (the reply player's wait for
  /// playout while its ring is full). Never called on the media thread.
  virtual void sleep_for(std::chrono::microseconds d) = 0;
  /// µs from `since` to now.
  [[nodiscard]] int64_t us_since(SteadyTime since) const {
    return std::chrono::duration_cast<std::chrono::microseconds>(now() - since).count();
  }
};

/// std::chrono::steady_clock; the default of every pipeline.
class SteadyClock final : public Clock {
 public:
  [[nodiscard]] SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::microseconds d) override;
  /// The process-wide instance.
  static SteadyClock& instance();
};

/// Time that moves only when told (tests, simulations). now() starts at
/// `start` (not the epoch, so "0 = not set" sentinels stay distinct).
/// sleep_for(d) runs the sleeper when one is set — a harness then plays
/// d worth of media frames, the world going on while a worker "computes" —
/// and otherwise just advances the clock by d.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(SteadyTime start = SteadyTime{} + std::chrono::hours(1)) : ns_(start.time_since_epoch().count()) {}
  [[nodiscard]] SteadyTime now() const override { return SteadyTime{SteadyTime::duration{ns_.load(std::memory_order_acquire)}}; }
  void sleep_for(std::chrono::microseconds d) override;
  /// Moves time forward by `d` (≥ 0).
  void advance(std::chrono::nanoseconds d) { ns_.fetch_add(d.count(), std::memory_order_acq_rel); }
  /// Moves time forward to `t` (no-op when `t` is not later than now).
  void advance_to(SteadyTime t);
  /// What sleep_for(d) does instead of advancing time itself; {} = advance.
  /// Set before the clock is shared.
  void set_sleeper(std::function<void(std::chrono::microseconds)> sleeper) { sleeper_ = std::move(sleeper); }

 private:
  std::atomic<SteadyTime::rep> ns_;
  std::function<void(std::chrono::microseconds)> sleeper_;
};

/// A one-shot timer on a Clock, polled by the thread that owns it (not
/// thread-safe). Disarmed at construction.
class Deadline {
 public:
  void arm(SteadyTime at) { at_ = at; armed_ = true; }
  void disarm() { armed_ = false; }
  [[nodiscard]] bool armed() const { return armed_; }
  /// True once, the first time it is polled at or after its time; then disarmed.
  bool fire(SteadyTime now) {
    if (!armed_ || now < at_) return false;
    armed_ = false;
    return true;
  }

 private:
  SteadyTime at_{};
  bool armed_ = false;
};

}  // namespace voqo::pipeline
