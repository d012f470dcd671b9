#include "cli/runtime.hpp"

#include <pthread.h>
#include <signal.h>

#include "core/log.hpp"

namespace voqo::cli {

StopSignal::StopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  waiter_ = std::thread([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    stop_ = true;
  });
}

StopSignal::~StopSignal() {
  if (!stop_.exchange(true)) pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
}

void Runtime::shutdown() {
  dialer.reset();
  calls.reset();
  outcomes.reset();
  if (store) store->close();
  store.reset();
}

Result<void> start_runtime(Runtime& rt, std::unique_ptr<store::Store> store,
                           std::optional<calls::CallServiceConfig> calls, campaign::DialerConfig dialer) {
  rt.store = std::move(store);
  auto outcomes = postcall::OutcomeLoop::create(*rt.store);
  if (!outcomes) return std::unexpected(outcomes.error());
  rt.outcomes = std::move(*outcomes);
  if (!calls) {
    if (auto n = rt.outcomes->recover(); n && *n > 0) spdlog::info("outcome loop: ran for {} call(s) left by the last run", *n);
    return {};
  }
  auto* loop = rt.outcomes.get();
  calls->on_call_started = [loop](const nlohmann::json& call) {
    if (auto r = loop->call_started(call); !r) spdlog::warn("call {}: call.started: {}", call.value("id", ""), r.error().message);
  };
  calls->on_call_ended = [loop](const nlohmann::json& call) {
    if (auto r = loop->call_ended(call); !r) spdlog::warn("call {}: outcome loop: {} (retried at next start)", call.value("id", ""), r.error().message);
  };
  auto service = calls::CallService::create(*rt.store, std::move(*calls));
  if (!service) return std::unexpected(service.error());
  rt.calls = std::move(*service);
  if (auto n = rt.calls->recover_interrupted(); n && *n > 0)
    spdlog::warn("closed {} call(s) interrupted by the last shutdown as failed (\"interrupted\")", *n);
  if (auto n = rt.outcomes->recover(); n && *n > 0) spdlog::info("outcome loop: ran for {} call(s) left by the last run", *n);
  auto d = campaign::Dialer::create(*rt.store, *rt.calls, rt.outcomes.get(), std::move(dialer));
  if (!d) return std::unexpected(d.error());
  rt.dialer = std::move(*d);
  return {};
}

}  // namespace voqo::cli
