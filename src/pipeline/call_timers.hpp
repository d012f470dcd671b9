#pragma once
/// The call's timers (issue 17 §1–2), polled once per 20 ms media frame on
/// the pipeline Clock: the outbound greeting when the callee says nothing
/// for 2 s after the answer (no answering-machine detection), no input
/// ("Are you still there?" after `no_input` of an idle line, then the same
/// wait again → goodbye; PipelineConfig::no_input_timeout_ms) and the
/// call's maximum duration (agents.max_call_duration_min). Each fires a
/// Timeout frame; the orchestrator decides what to say. Nothing sleeps.
///
/// Threads: start() before the media thread sees the call answered (its
/// release store publishes the deadlines); poll() on the media thread.
#include <chrono>

#include "pipeline/clock.hpp"
#include "pipeline/frames.hpp"

namespace voqo::pipeline {

struct CallTimersConfig {
  std::chrono::milliseconds no_input{10000};  ///< an idle line before each no-input prompt
  std::chrono::minutes max_duration{10};      ///< from the answer
};

class CallTimers {
 public:
  static constexpr auto kGreetAfterSilence = std::chrono::seconds(2);

  explicit CallTimers(CallTimersConfig config) : cfg_(config) {}
  /// The call was answered at `answered_at`: arms the maximum duration and,
  /// when `greet_after_silence`, the outbound greeting 2 s later.
  void start(SteadyTime answered_at, bool greet_after_silence);
  /// One media frame at `now`. `idle`: nobody speaks, nothing is pending
  /// (the agent greeted, is not taken over, has no reply, the caller no open
  /// utterance) — the no-input wait runs only while idle and restarts after
  /// it; `ending`: the call is saying goodbye (no-input prompts hold).
  /// Emits Timeout{greeting}, Timeout{no_input, 1, 2, ...} and
  /// Timeout{max_duration} (once), in that order within a frame.
  void poll(SteadyTime now, bool idle, bool ending, FrameSink& out);

 private:
  CallTimersConfig cfg_;
  Deadline greet_after_silence_, no_input_, max_duration_;
  int no_input_prompts_ = 0;
};

}  // namespace voqo::pipeline
