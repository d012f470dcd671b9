// Swarm campaigns (issue 18): the campaign's lifecycle and PATCH while it
// runs, its swarm agents, autoscaling rules, objectives, recent calls and
// activity log.
#include "api/rest_kit.hpp"
#include "brain/brain.hpp"
#include "campaign/autoscaler.hpp"
#include "campaign/swarm.hpp"

namespace voqo::api::rest {

namespace {

Result<void> check_rule(const json& body, bool) {
  if (auto it = body.find("metric"); it != body.end() && (!it->is_string() || !campaign::is_scaling_metric(it->get<std::string>())))
    return std::unexpected(Error::invalid("metric", "must be one of queue_depth, wait_time, success_rate, connection_rate, "
                                                    "cost_per_hour, turn_latency, pace_to_finish, active_agents, "
                                                    "calling_agents, idle_agents, hour_of_day, day_of_week"));
  const json lo = body.value("minAgents", json()), hi = body.value("maxAgents", json());
  if (lo.is_number_integer() && hi.is_number_integer() && lo.get<int64_t>() > hi.get<int64_t>())
    return std::unexpected(Error::invalid("minAgents", "must not exceed maxAgents"));
  return {};
}

/// An objective's unit: calls, connects, appointments, conversions, or one of the nine outcomes.
Result<void> check_objective(const json& body, bool) {
  auto it = body.find("unit");
  if (it == body.end()) return {};
  if (it->is_string()) {
    const std::string u = *it;
    if (u == "calls" || u == "connects" || u == "appointments" || u == "conversions" || brain::parse_outcome(u)) return {};
  }
  return std::unexpected(Error::invalid("unit", "must be calls, connects, appointments, conversions or an outcome name "
                                                "(Demo Scheduled, Follow-up Needed, Not Interested, Call Back Later, "
                                                "Wrong Number, No Answer, Voicemail, Transferred, Other)"));
}

}  // namespace

void Api::swarm() {
  auto& campaigns = st_.campaigns();
  auto& swarm = st_.swarm();

  // Campaigns: create and PATCH with the swarm checks; DELETE refused while it runs.
  add_create("/api/campaigns", [this, &campaigns](HttpRequest& req, const json& body) -> Result<json> {
    if (auto ok = campaign::check_campaign_body(body, json()); !ok) return std::unexpected(ok.error());
    return campaigns.create(workspace(req), body, {}, context(req));
  });
  add("PATCH", "/api/campaigns/{id}", [this, &campaigns](HttpRequest& req) {
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    if (config_.swarm) return reply(config_.swarm->update(workspace(req), *id, *body), req);
    auto stored = campaigns.get(workspace(req), *id);
    if (!stored) return problem_from(stored.error(), req.target);
    if (auto ok = campaign::check_campaign_body(*body, *stored); !ok) return problem_from(ok.error(), req.target);
    return reply(campaigns.update(workspace(req), *id, *body, {}, context(req)), req);
  });

  using Control = Result<json> (campaign::SwarmService::*)(const WorkspaceId&, const std::string&);
  for (const auto& [verb, fn] : std::initializer_list<std::pair<const char*, Control>>{
           {"pause", &campaign::SwarmService::pause}, {"resume", &campaign::SwarmService::resume}}) {
    add("POST", std::string("/api/campaigns/{id}/") + verb, [this, fn, &campaigns](HttpRequest& req) {
      auto id = path_id(req, "id", "campaign");
      if (!id) return problem_from(id.error(), req.target);
      if (auto c = campaigns.get(workspace(req), *id); !c) return problem_from(c.error(), req.target);
      if (!config_.swarm || !config_.dialer)
        return problem(503, "Service Unavailable", "this server runs without telephony (--no-sip): campaigns do not run", {},
                       req.target);
      return reply((config_.swarm->*fn)(workspace(req), *id), req);
    });
  }
  for (const char* verb : {"start", "stop"}) {
    const bool start = std::string_view(verb) == "start";
    add("POST", std::string("/api/campaigns/{id}/") + verb, [this, start, &campaigns](HttpRequest& req) {
      auto id = path_id(req, "id", "campaign");
      if (!id) return problem_from(id.error(), req.target);
      if (auto c = campaigns.get(workspace(req), *id); !c) return problem_from(c.error(), req.target);
      if (!config_.swarm || !config_.dialer)
        return problem(503, "Service Unavailable", "this server runs without telephony (--no-sip): campaigns do not run", {},
                       req.target);
      return reply(start ? config_.swarm->start(workspace(req), *id) : config_.swarm->stop(workspace(req), *id), req);
    });
  }

  // Swarm agents: POST builds a member from a voice agent; DELETE refuses one holding a call.
  child_list("/api/campaigns/{id}/agents", campaigns, swarm.agents(), "campaign_id");
  add("POST", "/api/campaigns/{id}/agents", [&swarm](HttpRequest& req) {
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    auto r = swarm.add_member(workspace(req), *id, *body);
    if (!r) return problem_from(r.error(), req.target);
    return created(*r, "/api/campaigns/" + *id + "/agents/" + (*r)["id"].get<std::string>());
  });
  add("GET", "/api/campaigns/{id}/agents/{agentId}", [&swarm, &campaigns](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, swarm.agents(), "agentId");
    if (!ids) return problem_from(ids.error(), req.target);
    return reply(swarm.agents().get(workspace(req), ids->second, ids->first), req);
  });
  add("PATCH", "/api/campaigns/{id}/agents/{agentId}", [&swarm, &campaigns](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, swarm.agents(), "agentId");
    if (!ids) return problem_from(ids.error(), req.target);
    auto body = parse_body(req);
    if (!body) return problem_from(body.error(), req.target);
    return reply(swarm.update_member(workspace(req), ids->first, ids->second, *body), req);
  });
  add("DELETE", "/api/campaigns/{id}/agents/{agentId}", [&swarm, &campaigns](HttpRequest& req) {
    auto ids = child_ids(req, campaigns, swarm.agents(), "agentId");
    if (!ids) return problem_from(ids.error(), req.target);
    return reply(swarm.remove_member(workspace(req), ids->first, ids->second), req);
  });

  nested("/api/campaigns", campaigns, "autoscaling-rules", "ruleId", swarm.rules(), check_rule);
  nested("/api/campaigns", campaigns, "objectives", "objectiveId", swarm.objectives(), check_objective);
  child_list("/api/campaigns/{id}/recent-calls", campaigns, swarm.recent_calls(), "campaign_id");
  child_list("/api/campaigns/{id}/activity", campaigns, swarm.activity(), "campaign_id");

  // The campaign's configuration (issue 18 §6): one per campaign; PUT creates it or changes the fields given.
  // The list form (0 or 1 item) lets a client ask without a 404 for a campaign that has none.
  auto& configurations = st_.swarm_configurations();
  child_list("/api/campaigns/{id}/configurations", campaigns, configurations.rows(), "campaign_id");
  for (const char* method : {"PUT", "PATCH"})
    add(method, "/api/campaigns/{id}/configuration", [this, &configurations](HttpRequest& req) {
      auto id = path_id(req, "id", "campaign");
      if (!id) return problem_from(id.error(), req.target);
      auto body = parse_body(req);
      if (!body) return problem_from(body.error(), req.target);
      auto put = configurations.put(workspace(req), *id, *body, context(req));
      if (!put) return problem_from(put.error(), req.target);
      if (put->second) return created(put->first, "/api/campaigns/" + *id + "/configuration");
      return reply(Result<json>(std::move(put->first)), req);
    });
  add("GET", "/api/campaigns/{id}/configuration", [&configurations](HttpRequest& req) {
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    return reply(configurations.get(workspace(req), *id), req);
  });
  add("DELETE", "/api/campaigns/{id}/configuration", [&configurations](HttpRequest& req) {
    auto id = path_id(req, "id", "campaign");
    if (!id) return problem_from(id.error(), req.target);
    return reply(configurations.remove(workspace(req), *id), req);
  });
}

}  // namespace voqo::api::rest
