#pragma once
/// Swarm campaigns (issue 18 §1–4): a campaign run by a team of swarm agents
/// on top of the dialer. The campaign's lifecycle (scheduled → active ⇄
/// paused → stopped | completed), its start/end dates, active hours, pace
/// changed while it runs, and the autoscaler, every 10 s.
///
/// Starting a campaign creates one dialer job over all its leads (upload_id
/// null; store::create_campaign_job): the dialer's crash safety, calling
/// windows, callee-local hours and retries are unchanged; each call is placed
/// by an idle swarm agent (store::SwarmRepository::claim_member) with its voice
/// agent and variant; the number of active agents is the concurrency. Leads
/// imported while the job runs join it in the import's transaction.
///
/// Active hours are written as the swarm specification writes them:
/// {start "HH:MM", end "HH:MM", timezone (IANA), daysOfWeek [0 = Sunday .. 6]};
/// they become the job's calling window (ISO weekdays, campaign/calling_hours.hpp).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "campaign/autoscaler.hpp"
#include "campaign/calling_hours.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"

namespace voqo::store {
class Store;
}

namespace voqo::campaign {

class Dialer;

struct SwarmConfig {
  /// The clock start/end dates, active hours and rule cooldowns are judged by (tests use a fake one).
  std::function<std::chrono::system_clock::time_point()> clock;
  std::chrono::milliseconds tick{10'000};  ///< how often the scheduler and the autoscaler run (issue 18 §3: 10 s)
  /// Estimated cost of one agent-hour (currency units) for cost_per_hour and
  /// the rules' maxCostPerHour: the engines' and trunk's price per hour of talk.
  double cost_per_agent_hour = 0;
  int success_window = 50;  ///< success_rate and connection_rate are over this many last calls
  bool run_thread = true;   ///< false: tests call tick() themselves
};

/// Active hours (0 = Sunday; parsed by autoscaler.hpp parse_active_hours) as
/// the job's callingWindow JSON (ISO weekdays 1–7).
nlohmann::json calling_window_json(const nlohmann::json& active_hours);
/// Validates a campaign body's swarm fields the table cannot check:
/// activeHours, leadFilter {minLeadScore 0–100, maxAttempts 1–10,
/// includeStatuses, excludeStatuses: arrays of lead statuses}, retry
/// {maxAttempts, backoffMinutes}, startDate < endDate, minAgents ≤ maxAgents.
/// `stored` is the record before a PATCH (null on create). Errors: 422 naming the field.
Result<void> check_campaign_body(const nlohmann::json& body, const nlohmann::json& stored);

class SwarmService {
 public:
  /// `dialer` may be null (a server without telephony: campaigns cannot start).
  SwarmService(store::Store& store, Dialer* dialer, SwarmConfig config = {});
  ~SwarmService();
  SwarmService(const SwarmService&) = delete;
  SwarmService& operator=(const SwarmService&) = delete;

  /// POST /api/campaigns/{id}/start: a scheduled (or paused) campaign becomes
  /// active; the first start creates its job over all its leads. Errors: 404;
  /// 409 "status" (stopped or completed); 422 "agents" (no swarm agent) or
  /// "leads" (no leads); 503 without a dialer.
  Result<nlohmann::json> start(const WorkspaceId& ws, const std::string& id, const std::string& why = "started");
  /// pause (no new calls; calls in progress finish), resume, stop (final:
  /// pending leads are not called; members go offline). Errors: 404, 409 "status".
  Result<nlohmann::json> pause(const WorkspaceId& ws, const std::string& id);
  Result<nlohmann::json> resume(const WorkspaceId& ws, const std::string& id);
  Result<nlohmann::json> stop(const WorkspaceId& ws, const std::string& id, const std::string& why = "stopped");
  /// PATCH /api/campaigns/{id}: validated (check_campaign_body) and stored; a
  /// running campaign's job takes the new pace, agents and hours at once
  /// (Dialer::reconfigure), and scaling to new min/max happens now.
  Result<nlohmann::json> update(const WorkspaceId& ws, const std::string& id, const nlohmann::json& patch);

  /// One pass of the scheduler: scheduled campaigns whose startDate has come
  /// start; running ones whose endDate has passed complete; members a manager
  /// set active become idle; min/max agents are enforced; and, with
  /// autoscaling on, the rules are evaluated (auto_scaled logged with the metric).
  void tick();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::campaign
