// The live monitor: call events → intelligence, live tables, realtime changes.
#include "live/live_monitor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "calls/call_service.hpp"
#include "campaign/dialer.hpp"
#include "core/time.hpp"
#include "intel/call_intelligence.hpp"
#include "intel/sentiment.hpp"
#include "live/swarm_feed.hpp"
#include "realtime/hub.hpp"
#include "store/calls.hpp"
#include "store/live.hpp"
#include "store/store.hpp"

namespace voqo::live {
namespace {

using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

/// The liveCalls topic of one workspace: each tenant's list of calls is its own.
std::string live_calls_topic(const std::string& workspace_id) { return "liveCalls:" + workspace_id; }

/// The workspace a realtime query runs in: the transport sets `workspaceId`
/// from the subscriber's credentials (a client cannot choose it).
WorkspaceId query_workspace(const nlohmann::json& args) {
  auto it = args.find("workspaceId");
  return WorkspaceId(it != args.end() && it->is_string() ? it->get<std::string>() : std::string());
}
// Topics name the workspace as well as the object: a subscriber's topic is
// built from its own workspace (query_workspace), so subscribing to another
// tenant's call, job or campaign id — even resuming from history, which
// skips the snapshot — reaches a topic nothing is ever published on.
std::string call_topic(const std::string& ws, const std::string& id) { return "liveCall:" + ws + ":" + id; }
std::string job_topic(const std::string& ws, const std::string& id) { return "job:" + ws + ":" + id; }
std::string campaign_topic(const std::string& ws, const std::string& id) { return "campaignStats:" + ws + ":" + id; }

/// A query's topic from its required `args.id`: `topic(id)`, or an error
/// naming "id" ("the <what>'s id is required"; the hub shows it as args.id,
/// an SSE request as its query parameter id).
std::function<Result<std::string>(const nlohmann::json&)> topic_by_id(
    std::string (*topic)(const std::string&, const std::string&), std::string what) {
  return [topic, what = std::move(what)](const nlohmann::json& args) -> Result<std::string> {
    auto it = args.find("id");
    if (it == args.end() || !it->is_string() || it->get<std::string>().empty())
      return std::unexpected(Error::invalid("id", "the " + what + "'s id is required"));
    auto ws = args.find("workspaceId");
    if (ws == args.end() || !ws->is_string() || ws->get<std::string>().empty())
      return std::unexpected(Error::invalid("workspaceId", "the subscriber's workspace is required"));
    return topic(ws->get<std::string>(), it->get<std::string>());
  };
}

const std::set<std::string, std::less<>> kLiveStatuses = {"connecting", "ringing", "connected", "on-hold",
                                                         "transferring"};

/// The call-flow steps the intelligence follows: the scripted brain's phases
/// (brain/scripted_brain.cpp), which the LLM brain's prompt follows too.
const std::vector<std::string> kCallFlow = {"opening", "discovery", "value_proposition", "objection", "closing"};

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

/// intel::to_json() in the live tables' shape (store::LiveStore): call times
/// as the specification's "m:ss" (like transcript timestamps), the overall
/// sentiment as its label. Stored and published alike, so a snapshot and the
/// changes after it agree.
json table_shape(json insights) {
  auto clock = [](json& v) {
    if (v.is_number()) v = store::call_clock(v.get<int64_t>());
  };
  for (auto& p : insights["phases"]) {
    clock(p["startTime"]);
    clock(p["endTime"]);
  }
  json& s = insights["sentiment"];
  if (s.is_object()) {
    if (s["overall"].is_number()) s["overall"] = std::string(intel::sentiment_label(s["overall"].get<double>()));
    for (const char* k : {"lastPositive", "lastNegative"})
      if (s[k].is_object()) clock(s[k]["at"]);
  }
  return insights;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

struct CallState {
  calls::CallInfo info;
  std::unique_ptr<intel::CallIntelligence> intel;
  Steady::time_point created = Steady::now();
  std::optional<Steady::time_point> answered;
  std::string status = "connecting", phase, speaker;
  std::string sentiment;  ///< overall label as last saved ("" = none yet)
  int agent_gain = 0, customer_gain = 0;
  bool levels_dirty = false;
  Steady::time_point levels_written{}, insights_at{};
  bool insights_dirty = false;
  // call_system_config inputs
  json providers = json::object();
  double price_per_minute = 0;
  std::optional<int64_t> caller_final_end_ms;  ///< end of the caller line awaiting the agent's answer
  std::vector<int64_t> response_ms;            ///< caller final → agent line start
  int turns = 0, errors = 0;
  bool ended = false;

  int64_t call_ms(Steady::time_point now) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - answered.value_or(created)).count();
  }
  int duration_s(Steady::time_point now) const { return answered ? static_cast<int>(call_ms(now) / 1000) : 0; }
};

}  // namespace

struct LiveMonitor::Impl {
  store::Store& store;
  realtime::Hub& hub;
  LiveMonitorConfig config;
  std::atomic<calls::CallService*> calls{nullptr};
  std::mutex dialer_mutex;  ///< held while `dialer` is used: set_dialer(nullptr) waits for that use to end
  campaign::Dialer* dialer = nullptr;

  // The queue (any thread → the monitor's thread).
  std::mutex mutex;
  std::condition_variable wake, drained;
  std::deque<std::function<void()>> queue;
  uint64_t enqueued = 0, applied = 0;
  bool stopping = false;

  // The monitor thread's own state (no lock: only that thread touches it,
  // except `live_calls_mutex` guarded lookups from act()).
  std::unordered_map<std::string, CallState> live;
  std::mutex live_mutex;  ///< guards `live` against act() on API threads
  /// Changes to publish once the batch has committed, in order (a function so
  /// that a change can read what the batch wrote, e.g. the call's analytics).
  std::vector<std::function<void()>> outbox;
  Steady::time_point jobs_at{};
  std::string jobs_since = "1970-01-01T00:00:00.000Z";
  std::map<std::string, std::string> job_last;  ///< job id → last published JSON text
  /// The swarm queries; refreshed on the jobs pass (monitor thread only).
  SwarmFeed swarm_feed;

  std::thread thread;

  Impl(store::Store& s, realtime::Hub& h, LiveMonitorConfig c) : store(s), hub(h), config(c), swarm_feed(s, h) {}

  void post(std::function<void()> fn, bool droppable = false) {
    {
      std::lock_guard lock(mutex);
      if (stopping) return;
      if (droppable && queue.size() >= config.max_queue) return;
      queue.push_back(std::move(fn));
      ++enqueued;
    }
    wake.notify_one();
  }

  void run() {
    for (;;) {
      std::deque<std::function<void()>> batch;
      {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, config.tick, [&] { return stopping || !queue.empty(); });
        batch.swap(queue);
        if (stopping && batch.empty()) break;
      }
      apply(batch);
      {
        std::lock_guard lock(mutex);
        applied += batch.size();
      }
      drained.notify_all();
    }
  }

  /// One batch: the store writes in one transaction, then the changes.
  void apply(std::deque<std::function<void()>>& batch) {
    const auto now = Steady::now();
    auto written = store.db().write([&](store::Connection&) -> Result<void> {
      for (auto& fn : batch) fn();
      timed_work(now);
      return {};
    });
    if (!written) spdlog::error("live monitor: {}", written.error().message);
    for (auto& publish_one : outbox) publish_one();
    outbox.clear();
    if (now - jobs_at >= config.jobs_period) {
      jobs_at = now;
      publish_jobs();
    }
  }

  void publish(const std::string& topic, json change) {
    outbox.emplace_back([this, topic, change = std::move(change)]() mutable { hub.publish(topic, std::move(change)); });
  }

  void log_error(const char* what, const std::string& call_id, const Error& e) {
    spdlog::warn("live monitor: {} for call {}: {}", what, call_id, e.message);
  }

  CallState* find(const std::string& call_id) {
    auto it = live.find(call_id);
    return it == live.end() || it->second.ended ? nullptr : &it->second;
  }

  /// The live_calls row as the API shows it (store::LiveStore::call_row()),
  /// with the levels and duration as they are now (the store has them at
  /// most levels_flush late).
  json call_row(const CallState& c, Steady::time_point now) {
    auto stored = store.live().call_row(WorkspaceId(c.info.workspace_id), c.info.call_id);
    json row = stored ? *stored : json{{"callId", c.info.call_id}, {"status", c.status}};
    row["status"] = c.status;
    row["currentPhase"] = or_null(c.phase);
    row["agentGain"] = c.agent_gain;
    row["customerGain"] = c.customer_gain;
    row["currentSpeaker"] = or_null(c.speaker);
    row["duration"] = c.duration_s(now);
    row["sentiment"] = or_null(c.sentiment);
    return row;
  }

  void publish_call(const CallState& c, Steady::time_point now) {
    json row = call_row(c, now);
    publish(call_topic(c.info.workspace_id, c.info.call_id), {{"kind", "call"}, {"call", row}});
    publish(live_calls_topic(c.info.workspace_id), {{"kind", "upsert"}, {"call", std::move(row)}});
  }

  // --- events, on the monitor's thread ---------------------------------

  void on_created(const calls::CallInfo& info) {
    CallState c;
    c.info = info;
    intel::IntelConfig ic;
    ic.phases = kCallFlow;
    if (!info.campaign_id.empty()) {
      // A campaign's call flow (issue 18 §5): its steps are the planned phases, so a step the
      // brain passes over (skipConditions) shows as skipped in call_phases.
      auto rows = store.script_templates().flow_for_call(WorkspaceId(info.workspace_id), info.campaign_id, "");
      if (!rows) spdlog::warn("live call {}: call flow: {}", info.call_id, rows.error().message);
      else if (!rows->empty()) {
        ic.phases.clear();
        for (const auto& step : *rows)
          if (step.contains("phase") && step["phase"].is_string()) ic.phases.push_back(step["phase"].get<std::string>());
      }
    }
    if (!info.agent_id.empty()) {
      if (auto agent = store.agents().config(WorkspaceId(info.workspace_id), info.agent_id)) {
        ic.purpose = agent->purpose;
        c.providers["ttsProvider"] = or_null(agent->voice.provider);
      }
    }
    c.intel = std::make_unique<intel::CallIntelligence>(ic);
    fill_system_config(c);
    {
      std::lock_guard lock(live_mutex);
      live[info.call_id] = std::move(c);
    }
    const auto now = Steady::now();
    CallState& s = live[info.call_id];
    publish_call(s, now);
    save_system_config(s, now);
  }

  void fill_system_config(CallState& c) {
    auto& p = c.providers;
    // The workspace's settings, read once per call (unreadable: the defaults).
    auto read = store.settings().snapshot(WorkspaceId(c.info.workspace_id));
    if (!read) spdlog::warn("live call {}: settings: {}", c.info.call_id, read.error().message);
    const model::SettingsSnapshot settings = read ? std::move(*read) : model::SettingsSnapshot{};
    p["sttProvider"] = settings.speech_providers.stt;
    p["llmProvider"] = settings.llm.enabled() ? settings.llm.model : std::string("scripted");
    if (!p.contains("ttsProvider") || p["ttsProvider"].is_null())
      p["ttsProvider"] = model::AgentVoice{}.provider;  // the agent is gone: the spec's default voice
    const std::string& uri = settings.sip_trunk.uri;
    p["sipProvider"] = uri.empty() ? json(c.info.sip_endpoint.empty() ? "direct" : c.info.sip_endpoint) : json(uri);
    c.price_per_minute += settings.call_prices.per_minute();
  }

  json system_config(const CallState& c, Steady::time_point now) const {
    json j = c.providers;
    const bool up = c.status == "connected" || c.status == "on-hold" || c.status == "transferring";
    for (const char* k : {"sipStatus", "sttStatus", "llmStatus", "ttsStatus"}) j[k] = up ? "connected" : "idle";
    if (c.errors > 0) j["llmStatus"] = "degraded";
    int64_t latency = 0;
    if (!c.response_ms.empty()) {
      auto v = c.response_ms;
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      latency = v[v.size() / 2];
    }
    j["apiLatencyMs"] = latency;
    j["errorRate"] = c.turns > 0 ? 100.0 * c.errors / c.turns : 0.0;
    {
      std::lock_guard lock(const_cast<std::mutex&>(mutex));
      j["queueDepth"] = queue.size();
    }
    j["costPerMinute"] = c.price_per_minute;  // in call_prices.currency
    j["totalCost"] = c.price_per_minute * static_cast<double>(c.call_ms(now)) / 60000.0 * (c.answered ? 1.0 : 0.0);
    return j;
  }

  void save_system_config(CallState& c, Steady::time_point now) {
    json cfg = system_config(c, now);
    if (auto ok = store.live().save_system_config(c.info.call_id, cfg); !ok)
      log_error("system config", c.info.call_id, ok.error());
    publish(call_topic(c.info.workspace_id, c.info.call_id), {{"kind", "systemConfig"}, {"config", std::move(cfg)}});
  }

  void on_status(const std::string& call_id, const std::string& status) {
    CallState* c = find(call_id);
    if (!c) return;
    const auto now = Steady::now();
    if (status == "connected" && !c->answered) {
      std::lock_guard lock(live_mutex);  // act() reads the call time
      c->answered = now;
    }
    c->status = status;  // CallService writes it to live_calls itself
    publish_call(*c, now);
    save_system_config(*c, now);
  }

  void on_transcript(const std::string& call_id, const model::TranscriptLine& e) {
    CallState* c = find(call_id);
    if (!c) return;
    store::LiveTranscriptRow row{e, ""};
    if (e.is_final) {
      row.sentiment = c->intel->on_transcript(e).label;
      c->insights_dirty = true;
      if (e.speaker == "caller") {
        c->caller_final_end_ms = e.end_ms;
      } else if (c->caller_final_end_ms) {
        c->response_ms.push_back(std::max<int64_t>(0, e.start_ms - *c->caller_final_end_ms));
        c->caller_final_end_ms.reset();
      }
    }
    auto stored = store.live().upsert_transcript(call_id, row);
    if (!stored) {
      log_error("transcript", call_id, stored.error());
      return;
    }
    publish(call_topic(c->info.workspace_id, call_id), {{"kind", "transcript"}, {"line", *stored}});
  }

  void on_levels(const std::string& call_id, int agent, int customer, const std::string& speaker) {
    CallState* c = find(call_id);
    if (!c) return;
    const auto now = Steady::now();
    c->intel->on_levels(agent, customer);
    const bool speaker_changed = speaker != c->speaker;
    c->agent_gain = agent;
    c->customer_gain = customer;
    c->speaker = speaker;
    c->levels_dirty = true;
    publish(call_topic(c->info.workspace_id, call_id), {{"kind", "levels"},
                                  {"agentGain", agent},
                                  {"customerGain", customer},
                                  {"currentSpeaker", or_null(speaker)},
                                  {"duration", c->duration_s(now)}});
    if (speaker_changed) publish(live_calls_topic(c->info.workspace_id), {{"kind", "upsert"}, {"call", call_row(*c, now)}});
  }

  void on_turn(const std::string& call_id, const brain::Reply& reply) {
    CallState* c = find(call_id);
    if (!c) return;
    ++c->turns;
    c->intel->on_agent_turn(reply.phase, reply.intent);
    c->insights_dirty = true;
    if (!reply.phase.empty() && reply.phase != c->phase) {
      c->phase = reply.phase;
      if (auto ok = store::CallStore(store.db()).live_status(call_id, c->status, c->phase); !ok) log_error("phase", call_id, ok.error());
      publish_call(*c, Steady::now());
    }
  }

  void on_event(const std::string& call_id, const std::string& name, const std::string& detail) {
    CallState* c = find(call_id);
    if (!c) return;
    if (name == "error" || name == "brain_error" || name == "stt_error" || name == "tts_error") ++c->errors;
    if (name == "escalation") {  // a supervisor alert (issue 18 §6): the calls list and the call's own feed
      json alert = json::parse(detail, nullptr, false);
      if (alert.is_discarded() || !alert.is_object()) alert = {{"detail", detail}};
      alert["kind"] = "escalation";
      alert["callId"] = call_id;
      alert["campaignId"] = c->info.campaign_id;
      alert["agentName"] = c->info.agent_name;
      alert["customerName"] = c->info.customer_name;
      publish(live_calls_topic(c->info.workspace_id), {{"kind", "alert"}, {"alert", alert}});
      publish(call_topic(c->info.workspace_id, call_id), {{"kind", "alert"}, {"alert", std::move(alert)}});
    }
  }

  void refresh_insights(CallState& c, Steady::time_point now) {
    auto insights = c.intel->update(c.call_ms(now));
    json j = table_shape(intel::to_json(insights));
    if (auto ok = store.live().save_insights(c.info.call_id, j); !ok) log_error("insights", c.info.call_id, ok.error());
    const std::string overall = j["sentiment"].is_object() ? str(j["sentiment"], "overall") : std::string{};
    j["kind"] = "insights";
    publish(call_topic(c.info.workspace_id, c.info.call_id), std::move(j));
    if (overall != c.sentiment) {  // the calls list shows each call's sentiment
      c.sentiment = overall;
      publish(live_calls_topic(c.info.workspace_id), {{"kind", "upsert"}, {"call", call_row(c, now)}});
    }
    c.insights_at = now;
    c.insights_dirty = false;
  }

  void on_ended(const calls::CallOutcome& outcome) {
    const std::string& call_id = outcome.call_id;
    CallState* c = find(call_id);
    if (!c) return;
    const auto now = Steady::now();
    auto insights = c->intel->finish(c->call_ms(now));
    json ij = table_shape(intel::to_json(insights));
    if (auto ok = store.live().save_insights(call_id, ij); !ok) log_error("insights", call_id, ok.error());
    save_system_config(*c, now);
    json details = {{"outcome", outcome.outcome ? json(brain::outcome_label(*outcome.outcome)) : json(nullptr)},
                    {"status", calls::call_status_label(outcome.status)},
                    {"errorMessage", outcome.end_reason.empty() ? json(nullptr) : json(outcome.end_reason)},
                    // The objection-handling figures (issue 18 §8): not in the live tables, archived with the call.
                    {"objections", {{"raised", insights.objections.raised}, {"answered", insights.objections.answered}}}};
    const WorkspaceId ws(c->info.workspace_id);
    if (auto ok = store.live().finish(call_id, details); !ok) log_error("finish", call_id, ok.error());
    else if (*ok) publish(live_calls_topic(ws.value), {{"kind", "alert"}, {"alert", **ok}});  // flagged for review (issue 18 §6)
    ij["kind"] = "insights";
    publish(call_topic(ws.value, call_id), std::move(ij));
    outbox.emplace_back([this, call_id, ws] {  // the analytics record as committed
      auto stored = store.live().analytics(ws, call_id);
      hub.publish(call_topic(ws.value, call_id), {{"kind", "ended"}, {"analytics", stored ? *stored : json(nullptr)}});
    });
    publish(live_calls_topic(ws.value), {{"kind", "remove"}, {"callId", call_id}});
    std::lock_guard lock(live_mutex);
    live.erase(call_id);
  }

  /// Levels to the store (throttled), intelligence every insights_period.
  void timed_work(Steady::time_point now) {
    for (auto& [id, c] : live) {
      if (c.ended) continue;
      if (c.levels_dirty && now - c.levels_written >= config.levels_flush) {
        if (auto ok = store.live().update_levels(id, c.agent_gain, c.customer_gain, c.speaker, c.duration_s(now)); !ok)
          log_error("levels", id, ok.error());
        c.levels_dirty = false;
        c.levels_written = now;
      }
      if (c.answered && (c.insights_dirty || now - c.insights_at >= config.insights_period)) {
        refresh_insights(c, now);
        if (now - c.insights_at < config.tick) save_system_config(c, now);
      }
    }
  }

  // --- jobs and campaigns ----------------------------------------------

  json job_view(const WorkspaceId& ws, const std::string& job_id) {
    auto job = store.jobs().records().get(ws, job_id);
    if (!job) return nullptr;
    json j = *job;
    std::lock_guard lock(dialer_mutex);
    if (dialer) {
      if (auto p = dialer->progress(ws, job_id)) {
        j["progress"] = {{"status", p->status},       {"total", p->total},       {"pending", p->pending},
                         {"waiting", p->waiting},     {"calling", p->calling},   {"completed", p->completed},
                         {"failed", p->failed},       {"paused", p->paused},     {"outcomes", p->outcomes}};
      }
    }
    return j;
  }

  /// Re-reads jobs that are running or changed since the last pass and
  /// publishes the ones whose view changed (and their campaigns' stats).
  void publish_jobs() {
    const std::string since = jobs_since;
    jobs_since = now_iso8601();
    using Changed = std::array<std::string, 3>;  // workspace, job, campaign
    auto ids = store.db().read([&](store::Connection& c) -> Result<std::vector<Changed>> {
      auto st = c.prepare(
          "SELECT workspace_id, id, campaign_id FROM jobs "
          "WHERE status IN ('pending', 'running') OR coalesce(updated_at, created_at) >= ?");
      if (!st) return std::unexpected(st.error());
      (*st)->bind_text(1, since);
      std::vector<Changed> out;
      for (;;) {
        auto row = (*st)->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        out.push_back({std::string((*st)->column_text(0)), std::string((*st)->column_text(1)),
                       std::string((*st)->column_text(2))});
      }
      return out;
    });
    if (!ids) {
      spdlog::warn("live monitor: jobs: {}", ids.error().message);
      return;
    }
    std::set<std::pair<std::string, std::string>> campaigns;  // workspace, campaign
    std::set<std::pair<std::string, std::string>> swarms;     // every campaign of these jobs
    for (const auto& [workspace_id, job_id, campaign_id] : *ids) {
      if (!campaign_id.empty()) swarms.insert({workspace_id, campaign_id});
      json view = job_view(WorkspaceId(workspace_id), job_id);
      if (view.is_null()) continue;
      std::string text = view.dump();
      auto& last = job_last[job_id];
      if (last == text) continue;
      last = std::move(text);
      hub.publish(job_topic(workspace_id, job_id), {{"kind", "job"}, {"job", std::move(view)}});
      campaigns.insert({workspace_id, campaign_id});
    }
    for (const auto& [workspace_id, id] : campaigns) {
      auto stats = campaign_stats(store, id);
      if (stats) hub.publish(campaign_topic(workspace_id, id), {{"kind", "stats"}, {"stats", std::move(*stats)}});
    }
    // The swarm's rows (members, objectives, activity, recent calls) change
    // without the job's view changing (a tick's scaling, an alert): compare
    // every such campaign's rows on each pass.
    for (const auto& [workspace_id, id] : swarms) swarm_feed.refresh(WorkspaceId(workspace_id), id);
  }

 public:
  /// campaignStats: the campaign's job calls by state and outcome, calls in
  /// progress, and the 20 most recent calls.
  static Result<json> campaign_stats(store::Store& store, const std::string& campaign_id) {
    return store.db().read([&](store::Connection& c) -> Result<json> {
      json s = {{"campaignId", campaign_id}};
      auto counts = c.prepare(
          "SELECT count(*), coalesce(sum(jc.status = 'pending'), 0), coalesce(sum(jc.status = 'calling'), 0), "
          "coalesce(sum(jc.status = 'completed'), 0), coalesce(sum(jc.status = 'failed'), 0), coalesce(sum(jc.attempts), 0) "
          "FROM job_calls jc JOIN jobs j ON j.id = jc.job_id WHERE j.campaign_id = ?");
      if (!counts) return std::unexpected(counts.error());
      (*counts)->bind_text(1, campaign_id);
      auto row = (*counts)->step();
      if (!row) return std::unexpected(row.error());
      auto& k = **counts;
      s["total"] = k.column_int(0);
      s["pending"] = k.column_int(1);
      s["inProgress"] = k.column_int(2);
      s["completed"] = k.column_int(3);
      s["failed"] = k.column_int(4);
      s["placed"] = k.column_int(5);
      json outcomes = json::object();
      auto oc = c.prepare(
          "SELECT jc.outcome, count(*) FROM job_calls jc JOIN jobs j ON j.id = jc.job_id WHERE j.campaign_id = ? "
          "AND jc.outcome IS NOT NULL GROUP BY jc.outcome ORDER BY jc.outcome");
      if (!oc) return std::unexpected(oc.error());
      (*oc)->bind_text(1, campaign_id);
      for (;;) {
        auto r = (*oc)->step();
        if (!r) return std::unexpected(r.error());
        if (!*r) break;
        outcomes[std::string((*oc)->column_text(0))] = (*oc)->column_int(1);
      }
      s["outcomes"] = std::move(outcomes);
      json recent = json::array();
      auto rc = c.prepare(
          "SELECT c.id, c.to_phone, ct.name, c.status, c.outcome, c.duration, c.ended_at, a.overall_sentiment "
          "FROM calls c JOIN jobs j ON j.id = c.job_id LEFT JOIN contacts ct ON ct.id = c.contact_id "
          "LEFT JOIN call_analytics a ON a.call_id = c.id "
          "WHERE j.campaign_id = ? ORDER BY c.created_at DESC, c.id LIMIT 20");
      if (!rc) return std::unexpected(rc.error());
      (*rc)->bind_text(1, campaign_id);
      for (;;) {
        auto r = (*rc)->step();
        if (!r) return std::unexpected(r.error());
        if (!*r) break;
        auto& q = **rc;
        auto text = [&](int col) { return q.is_null(col) ? json(nullptr) : json(std::string(q.column_text(col))); };
        recent.push_back({{"callId", text(0)},
                          {"prospectPhone", text(1)},
                          {"prospectName", text(2)},
                          {"status", text(3)},
                          {"outcome", text(4)},
                          {"duration", q.is_null(5) ? json(nullptr) : json(q.column_int(5))},
                          {"endedAt", text(6)},
                          {"sentiment", text(7)}});
      }
      s["recentCalls"] = std::move(recent);
      return s;
    });
  }

  void register_queries() {
    realtime::QuerySpec calls_q;
    calls_q.name = "liveCalls";
    calls_q.topic = [](const json& args) -> Result<std::string> {
      if (auto it = args.find("status"); it != args.end() && !it->is_null()) {
        if (!it->is_string() || !kLiveStatuses.contains(it->get<std::string>()))
          return std::unexpected(Error::invalid(
              "status", "must be one of connecting, ringing, connected, on-hold, transferring"));
      }
      const WorkspaceId ws = query_workspace(args);
      if (ws.empty()) return std::unexpected(Error::invalid("workspaceId", "the subscriber's workspace is required"));
      return live_calls_topic(ws.value);
    };
    calls_q.snapshot = [this](const json& args) -> Result<json> {
      std::optional<std::string> status;
      if (auto it = args.find("status"); it != args.end() && it->is_string()) status = it->get<std::string>();
      return store.live().live_calls(query_workspace(args), status);
    };
    calls_q.filter = [](const json& args, const json& change) -> std::optional<json> {
      auto it = args.find("status");
      if (it == args.end() || !it->is_string() || str(change, "kind") != "upsert") return change;
      const json& row = change["call"];
      if (str(row, "status") == it->get<std::string>()) return change;
      return json{{"kind", "remove"}, {"callId", row.value("callId", json(nullptr))}};
    };
    hub.register_query(std::move(calls_q));

    realtime::QuerySpec call_q;
    call_q.name = "liveCall";
    call_q.topic = topic_by_id(call_topic, "live call");
    call_q.snapshot = [this](const json& args) -> Result<json> {
      return store.live().live_call(query_workspace(args), str(args, "id"));
    };
    hub.register_query(std::move(call_q));

    realtime::QuerySpec job_q;
    job_q.name = "job";
    job_q.topic = topic_by_id(job_topic, "job");
    job_q.snapshot = [this](const json& args) -> Result<json> {
      json view = job_view(query_workspace(args), str(args, "id"));
      if (view.is_null()) return std::unexpected(Error::not_found("job " + str(args, "id") + " not found"));
      return view;
    };
    hub.register_query(std::move(job_q));

    realtime::QuerySpec stats_q;
    stats_q.name = "campaignStats";
    stats_q.topic = topic_by_id(campaign_topic, "campaign");
    stats_q.snapshot = [this](const json& args) -> Result<json> {
      const std::string id = str(args, "id");
      if (auto campaign = store.campaigns().get(query_workspace(args), id); !campaign)
        return std::unexpected(Error::not_found("campaign " + id + " not found"));
      return campaign_stats(store, id);
    };
    hub.register_query(std::move(stats_q));
  }
};

LiveMonitor::LiveMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::shared_ptr<LiveMonitor>> LiveMonitor::create(store::Store& store, realtime::Hub& hub,
                                                         LiveMonitorConfig config) {
  auto impl = std::make_unique<Impl>(store, hub, config);
  impl->register_queries();
  auto* raw = impl.get();
  raw->thread = std::thread([raw] { raw->run(); });
  return std::shared_ptr<LiveMonitor>(new LiveMonitor(std::move(impl)));
}

LiveMonitor::~LiveMonitor() { stop(); }

void LiveMonitor::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void LiveMonitor::flush() {
  std::unique_lock lock(impl_->mutex);
  const uint64_t target = impl_->enqueued;
  impl_->wake.notify_all();
  impl_->drained.wait(lock, [&] { return impl_->applied >= target || impl_->stopping; });
}

void LiveMonitor::set_call_service(calls::CallService* calls) { impl_->calls = calls; }
void LiveMonitor::set_dialer(campaign::Dialer* dialer) {
  std::lock_guard lock(impl_->dialer_mutex);
  impl_->dialer = dialer;
}

void LiveMonitor::call_created(const calls::CallInfo& call) {
  impl_->post([this, call] { impl_->on_created(call); });
}
void LiveMonitor::call_status(const std::string& call_id, std::string_view status) {
  impl_->post([this, call_id, s = std::string(status)] { impl_->on_status(call_id, s); });
}
void LiveMonitor::transcript(const std::string& call_id, const model::TranscriptLine& line) {
  impl_->post([this, call_id, line] { impl_->on_transcript(call_id, line); }, !line.is_final);
}
void LiveMonitor::levels(const std::string& call_id, int agent_gain, int customer_gain,
                         std::string_view current_speaker) {
  impl_->post([this, call_id, agent_gain, customer_gain, s = std::string(current_speaker)] {
    impl_->on_levels(call_id, agent_gain, customer_gain, s);
  }, true);
}
void LiveMonitor::agent_turn(const std::string& call_id, const brain::Reply& reply) {
  impl_->post([this, call_id, reply] { impl_->on_turn(call_id, reply); });
}
void LiveMonitor::event(const std::string& call_id, std::string_view name, std::string_view detail) {
  impl_->post([this, call_id, n = std::string(name), d = std::string(detail)] { impl_->on_event(call_id, n, d); });
}
void LiveMonitor::call_ended(const calls::CallOutcome& outcome) {
  impl_->post([this, outcome] { impl_->on_ended(outcome); });
}

Result<nlohmann::json> LiveMonitor::act(const WorkspaceId& ws, const std::string& call_id, const std::string& action,
                                        const nlohmann::json& details, const std::string& supervisor_id,
                                        const std::string& supervisor_name) {
  int64_t call_ms = 0;
  {
    std::lock_guard lock(impl_->live_mutex);
    auto it = impl_->live.find(call_id);
    if (it == impl_->live.end() || it->second.info.workspace_id != ws.value)
      return std::unexpected(Error::not_found("no live call " + call_id + " on this node"));
    call_ms = it->second.call_ms(Steady::now());
  }
  std::optional<calls::SupervisorCommand> cmd;
  using K = calls::SupervisorCommand::Kind;
  const std::string text = str(details, "text");
  if (action == "COACH_AGENT") cmd = calls::SupervisorCommand{K::coach, text, {}};
  else if (action == "TAKE_OVER") cmd = calls::SupervisorCommand{K::take_over, {}, {}};
  else if (action == "RELEASE") cmd = calls::SupervisorCommand{K::release, {}, {}};
  else if (action == "TRANSFER_CALL") cmd = calls::SupervisorCommand{K::transfer, {}, str(details, "target")};
  else if (action == "END_CALL") cmd = calls::SupervisorCommand{K::end_call, text, {}};
  if (cmd) {
    auto* svc = impl_->calls.load();
    if (!svc) return std::unexpected(Error{ErrorCode::conflict, "live control unavailable: this node places no calls", {}});
    if (auto ok = svc->supervise(call_id, *cmd); !ok) return std::unexpected(ok.error());
  }
  auto row = impl_->store.live().record_supervisor_action(ws, call_id, action, details, supervisor_id, supervisor_name,
                                                          call_ms);
  if (!row) return std::unexpected(row.error());
  impl_->hub.publish(call_topic(ws.value, call_id), {{"kind", "action"}, {"action", *row}});
  return row;
}

}  // namespace voqo::live
