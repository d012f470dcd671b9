#pragma once
/// A campaign's configuration and its alerts (issue 18 §6): the
/// swarm_configurations row (one per campaign; model/swarm_configuration.hpp
/// says what each field overrides), the quality check that flags a stored
/// call for review, and the supervisor alerts an escalation or a flag leaves
/// behind — a swarm_activity_logs row and, when the campaign's
/// supervisorAlerts is on and a receiver is known (alertWebhookUrl, else the
/// agent's webhookUrl), a webhook event in the same transaction:
///   call.escalated  {event, id, createdAt, alert}  (id = derived from the call)
///   call.flagged    {event, id, createdAt, alert}
///   campaign.alert  {event, id, createdAt, alert}  (queue_timeout)
/// `alert` = {kind: escalation | quality | queue_timeout, campaignId, callId?,
/// agentId?, swarmAgentId?, ...the figures}. The realtime side of an alert is
/// live/live_monitor.hpp's.
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "model/swarm_configuration.hpp"
#include "model/validation.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace voqo::store {

class SwarmConfigRepository {
 public:
  explicit SwarmConfigRepository(Database& db);
  Repository& rows() { return rows_; }

  /// The campaign's configuration. Errors: 404 naming the campaign (not in
  /// `ws`), 404 "no configuration" when it has none (its agents' own
  /// settings apply).
  Result<nlohmann::json> get(const WorkspaceId& ws, const std::string& campaign_id);
  /// PUT: creates the campaign's configuration from `body` (absent fields take
  /// their defaults; second = true) or changes the fields `body` gives.
  /// Errors: 404 campaign; 422 naming the field (the table's rules and
  /// model::check_swarm_configuration).
  Result<std::pair<nlohmann::json, bool>> put(const WorkspaceId& ws, const std::string& campaign_id, const nlohmann::json& body,
                                              const model::ValidationContext& context = {});
  /// Removes it (the agents' settings apply again). Errors: 404.
  Result<void> remove(const WorkspaceId& ws, const std::string& campaign_id);
  /// The typed configuration of a campaign call, nullopt when it has none.
  Result<std::optional<model::SwarmConfiguration>> for_campaign(const WorkspaceId& ws, const std::string& campaign_id);

  /// An escalation of call `call_id` (alert = {trigger, detail, utterance,
  /// transferTo?}): the activity row `escalation` and, if alerts are on, the
  /// call.escalated webhook (once per call: the event id is derived from it).
  Result<void> record_escalation(const WorkspaceId& ws, const std::string& campaign_id, const std::string& call_id,
                                 const std::string& agent_id, const std::string& swarm_agent_id, nlohmann::json alert);
  /// A campaign alert (queue_timeout): the activity row `alert` and, if alerts
  /// are on, the campaign.alert webhook with an id derived from `dedupe_key`.
  Result<void> record_campaign_alert(const WorkspaceId& ws, const std::string& campaign_id, const std::string& message,
                                     nlohmann::json alert, const std::string& dedupe_key);
  /// The quality check, in the transaction that stores call `call_id`'s
  /// intelligence: when its campaign's qualityCheck is on and `quality` is
  /// under successThreshold, the call is flagged for review (once), with the
  /// activity row `alert` and the call.flagged webhook. Returns the alert
  /// when it flagged the call now, nullopt otherwise.
  static Result<std::optional<nlohmann::json>> quality_check_in(Connection& c, const std::string& call_id,
                                                                std::optional<double> quality);

 private:
  Database& db_;
  Repository rows_;
};

}  // namespace voqo::store
