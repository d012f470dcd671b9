#include "pipeline/call_timers.hpp"

namespace voqo::pipeline {

void CallTimers::start(SteadyTime answered_at, bool greet_after_silence) {
  max_duration_.arm(answered_at + cfg_.max_duration);
  if (greet_after_silence) greet_after_silence_.arm(answered_at + kGreetAfterSilence);
}

void CallTimers::poll(SteadyTime now, bool idle, bool ending, FrameSink& out) {
  if (greet_after_silence_.fire(now)) out.emit(Timeout{Timeout::Kind::greeting, 0});
  if (!idle) no_input_.disarm();
  else if (!no_input_.armed()) no_input_.arm(now + cfg_.no_input);
  if (!ending && no_input_.fire(now)) out.emit(Timeout{Timeout::Kind::no_input, ++no_input_prompts_});
  if (max_duration_.fire(now)) out.emit(Timeout{Timeout::Kind::max_duration, 0});
}

}  // namespace voqo::pipeline
