#pragma once
/// The running parts of a voqo process, built in one order for serve, demo,
/// call and campaign start: the store, the outcome loop (post-call work), the
/// call service (SIP + media + pipelines; its call events feed the outcome
/// loop), then the dialer. Start-up recovers what a crash left behind, in the
/// same order: live calls → call records, call records → outcome loop, job
/// calls → dialer. Members are destroyed in reverse (dialer first).
#include <memory>
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

/// Opens the parts. `calls` absent = no telephony (no dialer either).
/// Errors: the first part that fails, with its reason.
Result<void> start_runtime(Runtime& rt, std::unique_ptr<store::Store> store,
                           std::optional<calls::CallServiceConfig> calls, campaign::DialerConfig dialer = {});

}  // namespace voqo::cli
