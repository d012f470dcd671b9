#pragma once
/// What one call's work cost (issue 18 §2, "measured resource use per
/// agent"): CPU time, requests to providers and peak memory, gathered while
/// the call runs and stored on its record (calls.cpu_ms, api_calls,
/// memory_bytes), then added to its swarm agent's totals.
///
/// How each is measured (docs/ARCHITECTURE.md "Resource use of a call"):
/// - CPU: thread CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID), ns) of
///   the call's work on the worker pool — every task of its stages (STT,
///   brain and TTS on the control stage, the live hooks) and its finish()
///   (the brain's summary) — each measured inside a UsageScope; plus its
///   share of the media thread, sampled (pipeline/call_pipeline.cpp).
/// - API calls: HTTP requests (and WebSocket sessions) to providers made on a
///   thread while a UsageScope of the call is open: net::perform counts each
///   (LLM chat completions, hosted STT and TTS, tool calls), Deepgram each
///   stream it opens. Requests with no call's scope open (webhooks, SMS,
///   lead pulls) count for no call.
/// - Memory: what the call itself reports with note_memory() (the pipeline's
///   definition: its own state, the audio its rings held, its text, and its
///   speech-to-text engine's state); the largest value noted is kept.
#include <atomic>
#include <cstdint>

namespace voqo {

/// One call's counters. Thread-safe (relaxed atomics: totals, not ordering).
class CallUsage {
 public:
  void add_cpu_ns(int64_t ns) { cpu_ns_.fetch_add(ns, std::memory_order_relaxed); }
  void add_api_call() { api_calls_.fetch_add(1, std::memory_order_relaxed); }
  /// Keeps the largest `bytes` noted (the peak).
  void note_memory(int64_t bytes);

  [[nodiscard]] int64_t cpu_ns() const { return cpu_ns_.load(std::memory_order_relaxed); }
  /// CPU time in whole ms, rounded up (a call that ran any work shows ≥ 1).
  [[nodiscard]] int64_t cpu_ms() const { return (cpu_ns() + 999'999) / 1'000'000; }
  [[nodiscard]] int64_t api_calls() const { return api_calls_.load(std::memory_order_relaxed); }
  [[nodiscard]] int64_t memory_bytes() const { return memory_bytes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> cpu_ns_{0}, api_calls_{0}, memory_bytes_{0};
};

/// The calling thread's CPU time, ns (CLOCK_THREAD_CPUTIME_ID; a system call
/// of ~0.3 µs on this project's machine, bench/README.md).
int64_t thread_cpu_ns();

/// While alive, the calling thread works for `usage`: its CPU time from
/// construction to destruction is added to it, and count_api_call() on
/// this thread counts for it. Scopes nest: an inner scope of the same usage
/// adds nothing of its own (its time is in the outer's); an inner scope of
/// another usage takes the API calls made inside it, and its CPU time is
/// added to both. A null `usage` opens no scope. Not movable; destroy on the
/// thread that made it.
class UsageScope {
 public:
  explicit UsageScope(CallUsage* usage);
  ~UsageScope();
  UsageScope(const UsageScope&) = delete;
  UsageScope& operator=(const UsageScope&) = delete;

 private:
  CallUsage* usage_ = nullptr;
  CallUsage* previous_ = nullptr;
  int64_t start_ns_ = 0;
  bool measuring_ = false;
};

/// The usage whose scope is open on this thread (null: none).
CallUsage* current_usage();
/// One request to a provider: counted for the call whose scope is open on
/// this thread, if any.
void count_api_call();

}  // namespace voqo
