#include "campaign/swarm.hpp"

#include <map>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>

#include "campaign/autoscaler.hpp"
#include "campaign/dialer.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "store/analytics.hpp"
#include "store/store.hpp"

namespace voqo::campaign {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

Error invalid_at(const std::string& field, const std::string& why) { return Error::invalid(field, why); }

/// Lead statuses a lead filter may name (batch_contacts.lead_status).
bool is_lead_status(const std::string& s) {
  for (const char* v : {"new", "contacted", "qualified", "converted", "unqualified", "do_not_call"})
    if (s == v) return true;
  return false;
}

Result<void> check_lead_filter(const json& f) {
  if (!f.is_object()) return std::unexpected(invalid_at("leadFilter", "must be an object"));
  for (auto it = f.begin(); it != f.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    const std::string field = "leadFilter." + k;
    if (k == "minLeadScore") {
      if (!v.is_null() && (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100))
        return std::unexpected(invalid_at(field, "must be a number from 0 to 100"));
    } else if (k == "maxAttempts") {
      if (!v.is_null() && (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 10))
        return std::unexpected(invalid_at(field, "must be an integer from 1 to 10"));
    } else if (k == "includeStatuses" || k == "excludeStatuses") {
      if (!v.is_array() || v.size() > 6) return std::unexpected(invalid_at(field, "must be an array of lead statuses"));
      for (const auto& s : v)
        if (!s.is_string() || !is_lead_status(s.get<std::string>()))
          return std::unexpected(invalid_at(field, "lead statuses are new, contacted, qualified, converted, unqualified, do_not_call"));
    } else {
      return std::unexpected(invalid_at(field, "unknown field"));
    }
  }
  return {};
}

Result<void> check_retry(const json& v) {
  if (!v.is_object()) return std::unexpected(invalid_at("retry", "must be an object {maxAttempts, backoffMinutes}"));
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() == "maxAttempts") {
      if (!it->is_number_integer() || *it < 1 || *it > 10)
        return std::unexpected(invalid_at("retry.maxAttempts", "must be an integer from 1 to 10"));
    } else if (it.key() == "backoffMinutes") {
      if (!it->is_number() || *it < 0 || *it > 10080)
        return std::unexpected(invalid_at("retry.backoffMinutes", "must be a number of minutes from 0 to 10080"));
    } else {
      return std::unexpected(invalid_at("retry." + it.key(), "unknown field"));
    }
  }
  return {};
}

/// The member of `merged` (the stored record with the patch over it), or null.
json member(const json& patch, const json& stored, const char* key) {
  if (patch.contains(key)) return patch[key];
  if (stored.is_object() && stored.contains(key)) return stored[key];
  return nullptr;
}

}  // namespace

json calling_window_json(const json& hours) {
  json w = json::object();
  for (const char* k : {"start", "end", "timezone"})
    if (hours.contains(k)) w[k] = hours[k];
  if (auto it = hours.find("daysOfWeek"); it != hours.end() && it->is_array()) {
    json days = json::array();
    for (const auto& d : *it) days.push_back(d.is_number_integer() ? (d.get<int>() == 0 ? json(7) : d) : d);
    w["daysOfWeek"] = days;
  }
  return w;
}

Result<void> check_campaign_body(const json& body, const json& stored) {
  if (!body.is_object()) return std::unexpected(invalid_at("body", "must be a JSON object"));
  if (auto it = body.find("activeHours"); it != body.end() && !it->is_null())
    if (auto r = parse_active_hours(*it); !r) return std::unexpected(r.error());
  if (auto it = body.find("leadFilter"); it != body.end())
    if (auto r = check_lead_filter(*it); !r) return r;
  if (auto it = body.find("retry"); it != body.end())
    if (auto r = check_retry(*it); !r) return r;
  const json start = member(body, stored, "startDate"), end = member(body, stored, "endDate");
  if (start.is_string() && end.is_string()) {
    auto a = parse_iso8601(start.get<std::string>()), b = parse_iso8601(end.get<std::string>());
    if (a && b && *b <= *a) return std::unexpected(invalid_at("endDate", "must be after startDate"));
  }
  const json lo = member(body, stored, "minAgents"), hi = member(body, stored, "maxAgents");
  if (lo.is_number_integer() && hi.is_number_integer() && lo.get<int64_t>() > hi.get<int64_t>())
    return std::unexpected(invalid_at(body.contains("minAgents") ? "minAgents" : "maxAgents", "minAgents must not exceed maxAgents"));
  return {};
}

struct SwarmService::Impl {
  store::Store& store;
  Dialer* dialer;
  SwarmConfig cfg;
  std::mutex mutex;  // one lifecycle change at a time (API threads and the tick)
  std::mutex wake_mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  Impl(store::Store& s, Dialer* d, SwarmConfig c) : store(s), dialer(d), cfg(std::move(c)) {}
  Clock::time_point now() const { return cfg.clock ? cfg.clock() : Clock::now(); }

  Result<json> campaign(const WorkspaceId& ws, const std::string& id) { return store.campaigns().get(ws, id); }

  /// The job body of a campaign: its pace, retry (the configuration's
  /// retryAttempts, then the lead filter's maxAttempts win) and active hours.
  json job_body(const WorkspaceId& ws, const json& camp, const std::string& agent_id) {
    json retry = camp.value("retry", json::object());
    // The configuration's retryAttempts (issue 18 §6) overrides the campaign's retry.
    if (auto conf = store.swarm_configurations().for_campaign(ws, camp.value("id", "")); conf && *conf && (*conf)->retry_attempts)
      retry["maxAttempts"] = *(*conf)->retry_attempts;
    if (auto f = camp.value("leadFilter", json::object()); f.contains("maxAttempts") && f["maxAttempts"].is_number_integer())
      retry["maxAttempts"] = f["maxAttempts"];
    json body{{"agentId", agent_id},
              {"maxConcurrent", std::clamp<int64_t>(camp.value("maxAgents", 5), 1, 10000)},
              {"callsPerSecond", camp.value("callsPerSecond", 1.0)},
              {"retry", retry}};
    if (auto h = camp.find("activeHours"); h != camp.end() && h->is_object()) body["callingWindow"] = calling_window_json(*h);
    return body;
  }

  Result<json> start(const WorkspaceId& ws, const std::string& id, const std::string& why) {
    std::lock_guard lock(mutex);
    auto camp = campaign(ws, id);
    if (!camp) return camp;
    const std::string status = camp->value("status", "");
    if (status == "active") return camp;
    if (status == "stopped" || status == "completed")
      return std::unexpected(Error::conflict("status", "campaign is " + status + "; create a new campaign to call again"));
    if (!dialer)
      return std::unexpected(Error::conflict("status", "this server runs without telephony (--no-sip): campaigns do not run"));
    if (status == "paused" && (*camp)["jobId"].is_string()) {
      auto r = dialer->resume(ws, (*camp)["jobId"].get<std::string>());
      if (!r && r.error().code != ErrorCode::conflict) return std::unexpected(r.error());
      if (auto e = store.swarm().set_status(ws, id, "active", "campaign_resumed", "campaign resumed"); !e) return std::unexpected(e.error());
      dialer->poke();
      return campaign(ws, id);
    }
    // The first start: its members and leads, then its job.
    store::ListQuery q;
    q.limit = 1;
    q.conditions.push_back({store::Condition::Op::equals, {"campaign_id"}, id});
    auto members = store.swarm().agents().list(ws, q);
    if (!members) return std::unexpected(members.error());
    if (members->items.empty())
      return std::unexpected(invalid_at("agents", "the campaign has no swarm agents: add one with POST /api/campaigns/" + id + "/agents"));
    const std::string agent_id = members->items[0].value("voiceAgentId", "");
    auto job = store::create_campaign_job(store.db(), store.jobs().records(), ws, id, job_body(ws, *camp, agent_id));
    if (!job) return std::unexpected(job.error());
    const std::string job_id = (*job)["id"];
    if (job->value("totalCalls", 0) == 0 && camp->value("leadSource", "csv_upload") == "csv_upload") {
      (void)store.jobs().remove(ws, job_id);
      return std::unexpected(invalid_at("leads", "the campaign has no leads: upload a CSV with POST /api/campaigns/" + id + "/uploads"));
    }
    if (auto e = store.swarm().set_job(ws, id, job_id); !e) return std::unexpected(e.error());
    if (auto e = store.swarm().set_status(ws, id, "active", "campaign_started",
                                          "campaign " + why + ": " + std::to_string(job->value("totalCalls", 0)) + " leads");
        !e)
      return std::unexpected(e.error());
    if (auto e = enforce_bounds(ws, id); !e) spdlog::warn("swarm: campaign {}: {}", id, e.error().message);
    dialer->poke();
    return campaign(ws, id);
  }

  Result<json> pause(const WorkspaceId& ws, const std::string& id) {
    std::lock_guard lock(mutex);
    auto camp = campaign(ws, id);
    if (!camp) return camp;
    if (camp->value("status", "") != "active")
      return std::unexpected(Error::conflict("status", "campaign is " + camp->value("status", "") + "; only an active campaign pauses"));
    if (dialer && (*camp)["jobId"].is_string())
      if (auto r = dialer->pause(ws, (*camp)["jobId"].get<std::string>()); !r && r.error().code != ErrorCode::conflict)
        return std::unexpected(r.error());
    if (auto e = store.swarm().set_status(ws, id, "paused", "campaign_paused", "campaign paused: calls in progress finish"); !e)
      return std::unexpected(e.error());
    return campaign(ws, id);
  }

  Result<json> stop(const WorkspaceId& ws, const std::string& id, const std::string& why, std::string_view final_status = "stopped") {
    std::lock_guard lock(mutex);
    auto camp = campaign(ws, id);
    if (!camp) return camp;
    const std::string status = camp->value("status", "");
    if (status == "stopped" || status == "completed")
      return std::unexpected(Error::conflict("status", "campaign is already " + status));
    if (dialer && (*camp)["jobId"].is_string())
      if (auto r = dialer->cancel(ws, (*camp)["jobId"].get<std::string>()); !r && r.error().code != ErrorCode::conflict)
        return std::unexpected(r.error());
    if (auto e = store.swarm().set_status(ws, id, final_status,
                                          final_status == "completed" ? "campaign_completed" : "campaign_stopped",
                                          "campaign " + why);
        !e)
      return std::unexpected(e.error());
    return campaign(ws, id);
  }

  Result<json> update(const WorkspaceId& ws, const std::string& id, const json& patch) {
    std::lock_guard lock(mutex);
    auto camp = campaign(ws, id);
    if (!camp) return camp;
    if (auto ok = check_campaign_body(patch, *camp); !ok) return std::unexpected(ok.error());
    auto updated = store.campaigns().update(ws, id, patch);
    if (!updated) return updated;
    json changed = json::array();
    for (auto it = patch.begin(); it != patch.end(); ++it) changed.push_back(it.key());
    (void)store.swarm().log(ws, id, "campaign_updated", "info", "campaign settings changed: " + changed.dump(), {{"fields", changed}});
    const std::string status = updated->value("status", "");
    if ((status == "active" || status == "paused") && (*updated)["jobId"].is_string()) {
      const json hours = (*updated)["activeHours"];
      json window = hours.is_object() ? calling_window_json(hours) : json();
      if (auto e = store.swarm().copy_pace_to_job(ws, id, window); !e) return std::unexpected(e.error());
      if (dialer) (void)dialer->reconfigure(ws, (*updated)["jobId"].get<std::string>());
      if (auto e = enforce_bounds(ws, id); !e) return std::unexpected(e.error());
    }
    return campaign(ws, id);
  }

  /// Keeps the active members within [minAgents, maxAgents].
  Result<void> enforce_bounds(const WorkspaceId& ws, const std::string& id) {
    auto camp = campaign(ws, id);
    if (!camp) return std::unexpected(camp.error());
    const int lo = camp->value("minAgents", 1), hi = camp->value("maxAgents", 5);
    auto counts = store.swarm().ready_and_active(id);
    if (!counts) return std::unexpected(counts.error());
    const int active = counts->second;
    const int target = std::clamp(active, lo, hi);
    if (target == active) return {};
    auto after = store.swarm().scale_to(ws, id, target);
    if (!after) return std::unexpected(after.error());
    if (*after != active)
      return store.swarm().log(ws, id, "agent_status", "info",
                               "active agents " + std::to_string(active) + " → " + std::to_string(*after) +
                                   " (minAgents " + std::to_string(lo) + ", maxAgents " + std::to_string(hi) + ")",
                               {{"from", active}, {"to", *after}});
    return {};
  }

  void tick() {
    const auto t = now();
    auto scheduled = store.swarm().campaigns_in({"scheduled"});
    if (scheduled)
      for (const auto& [ws, id] : *scheduled) {
        auto camp = campaign(ws, id);
        if (!camp || !(*camp)["startDate"].is_string()) continue;
        auto at = parse_iso8601((*camp)["startDate"].get<std::string>());
        if (!at || *at > t) continue;
        if (auto end = (*camp)["endDate"]; end.is_string())
          if (auto e = parse_iso8601(end.get<std::string>()); e && *e <= t) continue;  // its window has passed
        if (auto r = start(ws, id, "started on its start date"); !r) {
          spdlog::warn("swarm: campaign {} could not start on its start date: {}", id, r.error().message);
          (void)store.swarm().log(ws, id, "error", "error", "could not start on its start date: " + r.error().message);
        }
      }
    auto running = store.swarm().campaigns_in({"active", "paused"});
    if (!running) return;
    for (const auto& [ws, id] : *running) {
      auto camp = campaign(ws, id);
      if (!camp) continue;
      if (auto end = (*camp)["endDate"]; end.is_string())
        if (auto e = parse_iso8601(end.get<std::string>()); e && *e <= t) {
          (void)stop(ws, id, "completed: its end date has passed", "completed");
          continue;
        }
      (void)store.swarm().ready_activated(id);
      if (camp->value("status", "") != "active") continue;
      std::lock_guard lock(mutex);
      if (auto e = enforce_bounds(ws, id); !e) spdlog::warn("swarm: campaign {}: {}", id, e.error().message);
      TickFigures figures{*this, *camp, t};
      if (camp->value("autoscalingEnabled", false)) autoscale(ws, *camp, t, figures);
      abandon_cap(ws, *camp, t);
      queue_timeout(ws, *camp, t, figures);
    }
    if (dialer) dialer->poke();
  }

  /// The campaign's SwarmFigures for one tick, read at most once (the
  /// autoscaler and the queue-timeout check both use them; the counts of
  /// agents are those before this tick's scaling). Null when the campaign
  /// has no job or the read failed.
  struct TickFigures {
    Impl& impl;
    const json& camp;
    Clock::time_point t;
    std::optional<std::optional<store::SwarmFigures>> got;
    const store::SwarmFigures* get() {
      if (!got) {
        got.emplace();
        if (camp["jobId"].is_string())
          if (auto f = impl.store.swarm().figures(camp.value("id", ""), camp["jobId"].get<std::string>(), t,
                                                  impl.cfg.success_window))
            *got = std::move(*f);
      }
      return *got ? &**got : nullptr;
    }
  };

  void autoscale(const WorkspaceId& ws, const json& camp, Clock::time_point t, TickFigures& figures);

  /// The configuration's queueTimeoutS (issue 18 §6): when the oldest due
  /// lead has waited longer for a free agent, a queue_timeout alert (activity
  /// `alert`, the campaign.alert webhook), at most once per kQueueAlertEvery
  /// per campaign. The lead is not dropped: it is dialed when an agent frees up.
  void queue_timeout(const WorkspaceId& ws, const json& camp, Clock::time_point t, TickFigures& figures) {
    const std::string id = camp.value("id", "");
    if (!camp["jobId"].is_string()) return;
    auto conf = store.swarm_configurations().for_campaign(ws, id);
    if (!conf || !*conf || !(*conf)->queue_timeout_s) return;
    if (auto it = last_queue_alert.find(id); it != last_queue_alert.end() && t - it->second < kQueueAlertEvery) return;
    const store::SwarmFigures* f = figures.get();
    if (!f || f->due_now == 0 || f->oldest_due_wait_s <= *(*conf)->queue_timeout_s) return;
    last_queue_alert[id] = t;
    const auto wait = static_cast<int64_t>(f->oldest_due_wait_s);
    const int64_t bucket = std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
    (void)store.swarm_configurations().record_campaign_alert(
        ws, id,
        std::to_string(f->due_now) + " due leads; the oldest has waited " + std::to_string(wait) + " s for a free agent (queue timeout " +
            std::to_string(*(*conf)->queue_timeout_s) + " s)",
        {{"kind", "queue_timeout"}, {"dueLeads", f->due_now}, {"oldestWaitS", wait}, {"queueTimeoutS", *(*conf)->queue_timeout_s},
         {"idleAgents", f->idle}, {"callingAgents", f->calling}},
        id + ":queue_timeout:" + std::to_string(bucket));
  }
  static constexpr auto kQueueAlertEvery = std::chrono::minutes(10);
  std::map<std::string, Clock::time_point> last_queue_alert;  ///< per campaign (the tick's thread)

  /// The abandon cap (issue 18 §9): over the last 30 days, when the share of
  /// person-answered calls that got no agent audio within 2 s exceeds the
  /// campaign's abandonCapPercent (once at least kAbandonSample people
  /// answered), the job's pace and concurrency are halved (down to 1/16);
  /// back under 80 % of the cap they double again. Each change is an `alert`.
  void abandon_cap(const WorkspaceId& ws, const json& camp, Clock::time_point t) {
    if (!dialer || !camp["jobId"].is_string() || !camp["abandonCapPercent"].is_number()) return;
    const std::string id = camp.value("id", ""), job_id = camp["jobId"];
    const double cap = camp["abandonCapPercent"].get<double>();
    const auto since = std::chrono::floor<std::chrono::seconds>(t - std::chrono::days(30));
    // From the daily rows of the last 30 local days: O(days), not O(calls).
    auto figures = store::AnalyticsRepository(store.db())
                       .totals(ws, store::MetricsScope{store::MetricsScope::Kind::campaign, id}, since);
    if (!figures || figures->answered_by_person < kAbandonSample) return;
    const double rate = figures->rate_percent().value_or(0);
    const double before = dialer->throttle(job_id);
    double after = before;
    if (rate > cap) after = std::max(1.0 / 16, before / 2);
    else if (rate < cap * 0.8 && before < 1) after = std::min(1.0, before * 2);
    if (after == before) return;
    dialer->set_throttle(job_id, after);
    (void)store.swarm().log(ws, id, "alert", after < before ? "warning" : "info",
                            "abandon rate " + std::to_string(rate).substr(0, std::to_string(rate).find('.') + 2) +
                                "% over the last 30 days (cap " + std::to_string(cap).substr(0, std::to_string(cap).find('.') + 2) +
                                "%): pace and concurrency x" + std::to_string(after).substr(0, 5),
                            {{"abandonRatePercent", rate}, {"capPercent", cap}, {"abandoned", figures->abandoned},
                             {"answeredByPerson", figures->answered_by_person}, {"throttleBefore", before}, {"throttle", after}});
  }
  static constexpr int64_t kAbandonSample = 20;

  void run() {
    std::unique_lock lock(wake_mutex);
    while (!stopping) {
      lock.unlock();
      tick();
      lock.lock();
      wake.wait_for(lock, cfg.tick, [&] { return stopping; });
    }
  }
};

/// One autoscaler pass over a running campaign (issue 18 §3): its rules
/// typed, its metrics measured, the decision applied and logged.
void SwarmService::Impl::autoscale(const WorkspaceId& ws, const json& camp, Clock::time_point t, TickFigures& figures) {
  const std::string id = camp.value("id", "");
  if (!camp["jobId"].is_string()) return;
  const std::string job_id = camp["jobId"];
  store::ListQuery q;
  q.limit = store::kMaxPageSize;
  q.conditions.push_back({store::Condition::Op::equals, {"campaign_id"}, id});
  auto rows = store.swarm().rules().list(ws, q);
  if (!rows) return;
  std::vector<AutoscalingRule> rules;
  for (const auto& row : rows->items) {
    auto rule = parse_autoscaling_rule(row);
    if (rule) rules.push_back(std::move(*rule));
    else spdlog::warn("swarm: campaign {}: rule {} skipped: {}", id, row.value("id", ""), rule.error().message);
  }
  if (rules.empty()) return;
  const store::SwarmFigures* f = figures.get();
  if (!f) return;
  SwarmMetrics m;
  m.queue_depth = static_cast<double>(f->due_now);
  m.wait_time = f->due_now > 0 ? f->oldest_due_wait_s : 0.0;
  if (f->last_calls > 0) {
    m.success_rate = static_cast<double>(f->last_successful) / static_cast<double>(f->last_calls);
    m.connection_rate = static_cast<double>(f->last_connected) / static_cast<double>(f->last_calls);
  }
  if (cfg.cost_per_agent_hour > 0) m.cost_per_hour = f->active * cfg.cost_per_agent_hour;
  if (dialer)
    if (auto lat = dialer->turn_latency_ms(job_id)) m.turn_latency = *lat;
  m.active_agents = f->active;
  m.calling_agents = f->calling;
  m.idle_agents = f->idle;
  CallingWindow window;  // every day, all day, UTC, without active hours
  window.start_minute = 0;
  window.end_minute = 24 * 60;
  if (auto h = camp.find("activeHours"); h != camp.end() && h->is_object())
    if (auto w = parse_active_hours(*h)) window = *w;
  (void)fill_local_time(m, window.timezone, t);
  if (auto end = camp["endDate"]; end.is_string())
    if (auto until = parse_iso8601(end.get<std::string>()))
      m.pace_to_finish = pace_to_finish_metric(f->remaining,
                                               f->average_call_s > 0 ? std::optional<double>(f->average_call_s) : std::nullopt,
                                               window, t, *until, f->attempts_per_contact);
  const ScalingBounds bounds{camp.value("minAgents", 1), camp.value("maxAgents", 5), cfg.cost_per_agent_hour, std::nullopt};
  auto decision = evaluate_scaling(rules, m, f->active, bounds, t);
  if (!decision || !decision->triggered) return;
  (void)store.swarm().rule_triggered(decision->rule_id, t);
  int after = decision->from_agents;
  if (decision->action != ScalingAction::maintain) {
    auto scaled = store.swarm().scale_to(ws, id, decision->to_agents);
    if (!scaled) {
      spdlog::warn("swarm: campaign {}: scaling: {}", id, scaled.error().message);
      return;
    }
    after = *scaled;
  }
  (void)store.swarm().log(ws, id, "auto_scaled", decision->action == ScalingAction::maintain ? "info" : "success",
                          decision->reason,
                          {{"ruleId", decision->rule_id},
                           {"action", std::string(label(decision->action))},
                           {"metric", decision->metric},
                           {"value", decision->value},
                           {"threshold", decision->threshold},
                           {"fromAgents", decision->from_agents},
                           {"toAgents", after}});
}

SwarmService::SwarmService(store::Store& store, Dialer* dialer, SwarmConfig config)
    : impl_(std::make_unique<Impl>(store, dialer, std::move(config))) {
  if (impl_->cfg.run_thread)
    impl_->thread = std::thread([i = impl_.get()] {
      pthread_setname_np(pthread_self(), "voqo-swarm");
      i->run();
    });
}

SwarmService::~SwarmService() {
  {
    std::lock_guard lock(impl_->wake_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<json> SwarmService::start(const WorkspaceId& ws, const std::string& id, const std::string& why) {
  return impl_->start(ws, id, why);
}
Result<json> SwarmService::pause(const WorkspaceId& ws, const std::string& id) { return impl_->pause(ws, id); }
Result<json> SwarmService::resume(const WorkspaceId& ws, const std::string& id) {
  auto camp = impl_->campaign(ws, id);
  if (!camp) return camp;
  if (camp->value("status", "") != "paused")
    return std::unexpected(Error::conflict("status", "campaign is " + camp->value("status", "") + "; only a paused campaign resumes"));
  return impl_->start(ws, id, "resumed");
}
Result<json> SwarmService::stop(const WorkspaceId& ws, const std::string& id, const std::string& why) {
  return impl_->stop(ws, id, why);
}
Result<json> SwarmService::update(const WorkspaceId& ws, const std::string& id, const json& patch) {
  return impl_->update(ws, id, patch);
}
void SwarmService::tick() { impl_->tick(); }

}  // namespace voqo::campaign
