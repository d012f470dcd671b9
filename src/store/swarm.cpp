#include "store/swarm.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "core/id.hpp"
#include "core/time.hpp"
#include "model/schema.hpp"
#include "store/sql_args.hpp"

namespace voqo::store {
namespace {

using json = nlohmann::json;
using sql::Arg;
using sql::each;
using sql::run;

Arg text_or_null(const std::string& s) { return s.empty() ? Arg(nullptr) : Arg(s); }
std::string text(const Statement& s, int col) { return s.is_null(col) ? std::string() : std::string(s.column_text(col)); }

/// The outcomes that count as a success (CallStore::counts_as_success).
constexpr std::string_view kSuccess = "('Demo Scheduled','Follow-up Needed','Transferred')";

bool is_success(const std::string& outcome) {
  return outcome == "Demo Scheduled" || outcome == "Follow-up Needed" || outcome == "Transferred";
}

/// How much a final attempt adds to an objective of `unit` (docs/ANALYTICS.md):
/// calls → 1; connects → answered by a person (completed, not voicemail);
/// appointments → Demo Scheduled; conversions → Demo Scheduled or
/// Transferred; an outcome name → that outcome.
double objective_increment(const std::string& unit, const SwarmCallResult& r) {
  const bool connected = r.status == "completed" && r.outcome != "Voicemail" && r.outcome != "No Answer";
  if (unit == "calls") return 1;
  if (unit == "connects") return connected ? 1 : 0;
  if (unit == "appointments") return r.outcome == "Demo Scheduled" ? 1 : 0;
  if (unit == "conversions") return r.outcome == "Demo Scheduled" || r.outcome == "Transferred" ? 1 : 0;
  return !r.outcome.empty() && unit == r.outcome ? 1 : 0;
}

Error missing(std::string field, std::string message) {
  Error e = Error::not_found(std::move(message));
  e.fields.push_back({std::move(field), "not found"});
  return e;
}

}  // namespace

SwarmRepository::SwarmRepository(Database& db)
    : db_(db),
      agents_(db, model::swarm_agent_spec()),
      rules_(db, model::swarm_autoscaling_rule_spec()),
      objectives_(db, model::swarm_objective_spec()),
      activity_(db, model::swarm_activity_log_spec()),
      recent_calls_(db, model::swarm_recent_call_spec()) {}

Result<void> SwarmRepository::log(Connection& c, const WorkspaceId& ws, const std::string& campaign_id, std::string_view type,
                                  std::string_view status, const std::string& message, const json& details,
                                  const std::string& swarm_agent_id, const std::string& call_id) {
  auto r = run(c,
               "INSERT INTO swarm_activity_logs (id, workspace_id, campaign_id, swarm_agent_id, call_id, activity_type, "
               "message, status, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {new_id(), ws.value, campaign_id, text_or_null(swarm_agent_id), text_or_null(call_id), std::string(type),
                message, std::string(status), details.dump(), now_iso8601()});
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> SwarmRepository::log(const WorkspaceId& ws, const std::string& campaign_id, std::string_view type,
                                  std::string_view status, const std::string& message, const json& details) {
  return db_.write([&](Connection& c) { return log(c, ws, campaign_id, type, status, message, details); });
}

Result<void> SwarmRepository::count_members(Connection& c, const std::string& campaign_id) {
  auto r = run(c,
               "UPDATE campaigns SET total_agents = (SELECT count(*) FROM swarm_agents WHERE campaign_id = ?1), "
               "active_agents = (SELECT count(*) FROM swarm_agents WHERE campaign_id = ?1 AND status IN "
               "('idle','active','calling')) WHERE id = ?1",
               {campaign_id});
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<json> SwarmRepository::add_member(const WorkspaceId& ws, const std::string& campaign_id, const json& body) {
  // Another workspace's campaign is not found before anything about the body is said.
  if (auto camp = db_.read([&](Connection& c) -> Result<bool> {
        bool found = false;
        auto r = each(c, "SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?", {ws.value, campaign_id},
                      [&](const Statement&) { found = true; });
        if (!r) return std::unexpected(r.error());
        return found;
      });
      !camp || !*camp)
    return std::unexpected(camp ? Error::not_found("campaign " + campaign_id + " not found") : camp.error());
  auto values = model::validate_input(model::swarm_agent_spec(), body, model::Mode::create);
  if (!values) return std::unexpected(values.error());
  const std::string voice_agent = body.value("voiceAgentId", "");
  return db_.write([&](Connection& c) -> Result<json> {
    std::string status, name;
    int64_t max_agents = 0, counted = 0;
    bool found = false;
    auto camp = each(c,
                     "SELECT status, max_agents, (SELECT count(*) FROM swarm_agents WHERE campaign_id = ?2 AND status IN "
                     "('idle','active','calling')) FROM campaigns WHERE workspace_id = ?1 AND id = ?2",
                     {ws.value, campaign_id}, [&](const Statement& s) {
                       found = true;
                       status = text(s, 0);
                       max_agents = s.column_int(1);
                       counted = s.column_int(2);
                     });
    if (!camp) return std::unexpected(camp.error());
    if (!found) return std::unexpected(Error::not_found("campaign " + campaign_id + " not found"));
    bool agent_found = false;
    auto agent = each(c, "SELECT 1 FROM agents WHERE workspace_id = ? AND id = ?", {ws.value, voice_agent},
                      [&](const Statement&) { agent_found = true; });
    if (!agent) return std::unexpected(agent.error());
    if (!agent_found) return std::unexpected(missing("voiceAgentId", "voice agent " + voice_agent + " not found"));
    const bool running = status == "active" || status == "paused";
    const bool over = counted >= max_agents;
    const auto& spec = model::swarm_agent_spec();
    std::erase_if(*values, [](const model::ColumnValue& v) { return v.field->column == "status"; });
    // A member beyond maxAgents joins paused: the autoscaler may activate it.
    values->push_back({spec.by_column("status"), std::string(over ? "paused" : running ? "idle" : "offline")});
    values->push_back({spec.by_column("campaign_id"), campaign_id});
    values->push_back({spec.by_column("agent_id"), std::string()});
    auto row = agents_.insert(c, ws, std::move(*values));
    if (!row) return row;
    const std::string id = (*row)["id"];
    if (auto e = run(c, "UPDATE swarm_agents SET agent_id = id WHERE id = ?", {id}); !e) return std::unexpected(e.error());
    if (auto e = count_members(c, campaign_id); !e) return std::unexpected(e.error());
    if (auto e = log(c, ws, campaign_id, "agent_added", "info",
                     "agent " + row->value("name", "") + " joined" + (over ? " (paused: the campaign is at maxAgents)" : ""),
                     json::object(), id);
        !e)
      return std::unexpected(e.error());
    return agents_.get(c, ws, id, campaign_id);
  });
}

Result<json> SwarmRepository::update_member(const WorkspaceId& ws, const std::string& campaign_id, const std::string& id,
                                           const json& patch) {
  if (auto row = agents_.get(ws, id, campaign_id); !row) return row;  // 404 first, then the body's faults
  if (auto it = patch.find("status"); it != patch.end() && (!it->is_string() || (*it != "paused" && *it != "active")))
    return std::unexpected(Error::invalid("status", "a member is set to paused or active; the others are the dialer's"));
  auto values = model::validate_input(model::swarm_agent_spec(), patch, model::Mode::update);
  if (!values) return std::unexpected(values.error());
  return db_.write([&](Connection& c) -> Result<json> {
    auto row = agents_.apply(c, ws, id, *values, campaign_id);
    if (!row) return row;
    if (auto e = count_members(c, campaign_id); !e) return std::unexpected(e.error());
    json fields = json::array();
    for (auto it = patch.begin(); it != patch.end(); ++it) fields.push_back(it.key());
    if (auto e = log(c, ws, campaign_id, patch.contains("status") ? "agent_status" : "agent_updated", "info",
                     "agent " + row->value("name", "") + (patch.contains("status") ? " set " + patch["status"].get<std::string>()
                                                                                  : " changed: " + fields.dump()),
                     {{"fields", fields}}, id);
        !e)
      return std::unexpected(e.error());
    return agents_.get(c, ws, id, campaign_id);
  });
}

Result<void> SwarmRepository::remove_member(const WorkspaceId& ws, const std::string& campaign_id, const std::string& id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto row = agents_.get(c, ws, id, campaign_id);
    if (!row) return std::unexpected(row.error());
    if (row->value("status", "") == "calling" || !(*row)["currentCallId"].is_null())
      return std::unexpected(Error::conflict("status", "agent " + row->value("name", "") + " holds a call; pause it and remove it after"));
    auto r = run(c, "DELETE FROM swarm_agents WHERE id = ? AND workspace_id = ?", {id, ws.value});
    if (!r) return std::unexpected(r.error());
    if (auto e = count_members(c, campaign_id); !e) return e;
    return log(c, ws, campaign_id, "agent_removed", "info", "agent " + row->value("name", "") + " removed", json::object(), id);
  });
}

Result<void> SwarmRepository::set_status(const WorkspaceId& ws, const std::string& campaign_id, std::string_view status,
                                         std::string_view type, const std::string& message) {
  return db_.write([&](Connection& c) -> Result<void> {
    const std::string now = now_iso8601();
    const bool ends = status == "stopped" || status == "completed";
    auto r = run(c,
                 "UPDATE campaigns SET status = ?3, updated_at = ?4, "
                 "started_at = CASE WHEN ?3 = 'active' THEN coalesce(started_at, ?4) ELSE started_at END, "
                 "completed_at = CASE WHEN ?5 THEN ?4 ELSE completed_at END WHERE workspace_id = ?1 AND id = ?2",
                 {ws.value, campaign_id, std::string(status), now, int64_t{ends ? 1 : 0}});
    if (!r) return std::unexpected(r.error());
    if (*r == 0) return std::unexpected(Error::not_found("campaign " + campaign_id + " not found"));
    if (status == "active") {
      if (auto e = run(c, "UPDATE swarm_agents SET status = 'idle', updated_at = ? WHERE campaign_id = ? AND status IN ('offline','active')",
                       {now, campaign_id});
          !e)
        return std::unexpected(e.error());
    } else if (ends) {
      if (auto e = run(c, "UPDATE swarm_agents SET status = 'offline', updated_at = ? WHERE campaign_id = ? AND status IN ('idle','active') ",
                       {now, campaign_id});
          !e)
        return std::unexpected(e.error());
    }
    if (auto e = count_members(c, campaign_id); !e) return e;
    return log(c, ws, campaign_id, type, type == "campaign_stopped" ? "warning" : "success", message);
  });
}

Result<void> SwarmRepository::set_job(const WorkspaceId& ws, const std::string& campaign_id, const std::string& job_id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto r = run(c, "UPDATE campaigns SET job_id = ? WHERE workspace_id = ? AND id = ?", {job_id, ws.value, campaign_id});
    if (!r) return std::unexpected(r.error());
    return {};
  });
}

Result<void> SwarmRepository::copy_pace_to_job(const WorkspaceId& ws, const std::string& campaign_id, const json& window) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto r = run(c,
                 "UPDATE jobs SET max_concurrent = max(1, min(10000, (SELECT max_agents FROM campaigns WHERE id = ?2))), "
                 "calls_per_second = (SELECT calls_per_second FROM campaigns WHERE id = ?2), "
                 "retry = (SELECT retry FROM campaigns WHERE id = ?2), calling_window = ?3, updated_at = ?4 "
                 "WHERE workspace_id = ?1 AND id = (SELECT job_id FROM campaigns WHERE id = ?2)",
                 {ws.value, campaign_id, window.is_null() ? Arg(nullptr) : Arg(window.dump()), now_iso8601()});
    if (!r) return std::unexpected(r.error());
    return {};
  });
}

Result<std::pair<int, int>> SwarmRepository::ready_and_active(const std::string& campaign_id) {
  return db_.read([&](Connection& c) -> Result<std::pair<int, int>> {
    std::pair<int, int> out{0, 0};
    auto r = each(c,
                  "SELECT coalesce(sum(status = 'idle'), 0), coalesce(sum(status IN ('idle','active','calling')), 0) "
                  "FROM swarm_agents WHERE campaign_id = ?",
                  {campaign_id}, [&](const Statement& s) {
                    out.first = static_cast<int>(s.column_int(0));
                    out.second = static_cast<int>(s.column_int(1));
                  });
    if (!r) return std::unexpected(r.error());
    return out;
  });
}

Result<std::optional<SwarmMember>> SwarmRepository::claim_member(Connection& c, const std::string& campaign_id,
                                                                 const std::string& job_call_id, const std::string& call_id,
                                                                 const std::string& customer) {
  std::optional<SwarmMember> m;
  auto r = each(c,
                "SELECT id, name, voice_agent_id, coalesce(voice_model, ''), coalesce(personality_profile, ''), "
                "coalesce(script_version, '') FROM swarm_agents WHERE campaign_id = ? AND status = 'idle' "
                "ORDER BY coalesce(last_activity_at, ''), created_at, id LIMIT 1",
                {campaign_id}, [&](const Statement& s) {
                  m = SwarmMember{text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4), text(s, 5)};
                });
  if (!r) return std::unexpected(r.error());
  if (!m) return m;
  const std::string now = now_iso8601();
  if (auto e = run(c,
                   "UPDATE swarm_agents SET status = 'calling', current_call_id = ?2, current_customer = ?3, "
                   "last_activity_at = ?4, updated_at = ?4 WHERE id = ?1",
                   {m->id, call_id, customer, now});
      !e)
    return std::unexpected(e.error());
  if (auto e = run(c, "UPDATE job_calls SET swarm_agent_id = ? WHERE id = ?", {m->id, job_call_id}); !e)
    return std::unexpected(e.error());
  return m;
}

Result<void> SwarmRepository::release_member(Connection& c, const std::string& call_id) {
  auto r = run(c,
               "UPDATE swarm_agents SET status = CASE WHEN status = 'calling' THEN 'idle' ELSE status END, "
               "current_call_id = NULL, current_customer = NULL, updated_at = ?2 WHERE current_call_id = ?1",
               {call_id, now_iso8601()});
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<bool> SwarmRepository::record_result(Connection& c, const SwarmCallResult& res) {
  const std::string now = now_iso8601();
  std::string member, member_name, customer, phone, company;
  auto who = each(c,
                  "SELECT id, name, coalesce(current_customer, '') FROM swarm_agents WHERE current_call_id = ?",
                  {res.call_id}, [&](const Statement& s) {
                    member = text(s, 0);
                    member_name = text(s, 1);
                    customer = text(s, 2);
                  });
  if (!who) return std::unexpected(who.error());
  const int64_t duration = res.duration_s.value_or(0);
  const bool success = is_success(res.outcome);
  // What the call's work cost and its quality, from the stored record (none when the call was never stored).
  int64_t cpu_ms = 0, memory_bytes = 0, api_calls = 0;
  std::optional<double> quality;
  std::optional<std::string> sentiment;
  auto cost = each(c,
                   "SELECT cpu_ms, memory_bytes, api_calls, quality_score, sentiment FROM calls WHERE workspace_id = ? AND id = ?",
                   {res.ws.value, res.call_id}, [&](const Statement& s) {
                     cpu_ms = s.column_int(0);
                     memory_bytes = s.column_int(1);
                     api_calls = s.column_int(2);
                     if (!s.is_null(3)) quality = s.column_double(3);
                     if (!s.is_null(4)) sentiment = text(s, 4);
                   });
  if (!cost) return std::unexpected(cost.error());
  if (!member.empty()) {
    auto r = run(c,
                 "UPDATE swarm_agents SET status = CASE WHEN status = 'calling' THEN 'idle' ELSE status END, "
                 "current_call_id = NULL, current_customer = NULL, last_activity_at = ?2, updated_at = ?2, "
                 "total_calls = total_calls + ?3, successful_calls = successful_calls + ?4, "
                 "total_duration_s = total_duration_s + ?5, answered_calls = answered_calls + (?5 > 0), "
                 "success_rate = CASE WHEN total_calls + ?3 > 0 THEN 1.0 * (successful_calls + ?4) / (total_calls + ?3) ELSE 0 END, "
                 // A running mean (O(1) a call): talk time over the answered calls.
                 "average_duration_s = CASE WHEN answered_calls + (?5 > 0) > 0 "
                 "  THEN 1.0 * (total_duration_s + ?5) / (answered_calls + (?5 > 0)) ELSE 0 END, "
                 // Resource use (issue 18 §2): every attempt is a call that ran.
                 "cpu_ms = cpu_ms + ?6, memory_bytes = max(memory_bytes, ?7), api_calls = api_calls + ?8 WHERE id = ?1",
                 {member, now, int64_t{res.final ? 1 : 0}, int64_t{res.final && success ? 1 : 0}, duration, cpu_ms,
                  memory_bytes, api_calls});
    if (!r) return std::unexpected(r.error());
  }
  if (!res.final) return false;
  // The campaign's running totals.
  const bool connected = res.status == "completed";
  if (auto r = run(c,
                   "UPDATE campaigns SET total_calls = total_calls + 1, successful_calls = successful_calls + ?2, "
                   "failed_calls = failed_calls + ?3, success_rate = 1.0 * (successful_calls + ?2) / (total_calls + 1), "
                   "updated_at = ?4 WHERE id = ?1",
                   {res.campaign_id, int64_t{success ? 1 : 0}, int64_t{connected ? 0 : 1}, now});
      !r)
    return std::unexpected(r.error());
  // The feed: who was called (the batch contact's name, company and phone).
  auto lead = each(c,
                   "SELECT coalesce(b.name, ''), coalesce(jc.phone, b.phone, ''), "
                   "coalesce(json_extract(b.variables, '$.company'), json_extract(b.variables, '$.Company'), '') "
                   "FROM job_calls jc LEFT JOIN batch_contacts b ON b.id = jc.batch_contact_id WHERE jc.id = ?",
                   {res.job_call_id}, [&](const Statement& s) {
                     customer = text(s, 0);
                     phone = text(s, 1);
                     company = text(s, 2);
                   });
  if (!lead) return std::unexpected(lead.error());
  if (auto r = run(c,
                   "INSERT INTO swarm_recent_calls (id, workspace_id, campaign_id, swarm_agent_id, agent_name, call_id, "
                   "prospect_name, company, phone, status, outcome, duration, notes, next_action, created_at, quality_score, "
                   "sentiment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING",
                   {new_id(), res.ws.value, res.campaign_id, text_or_null(member), text_or_null(member_name), res.call_id,
                    text_or_null(customer), text_or_null(company), text_or_null(phone), res.status,
                    text_or_null(res.outcome), res.duration_s ? Arg(*res.duration_s) : Arg(nullptr),
                    text_or_null(res.summary), text_or_null(res.next_action), now, quality ? Arg(*quality) : Arg(nullptr),
                    sentiment ? Arg(*sentiment) : Arg(nullptr)});
      !r)
    return std::unexpected(r.error());
  const std::string who_called = customer.empty() ? phone : customer;
  if (auto e = log(c, res.ws, res.campaign_id, connected ? "call_completed" : "call_failed",
                   success ? "success" : connected ? "info" : "warning",
                   (member_name.empty() ? std::string("a call") : member_name) + " → " + who_called + ": " +
                       (res.outcome.empty() ? res.status : res.outcome),
                   {{"status", res.status}, {"outcome", res.outcome}, {"durationS", duration}}, member, res.call_id);
      !e)
    return std::unexpected(e.error());
  // Objectives.
  struct Objective {
    std::string id, name, unit, status;
    double target = 0, current = 0;
  };
  std::vector<Objective> objectives;
  auto read = each(c,
                   "SELECT id, objective, unit, status, target_value, current_value FROM swarm_objectives WHERE campaign_id = ?",
                   {res.campaign_id}, [&](const Statement& s) {
                     objectives.push_back({text(s, 0), text(s, 1), text(s, 2), text(s, 3), s.column_double(4), s.column_double(5)});
                   });
  if (!read) return std::unexpected(read.error());
  for (const auto& o : objectives) {
    const double add = objective_increment(o.unit, res);
    if (add == 0 || o.status == "failed") continue;
    // A met objective keeps counting (what was reached); it is logged once.
    const double value = o.current + add;
    const bool was_met = o.status == "completed";
    const bool met = value >= o.target;
    const double pct = std::min(100.0, 100.0 * value / o.target);
    if (auto r = run(c,
                     "UPDATE swarm_objectives SET current_value = ?2, completion_percentage = ?3, status = ?4, "
                     "completed_at = CASE WHEN ?5 THEN ?6 ELSE completed_at END, updated_at = ?6 WHERE id = ?1",
                     {o.id, value, pct, std::string(met ? "completed" : "in_progress"), int64_t{met && !was_met ? 1 : 0}, now});
        !r)
      return std::unexpected(r.error());
    if (met && !was_met)
      if (auto e = log(c, res.ws, res.campaign_id, "objective_completed", "success",
                       "objective met: " + o.name + " (" + std::to_string(static_cast<int64_t>(value)) + " " + o.unit + ")",
                       {{"objectiveId", o.id}, {"value", value}, {"target", o.target}});
          !e)
        return std::unexpected(e.error());
  }
  bool done = false;
  auto crit = each(c,
                   "SELECT count(*), coalesce(sum(o.status = 'completed'), 0), c.complete_on_objectives FROM swarm_objectives o "
                   "JOIN campaigns c ON c.id = o.campaign_id WHERE o.campaign_id = ? AND o.is_critical = 1",
                   {res.campaign_id}, [&](const Statement& s) {
                     done = s.column_int(0) > 0 && s.column_int(0) == s.column_int(1) && s.column_int(2) == 1;
                   });
  if (!crit) return std::unexpected(crit.error());
  return done;
}

Result<void> SwarmRepository::record_quality(Connection& c, const WorkspaceId& ws, const std::string& call_id,
                                             const std::string& swarm_agent_id, std::optional<double> quality,
                                             double sum_delta, int64_t samples_delta,
                                             const std::optional<std::string>& sentiment) {
  if (!swarm_agent_id.empty() && (sum_delta != 0 || samples_delta != 0)) {
    // A running mean: (mean · n + Δsum) / (n + Δn); null when no call of the member has a score.
    auto r = run(c,
                 "UPDATE swarm_agents SET quality_samples = max(0, quality_samples + ?3), "
                 "quality_score = CASE WHEN quality_samples + ?3 > 0 THEN min(100.0, max(0.0, "
                 "  (coalesce(quality_score, 0) * quality_samples + ?4) / (quality_samples + ?3))) ELSE NULL END "
                 "WHERE workspace_id = ?1 AND id = ?2",
                 {ws.value, swarm_agent_id, samples_delta, sum_delta});
    if (!r) return std::unexpected(r.error());
  }
  auto feed = run(c, "UPDATE swarm_recent_calls SET quality_score = ?3, sentiment = ?4 WHERE workspace_id = ?1 AND call_id = ?2",
                  {ws.value, call_id, quality ? Arg(*quality) : Arg(nullptr), sentiment ? Arg(*sentiment) : Arg(nullptr)});
  if (!feed) return std::unexpected(feed.error());
  return {};
}

Result<SwarmFigures> SwarmRepository::figures(const std::string& campaign_id, const std::string& job_id,
                                              std::chrono::system_clock::time_point now, int last_n) {
  return db_.read([&](Connection& c) -> Result<SwarmFigures> {
    SwarmFigures f;
    const std::string t = to_iso8601(now);
    auto q = each(c,
                  "SELECT coalesce(sum(status = 'pending' AND coalesce(next_attempt_at, '') <= ?2), 0), "
                  "min(CASE WHEN status = 'pending' AND coalesce(next_attempt_at, '') <= ?2 THEN coalesce(next_attempt_at, created_at) END), "
                  "coalesce(sum(status IN ('pending','calling')), 0), count(*), coalesce(sum(attempts), 0) "
                  "FROM job_calls WHERE job_id = ?1",
                  {job_id, t}, [&](const Statement& s) {
                    f.due_now = s.column_int(0);
                    if (!s.is_null(1))
                      if (auto since = parse_iso8601(s.column_text(1)))
                        f.oldest_due_wait_s = std::max(0.0, std::chrono::duration<double>(now - *since).count());
                    f.remaining = s.column_int(2);
                    const int64_t total = s.column_int(3), attempts = s.column_int(4);
                    const int64_t finals = total - f.remaining;
                    if (finals > 0) f.attempts_per_contact = std::max(1.0, static_cast<double>(attempts) / std::max<int64_t>(1, total - f.remaining));
                  });
    if (!q) return std::unexpected(q.error());
    auto m = each(c,
                  "SELECT coalesce(sum(status = 'idle'), 0), coalesce(sum(status = 'calling'), 0), "
                  "coalesce(sum(status IN ('idle','active','calling')), 0), coalesce(sum(status = 'paused'), 0), count(*) "
                  "FROM swarm_agents WHERE campaign_id = ?",
                  {campaign_id}, [&](const Statement& s) {
                    f.idle = static_cast<int>(s.column_int(0));
                    f.calling = static_cast<int>(s.column_int(1));
                    f.active = static_cast<int>(s.column_int(2));
                    f.paused = static_cast<int>(s.column_int(3));
                    f.members = static_cast<int>(s.column_int(4));
                  });
    if (!m) return std::unexpected(m.error());
    auto last = each(c,
                     "SELECT count(*), coalesce(sum(status = 'completed'), 0), coalesce(sum(outcome IN " + std::string(kSuccess) +
                         "), 0) FROM (SELECT status, outcome FROM swarm_recent_calls WHERE campaign_id = ? "
                         "ORDER BY created_at DESC, id DESC LIMIT ?)",
                     {campaign_id, int64_t{last_n}}, [&](const Statement& s) {
                       f.last_calls = s.column_int(0);
                       f.last_connected = s.column_int(1);
                       f.last_successful = s.column_int(2);
                     });
    if (!last) return std::unexpected(last.error());
    auto avg = each(c, "SELECT coalesce(avg(duration), 0) FROM swarm_recent_calls WHERE campaign_id = ? AND duration > 0",
                    {campaign_id}, [&](const Statement& s) { f.average_call_s = s.column_double(0); });
    if (!avg) return std::unexpected(avg.error());
    return f;
  });
}

Result<std::vector<std::pair<WorkspaceId, std::string>>> SwarmRepository::campaigns_in(const std::vector<std::string>& statuses) {
  return db_.read([&](Connection& c) -> Result<std::vector<std::pair<WorkspaceId, std::string>>> {
    std::vector<std::pair<WorkspaceId, std::string>> out;
    for (const auto& status : statuses) {
      auto r = each(c, "SELECT workspace_id, id FROM campaigns WHERE status = ? ORDER BY created_at, id", {status},
                    [&](const Statement& s) { out.emplace_back(WorkspaceId(text(s, 0)), text(s, 1)); });
      if (!r) return std::unexpected(r.error());
    }
    return out;
  });
}

Result<int> SwarmRepository::scale_to(const WorkspaceId& ws, const std::string& campaign_id, int target) {
  return db_.write([&](Connection& c) -> Result<int> {
    const std::string now = now_iso8601();
    int active = 0;
    auto count = [&]() -> Result<void> {
      return each(c, "SELECT count(*) FROM swarm_agents WHERE campaign_id = ? AND status IN ('idle','active','calling')",
                  {campaign_id}, [&](const Statement& s) { active = static_cast<int>(s.column_int(0)); });
    };
    if (auto e = count(); !e) return std::unexpected(e.error());
    if (target > active) {
      // Paused members first, longest paused first.
      auto up = run(c,
                    "UPDATE swarm_agents SET status = 'idle', updated_at = ?3 WHERE id IN (SELECT id FROM swarm_agents "
                    "WHERE campaign_id = ?1 AND status = 'paused' ORDER BY updated_at, id LIMIT ?2)",
                    {campaign_id, int64_t{target - active}, now});
      if (!up) return std::unexpected(up.error());
      active += static_cast<int>(*up);
      // Then clones of the campaign's variants, in turn.
      std::vector<std::array<std::string, 5>> variants;
      auto v = each(c,
                    "SELECT voice_agent_id, coalesce(voice_model, ''), coalesce(personality_profile, ''), "
                    "coalesce(script_version, ''), name FROM swarm_agents WHERE campaign_id = ? GROUP BY voice_agent_id, "
                    "voice_model, personality_profile, script_version ORDER BY min(created_at)",
                    {campaign_id}, [&](const Statement& s) {
                      variants.push_back({text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4)});
                    });
      if (!v) return std::unexpected(v.error());
      int64_t members = 0;
      if (auto e = each(c, "SELECT count(*) FROM swarm_agents WHERE campaign_id = ?", {campaign_id},
                        [&](const Statement& s) { members = s.column_int(0); });
          !e)
        return std::unexpected(e.error());
      for (size_t i = 0; active < target && !variants.empty(); ++i) {
        const auto& [voice, model_, personality, script, base] = variants[i % variants.size()];
        const std::string id = new_id();
        const std::string name = base + " #" + std::to_string(++members);
        auto ins = run(c,
                       "INSERT INTO swarm_agents (id, workspace_id, campaign_id, agent_id, voice_agent_id, name, voice_model, "
                       "personality_profile, script_version, status, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'idle', ?, ?) ON CONFLICT (campaign_id, name) DO NOTHING",
                       {id, ws.value, campaign_id, id, voice, name, text_or_null(model_), text_or_null(personality),
                        text_or_null(script), now, now});
        if (!ins) return std::unexpected(ins.error());
        if (*ins == 1) ++active;
        if (i > static_cast<size_t>(target) * 4 + 16) break;  // names taken: give up rather than loop
      }
    } else if (target < active) {
      // Idle members only (never one holding a call), the most recently added first.
      auto down = run(c,
                      "UPDATE swarm_agents SET status = 'paused', updated_at = ?3 WHERE id IN (SELECT id FROM swarm_agents "
                      "WHERE campaign_id = ?1 AND status IN ('idle','active') ORDER BY created_at DESC, id DESC LIMIT ?2)",
                      {campaign_id, int64_t{active - target}, now});
      if (!down) return std::unexpected(down.error());
    }
    if (auto e = count_members(c, campaign_id); !e) return std::unexpected(e.error());
    if (auto e = count(); !e) return std::unexpected(e.error());
    return active;
  });
}

Result<void> SwarmRepository::ready_activated(const std::string& campaign_id) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto r = run(c, "UPDATE swarm_agents SET status = 'idle', updated_at = ? WHERE campaign_id = ? AND status = 'active'",
                 {now_iso8601(), campaign_id});
    if (!r) return std::unexpected(r.error());
    if (*r > 0) return count_members(c, campaign_id);
    return {};
  });
}

Result<void> SwarmRepository::rule_triggered(const std::string& rule_id, std::chrono::system_clock::time_point at) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto r = run(c, "UPDATE swarm_autoscaling_rules SET last_triggered_at = ?2, trigger_count = trigger_count + 1 WHERE id = ?1",
                 {rule_id, to_iso8601(at)});
    if (!r) return std::unexpected(r.error());
    return {};
  });
}

namespace {
/// INSERTs the job calls of `job_id` for batch contacts chosen by `where`
/// (bound as ?3), skipping phones the job has already.
constexpr std::string_view kAttach =
    "INSERT INTO job_calls (id, job_id, batch_contact_id, status, created_at, phone, updated_at, workspace_id) "
    "SELECT lower(hex(randomblob(12))), ?1, b.id, 'pending', ?2, b.phone, ?2, b.workspace_id FROM batch_contacts b ";
/// One batch contact per phone of upload ?3 (an upload keeps duplicates as rows).
const std::string kOnePerPhone =
    "WHERE b.id IN (SELECT min(id) FROM batch_contacts WHERE upload_id = ?3 GROUP BY phone)";
/// ...that the campaign's (?4) lead filter lets through (a lead without a
/// score counts as 0 against minLeadScore), and whose phone the job has not.
constexpr std::string_view kNotYet =
    " AND NOT EXISTS (SELECT 1 FROM job_calls x WHERE x.job_id = ?1 AND x.phone = b.phone) "
    "AND coalesce(b.lead_score, 0) >= coalesce((SELECT json_extract(lead_filter, '$.minLeadScore') FROM campaigns WHERE id = ?4), 0) "
    "AND (coalesce((SELECT json_array_length(lead_filter, '$.includeStatuses') FROM campaigns WHERE id = ?4), 0) = 0 "
    "  OR b.lead_status IN (SELECT j.value FROM campaigns c, json_each(c.lead_filter, '$.includeStatuses') j WHERE c.id = ?4)) "
    "AND b.lead_status NOT IN (SELECT j.value FROM campaigns c, json_each(c.lead_filter, '$.excludeStatuses') j WHERE c.id = ?4) "
    "ORDER BY b.line";
}  // namespace

Result<json> create_campaign_job(Database& db, Repository& jobs, const WorkspaceId& ws, const std::string& campaign_id,
                                 const json& job) {
  json body = job;
  body["campaignId"] = campaign_id;
  auto values = model::validate_input(model::job_spec(), body, model::Mode::create);
  if (!values) return std::unexpected(values.error());
  return db.write([&](Connection& c) -> Result<json> {
    auto row = jobs.insert(c, ws, std::move(*values));
    if (!row) return row;
    const std::string job_id = (*row)["id"];
    std::vector<std::string> uploads;
    auto u = each(c, "SELECT id FROM uploads WHERE workspace_id = ? AND campaign_id = ? ORDER BY created_at, id",
                  {ws.value, campaign_id}, [&](const Statement& s) { uploads.push_back(text(s, 0)); });
    if (!u) return std::unexpected(u.error());
    for (const auto& upload : uploads) {
      auto r = run(c, std::string(kAttach) + kOnePerPhone + std::string(kNotYet), {job_id, now_iso8601(), upload, campaign_id});
      if (!r) return std::unexpected(r.error());
    }
    if (auto r = run(c, "UPDATE jobs SET total_calls = (SELECT count(*) FROM job_calls WHERE job_id = ?1) WHERE id = ?1", {job_id});
        !r)
      return std::unexpected(r.error());
    return jobs.get(c, ws, job_id);
  });
}

Result<int64_t> attach_upload_to_campaign_jobs(Connection& c, const WorkspaceId& ws, const std::string& campaign_id,
                                               const std::string& upload_id) {
  std::vector<std::string> jobs;
  auto j = each(c,
                "SELECT id FROM jobs WHERE workspace_id = ? AND campaign_id = ? AND upload_id IS NULL AND status IN ('pending','running')",
                {ws.value, campaign_id}, [&](const Statement& s) { jobs.push_back(text(s, 0)); });
  if (!j) return std::unexpected(j.error());
  int64_t added = 0;
  for (const auto& job_id : jobs) {
    auto r = run(c, std::string(kAttach) + kOnePerPhone + std::string(kNotYet), {job_id, now_iso8601(), upload_id, campaign_id});
    if (!r) return std::unexpected(r.error());
    added += *r;
    if (*r > 0)
      if (auto u = run(c, "UPDATE jobs SET total_calls = total_calls + ?2, updated_at = ?3 WHERE id = ?1", {job_id, *r, now_iso8601()}); !u)
        return std::unexpected(u.error());
  }
  if (added > 0)
    if (auto e = SwarmRepository::log(c, ws, campaign_id, "leads_added", "info",
                                      std::to_string(added) + " new leads joined the running campaign", {{"uploadId", upload_id}, {"leads", added}});
        !e)
      return std::unexpected(e.error());
  return added;
}

}  // namespace voqo::store
