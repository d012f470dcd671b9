#pragma once
/// The running parts of a voqo process, built in one order for serve, demo,
/// call and campaign start: the store, the realtime hub and the live monitor
/// (live tables, call intelligence, realtime changes, supervisor actions) with
/// the retention job of the live rows, the outcome loop (post-call work), the
/// call service (SIP + media + pipelines; its call events feed the outcome
/// loop and the live monitor), then the dialer. Start-up recovers what a crash left behind, in the
/// same order: live calls → call records, call records → outcome loop, job
/// calls → dialer. Members are destroyed in reverse (dialer first).
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <optional>
#include <string>

#include <filesystem>

#include "api/authenticator.hpp"
#include "api/handlers.hpp"
#include "api/http_server.hpp"
#include "calls/call_service.hpp"
#include "campaign/dialer.hpp"
#include "campaign/swarm.hpp"
#include "live/live_monitor.hpp"
#include "campaign/lead_sources.hpp"
#include "postcall/outcome_loop.hpp"
#include "realtime/hub.hpp"
#include "store/live.hpp"
#include "store/store.hpp"

namespace voqo::cli {

struct Runtime {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<realtime::Hub> hub;
  std::unique_ptr<store::LiveRetention> retention;
  std::shared_ptr<live::LiveMonitor> live;
  std::shared_ptr<postcall::OutcomeLoop> outcomes;  ///< shared: the call service holds it as a CallEvents observer
  std::unique_ptr<calls::CallService> calls;
  std::unique_ptr<campaign::Dialer> dialer;
  /// Swarm campaigns on the dialer (issue 18): lifecycle, schedule, autoscaling. Stopped before the dialer.
  std::unique_ptr<campaign::SwarmService> swarm;
  /// Pulls crm_integration lead sources when due (issue 18 §7).
  std::unique_ptr<campaign::LeadSourcePoller> lead_poller;
  /// Who may call the API (serve, demo): set by start_auth().
  std::unique_ptr<api::Authenticator> auth;

  /// Creates the authenticator over the store (before api_config()).
  void start_auth(api::AuthConfig config);
  /// The REST API's wiring to these parts (authenticator, calls, dialer, live actions).
  [[nodiscard]] api::ApiConfig api_config(std::filesystem::path recordings_dir) const;
  /// The realtime endpoints' wiring (hub, authenticator, supervisor audio legs).
  [[nodiscard]] api::RealtimeOptions realtime_options() const;

  /// Stops the dialer, hangs up calls (their records are written), drains
  /// the live monitor, stops the outcome loop and the retention job and
  /// closes the store.
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

/// Serves the dashboard (web/dist) at `/` of `router` (api::find_web_root with
/// `web_root`, then api::static_site as the router's fallback). Returns
/// whether a built dashboard was found; without one `/` explains how to build it.
bool mount_dashboard(api::Router& router, const std::string& web_root);

/// The upload spool folder of the database at `db` (issue 15 §8, §10):
/// `<db's folder>/spool`, created 0700 (an existing one narrowed to 0700),
/// emptied of the spool files (voqo-upload-*.part, up to
/// ServerConfig::max_upload_bytes of contact data each) that a crash left
/// there. Files of that name older than kStaleSpoolAge and owned by this
/// user are removed from the system temporary folder too (the spool of
/// earlier versions, shared by every process, hence the age). Returns the
/// folder, for api::ServerConfig::spool_dir. Errors: io (the folder cannot
/// be created).
Result<std::filesystem::path> prepare_upload_spool(const std::filesystem::path& db);
inline constexpr std::chrono::hours kStaleSpoolAge{1};

/// Opens the parts. `calls` absent = no telephony (no dialer either).
/// Errors: the first part that fails, with its reason.
Result<void> start_runtime(Runtime& rt, std::unique_ptr<store::Store> store,
                           std::optional<calls::CallServiceConfig> calls, campaign::DialerConfig dialer = {});

}  // namespace voqo::cli
