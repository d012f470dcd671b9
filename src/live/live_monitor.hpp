#pragma once
/// The live monitor (issue 5): what a supervisor sees of calls in progress.
///
///   calls/ (CallEvents of every call, any thread but the media thread)
///     → one queue → the monitor's thread, in batches:
///         call intelligence (intel::CallIntelligence, per call)
///         the live tables (store::LiveStore), one transaction per batch
///         then the realtime changes (realtime::Hub), after the commit
///
/// Writing before publishing is what makes a subscriber's snapshot (read
/// from the store) plus the changes after it complete: a change is either
/// already in the store when the snapshot is read, or published after the
/// subscription began (see realtime/hub.hpp for the hub's half).
///
/// Topics and their changes (each a JSON object with "kind"); every topic
/// names its workspace (<ws>), which queries take from the subscriber's
/// credential (args.workspaceId, bound by the transport):
///   liveCalls:<ws>          {kind:"upsert", call:{live call row}} | {kind:"remove", callId}
///   liveCall:<ws>:<callId>  {kind:"call", call:{...}} (status, phase, speaker)
///                      {kind:"transcript", line:{live_transcripts row}} (interim, then its final: same entryId)
///                      {kind:"levels", agentGain, customerGain, currentSpeaker, duration}  (every 200 ms)
///                      {kind:"insights", phases, objectives, nextActions, coaching, sentiment, metrics}
///                      {kind:"systemConfig", config:{...}}
///                      {kind:"action", action:{supervisor_actions row}}
///                      {kind:"ended", analytics:{call_analytics record}}
///   job:<ws>:<jobId>        {kind:"job", job:{the job with progress}}
///   campaignStats:<ws>:<id> {kind:"stats", stats:{...}}
/// Levels go to the store at most once a second per call (the realtime
/// change carries every one); everything else is written as it happens.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "calls/call_events.hpp"
#include "calls/supervisor.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"

namespace voqo::store { class Store; }
namespace voqo::realtime { class Hub; }
namespace voqo::calls { class CallService; }
namespace voqo::campaign { class Dialer; }

namespace voqo::live {

struct LiveMonitorConfig {
  std::chrono::milliseconds tick{200};             ///< the thread's period for timed work
  std::chrono::milliseconds insights_period{5000}; ///< intelligence recomputed at least this often per call
  std::chrono::milliseconds levels_flush{1000};    ///< live_calls gains/duration written at most this often
  std::chrono::milliseconds jobs_period{500};      ///< job progress and campaign stats re-read this often
  std::size_t max_queue = 200000;                  ///< queued events beyond this: level updates are dropped
};

class LiveMonitor final : public calls::CallEvents {
 public:
  /// Registers the realtime queries (liveCalls {status?}, liveCall {id},
  /// job {id}, campaignStats {id}, and the swarm's: live/swarm_feed.hpp) on
  /// `hub` and starts the thread. `store`
  /// and `hub` must outlive the monitor.
  static Result<std::shared_ptr<LiveMonitor>> create(store::Store& store, realtime::Hub& hub,
                                                     LiveMonitorConfig config = {});
  ~LiveMonitor() override;
  LiveMonitor(const LiveMonitor&) = delete;
  LiveMonitor& operator=(const LiveMonitor&) = delete;

  /// Where supervisor actions that act on a call go (null = none: only the
  /// record-only actions work). Set before calls start.
  void set_call_service(calls::CallService* calls);
  /// Job progress for the job query (null = the job row's own counters).
  /// Waits until no thread is using the previous dialer, so the caller may
  /// destroy it once set_dialer(nullptr) returns.
  void set_dialer(campaign::Dialer* dialer);

  /// A supervisor's action on a live call (POST /api/live-calls/{id}/actions,
  /// `action` already validated by the API): COACH_AGENT {text}, JOIN_CALL,
  /// TAKE_OVER, RELEASE, TRANSFER_CALL {target}, END_CALL {text?} act on the
  /// call through the call service; ADD_NOTE {text}, BOOKMARK_MOMENT and
  /// FLAG_FOR_REVIEW are recorded. Each is a supervisor_actions row (with the
  /// call time) and a realtime change. Errors: not_found (no such live call
  /// on this node), conflict (the call has ended), unavailable (no call
  /// service), and the call service's own (invalid transfer target, ...).
  Result<nlohmann::json> act(const WorkspaceId& ws, const std::string& call_id, const std::string& action,
                             const nlohmann::json& details,
                             const std::string& supervisor_id, const std::string& supervisor_name);

  /// Processes what is queued, then stops the thread. Idempotent.
  void stop();
  /// Blocks until every event queued before the call has been applied and
  /// published (tests, shutdown).
  void flush();

  // calls::CallEvents (each queued for the monitor's thread; call_answered,
  // do_not_call_heard: not used — "connected" status marks the answer)
  void call_created(const calls::CallInfo& call) override;
  void call_status(const std::string& call_id, std::string_view status) override;
  void transcript(const std::string& call_id, const model::TranscriptLine& line) override;
  void levels(const std::string& call_id, int agent_gain, int customer_gain, std::string_view current_speaker) override;
  void agent_turn(const std::string& call_id, const brain::Reply& reply) override;
  void event(const std::string& call_id, std::string_view name, std::string_view detail) override;
  /// The call's live rows become history: the call_analytics record takes
  /// the outcome's label, status and end reason.
  void call_ended(const calls::CallOutcome& outcome) override;

  struct Impl;

 private:
  explicit LiveMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::live
