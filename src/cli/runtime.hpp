#pragma once
/// The running parts of a voqo process, built in one order for serve, demo,
/// call and campaign start: the store, the outcome loop (post-call work), the
/// call service (SIP + media + pipelines; its call events feed the outcome
/// loop), then the dialer. Start-up recovers what a crash left behind, in the
/// same order: live calls → call records, call records → outcome loop, job
/// calls → dialer. Members are destroyed in reverse (dialer first).
#include <atomic>
#include <memory>
#include <thread>
#include <optional>
#include <string>

#include "calls/call_service.hpp"
#include "campaign/dialer.hpp"
#include "postcall/outcome_loop.hpp"
#include "store/store.hpp"

namespace voqo::cli {

struct Runtime {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<postcall::OutcomeLoop> outcomes;
  std::unique_ptr<calls::CallService> calls;
  std::unique_ptr<campaign::Dialer> dialer;

  /// Stops the dialer, hangs up calls (their records are written), stops the
  /// outcome loop and closes the store.
  void shutdown();
  ~Runtime() { shutdown(); }
};

/// Ctrl-C handling for commands that run until done or interrupted: blocks
/// SIGINT and SIGTERM in every thread started after it (construct it first),
/// ignores SIGPIPE, and raises flag() when one of them arrives (a sigwait
/// thread). The destructor ends that thread.
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;
  [[nodiscard]] const std::atomic<bool>& flag() const { return stop_; }
  [[nodiscard]] bool stopped() const { return stop_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::thread waiter_;
};

/// Opens the parts. `calls` absent = no telephony (no dialer either).
/// Errors: the first part that fails, with its reason.
Result<void> start_runtime(Runtime& rt, std::unique_ptr<store::Store> store,
                           std::optional<calls::CallServiceConfig> calls, campaign::DialerConfig dialer = {});

}  // namespace voqo::cli
