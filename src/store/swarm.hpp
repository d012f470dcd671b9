#pragma once
/// Swarm campaigns (issue 18; the swarm specification's tables): a campaign
/// (`campaigns`, extended in place as swarm_campaigns) run by swarm agents
/// (`swarm_agents`: members built from a voice agent plus a variant, each
/// holding at most one call), with autoscaling rules, objectives, an activity
/// log and a recent-calls feed. The SQL of the swarm lives here; the rules
/// (when to start, scale, complete) live in campaign/swarm.hpp.
///
/// Members' states: idle (ready), calling (holds `current_call_id`), active
/// (a manager put it back: the scheduler makes it idle), paused, offline
/// (campaign not running), error. A member counts toward the campaign's
/// concurrency ("active agents") while idle, active or calling.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace voqo::store {

/// A member as the dialer needs it to place a call.
struct SwarmMember {
  std::string id, name, voice_agent_id;
  std::string voice_model, personality_profile, script_version;  ///< "" = the voice agent's own
};

/// What one finished attempt of a campaign's job leaves in the swarm tables.
struct SwarmCallResult {
  WorkspaceId ws;
  std::string campaign_id, call_id, job_call_id;
  std::string status;       ///< calls.status
  std::string outcome;      ///< one of the nine, "" when none
  std::optional<int64_t> duration_s;
  std::string summary;      ///< "" when none
  std::string next_action;  ///< "retry at …", "callback at …", "done"
  bool final = true;        ///< false when the job call goes back to pending (a retry)
};

/// Figures the autoscaler's metrics are computed from (one campaign, now).
struct SwarmFigures {
  int64_t due_now = 0;           ///< pending job calls due now (queue depth)
  double oldest_due_wait_s = 0;  ///< how long the oldest due one has waited
  int64_t remaining = 0;         ///< job calls not final
  int idle = 0, calling = 0, active = 0, paused = 0, members = 0;
  int64_t last_calls = 0, last_connected = 0, last_successful = 0;  ///< over the last N final attempts
  double average_call_s = 0;     ///< mean duration of the campaign's answered calls (0 = none yet)
  double attempts_per_contact = 1;
};

class SwarmRepository {
 public:
  explicit SwarmRepository(Database& db);

  Repository& agents() { return agents_; }
  Repository& rules() { return rules_; }
  Repository& objectives() { return objectives_; }
  Repository& activity() { return activity_; }
  Repository& recent_calls() { return recent_calls_; }

  /// Adds a member to campaign `campaign_id` of `ws` from `body` {voiceAgentId,
  /// name, voiceModel?, personalityProfile?, scriptVersion?}; its agentId is
  /// its id; idle when the campaign is active, else offline. Logs
  /// agent_added. Errors: 404 campaign; 404 naming voiceAgentId (not in `ws`);
  /// 409 name taken in the campaign; 409 "maxAgents" when the campaign has
  /// max_agents members already counting toward its concurrency.
  Result<nlohmann::json> add_member(const WorkspaceId& ws, const std::string& campaign_id, const nlohmann::json& body);
  /// PATCH of a member: name and variant; status only to paused (it stops
  /// taking calls; a call it holds finishes) or active (ready at the next
  /// tick). Logs agent_updated. Errors: 404; 422 "status".
  Result<nlohmann::json> update_member(const WorkspaceId& ws, const std::string& campaign_id, const std::string& id,
                                       const nlohmann::json& patch);
  /// Removes a member. Errors: 404; 409 "status" while it holds a call.
  Result<void> remove_member(const WorkspaceId& ws, const std::string& campaign_id, const std::string& id);
  /// Recomputes the campaign's total_agents and active_agents.
  static Result<void> count_members(Connection& c, const std::string& campaign_id);

  /// Appends to the activity log (swarm_activity_logs).
  static Result<void> log(Connection& c, const WorkspaceId& ws, const std::string& campaign_id, std::string_view type,
                          std::string_view status, const std::string& message, const nlohmann::json& details = nlohmann::json::object(),
                          const std::string& swarm_agent_id = {}, const std::string& call_id = {});
  Result<void> log(const WorkspaceId& ws, const std::string& campaign_id, std::string_view type, std::string_view status,
                   const std::string& message, const nlohmann::json& details = nlohmann::json::object());

  /// Sets the campaign's status (and started_at on the first start,
  /// completed_at on stop/complete), logging `type`. Members become idle
  /// (active) or offline (stopped, completed); paused members stay paused.
  Result<void> set_status(const WorkspaceId& ws, const std::string& campaign_id, std::string_view status,
                          std::string_view type, const std::string& message);
  /// Records the campaign's job (campaigns.job_id).
  Result<void> set_job(const WorkspaceId& ws, const std::string& campaign_id, const std::string& job_id);
  /// Copies the campaign's pace and hours onto its job (jobs.max_concurrent,
  /// calls_per_second, retry, calling_window), for a PATCH while it runs.
  Result<void> copy_pace_to_job(const WorkspaceId& ws, const std::string& campaign_id, const nlohmann::json& calling_window);

  /// Members that may take a call now (idle), and those counting toward concurrency.
  Result<std::pair<int, int>> ready_and_active(const std::string& campaign_id);
  /// Claims the least recently active idle member for `call_id`
  /// (status calling, current call and customer set), in the dialer's
  /// transaction that marks the job call; nullopt when none is idle.
  static Result<std::optional<SwarmMember>> claim_member(Connection& c, const std::string& campaign_id,
                                                         const std::string& job_call_id, const std::string& call_id,
                                                         const std::string& customer);
  /// Frees the member holding `call_id` (an attempt that never left): idle again, totals unchanged.
  static Result<void> release_member(Connection& c, const std::string& call_id);
  /// Applies a finished attempt in the dialer's result transaction: frees its
  /// member and adds the call to its totals; on a final result, the
  /// campaign's totals, the recent-calls feed, objectives (unit calls,
  /// connects, appointments, conversions or an outcome name; status and
  /// completion %; a met objective keeps counting, objective_completed logged once) and the activity log.
  /// Returns whether the campaign's critical objectives are now all met (and
  /// it has at least one, and completeOnObjectives is on).
  /// The member's totals also take the call's measured resource use, read
  /// from its stored record (calls.cpu_ms and api_calls are added,
  /// memory_bytes keeps the largest; issue 18 §2), on every attempt, final or
  /// not; the feed's row takes the call's quality_score and sentiment when intelligence ran first.
  static Result<bool> record_result(Connection& c, const SwarmCallResult& result);
  /// Call intelligence scored call `call_id` of `ws` (held by member
  /// `swarm_agent_id`; "" = none): moves the member's qualityScore, a
  /// running mean over its calls with a score, by `sum_delta` over
  /// `samples_delta` calls (the new score minus what the call had counted,
  /// so scoring a call again changes nothing), and sets the feed's
  /// quality_score of the call to `quality` and its sentiment to `sentiment`
  /// (the overall label: positive, neutral, negative; nullopt = none). In the
  /// caller's transaction: AnalyticsRepository::record_intelligence_in, which
  /// writes calls.quality_score and calls.sentiment.
  static Result<void> record_quality(Connection& c, const WorkspaceId& ws, const std::string& call_id,
                                     const std::string& swarm_agent_id, std::optional<double> quality, double sum_delta,
                                     int64_t samples_delta, const std::optional<std::string>& sentiment);

  /// The figures for the autoscaler over the last `last_n` final attempts.
  Result<SwarmFigures> figures(const std::string& campaign_id, const std::string& job_id,
                               std::chrono::system_clock::time_point now, int last_n = 50);
  /// Campaigns in `statuses` across workspaces: {workspace, id} pairs.
  Result<std::vector<std::pair<WorkspaceId, std::string>>> campaigns_in(const std::vector<std::string>& statuses);
  /// Scales the campaign's active members to `target`: up activates paused
  /// members first, then clones members from the campaign's variants in turn
  /// (names "<base> #n"); down pauses idle members (most recently added
  /// first), never one holding a call. Returns the number of active members after.
  Result<int> scale_to(const WorkspaceId& ws, const std::string& campaign_id, int target);
  /// Turns members a manager set `active` into `idle` (the scheduler's tick).
  Result<void> ready_activated(const std::string& campaign_id);
  /// Marks a rule as triggered now.
  Result<void> rule_triggered(const std::string& rule_id, std::chrono::system_clock::time_point at);

 private:
  Database& db_;
  Repository agents_, rules_, objectives_, activity_, recent_calls_;
};

/// Creates the job that runs campaign `campaign_id` (upload_id null): one
/// pending job call per distinct phone of the campaign's batch contacts, with
/// `job` holding {agentId, maxConcurrent, callsPerSecond, retry,
/// callingWindow}. Returns the job's JSON.
Result<nlohmann::json> create_campaign_job(Database& db, Repository& jobs, const WorkspaceId& ws,
                                           const std::string& campaign_id, const nlohmann::json& job);
/// Gives the batch contacts of upload `upload_id` a job call in each pending or
/// running job of their campaign that covers the whole campaign (upload_id
/// null), unless that job already has a job call for the same phone; in the
/// import's transaction. Returns how many were added.
Result<int64_t> attach_upload_to_campaign_jobs(Connection& c, const WorkspaceId& ws, const std::string& campaign_id,
                                               const std::string& upload_id);

}  // namespace voqo::store
