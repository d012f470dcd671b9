#pragma once
/// The background thread shared by the webhook and SMS outboxes: it runs one
/// delivery pass, then sleeps on a condition variable until the pass's
/// earliest next due time (or `idle_wait` when nothing is pending), waking
/// early on poke() and promptly on stop(). A pass that throws is logged and
/// retried after `idle_wait` (a delivery thread must never die silently).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

namespace voqo::postcall {

class DeliveryWorker {
 public:
  using Clock = std::chrono::system_clock;
  /// Delivers what is due; returns when the next item is due (nullopt = nothing pending).
  using Pass = std::function<std::optional<Clock::time_point>(std::stop_token)>;

  DeliveryWorker() = default;
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;
  ~DeliveryWorker() { stop(); }

  /// Starts the thread (once). `idle_wait` bounds every sleep, so rows added
  /// by another process are picked up eventually.
  void start(std::string name, Pass pass, std::chrono::milliseconds idle_wait = std::chrono::seconds(30)) {
    thread_ = std::jthread([this, name = std::move(name), pass = std::move(pass), idle_wait](std::stop_token st) {
      while (!st.stop_requested()) {
        std::optional<Clock::time_point> next;
        try {
          next = pass(st);
        } catch (const std::exception& e) {
          spdlog::error("{}: delivery pass failed: {}", name, e.what());
          next = Clock::now() + idle_wait;
        }
        std::unique_lock lock(mutex_);
        if (poked_) {
          poked_ = false;
          continue;
        }
        auto wait = idle_wait;
        if (next) {
          const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
          wait = std::clamp(until, std::chrono::milliseconds(0), idle_wait);
        }
        if (wait.count() > 0) cv_.wait_for(lock, st, wait, [this] { return poked_; });
        poked_ = false;
      }
    });
  }

  /// Wakes the thread for an immediate pass.
  void poke() {
    {
      std::lock_guard lock(mutex_);
      poked_ = true;
    }
    cv_.notify_all();
  }

  /// Stops and joins the thread (an HTTP request in flight is aborted via the stop token).
  void stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable_any cv_;
  bool poked_ = false;
  std::jthread thread_;  ///< last member: joined before the others are destroyed
};

}  // namespace voqo::postcall
