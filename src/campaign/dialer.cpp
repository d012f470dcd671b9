#include "campaign/dialer.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>

#include <pthread.h>

#include "calls/call_service.hpp"
#include "campaign/calling_hours.hpp"
#include "campaign/do_not_call.hpp"
#include "core/id.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "postcall/outcome_loop.hpp"
#include "store/calls.hpp"
#include "store/store.hpp"

namespace voqo::campaign {
namespace {

using Clock = std::chrono::system_clock;
using json = nlohmann::json;

constexpr int kPacingWindow = 20;
constexpr double kMinRateFactor = 1.0 / 16;

struct RetryPolicy {
  int max_attempts = 3;
  int backoff_minutes = 30;
};

Result<RetryPolicy> parse_retry(const json& v) {
  RetryPolicy p;
  if (v.is_null()) return p;
  if (!v.is_object()) return std::unexpected(Error::invalid("retry", "must be an object {maxAttempts, backoffMinutes}"));
  if (auto it = v.find("maxAttempts"); it != v.end()) {
    if (!it->is_number_integer() || *it < 1 || *it > 10)
      return std::unexpected(Error::invalid("retry.maxAttempts", "must be an integer from 1 to 10"));
    p.max_attempts = *it;
  }
  if (auto it = v.find("backoffMinutes"); it != v.end()) {
    if (!it->is_number() || *it < 0 || *it > 10080)
      return std::unexpected(Error::invalid("retry.backoffMinutes", "must be a number of minutes from 0 to 10080"));
    p.backoff_minutes = static_cast<int>(it->get<double>());
  }
  for (auto it = v.begin(); it != v.end(); ++it)
    if (it.key() != "maxAttempts" && it.key() != "backoffMinutes")
      return std::unexpected(Error::invalid("retry." + it.key(), "unknown field"));
  return p;
}

/// A string member, "" when absent or not a string (API JSON has nulls).
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
/// A numeric member, `fallback` when absent or null.
double num(const json& j, const char* key, double fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text_or(const store::Statement& s, int col) { return s.is_null(col) ? std::string() : std::string(s.column_text(col)); }

/// A failed attempt that says something about the trunk or the host (pacing):
/// a 5xx or 408, or an end reason naming a timeout, a transport error or an
/// unreachable peer.
bool trunk_trouble(const calls::CallOutcome& call) {
  const int code = call.sip_code.value_or(0);
  const std::string& err = call.end_reason;
  return code >= 500 || code == 408 || err.find("timeout") != std::string::npos ||
         err.find("transport") != std::string::npos || err.find("unreachable") != std::string::npos;
}

/// Mean turn latency of a call excluding the configured waits (the agent's
/// silence threshold and response delay), in µs, or -1 without turns.
double turn_latency_us(const calls::CallOutcome& call) {
  double sum = 0;
  int n = 0;
  for (const auto& t : call.turns) {
    if (t.last_caller_audio_us <= 0 || t.first_packet_us <= 0) continue;
    sum += static_cast<double>(t.first_packet_us - t.last_caller_audio_us) -
           1000.0 * (call.silence_threshold_ms + t.response_delay_ms);
    ++n;
  }
  return n ? sum / n : -1;
}

/// The result of an attempt that ended before its INVITE left (nothing was
/// dialed): failed with `why`; `invalid_number` when the number itself is bad.
calls::CallOutcome unplaced_outcome(const std::string& call_id, const std::string& why, bool invalid_number) {
  calls::CallOutcome o;
  o.call_id = call_id;
  o.status = calls::CallStatus::failed;
  o.end_reason = why;
  o.invalid_number = invalid_number;
  o.caller_spoke = false;
  return o;
}

}  // namespace

/// The end of one attempt, as the call service reports it (PlaceCall::events):
/// after the call record is stored and the call no longer counts as in
/// progress, so a crash before this is recovered from the record (recover()).
class Dialer::Attempt final : public calls::CallEvents {
 public:
  Attempt(std::weak_ptr<Dialer::State> state, std::string job_id, std::string job_call_id, std::string call_id)
      : state_(std::move(state)), job_id_(std::move(job_id)), job_call_id_(std::move(job_call_id)), call_id_(std::move(call_id)) {}
  void call_ended(const calls::CallOutcome& outcome) override;

 private:
  std::weak_ptr<Dialer::State> state_;
  std::string job_id_, job_call_id_, call_id_;
};

/// One running job as the scheduler sees it (the rest is in the store).
struct JobState {
  WorkspaceId ws;
  std::string id, agent_id, campaign_id, campaign_name;
  int max_concurrent = 5;
  double calls_per_second = 1;
  /// A campaign's job (upload_id null): each call is placed by one of the
  /// campaign's swarm agents, and their number is the concurrency (issue 18 §2).
  bool swarm = false;
  bool record = true;       ///< the campaign's recordingEnabled
  bool open_ended = false;  ///< leads keep arriving (API, CRM, manual): the job waits for them instead of finishing
  std::optional<std::chrono::seconds> ring_timeout;  ///< the campaign's ringTimeoutS
  double throttle = 1;      ///< the swarm's abandon cap: multiplies the pace and the concurrency (1 = none)
  RetryPolicy retry;
  std::optional<CallingWindow> window;
  int in_flight = 0;
  double tokens = 1;
  std::chrono::steady_clock::time_point refilled{};  // pacing runs on real time, whatever the rules' clock says
  bool capped = false;            // waiting on the workspace's concurrent-call limit (logged once)
  double rate_factor = 1;         // adaptive CPS multiplier
  double concurrency_factor = 1;  // adaptive concurrency multiplier
  std::deque<bool> recent;        // last attempts: true = trunk trouble
  std::vector<double> latency_baseline, latency_recent;
};

struct Dialer::State : std::enable_shared_from_this<Dialer::State> {
  store::Store& store;
  calls::CallService& calls;
  postcall::OutcomeLoop* outcomes;
  DialerConfig cfg;
  LocalHours default_local;  // the callee_local_hours default, for a workspace whose setting is unreadable
  // Each workspace's calling-hours rules, rebuilt each tick from its
  // callee_local_hours setting (scheduler thread only).
  std::map<std::string, CallingHours> hours;
  DoNotCallList dnc;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool poked = false;
  std::map<std::string, JobState> jobs;
  std::thread thread;

  State(store::Store& s, calls::CallService& c, postcall::OutcomeLoop* o, DialerConfig config, LocalHours local)
      : store(s), calls(c), outcomes(o), cfg(std::move(config)), default_local(local), dnc(s.db()) {}

  Clock::time_point now() const { return cfg.clock ? cfg.clock() : Clock::now(); }
  std::string region(const WorkspaceId& ws) { return store.settings().default_region(ws); }

  /// The calling-hours rules of `ws` (built on first use in a tick).
  CallingHours& hours_of(const WorkspaceId& ws) {
    auto it = hours.find(ws.value);
    if (it != hours.end()) return it->second;
    LocalHours local = default_local;
    if (auto settings = store.settings().snapshot(ws))
      if (auto parsed = parse_local_hours(settings->callee_local_hours)) local = *parsed;
    return hours.emplace(ws.value, CallingHours(local, cfg.enforce_callee_hours)).first->second;
  }

  /// The workspace of a job (its row's), or an empty id when the job is gone.
  WorkspaceId workspace_of_job(const std::string& job_id) {
    {
      std::lock_guard lock(mutex);
      if (auto it = jobs.find(job_id); it != jobs.end()) return it->second.ws;
    }
    auto r = store.db().read([&](store::Connection& c) -> Result<std::string> {
      auto st = c.prepare("SELECT workspace_id FROM jobs WHERE id = ?");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, job_id);
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      return *row ? std::string((*st)->column_text(0)) : std::string();
    });
    return WorkspaceId(r ? *r : std::string());
  }

  // ---- store helpers (inside a write transaction) ----
  static Result<void> event(store::Connection& c, const std::string& job_id, const std::string& job_call_id,
                            const std::string& call_id, std::string_view type, const std::string& message,
                            const json& details = json::object()) {
    auto st = c.prepare("INSERT INTO job_events (job_id, job_call_id, call_id, type, message, details, created_at, "
                        "workspace_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT workspace_id FROM jobs WHERE id = ?1))");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, job_id);
    if (job_call_id.empty()) s.bind_null(2);
    else s.bind_text(2, job_call_id);
    if (call_id.empty()) s.bind_null(3);
    else s.bind_text(3, call_id);
    s.bind_text(4, type);
    s.bind_text(5, message);
    s.bind_text(6, details.dump());
    s.bind_text(7, now_iso8601());
    if (auto r = s.step(); !r) return std::unexpected(r.error());
    return {};
  }

  static Result<void> exec(store::Connection& c, std::string_view sql, const std::vector<std::optional<std::string>>& args) {
    auto st = c.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i]) (*st)->bind_text(static_cast<int>(i + 1), *args[i]);
      else (*st)->bind_null(static_cast<int>(i + 1));
    }
    if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
    return {};
  }

  /// The job's counters from its job calls (they always equal the tallies).
  static Result<void> recount(store::Connection& c, const std::string& job_id) {
    return exec(c,
                "UPDATE jobs SET completed_calls = (SELECT count(*) FROM job_calls WHERE job_id = ?1 AND status = 'completed'), "
                "failed_calls = (SELECT count(*) FROM job_calls WHERE job_id = ?1 AND status = 'failed'), "
                "updated_at = ?2 WHERE id = ?1",
                {job_id, now_iso8601()});
  }

  /// The job's counters after one job call left a state they do not count
  /// (pending, calling) for `status`, in the same transaction as that change:
  /// O(1) where recount() walks the job's calls (which made a 10,000-call job
  /// quadratic). Used where the row's previous state was checked.
  static Result<void> count_transition(store::Connection& c, const std::string& job_id, const std::string& status) {
    if (status != "completed" && status != "failed")
      return exec(c, "UPDATE jobs SET updated_at = ?2 WHERE id = ?1", {job_id, now_iso8601()});
    return exec(c,
                status == "completed"
                    ? "UPDATE jobs SET completed_calls = completed_calls + 1, updated_at = ?2 WHERE id = ?1"
                    : "UPDATE jobs SET failed_calls = failed_calls + 1, updated_at = ?2 WHERE id = ?1",
                {job_id, now_iso8601()});
  }

  Result<JobState> load_job(const json& job) {
    JobState js;
    js.ws = WorkspaceId(str(job, "workspaceId"));
    js.id = str(job, "id");
    js.agent_id = str(job, "agentId");
    js.campaign_id = str(job, "campaignId");
    js.max_concurrent = static_cast<int>(num(job, "maxConcurrent", 5));
    js.calls_per_second = num(job, "callsPerSecond", 1);
    auto retry = parse_retry(job.value("retry", json()));
    if (!retry) return std::unexpected(retry.error());
    js.retry = *retry;
    if (auto w = job.find("callingWindow"); w != job.end() && !w->is_null()) {
      auto win = parse_calling_window(*w);
      if (!win) return std::unexpected(win.error());
      js.window = *win;
    }
    js.swarm = job.contains("uploadId") && job["uploadId"].is_null();
    if (auto camp = store.campaigns().get(js.ws, js.campaign_id)) {
      js.campaign_name = str(*camp, "name");
      js.record = camp->value("recordingEnabled", true);
      js.open_ended = js.swarm && str(*camp, "leadSource") != "csv_upload" && !str(*camp, "leadSource").empty();
      if (js.swarm) js.ring_timeout = std::chrono::seconds(camp->value("ringTimeoutS", 30));
    }
    js.tokens = 1;
    js.refilled = std::chrono::steady_clock::now();
    return js;
  }

  // ---- the scheduler ----
  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      tick();
      lock.lock();
      wake.wait_for(lock, cfg.tick, [&] { return stopping || poked; });
      poked = false;
    }
  }

  void tick() {
    hours.clear();  // settings may have changed since the last tick
    using Active = std::pair<WorkspaceId, std::string>;
    auto active = store.db().read([](store::Connection& c) -> Result<std::vector<Active>> {
      // Higher-priority campaigns take the workspace's channels first (issue 18 §1).
      auto st = c.prepare(
          "SELECT j.workspace_id, j.id FROM jobs j LEFT JOIN campaigns c ON c.id = j.campaign_id "
          "WHERE j.status IN ('pending','running') ORDER BY CASE c.priority WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 "
          "WHEN 'LOW' THEN 3 ELSE 2 END, j.created_at, j.id");
      if (!st) return std::unexpected(st.error());
      std::vector<Active> ids;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        ids.emplace_back(WorkspaceId(std::string((*st)->column_text(0))), std::string((*st)->column_text(1)));
      }
      return ids;
    });
    if (!active) {
      spdlog::warn("dialer: {}", active.error().message);
      return;
    }
    for (const auto& [ws, id] : *active) run_job(ws, id);
  }

  void run_job(const WorkspaceId& ws, const std::string& id) {
    auto job = store.jobs().records().get(ws, id);
    if (!job) return;
    {
      std::lock_guard lock(mutex);
      if (!jobs.contains(id)) {
        auto js = load_job(*job);
        if (!js) {
          fail_job(id, "bad job settings: " + js.error().message);
          return;
        }
        jobs.emplace(id, std::move(*js));
      }
    }
    if (job->value("status", "") == "pending") {
      auto r = store.db().write([&](store::Connection& c) -> Result<void> {
        if (auto e = exec(c, "UPDATE jobs SET status = 'running', started_at = ?2, updated_at = ?2 WHERE id = ?1 AND status = 'pending'",
                          {id, now_iso8601()});
            !e)
          return e;
        return event(c, id, "", "", "state", "job started");
      });
      if (!r) return;
    }
    if (!(*job)["pausedAt"].is_null()) return;
    place_due_calls(id);
    maybe_finish(id);
  }

  /// How many calls this job may place now (concurrency and the token bucket).
  int budget(JobState& js, std::chrono::steady_clock::time_point t) {
    const double rate = std::max(0.01, js.calls_per_second * js.rate_factor * js.throttle);
    const double burst = std::max(1.0, rate);
    const double elapsed = std::chrono::duration<double>(t - js.refilled).count();
    if (elapsed > 0) js.tokens = std::min(burst, js.tokens + elapsed * rate);
    js.refilled = t;
    const int max_conc = std::max(1, static_cast<int>(js.max_concurrent * js.concurrency_factor * js.throttle));
    return std::max(0, std::min(max_conc - js.in_flight, static_cast<int>(js.tokens)));
  }

  struct Candidate {
    std::string id, phone, batch_contact_id, name, wait_reason;
    json variables = json::object();
    int attempts = 0;
  };

  /// A job call marked `calling`, waiting for a placer thread.
  struct Placement {
    std::string job_id;
    Candidate cand;
    std::optional<store::SwarmMember> member;  ///< the swarm agent that places it (campaign jobs)
    std::string call_id;    ///< chosen when marked
    std::string time_zone;  ///< the callee's ("" = unknown)
  };
  std::deque<Placement> placements;  // guarded by `mutex`
  std::condition_variable placer_wake;
  std::vector<std::thread> placers;

  Result<std::vector<Candidate>> due(const std::string& job_id, Clock::time_point t, int limit) {
    return store.db().read([&](store::Connection& c) -> Result<std::vector<Candidate>> {
      auto st = c.prepare(
          "SELECT jc.id, coalesce(jc.phone, b.phone), jc.batch_contact_id, b.name, b.variables, jc.attempts, jc.wait_reason "
          "FROM job_calls jc LEFT JOIN batch_contacts b ON b.id = jc.batch_contact_id "
          // coalesce(…, '') <= t is "not scheduled, or due by t" (ISO 8601
          // text sorts by time), in the order of idx_job_calls_due_order.
          "WHERE jc.job_id = ? AND jc.status = 'pending' AND coalesce(jc.next_attempt_at, '') <= ? "
          "ORDER BY coalesce(jc.next_attempt_at, ''), jc.created_at, jc.id LIMIT ?");
      if (!st) return std::unexpected(st.error());
      auto& s = **st;
      s.bind_text(1, job_id);
      s.bind_text(2, to_iso8601(t));
      s.bind_int(3, limit);
      std::vector<Candidate> out;
      for (;;) {
        auto row = s.step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        Candidate cand{text_or(s, 0), text_or(s, 1), text_or(s, 2), text_or(s, 3), text_or(s, 6)};
        cand.variables = json::parse(text_or(s, 4).empty() ? "{}" : text_or(s, 4), nullptr, false);
        if (cand.variables.is_discarded()) cand.variables = json::object();
        cand.attempts = static_cast<int>(s.column_int(5));
        out.push_back(std::move(cand));
      }
      return out;
    });
  }

  void place_due_calls(const std::string& job_id) {
    const auto t = now();
    int n = 0;
    WorkspaceId ws;
    std::optional<std::pair<int, int>> members;  // {idle, active} swarm agents
    bool swarm = false;
    std::string campaign_id;
    {
      std::lock_guard lock(mutex);
      swarm = jobs.at(job_id).swarm;
      campaign_id = jobs.at(job_id).campaign_id;
    }
    if (swarm) {
      auto ra = store.swarm().ready_and_active(campaign_id);
      if (!ra) return;
      members = *ra;
    }
    {
      std::lock_guard lock(mutex);
      auto& js = jobs.at(job_id);
      if (members) js.max_concurrent = std::max(1, members->second);  // the active agents are the concurrency
      n = budget(js, std::chrono::steady_clock::now());
      if (members) n = std::min(n, members->first);                   // one call per idle agent
      ws = js.ws;
    }
    if (n <= 0) return;
    // The workspace's tier bounds its calls in progress across all its jobs
    // (issue 16 §5): at the limit the job waits, and says so once.
    if (auto room = calls.call_room(ws)) {
      bool log = false;
      {
        std::lock_guard lock(mutex);
        auto& js = jobs.at(job_id);
        log = *room == 0 && !js.capped;
        js.capped = *room == 0;
      }
      if (log)
        (void)store.db().write([&](store::Connection& c) {
          return event(c, job_id, "", "", "wait",
                       "waiting: the workspace has as many calls in progress as its tier allows (concurrentCalls)");
        });
      if (*room == 0) return;
      n = std::min(n, static_cast<int>(*room));
    }
    // Candidates may be skipped or made to wait; look a little further than the budget.
    auto cands = due(job_id, t, n * 4 + 4);
    if (!cands) return;
    std::vector<Placement> dialable;
    for (auto& cand : *cands) {
      if (static_cast<int>(dialable.size()) >= n) break;
      if (auto tz = decide(job_id, cand, t)) dialable.push_back({job_id, std::move(cand), std::nullopt, "", *tz});
    }
    if (!dialable.empty()) mark_and_queue(std::move(dialable));
  }

  /// Applies the rules to one candidate: the callee's time zone ("" = unknown)
  /// when it may be dialed now; nullopt when it was skipped or made to wait.
  std::optional<std::string> decide(const std::string& job_id, const Candidate& cand, Clock::time_point t) {
    std::optional<CallingWindow> window;
    WorkspaceId ws;
    {
      std::lock_guard lock(mutex);
      window = jobs.at(job_id).window;
      ws = jobs.at(job_id).ws;
    }
    const std::string reg = region(ws);
    if (cand.phone.empty()) {
      finish_call_unplaced(job_id, cand.id, "skipped: no valid phone number", "skip");
      return std::nullopt;
    }
    if (auto listed = dnc.contains(ws, cand.phone, reg); listed && *listed) {
      finish_call_unplaced(job_id, cand.id, "skipped: " + cand.phone + " is on the do-not-call list", "skip");
      return std::nullopt;
    }
    auto verdict = hours_of(ws).check(cand.phone, window, t);
    if (!verdict.allowed) {
      const std::string until = to_iso8601(verdict.next_allowed);
      (void)store.db().write([&](store::Connection& c) -> Result<void> {
        if (auto e = exec(c, "UPDATE job_calls SET next_attempt_at = ?2, wait_reason = ?3, updated_at = ?4 WHERE id = ?1 AND status = 'pending'",
                          {cand.id, until, verdict.reason, now_iso8601()});
            !e)
          return e;
        if (verdict.reason == cand.wait_reason) return {};
        return event(c, job_id, cand.id, "", "wait", "waiting until " + until + ": " + verdict.reason,
                     {{"phone", cand.phone}, {"until", until}, {"zones", verdict.zones}});
      });
      return std::nullopt;
    }
    auto zones = verdict.zones.empty() ? time_zones_of(cand.phone) : verdict.zones;
    return zones.empty() ? std::string() : zones.front();
  }

  /// Marks the job calls `calling`, each with its call id chosen now and its
  /// attempt counted, in one transaction — before any INVITE leaves: a crash
  /// after this is recovered, never redialed blindly — then hands them to the
  /// placer threads (CallService::place_call builds the call's engines and
  /// waits for the SIP thread; several run at once so the scheduler never
  /// waits for them).
  void mark_and_queue(std::vector<Placement> batch) {
    const std::string job_id = batch.front().job_id;
    int max_attempts = 0;
    bool swarm = false;
    std::string campaign_id;
    {
      std::lock_guard lock(mutex);
      max_attempts = jobs.at(job_id).retry.max_attempts;
      swarm = jobs.at(job_id).swarm;
      campaign_id = jobs.at(job_id).campaign_id;
    }
    std::vector<Placement> marked;
    auto ok = store.db().write([&](store::Connection& c) -> Result<void> {
      const std::string stamp = now_iso8601();
      for (auto& p : batch) {
        p.call_id = new_id();
        if (swarm) {  // the member first: no idle agent, no call
          auto member = store::SwarmRepository::claim_member(c, campaign_id, p.cand.id, p.call_id,
                                                             p.cand.name.empty() ? p.cand.phone : p.cand.name);
          if (!member) return std::unexpected(member.error());
          if (!*member) break;
          p.member = std::move(*member);
        }
        auto st = c.prepare("UPDATE job_calls SET status = 'calling', attempt_call_id = ?2, attempts = attempts + 1, "
                            "wait_reason = NULL, updated_at = ?3 WHERE id = ?1 AND status = 'pending'");
        if (!st) return std::unexpected(st.error());
        (*st)->bind_text(1, p.cand.id);
        (*st)->bind_text(2, p.call_id);
        (*st)->bind_text(3, stamp);
        if (auto r = (*st)->step(); !r) return std::unexpected(r.error());
        if (c.changes() == 0) {
          if (p.member)
            if (auto e = store::SwarmRepository::release_member(c, p.call_id); !e) return std::unexpected(e.error());
          continue;
        }
        const int attempt = p.cand.attempts + 1;
        if (auto e = event(c, job_id, p.cand.id, p.call_id, "dial",
                           "dialing " + p.cand.phone + " (attempt " + std::to_string(attempt) + " of " +
                               std::to_string(max_attempts) + ")" + (p.member ? " by " + p.member->name : std::string()),
                           {{"phone", p.cand.phone}, {"attempt", attempt},
                            {"swarmAgentId", p.member ? json(p.member->id) : json()}});
            !e)
          return std::unexpected(e.error());
        marked.push_back(std::move(p));
      }
      return {};
    });
    if (!ok) {
      spdlog::warn("dialer: job {}: marking calls: {}", job_id, ok.error().message);
      return;
    }
    if (marked.empty()) return;
    {
      std::lock_guard lock(mutex);
      auto& live = jobs.at(job_id);
      live.in_flight += static_cast<int>(marked.size());
      live.tokens -= static_cast<double>(marked.size());
      for (auto& p : marked) placements.push_back(std::move(p));
    }
    placer_wake.notify_all();
  }

  /// A placer thread: places marked calls (or, when the dialer stops, returns them to pending).
  void placer_loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      placer_wake.wait(lock, [&] { return stopping || !placements.empty(); });
      if (placements.empty()) return;  // stopping and drained
      Placement p = std::move(placements.front());
      placements.pop_front();
      const bool stop = stopping;
      lock.unlock();
      if (stop) unplace(p.job_id, p.cand.id, p.call_id);
      else place(p);
      lock.lock();
    }
  }

  /// The job's state as the store has it now: "" (gone), "paused", or its status.
  std::string job_state(const std::string& job_id) {
    auto r = store.db().read([&](store::Connection& c) -> Result<std::string> {
      auto st = c.prepare("SELECT status, paused_at FROM jobs WHERE id = ?");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, job_id);
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return std::string();
      if (!(*st)->is_null(1)) return std::string("paused");
      return std::string((*st)->column_text(0));
    });
    return r ? *r : std::string("running");
  }

  /// Places one marked call. A job paused meanwhile gets the call back as
  /// pending; a job that ended meanwhile (cancelled, failed) fails it like
  /// its other pending calls.
  void place(const Placement& p) {
    const std::string& job_id = p.job_id;
    const Candidate& cand = p.cand;
    const std::string& call_id = p.call_id;
    if (const std::string state = job_state(job_id); state != "running" && state != "pending") {
      if (state == "paused") {
        unplace(job_id, cand.id, call_id);
      } else {
        (void)store.db().write([&](store::Connection& c) -> Result<void> {
          if (auto e = exec(c, "UPDATE job_calls SET status = 'failed', attempts = attempts - 1, attempt_call_id = NULL, "
                               "error_message = ?3, updated_at = ?4 WHERE id = ?1 AND attempt_call_id = ?2",
                            {cand.id, call_id, state == "cancelled" ? "cancelled" : "job " + state, now_iso8601()});
              !e)
            return e;
          if (auto e = store::SwarmRepository::release_member(c, call_id); !e) return e;
          return recount(c, job_id);
        });
        std::lock_guard lock(mutex);
        --jobs.at(job_id).in_flight;
      }
      return;
    }
    JobState js;
    {
      std::lock_guard lock(mutex);
      js = jobs.at(job_id);
    }
    calls::PlaceCall req;
    req.workspace = js.ws;
    req.agent = js.agent_id;
    req.record = js.record;
    if (p.member) {  // the swarm agent's voice agent and variant (issue 18 §2)
      req.agent = p.member->voice_agent_id;
      req.voice_id = p.member->voice_model;
      req.swarm_agent_id = p.member->id;
    }
    req.to = cand.phone;
    if (cfg.route)
      if (auto uri = cfg.route(cand.phone); !uri.empty()) req.to = uri;
    req.variables = cand.variables;
    if (p.member) {
      if (!p.member->personality_profile.empty()) req.variables["personalityProfile"] = p.member->personality_profile;
      if (!p.member->script_version.empty()) req.variables["scriptVersion"] = p.member->script_version;
      req.variables["swarmAgentName"] = p.member->name;
    }
    req.contact_name = cand.name;
    req.call_id = call_id;
    req.job_id = job_id;
    req.job_call_id = cand.id;
    req.campaign_id = js.campaign_id;
    req.campaign_name = js.campaign_name;
    req.ring_timeout = js.ring_timeout ? js.ring_timeout : cfg.ring_timeout;
    req.time_zone = p.time_zone;
    req.events = std::make_shared<Attempt>(weak_from_this(), job_id, cand.id, call_id);
    auto placed = calls.place_call(req);
    if (placed) return;
    const Error& err = placed.error();
    const std::string field(err.field());
    spdlog::warn("dialer: job {}: cannot place call to {}: {}", job_id, cand.phone, err.message);
    // Nothing was dialed: the attempt is undone in the record of attempts but kept in the audit log.
    if (field == "concurrentCalls") {  // another job of the workspace took the last place: try again later
      unplace(job_id, cand.id, call_id);
      return;
    }
    if (field == "agentId" || field == "trunk") {
      unplace(job_id, cand.id, call_id);
      fail_job(job_id, err.message);
      return;
    }
    store_unplaced_record(job_id, cand, call_id, err.message);
    apply_result(job_id, cand.id, call_id, unplaced_outcome(call_id, err.message, field == "to"));
  }

  /// Returns a job call marked calling to pending (its INVITE never left).
  void unplace(const std::string& job_id, const std::string& job_call_id, const std::string& call_id) {
    (void)store.db().write([&](store::Connection& c) -> Result<void> {
      if (auto e = exec(c, "UPDATE job_calls SET status = 'pending', attempts = attempts - 1, attempt_call_id = NULL "
                           "WHERE id = ?1 AND attempt_call_id = ?2",
                        {job_call_id, call_id});
          !e)
        return e;
      return store::SwarmRepository::release_member(c, call_id);
    });
    std::lock_guard lock(mutex);
    --jobs.at(job_id).in_flight;
  }

  /// A call record for an attempt that failed before the INVITE (no call is lost from the history).
  void store_unplaced_record(const std::string& job_id, const Candidate& cand, const std::string& call_id,
                             const std::string& why) {
    store::CallRecord r;
    r.id = call_id;
    {
      std::lock_guard lock(mutex);
      r.agent_id = jobs.at(job_id).agent_id;
      r.workspace_id = jobs.at(job_id).ws;
    }
    r.direction = "outbound";
    r.status = "failed";
    r.to_phone = cand.phone;
    r.error_message = why;
    r.job_id = job_id;
    r.job_call_id = cand.id;
    store::CallStore cs(store.db());
    if (auto ok = cs.insert(r); !ok) spdlog::warn("dialer: call record {}: {}", call_id, ok.error().message);
  }

  /// A job call that ends without a call (skipped by a rule).
  void finish_call_unplaced(const std::string& job_id, const std::string& job_call_id, const std::string& why,
                            std::string_view type) {
    (void)store.db().write([&](store::Connection& c) -> Result<void> {
      if (auto e = exec(c, "UPDATE job_calls SET status = 'failed', error_message = ?2, wait_reason = NULL, updated_at = ?3 "
                           "WHERE id = ?1 AND status = 'pending'",
                        {job_call_id, why, now_iso8601()});
          !e)
        return e;
      if (c.changes() == 0) return {};
      if (auto e = count_transition(c, job_id, "failed"); !e) return e;
      return event(c, job_id, job_call_id, "", type, why);
    });
  }

  /// Applies a finished call to its job call: final, or back to pending for a retry.
  void apply_result(const std::string& job_id, const std::string& job_call_id, const std::string& call_id,
                    const calls::CallOutcome& call) {
    const std::string status(calls::call_status_label(call.status));
    const std::string outcome = call.outcome ? std::string(brain::outcome_label(*call.outcome)) : std::string();
    const std::string& error = call.end_reason;
    const std::optional<Clock::time_point>& callback = call.callback_at;
    RetryPolicy retry;
    bool swarm = false;
    WorkspaceId ws;
    std::string campaign_id;
    {
      std::lock_guard lock(mutex);
      if (auto it = jobs.find(job_id); it != jobs.end()) {
        retry = it->second.retry;
        swarm = it->second.swarm;
        ws = it->second.ws;
        campaign_id = it->second.campaign_id;
      }
    }
    bool objectives_met = false;
    const auto t = now();
    auto applied = store.db().write([&](store::Connection& c) -> Result<bool> {
      auto st = c.prepare("SELECT jc.attempts, j.status, j.upload_id IS NULL, j.campaign_id, j.workspace_id FROM job_calls jc "
                          "JOIN jobs j ON j.id = jc.job_id WHERE jc.id = ? AND jc.attempt_call_id = ? AND jc.status = 'calling'");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, job_call_id);
      (*st)->bind_text(2, call_id);
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return false;  // already applied (recovery and the live callback raced) or not ours
      const int attempts = static_cast<int>((*st)->column_int(0));
      const bool job_active = (*st)->column_text(1) == "running" || (*st)->column_text(1) == "pending";
      // A campaign's job that a stop already took out of memory: its call still counts in the
      // campaign's totals and feed (issue 18 §8), as it does in the metrics by period.
      if (!swarm && (*st)->column_int(2) != 0) {
        swarm = true;
        campaign_id = std::string((*st)->column_text(3));
        ws = WorkspaceId(std::string((*st)->column_text(4)));
      }
      std::string next_status, message, type = "result";
      std::optional<std::string> next_at, final_error, wait;
      const bool retryable = status == "no_answer" || status == "busy" || status == "failed" || status == "cancelled";
      const bool invalid_number = call.invalid_number;
      if (call.status == calls::CallStatus::completed && call.outcome == brain::Outcome::call_back_later && callback && attempts < retry.max_attempts && job_active) {
        next_status = "pending";
        next_at = to_iso8601(std::max(*callback, t));
        wait = "callback requested for " + *next_at;
        type = "retry";
        message = "callee asked to be called back; attempt " + std::to_string(attempts + 1) + " at " + *next_at;
      } else if (status == "completed") {
        next_status = "completed";
        message = "call completed" + (outcome.empty() ? std::string() : ": " + outcome);
      } else if (retryable && !invalid_number && attempts < retry.max_attempts && job_active) {
        next_status = "pending";
        next_at = to_iso8601(t + std::chrono::minutes(retry.backoff_minutes));
        wait = "retry after " + status + (error.empty() ? "" : " (" + error + ")");
        type = "retry";
        message = status + (error.empty() ? "" : " (" + error + ")") + "; attempt " + std::to_string(attempts + 1) + " of " +
                  std::to_string(retry.max_attempts) + " at " + *next_at;
      } else {
        next_status = "failed";
        std::string why = status == "no_answer" ? "no answer" : status;
        if (!error.empty() && error != "interrupted") why += ": " + error;
        else if (error == "interrupted") why = "interrupted";
        if (!job_active) why += " (job no longer active)";
        else if (!invalid_number) why += " after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
        final_error = why;
        message = "call failed: " + why;
      }
      if (auto e = exec(c,
                        "UPDATE job_calls SET status = ?2, next_attempt_at = ?3, wait_reason = ?4, error_message = ?5, "
                        "last_call_status = ?6, outcome = ?7, updated_at = ?8, call_id = (SELECT id FROM calls WHERE id = ?9) "
                        "WHERE id = ?1",
                        {job_call_id, next_status, next_at, wait, final_error, status,
                         outcome.empty() ? std::nullopt : std::optional<std::string>(outcome), now_iso8601(), call_id});
          !e)
        return std::unexpected(e.error());
      if (auto e = exec(c, "UPDATE calls SET job_id = ?2, job_call_id = ?3 WHERE id = ?1 AND job_id IS NULL",
                        {call_id, job_id, job_call_id});
          !e)
        return std::unexpected(e.error());
      if (auto e = count_transition(c, job_id, next_status); !e) return std::unexpected(e.error());
      if (auto e = event(c, job_id, job_call_id, call_id, type, message,
                         {{"status", status}, {"outcome", outcome}, {"sipCode", call.sip_code ? json(*call.sip_code) : json()}});
          !e)
        return std::unexpected(e.error());
      if (swarm) {  // the member, the campaign's totals, feed, objectives and activity, in this transaction
        store::SwarmCallResult sr{ws, campaign_id, call_id, job_call_id, status, outcome, call.duration_s, call.summary,
                                  next_status == "pending" ? "retry at " + next_at.value_or("") : "done",
                                  next_status != "pending"};
        auto met = store::SwarmRepository::record_result(c, sr);
        if (!met) return std::unexpected(met.error());
        objectives_met = *met;
      }
      return true;
    });
    if (!applied) spdlog::error("dialer: job call {}: cannot apply result: {}", job_call_id, applied.error().message);
    const bool was_ours = applied && *applied;
    if (was_ours && objectives_met) complete_campaign(ws, campaign_id, job_id, "its critical objectives are met");
    std::vector<std::pair<std::string, json>> pacing_events;
    {
      std::lock_guard lock(mutex);
      auto it = jobs.find(job_id);
      if (it != jobs.end() && was_ours) {
        auto& js = it->second;
        if (js.in_flight > 0) --js.in_flight;
        adapt(js, call, pacing_events);
      }
      poked = true;
    }
    if (!pacing_events.empty())
      (void)store.db().write([&](store::Connection& c) -> Result<void> {
        for (const auto& [msg, details] : pacing_events)
          if (auto e = event(c, job_id, "", "", "pacing", msg, details); !e) return e;
        return {};
      });
    wake.notify_all();
  }

  /// Adaptive pacing from one more result (called with the mutex held).
  void adapt(JobState& js, const calls::CallOutcome& call, std::vector<std::pair<std::string, json>>& events) {
    js.recent.push_back(call.status != calls::CallStatus::completed && trunk_trouble(call));
    while (js.recent.size() > kPacingWindow) js.recent.pop_front();
    const auto bad = std::count(js.recent.begin(), js.recent.end(), true);
    const double rate = js.calls_per_second * js.rate_factor;
    if (js.recent.size() >= 10 && bad * 10 >= static_cast<long>(js.recent.size()) * 3 && js.rate_factor > kMinRateFactor) {
      js.rate_factor = std::max(kMinRateFactor, js.rate_factor / 2);
      events.emplace_back("slowing down: " + std::to_string(bad) + " of the last " + std::to_string(js.recent.size()) +
                              " calls ended in 5xx, timeouts or transport errors",
                          json{{"callsPerSecondBefore", rate}, {"callsPerSecond", js.calls_per_second * js.rate_factor}});
      js.recent.clear();
    } else if (js.recent.size() >= 10 && bad * 10 < static_cast<long>(js.recent.size()) && js.rate_factor < 1) {
      js.rate_factor = std::min(1.0, js.rate_factor * 1.25);
      events.emplace_back("speeding up: errors back below 10%",
                          json{{"callsPerSecondBefore", rate}, {"callsPerSecond", js.calls_per_second * js.rate_factor}});
      js.recent.clear();
    }
    const double lat = turn_latency_us(call);
    if (lat < 0) return;
    if (js.latency_baseline.size() < 10) {
      js.latency_baseline.push_back(lat);
      return;
    }
    js.latency_recent.push_back(lat);
    if (js.latency_recent.size() < 10) return;
    auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
    const double base = mean(js.latency_baseline), cur = mean(js.latency_recent);
    js.latency_recent.clear();
    if (cur > base * 1.2 && cur - base > 50'000 && js.concurrency_factor > 0.1) {
      const int before = std::max(1, static_cast<int>(js.max_concurrent * js.concurrency_factor));
      js.concurrency_factor *= 0.75;
      events.emplace_back("host overloaded: turn latency " + std::to_string(static_cast<int>(cur / 1000)) + " ms vs " +
                              std::to_string(static_cast<int>(base / 1000)) + " ms at the start; fewer calls at once",
                          json{{"maxConcurrentBefore", before},
                               {"maxConcurrent", std::max(1, static_cast<int>(js.max_concurrent * js.concurrency_factor))}});
    } else if (cur <= base * 1.1 && js.concurrency_factor < 1) {
      js.concurrency_factor = std::min(1.0, js.concurrency_factor / 0.75);
    }
  }

  /// Ends a campaign's job and marks the campaign completed (objectives met,
  /// or every lead done for a campaign whose leads do not keep arriving).
  void complete_campaign(const WorkspaceId& ws, const std::string& campaign_id, const std::string& job_id,
                         const std::string& why) {
    finalize_job(job_id, "completed", why);
    auto camp = store.campaigns().get(ws, campaign_id);
    if (!camp || (str(*camp, "status") != "active" && str(*camp, "status") != "paused")) return;
    if (auto r = store.swarm().set_status(ws, campaign_id, "completed", "campaign_completed", "campaign completed: " + why); !r)
      spdlog::warn("dialer: campaign {}: {}", campaign_id, r.error().message);
  }

  void fail_job(const std::string& job_id, const std::string& why) {
    finalize_job(job_id, "failed", why);
  }

  /// Ends a job: remaining pending job calls fail with the reason; the job gets its final state.
  void finalize_job(const std::string& job_id, const std::string& status, const std::string& why) {
    const WorkspaceId ws = workspace_of_job(job_id);
    auto ok = store.db().write([&](store::Connection& c) -> Result<bool> {
      if (auto e = exec(c, "UPDATE jobs SET status = ?2, error_message = ?3, finished_at = ?4, updated_at = ?4 "
                           "WHERE id = ?1 AND status IN ('pending','running')",
                        {job_id, status, why.empty() ? std::nullopt : std::optional<std::string>(why), now_iso8601()});
          !e)
        return std::unexpected(e.error());
      if (c.changes() == 0) return false;
      if (auto e = exec(c, "UPDATE job_calls SET status = 'failed', error_message = ?2, updated_at = ?3 "
                           "WHERE job_id = ?1 AND status = 'pending'",
                        {job_id, status == "cancelled" ? "cancelled" : status == "completed" ? "not called: job completed (" + why + ")" : "job failed: " + why, now_iso8601()});
          !e)
        return std::unexpected(e.error());
      if (auto e = recount(c, job_id); !e) return std::unexpected(e.error());
      if (auto e = event(c, job_id, "", "", "state", "job " + status + (why.empty() ? "" : ": " + why)); !e)
        return std::unexpected(e.error());
      return true;
    });
    if (!ok || !*ok) return;
    spdlog::info("dialer: job {} {}{}", job_id, status, why.empty() ? "" : ": " + why);
    if (outcomes)
      if (auto job = store.jobs().records().get(ws, job_id)) (void)outcomes->job_completed(*job);
  }

  /// Completes a job whose calls are all final.
  void maybe_finish(const std::string& job_id) {
    {
      std::lock_guard lock(mutex);
      if (jobs.at(job_id).in_flight > 0) return;
    }
    auto p = progress(workspace_of_job(job_id), job_id);
    if (!p || p->pending > 0 || p->calling > 0) return;
    JobState js;
    {
      std::lock_guard lock(mutex);
      js = jobs.at(job_id);
    }
    if (js.open_ended) return;  // the campaign waits for new leads until it is stopped or its end date passes
    if (js.swarm) {
      complete_campaign(js.ws, js.campaign_id, job_id, "every lead has a final result");
      std::lock_guard lock(mutex);
      jobs.erase(job_id);
      return;
    }
    if (p->total > 0 && p->completed == 0 && p->failed == p->total) {
      // Every call failed: the job failed, with the commonest reason.
      auto reason = store.db().read([&](store::Connection& c) -> Result<std::string> {
        auto st = c.prepare("SELECT error_message, count(*) AS n FROM job_calls WHERE job_id = ? GROUP BY error_message "
                            "ORDER BY n DESC LIMIT 1");
        if (!st) return std::unexpected(st.error());
        (*st)->bind_text(1, job_id);
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        return *row ? std::string((*st)->column_text(0)) : std::string();
      });
      finalize_job(job_id, "failed", "all " + std::to_string(p->total) + " calls failed" +
                                          (reason && !reason->empty() ? " (most: " + *reason + ")" : ""));
    } else {
      finalize_job(job_id, "completed", "");
    }
    std::lock_guard lock(mutex);
    jobs.erase(job_id);
  }

  Result<JobProgress> progress(const WorkspaceId& ws, const std::string& job_id) {
    auto job = store.jobs().records().get(ws, job_id);
    if (!job) return std::unexpected(job.error());
    JobProgress p;
    p.status = job->value("status", "");
    p.paused = !(*job)["pausedAt"].is_null();
    const std::string now_s = to_iso8601(now());
    auto r = store.db().read([&](store::Connection& c) -> Result<void> {
      auto st = c.prepare("SELECT status, outcome, (next_attempt_at IS NOT NULL AND next_attempt_at > ?2), count(*) "
                          "FROM job_calls WHERE job_id = ?1 GROUP BY 1, 2, 3");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, job_id);
      (*st)->bind_text(2, now_s);
      for (;;) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        auto& s = **st;
        const std::string status(s.column_text(0));
        const int64_t n = s.column_int(3);
        p.total += n;
        if (status == "pending") (s.column_int(2) ? p.waiting : p.pending) += n;
        else if (status == "calling") p.calling += n;
        else if (status == "completed") p.completed += n;
        else p.failed += n;
        if ((status == "completed" || status == "failed") && !s.is_null(1)) p.outcomes[std::string(s.column_text(1))] =
            p.outcomes.value(std::string(s.column_text(1)), 0) + n;
      }
      return {};
    });
    if (!r) return std::unexpected(r.error());
    p.pending += p.waiting;  // pending counts every job call not yet placed; waiting is the part not yet due
    return p;
  }

  /// Job calls left `calling` by a crash.
  Result<int> recover() {
    auto stuck = store.db().read([](store::Connection& c) -> Result<std::vector<std::array<std::string, 5>>> {
      auto st = c.prepare("SELECT jc.id, jc.job_id, coalesce(jc.attempt_call_id, ''), coalesce(jc.phone, ''), "
                          "jc.workspace_id FROM job_calls jc WHERE jc.status = 'calling'");
      if (!st) return std::unexpected(st.error());
      std::vector<std::array<std::string, 5>> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        out.push_back({std::string((*st)->column_text(0)), std::string((*st)->column_text(1)),
                       std::string((*st)->column_text(2)), std::string((*st)->column_text(3)),
                       std::string((*st)->column_text(4))});
      }
      return out;
    });
    if (!stuck) return std::unexpected(stuck.error());
    for (const auto& [job_call_id, job_id, call_id, phone, workspace] : *stuck) {
      const WorkspaceId ws(workspace);
      auto job = store.jobs().records().get(ws, job_id);
      if (!job) continue;
      {
        std::lock_guard lock(mutex);
        if (!jobs.contains(job_id))
          if (auto js = load_job(*job)) jobs.emplace(job_id, std::move(*js));
      }
      auto record = store.calls().get(ws, call_id);
      if (!record) {
        Candidate cand{job_call_id, phone};
        store_unplaced_record(job_id, cand, call_id, "interrupted");
        record = store.calls().get(ws, call_id);
        if (outcomes && record)
          if (auto stored = calls::call_outcome_from_record(*record)) (void)outcomes->post_call(*stored);
      }
      // What the attempt left, typed (the record as the call service or
      // CallService::recover_interrupted() wrote it).
      std::optional<calls::CallOutcome> outcome;
      if (record)
        if (auto typed = calls::call_outcome_from_record(*record)) outcome = std::move(*typed);
      (void)store.db().write([&](store::Connection& c) -> Result<void> {
        return event(c, job_id, job_call_id, call_id, "recover",
                     "call " + call_id + " was in flight when the server stopped; closing it as " +
                         (record && !str(*record, "status").empty() ? str(*record, "status") : "failed"));
      });
      {
        std::lock_guard lock(mutex);
        ++jobs.at(job_id).in_flight;  // apply_result() takes it back
      }
      apply_result(job_id, job_call_id, call_id, outcome ? *outcome : unplaced_outcome(call_id, "interrupted", false));
    }
    return static_cast<int>(stuck->size());
  }
};

void Dialer::Attempt::call_ended(const calls::CallOutcome& outcome) {
  if (auto state = state_.lock()) state->apply_result(job_id_, job_call_id_, call_id_, outcome);
}

Dialer::Dialer(std::shared_ptr<State> state) : state_(std::move(state)) {}

Dialer::~Dialer() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->placer_wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  for (auto& t : state_->placers) t.join();  // they return queued calls to pending
}

Result<std::unique_ptr<Dialer>> Dialer::create(store::Store& store, calls::CallService& calls,
                                               postcall::OutcomeLoop* outcomes, DialerConfig config) {
  LocalHours local;  // each workspace's own callee_local_hours is read per tick (State::hours_of)
  auto state = std::make_shared<State>(store, calls, outcomes, std::move(config), local);
  auto recovered = state->recover();
  if (!recovered) return std::unexpected(recovered.error());
  if (*recovered > 0) spdlog::warn("dialer: {} call(s) were in flight when the server stopped; closed and handed to the retry policy", *recovered);
  state->thread = std::thread([s = state.get()] {
    pthread_setname_np(pthread_self(), "voqo-dialer");
    s->run();
  });
  for (unsigned i = 0; i < std::max(1u, state->cfg.placer_threads); ++i)
    state->placers.emplace_back([s = state.get()] {
      pthread_setname_np(pthread_self(), "voqo-placer");
      s->placer_loop();
    });
  return std::unique_ptr<Dialer>(new Dialer(std::move(state)));
}

Result<nlohmann::json> Dialer::create_job(const WorkspaceId& ws, const nlohmann::json& body) {
  auto& st = *state_;
  if (!body.is_object()) return std::unexpected(Error::invalid("body", "must be a JSON object"));
  if (auto r = parse_retry(body.value("retry", json())); !r) return std::unexpected(r.error());
  if (auto w = body.find("callingWindow"); w != body.end() && !w->is_null())
    if (auto win = parse_calling_window(*w); !win) return std::unexpected(win.error());
  if (body.contains("agentId") && body["agentId"].is_string()) {
    auto agent = st.store.agents().config(ws, body["agentId"].get<std::string>());
    if (agent && !agent->enabled)
      return std::unexpected(Error::conflict("agentId", "agent " + agent->name + " is disabled"));
  }
  if (body.contains("uploadId") && body["uploadId"].is_string()) {
    auto upload = st.store.upload_records().get(ws, body["uploadId"].get<std::string>());
    if (upload && upload->value("importedRows", 0) == 0)
      return std::unexpected(Error::invalid("uploadId", "upload " + upload->value("filename", "") + " has no contacts to call"));
  }
  auto job = st.store.jobs().create(ws, body);
  if (job) poke();
  return job;
}

Result<nlohmann::json> Dialer::pause(const WorkspaceId& ws, const std::string& job_id) {
  auto& st = *state_;
  auto r = st.store.db().write([&](store::Connection& c) -> Result<bool> {
    if (auto e = State::exec(c, "UPDATE jobs SET paused_at = ?2, updated_at = ?2 WHERE id = ?1 AND workspace_id = ?3 "
                                "AND status IN ('pending','running') AND paused_at IS NULL",
                             {job_id, now_iso8601(), ws.value});
        !e)
      return std::unexpected(e.error());
    if (c.changes() == 0) return false;
    if (auto e = State::event(c, job_id, "", "", "state", "job paused: no new calls; calls in progress finish"); !e)
      return std::unexpected(e.error());
    return true;
  });
  if (!r) return std::unexpected(r.error());
  auto job = st.store.jobs().records().get(ws, job_id);
  if (!job) return job;
  if (!*r && (*job)["pausedAt"].is_null())
    return std::unexpected(Error::conflict("status", "job " + job_id + " is " + job->value("status", "") + "; only active jobs pause"));
  return job;
}

Result<nlohmann::json> Dialer::resume(const WorkspaceId& ws, const std::string& job_id) {
  auto& st = *state_;
  auto r = st.store.db().write([&](store::Connection& c) -> Result<bool> {
    if (auto e = State::exec(c, "UPDATE jobs SET paused_at = NULL, updated_at = ?2 WHERE id = ?1 AND workspace_id = ?3 "
                                "AND status IN ('pending','running') AND paused_at IS NOT NULL",
                             {job_id, now_iso8601(), ws.value});
        !e)
      return std::unexpected(e.error());
    if (c.changes() == 0) return false;
    if (auto e = State::event(c, job_id, "", "", "state", "job resumed"); !e) return std::unexpected(e.error());
    return true;
  });
  if (!r) return std::unexpected(r.error());
  auto job = st.store.jobs().records().get(ws, job_id);
  if (!job) return job;
  const std::string status = job->value("status", "");
  if (!*r && status != "pending" && status != "running")
    return std::unexpected(Error::conflict("status", "job " + job_id + " is " + status + "; it cannot resume"));
  poke();
  return job;
}

Result<nlohmann::json> Dialer::cancel(const WorkspaceId& ws, const std::string& job_id) {
  auto job = state_->store.jobs().records().get(ws, job_id);
  if (!job) return job;
  const std::string status = job->value("status", "");
  if (status != "pending" && status != "running")
    return std::unexpected(Error::conflict("status", "job " + job_id + " is already " + status));
  state_->finalize_job(job_id, "cancelled", "");
  return state_->store.jobs().records().get(ws, job_id);
}

Result<JobProgress> Dialer::progress(const WorkspaceId& ws, const std::string& job_id) {
  return state_->progress(ws, job_id);
}

std::optional<double> Dialer::turn_latency_ms(const std::string& job_id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->jobs.find(job_id);
  if (it == state_->jobs.end()) return std::nullopt;
  const auto& js = it->second;
  const auto& v = !js.latency_recent.empty() ? js.latency_recent : js.latency_baseline;
  if (v.empty()) return std::nullopt;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()) / 1000.0;
}

double Dialer::throttle(const std::string& job_id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->jobs.find(job_id);
  return it == state_->jobs.end() ? 1.0 : it->second.throttle;
}

void Dialer::set_throttle(const std::string& job_id, double factor) {
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->jobs.find(job_id);
    if (it == state_->jobs.end()) return;
    it->second.throttle = std::clamp(factor, 1.0 / 16, 1.0);
  }
  poke();
}

std::size_t Dialer::in_flight() const {
  std::lock_guard lock(state_->mutex);
  std::size_t n = 0;
  for (const auto& [id, js] : state_->jobs) n += static_cast<std::size_t>(js.in_flight);
  return n;
}

Result<void> Dialer::reconfigure(const WorkspaceId& ws, const std::string& job_id) {
  auto job = state_->store.jobs().records().get(ws, job_id);
  if (!job) return std::unexpected(job.error());
  auto fresh = state_->load_job(*job);
  if (!fresh) return std::unexpected(fresh.error());
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->jobs.find(job_id);
    if (it != state_->jobs.end()) {  // the pace and rules change; what is in flight stays counted
      auto& js = it->second;
      js.max_concurrent = fresh->max_concurrent;
      js.calls_per_second = fresh->calls_per_second;
      js.retry = fresh->retry;
      js.window = fresh->window;
      js.record = fresh->record;
      js.open_ended = fresh->open_ended;
      js.ring_timeout = fresh->ring_timeout;
    }
  }
  poke();
  return {};
}

void Dialer::poke() {
  {
    std::lock_guard lock(state_->mutex);
    state_->poked = true;
  }
  state_->wake.notify_all();
}

}  // namespace voqo::campaign
