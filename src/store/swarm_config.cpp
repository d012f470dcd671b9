// A campaign's configuration and its alerts (swarm_config.hpp).
#include "store/swarm_config.hpp"

#include <cmath>
#include <cstdio>

#include "core/id.hpp"
#include "core/time.hpp"
#include "model/schema.hpp"
#include "store/sql_args.hpp"
#include "store/swarm.hpp"
#include "store/webhook_events.hpp"

namespace voqo::store {

namespace {

using json = nlohmann::json;
using sql::each;
using sql::run;

std::string text(const Statement& s, int col) { return s.is_null(col) ? std::string() : std::string(s.column_text(col)); }

/// The campaign's configuration row id ("" when none), or 404 for a campaign not in `ws`.
Result<std::string> configuration_id(Connection& c, const WorkspaceId& ws, const std::string& campaign_id) {
  bool campaign = false;
  std::string id;
  auto r = each(c,
                "SELECT (SELECT id FROM swarm_configurations WHERE campaign_id = ?2 AND workspace_id = ?1) "
                "FROM campaigns WHERE workspace_id = ?1 AND id = ?2",
                {ws.value, campaign_id}, [&](const Statement& s) {
                  campaign = true;
                  id = text(s, 0);
                });
  if (!r) return std::unexpected(r.error());
  if (!campaign) return std::unexpected(Error::not_found("campaign " + campaign_id + " not found"));
  return id;
}

/// Whether the campaign's alerts are on, and where their webhooks go ("" = nowhere).
struct AlertRoute {
  bool alerts = false;
  std::string url;
};

Result<AlertRoute> alert_route(Connection& c, const WorkspaceId& ws, const std::string& campaign_id, const std::string& agent_id) {
  AlertRoute route;
  auto r = each(c,
                "SELECT supervisor_alerts, coalesce(alert_webhook_url, (SELECT webhook_url FROM agents WHERE "
                "workspace_id = ?1 AND id = ?3), '') FROM swarm_configurations WHERE workspace_id = ?1 AND campaign_id = ?2",
                {ws.value, campaign_id, agent_id}, [&](const Statement& s) {
                  route.alerts = s.column_int(0) != 0;
                  route.url = text(s, 1);
                });
  if (!r) return std::unexpected(r.error());
  return route;
}

/// The activity row of an alert and, when alerts are on and a receiver is known, its webhook.
Result<void> alert_in(Connection& c, const WorkspaceId& ws, const std::string& campaign_id, const std::string& agent_id,
                      const std::string& call_id, const std::string& swarm_agent_id, std::string_view activity_type,
                      const std::string& message, const std::string& event, const std::string& event_subject, const json& alert) {
  if (auto l = SwarmRepository::log(c, ws, campaign_id, activity_type, "warning", message, alert, swarm_agent_id, call_id); !l)
    return l;
  auto route = alert_route(c, ws, campaign_id, agent_id);
  if (!route) return std::unexpected(route.error());
  if (!route->alerts || route->url.empty()) return {};
  WebhookEvent e{derived_event_id(event_subject, event), event, route->url, agent_id, call_id, {}, json::object(), ws};
  e.payload = {{"event", event}, {"id", e.id}, {"createdAt", now_iso8601()}, {"alert", alert}};
  if (auto added = enqueue_webhook(c, e); !added) return std::unexpected(added.error());
  return {};
}

}  // namespace

SwarmConfigRepository::SwarmConfigRepository(Database& db) : db_(db), rows_(db, model::swarm_configuration_spec()) {}

Result<json> SwarmConfigRepository::get(const WorkspaceId& ws, const std::string& campaign_id) {
  // One read: every campaign call asks (CallService::place_call).
  return db_.read([&](Connection& c) -> Result<json> {
    auto id = configuration_id(c, ws, campaign_id);
    if (!id) return std::unexpected(id.error());
    if (id->empty())
      return std::unexpected(Error::not_found("campaign " + campaign_id + " has no configuration: its agents' own settings apply"));
    return rows_.get(c, ws, *id);
  });
}

Result<std::pair<json, bool>> SwarmConfigRepository::put(const WorkspaceId& ws, const std::string& campaign_id, const json& body,
                                                         const model::ValidationContext& context) {
  if (!body.is_object()) return std::unexpected(Error::bad_request("the body must be a JSON object"));
  auto id = db_.read([&](Connection& c) { return configuration_id(c, ws, campaign_id); });
  if (!id) return std::unexpected(id.error());
  json stored = json::object();
  if (!id->empty()) {
    auto row = rows_.get(ws, *id);
    if (!row) return std::unexpected(row.error());
    stored = std::move(*row);
  }
  if (auto ok = model::check_swarm_configuration(body, stored, context.default_region); !ok) return std::unexpected(ok.error());
  if (id->empty()) {
    auto made = rows_.create(ws, body, campaign_id, context);
    if (!made) return std::unexpected(made.error());
    return std::pair{std::move(*made), true};
  }
  auto changed = rows_.update(ws, *id, body, campaign_id, context);
  if (!changed) return std::unexpected(changed.error());
  return std::pair{std::move(*changed), false};
}

Result<void> SwarmConfigRepository::remove(const WorkspaceId& ws, const std::string& campaign_id) {
  auto id = db_.read([&](Connection& c) { return configuration_id(c, ws, campaign_id); });
  if (!id) return std::unexpected(id.error());
  if (id->empty()) return std::unexpected(Error::not_found("campaign " + campaign_id + " has no configuration"));
  return rows_.remove(ws, *id, campaign_id);
}

Result<std::optional<model::SwarmConfiguration>> SwarmConfigRepository::for_campaign(const WorkspaceId& ws,
                                                                                     const std::string& campaign_id) {
  auto row = get(ws, campaign_id);
  if (!row) {
    if (row.error().code == ErrorCode::not_found) return std::nullopt;
    return std::unexpected(row.error());
  }
  auto typed = model::swarm_configuration_from_json(*row);
  if (!typed) return std::unexpected(typed.error());
  return std::optional(std::move(*typed));
}

Result<void> SwarmConfigRepository::record_escalation(const WorkspaceId& ws, const std::string& campaign_id,
                                                      const std::string& call_id, const std::string& agent_id,
                                                      const std::string& swarm_agent_id, json alert) {
  alert["kind"] = "escalation";
  alert["campaignId"] = campaign_id;
  alert["callId"] = call_id;
  alert["agentId"] = agent_id;
  alert["swarmAgentId"] = swarm_agent_id.empty() ? json(nullptr) : json(swarm_agent_id);
  auto member = [&alert](const char* name) {
    auto it = alert.find(name);
    return it != alert.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string message = "Escalation (" + member("trigger");
  if (const std::string d = member("detail"); !d.empty()) message += ": " + d;
  message += ") on call " + call_id;
  if (const std::string t = member("transferTo"); !t.empty()) message += ", transferring to " + t;
  return db_.write([&](Connection& c) {
    return alert_in(c, ws, campaign_id, agent_id, call_id, swarm_agent_id, "escalation", message, "call.escalated", call_id,
                    alert);
  });
}

Result<void> SwarmConfigRepository::record_campaign_alert(const WorkspaceId& ws, const std::string& campaign_id,
                                                          const std::string& message, json alert,
                                                          const std::string& dedupe_key) {
  alert["campaignId"] = campaign_id;
  return db_.write([&](Connection& c) {
    return alert_in(c, ws, campaign_id, {}, {}, {}, "alert", message, "campaign.alert", dedupe_key, alert);
  });
}

Result<std::optional<json>> SwarmConfigRepository::quality_check_in(Connection& c, const std::string& call_id,
                                                                    std::optional<double> quality) {
  if (!quality) return std::nullopt;
  std::string ws, campaign_id, agent_id, swarm_agent_id;
  bool check = false, flagged = false;
  double threshold = 0;
  auto r = each(c,
                "SELECT c.workspace_id, c.campaign_id, c.agent_id, coalesce(c.swarm_agent_id, ''), c.flagged_for_review, "
                "s.quality_check, s.success_threshold FROM calls c JOIN swarm_configurations s ON s.campaign_id = "
                "c.campaign_id AND s.workspace_id = c.workspace_id WHERE c.id = ?",
                {call_id}, [&](const Statement& s) {
                  ws = text(s, 0);
                  campaign_id = text(s, 1);
                  agent_id = text(s, 2);
                  swarm_agent_id = text(s, 3);
                  flagged = s.column_int(4) != 0;
                  check = s.column_int(5) != 0;
                  threshold = s.column_double(6);
                });
  if (!r) return std::unexpected(r.error());
  if (!check || flagged || *quality >= threshold) return std::nullopt;
  char reason[160];
  std::snprintf(reason, sizeof reason, "quality score %.0f is under the campaign's success threshold %.0f", *quality, threshold);
  if (auto u = run(c, "UPDATE calls SET flagged_for_review = 1, review_reason = ? WHERE id = ?", {std::string(reason), call_id}); !u)
    return std::unexpected(u.error());
  json alert = {{"kind", "quality"},        {"campaignId", campaign_id},
                {"callId", call_id},        {"agentId", agent_id},
                {"swarmAgentId", swarm_agent_id.empty() ? json(nullptr) : json(swarm_agent_id)},
                {"qualityScore", *quality}, {"successThreshold", threshold},
                {"reason", reason}};
  if (auto a = alert_in(c, WorkspaceId(ws), campaign_id, agent_id, call_id, swarm_agent_id, "alert",
                        "Call " + call_id + " flagged for review: " + reason, "call.flagged", call_id, alert);
      !a)
    return std::unexpected(a.error());
  return std::optional(std::move(alert));
}

}  // namespace voqo::store
