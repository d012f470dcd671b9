#pragma once
/// The dialer (issue 4 §1–4, §6): runs jobs — places one call per job call
/// through calls::CallService, paced, inside the calling rules, with retries.
///
/// State lives in the store (DESIGN.md: "the store is the truth"):
///  - jobs: pending → running → completed | failed | cancelled; paused_at set
///    while paused (status stays running).
///  - job_calls: pending → calling → completed | failed. A call is recorded
///    as `calling` with its call id and attempt number *before* the INVITE is
///    sent; its result is applied in one transaction with the job's counters,
///    which are recomputed from the job calls each time (so they always equal
///    the tallies). A retry returns the job call to `pending` with
///    next_attempt_at.
///  - job_events: every decision (dial, skip, wait, retry, result, pacing,
///    state, recover) with its reason — the audit log.
///
/// Rules, in order, before each dial: a valid E.164 number; not on the
/// do-not-call list (else failed "skipped: ..."); inside the job's calling
/// window and the callee's local hours (else the call waits until the next
/// allowed instant, with the reason in wait_reason). Retries: no_answer, busy
/// and failed calls are retried up to retry.maxAttempts after
/// retry.backoffMinutes; a completed call with outcome "Call Back Later" and a
/// parsed callback time is retried at that time (if attempts remain).
///
/// Pacing: at most maxConcurrent calls in progress and callsPerSecond new
/// INVITEs (token bucket, burst 1 s). Adaptive: when ≥ 30% of the last 20
/// attempts of a job end in 5xx, timeouts or transport errors, the rate is
/// halved (down to 1/16); when < 10% fail it grows back by 25% steps. When the
/// host's turn latency (from the calls' CallOutcome::turns, engine waits excluded)
/// rises 20% and 50 ms above the job's first calls, concurrency is cut by a
/// quarter. Each change is a `pacing` event with the figures.
///
/// The end of each attempt comes as a typed calls::CallOutcome through the
/// call's own observer (PlaceCall::events, Dialer::Attempt), which the call
/// service calls only after the call record is stored and the call no longer
/// counts as in progress (calls/call_events.hpp). The result is applied from
/// the outcome's status, outcome, callback time, end reason, SIP code and
/// invalid_number (a number the SIP failure or E.164 normalisation says is
/// bad is not retried).
///
/// Crash safety: recover() (run by create()) closes job calls left `calling`
/// by a crash: with their call record (written by the call service or by
/// CallService::recover_interrupted()) the result is applied as usual;
/// without one (the crash came between the job call update and the INVITE),
/// a failed call record with error "interrupted" is written. Either way the
/// retry policy decides what happens next; nothing is dialed twice outside it.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"

namespace voqo::store {
class Store;
}
namespace voqo::calls {
class CallService;
}
namespace voqo::postcall {
class OutcomeLoop;
}

namespace voqo::campaign {

struct DialerConfig {
  /// The clock that the calling rules and retry times are judged by (tests use a fake one).
  std::function<std::chrono::system_clock::time_point()> clock;
  std::chrono::milliseconds tick{50};       ///< scheduling period
  bool enforce_callee_hours = true;         ///< false only for simulated callees (`voqo demo`'s loopback sims)
  std::optional<std::chrono::seconds> ring_timeout;  ///< per call (default: the call service's)
  /// Where a number is dialed: a sip: URI for it, or "" for the trunk (the
  /// default). `voqo demo --callee baresip` spreads contacts over its callees.
  std::function<std::string(const std::string& e164)> route;
  /// Threads that place marked calls (CallService::place_call builds the
  /// call's engines and waits for the SIP thread), so the scheduler never
  /// waits for one. One is the default: with two the INVITE bursts at 1,000
  /// CPS overflowed a sipp UAS on the same 2 cores and throughput halved
  /// (bench_dialer --placers 2; see bench/README.md).
  unsigned placer_threads = 1;
};

/// Counts of a job's calls by state and by outcome, for progress displays.
struct JobProgress {
  std::string status;
  int64_t total = 0, pending = 0, waiting = 0, calling = 0, completed = 0, failed = 0;
  bool paused = false;
  nlohmann::json outcomes = nlohmann::json::object();  ///< outcome label → count (final job calls)
};

class Dialer {
 public:
  /// Recovers job calls left by a crash, then starts the scheduling thread.
  /// `outcomes` may be null (no webhooks for job.completed / interrupted calls).
  static Result<std::unique_ptr<Dialer>> create(store::Store& store, calls::CallService& calls,
                                                postcall::OutcomeLoop* outcomes, DialerConfig config = {});
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  /// POST /api/jobs: validates {campaignId, uploadId, agentId, maxConcurrent,
  /// callsPerSecond, retry {maxAttempts 1–10, backoffMinutes 0–10080},
  /// callingWindow} and creates the job (pending; the dialer starts it at
  /// its next tick). Errors: 422 naming the field (an empty upload is
  /// "uploadId"), 404 for records that do not exist, 409 "agentId" for a
  /// disabled agent.
  Result<nlohmann::json> create_job(const WorkspaceId& ws, const nlohmann::json& body);
  /// Pause (no new calls; calls in progress finish), resume, cancel (no new
  /// calls or retries; pending job calls fail with "cancelled"). Return the
  /// job's JSON. Errors: not_found; conflict when the job is not active.
  Result<nlohmann::json> pause(const WorkspaceId& ws, const std::string& job_id);
  Result<nlohmann::json> resume(const WorkspaceId& ws, const std::string& job_id);
  Result<nlohmann::json> cancel(const WorkspaceId& ws, const std::string& job_id);

  /// Counts for one job. Errors: not_found.
  Result<JobProgress> progress(const WorkspaceId& ws, const std::string& job_id);
  /// Re-reads a running job's pace, retry policy and calling window (a
  /// campaign PATCHed while it runs); calls in progress are unaffected.
  /// Errors: not_found.
  Result<void> reconfigure(const WorkspaceId& ws, const std::string& job_id);
  /// The job's recent mean turn latency in ms (the host's load as its calls
  /// feel it, engine waits excluded: the last ten calls with turns, else its
  /// first ten); nullopt before any call had a turn.
  std::optional<double> turn_latency_ms(const std::string& job_id) const;
  /// The swarm's abandon cap (issue 18 §9) slows a campaign's job: `factor`
  /// (1/16–1) multiplies its calls per second and its concurrency; 1 = none.
  /// A job the dialer does not run is ignored.
  void set_throttle(const std::string& job_id, double factor);
  [[nodiscard]] double throttle(const std::string& job_id) const;
  /// Calls this dialer has in progress (all jobs).
  [[nodiscard]] std::size_t in_flight() const;
  /// Wakes the scheduler (after a fake clock moved, or a job was created).
  void poke();

  struct State;
  class Attempt;

 private:
  explicit Dialer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace voqo::campaign
