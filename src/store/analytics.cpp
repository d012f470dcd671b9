#include "store/analytics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "core/json_text.hpp"
#include "core/time.hpp"
#include "store/calls.hpp"
#include "store/sql_args.hpp"
#include "store/swarm.hpp"

namespace voqo::store {

using analytics::Period;
using nlohmann::json;
using std::chrono::sys_seconds;

std::string MetricsScope::key() const {
  switch (kind) {
    case Kind::workspace: return "w";
    case Kind::campaign: return "c:" + id;
    case Kind::agent: return "a:" + id;
    case Kind::swarm_agent: return "s:" + id;
  }
  return "w";
}

std::optional<double> AbandonFigures::rate_percent() const {
  if (answered_by_person <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(abandoned) / static_cast<double>(answered_by_person);
}

namespace {

/// What places a call in its rows.
struct Facts {
  std::string workspace, agent_id, campaign_id, swarm_agent_id, callee_zone;
  sys_seconds placed{};
};

/// What a call adds to each of its rows (docs/ANALYTICS.md's definitions).
struct Delta {
  int64_t total = 0, connected = 0, interested = 0, qualified = 0, conversions = 0, appointments = 0;
  int64_t duration_s = 0, ring_ms = 0, ring_samples = 0, abandoned = 0, answered = 0;
  double quality = 0, adherence = 0;
  int64_t quality_samples = 0, adherence_samples = 0;
  int64_t objections_raised = 0, objections_handled = 0;
};

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  return std::ranges::find(set, v) != set.end();
}

struct CallFigures {
  std::string status, outcome;
  std::optional<int64_t> duration_s, ring_time_ms;
  bool answered_by_person = false, abandoned = false;
  std::optional<double> quality, adherence;
  std::optional<int64_t> objections_raised, objections_answered;
};

/// The funnel's "interested" (docs/ANALYTICS.md): connected with one of four outcomes.
bool interested(const CallFigures& f) {
  return f.status == "completed" && f.answered_by_person &&
         one_of(f.outcome, {"Demo Scheduled", "Follow-up Needed", "Call Back Later", "Transferred"});
}

/// Objection-handling success (docs/ANALYTICS.md): a call counts as raised
/// when the callee raised at least one objection, and as handled when, as
/// well, the agent answered every one of them and the call ended interested.
std::pair<int64_t, int64_t> objections_of(const CallFigures& f) {
  const int64_t raised = f.objections_raised.value_or(0);
  if (raised <= 0) return {0, 0};
  const bool all_answered = f.objections_answered.value_or(0) >= raised;
  return {1, all_answered && interested(f) ? 1 : 0};
}

Delta delta_of(const CallFigures& f) {
  Delta d;
  d.total = 1;
  const bool connected = f.status == "completed" && f.answered_by_person;
  d.connected = connected ? 1 : 0;
  if (connected) {
    d.interested = interested(f) ? 1 : 0;
    d.qualified = one_of(f.outcome, {"Demo Scheduled", "Follow-up Needed", "Transferred"}) ? 1 : 0;
    d.conversions = one_of(f.outcome, {"Demo Scheduled", "Transferred"}) ? 1 : 0;
    d.appointments = f.outcome == "Demo Scheduled" ? 1 : 0;
    d.duration_s = std::max<int64_t>(0, f.duration_s.value_or(0));
  }
  if (f.ring_time_ms) {
    d.ring_ms = *f.ring_time_ms;
    d.ring_samples = 1;
  }
  d.answered = f.answered_by_person ? 1 : 0;
  d.abandoned = f.abandoned && f.answered_by_person ? 1 : 0;
  if (f.quality) {
    d.quality = *f.quality;
    d.quality_samples = 1;
  }
  if (f.adherence) {
    d.adherence = *f.adherence;
    d.adherence_samples = 1;
  }
  std::tie(d.objections_raised, d.objections_handled) = objections_of(f);
  return d;
}

TimeZone zone_or_utc(const std::string& name) {
  if (name.empty()) return TimeZone::utc();
  auto z = TimeZone::locate(name);
  return z ? *z : TimeZone::utc();
}

std::string iso(sys_seconds t) { return to_iso8601(std::chrono::system_clock::time_point(t)); }

Result<void> step(StatementRef& st) {
  if (auto done = st->step(); !done) return std::unexpected(done.error());
  return {};
}

/// Which scopes a pass touches: all four, or a campaign's (rebuild --campaign).
enum class Scopes { all, campaign_only };

/// Adds `d` to the rows of every scope of `f` (and, with `slots`, to its
/// callee-local hour and weekday). `campaign_zone` is the campaign's zone name.
Result<void> apply(Connection& c, const Facts& f, const Delta& d, bool slots, const std::string& campaign_zone,
                   Scopes which = Scopes::all) {
  struct Scope {
    std::string key, campaign_id, agent_id, swarm_agent_id;
    bool campaign_zone;
  };
  std::vector<Scope> scopes;
  if (which == Scopes::all) {
    scopes.push_back({"w", "", "", "", false});
    scopes.push_back({"a:" + f.agent_id, "", f.agent_id, "", false});
  }
  if (!f.campaign_id.empty()) scopes.push_back({"c:" + f.campaign_id, f.campaign_id, "", "", true});
  if (!f.swarm_agent_id.empty()) scopes.push_back({"s:" + f.swarm_agent_id, f.campaign_id, "", f.swarm_agent_id, true});
  const TimeZone utc = TimeZone::utc();
  const TimeZone campaign = zone_or_utc(campaign_zone);
  const std::string campaign_zone_name = campaign.name();
  const std::string now = now_iso8601();
  auto up = c.prepare(
      "INSERT INTO swarm_performance_metrics (workspace_id, scope_key, campaign_id, agent_id, swarm_agent_id, period, "
      "period_start, time_zone, total_calls, connected_calls, interested, qualified, conversions, appointments, "
      "sum_duration_s, sum_ring_time_ms, ring_samples, abandoned_calls, answered_by_person, sum_quality, "
      "quality_samples, sum_script_adherence, adherence_samples, objections_raised, objections_handled, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
      "?23, ?24, ?25, ?26) "
      "ON CONFLICT (workspace_id, scope_key, period, period_start) DO UPDATE SET "
      "total_calls = total_calls + excluded.total_calls, connected_calls = connected_calls + excluded.connected_calls, "
      "interested = interested + excluded.interested, qualified = qualified + excluded.qualified, "
      "conversions = conversions + excluded.conversions, appointments = appointments + excluded.appointments, "
      "sum_duration_s = sum_duration_s + excluded.sum_duration_s, "
      "sum_ring_time_ms = sum_ring_time_ms + excluded.sum_ring_time_ms, ring_samples = ring_samples + excluded.ring_samples, "
      "abandoned_calls = abandoned_calls + excluded.abandoned_calls, "
      "answered_by_person = answered_by_person + excluded.answered_by_person, "
      "sum_quality = sum_quality + excluded.sum_quality, quality_samples = quality_samples + excluded.quality_samples, "
      "sum_script_adherence = sum_script_adherence + excluded.sum_script_adherence, "
      "adherence_samples = adherence_samples + excluded.adherence_samples, "
      "objections_raised = objections_raised + excluded.objections_raised, "
      "objections_handled = objections_handled + excluded.objections_handled, updated_at = excluded.updated_at");
  if (!up) return std::unexpected(up.error());
  auto& s = **up;
  for (const auto& scope : scopes) {
    const TimeZone& zone = scope.campaign_zone ? campaign : utc;
    for (Period p : analytics::kAllPeriods) {
      s.bind_text(1, f.workspace);
      s.bind_text(2, scope.key);
      auto text_or_null = [&](int i, const std::string& v) { v.empty() ? s.bind_null(i) : s.bind_text(i, v); };
      text_or_null(3, scope.campaign_id);
      text_or_null(4, scope.agent_id);
      text_or_null(5, scope.swarm_agent_id);
      s.bind_text(6, analytics::to_string(p));
      s.bind_text(7, iso(analytics::period_start(p, f.placed, zone)));
      s.bind_text(8, scope.campaign_zone ? campaign_zone_name : std::string("UTC"));
      s.bind_int(9, d.total);
      s.bind_int(10, d.connected);
      s.bind_int(11, d.interested);
      s.bind_int(12, d.qualified);
      s.bind_int(13, d.conversions);
      s.bind_int(14, d.appointments);
      s.bind_int(15, d.duration_s);
      s.bind_int(16, d.ring_ms);
      s.bind_int(17, d.ring_samples);
      s.bind_int(18, d.abandoned);
      s.bind_int(19, d.answered);
      s.bind_double(20, d.quality);
      s.bind_int(21, d.quality_samples);
      s.bind_double(22, d.adherence);
      s.bind_int(23, d.adherence_samples);
      s.bind_int(24, d.objections_raised);
      s.bind_int(25, d.objections_handled);
      s.bind_text(26, now);
      if (auto r = step(*up); !r) return r;
      s.reset();
    }
  }
  if (!slots) return {};
  // Peak hours and best days: the callee's local time (their zone, else the campaign's).
  const TimeZone callee = f.callee_zone.empty() ? campaign : zone_or_utc(f.callee_zone);
  const analytics::LocalSlot at = analytics::local_slot(f.placed, callee);
  auto sl = c.prepare(
      "INSERT INTO swarm_call_slots (workspace_id, scope_key, kind, slot, total_calls, connected_calls, conversions) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, scope_key, kind, slot) DO UPDATE SET "
      "total_calls = total_calls + excluded.total_calls, connected_calls = connected_calls + excluded.connected_calls, "
      "conversions = conversions + excluded.conversions");
  if (!sl) return std::unexpected(sl.error());
  for (const auto& scope : scopes) {
    for (const auto& [kind, slot] : {std::pair{"hour", at.hour}, std::pair{"weekday", at.weekday}}) {
      (*sl)->bind_text(1, f.workspace);
      (*sl)->bind_text(2, scope.key);
      (*sl)->bind_text(3, kind);
      (*sl)->bind_int(4, slot);
      (*sl)->bind_int(5, d.total);
      (*sl)->bind_int(6, d.connected);
      (*sl)->bind_int(7, d.conversions);
      if (auto r = step(*sl); !r) return r;
      (*sl)->reset();
    }
  }
  return {};
}

sys_seconds parse_instant(std::string_view text) {
  auto t = parse_iso8601(text);
  return t ? std::chrono::floor<std::chrono::seconds>(*t) : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::optional<int64_t> int_col(const Statement& s, int i) {
  if (s.is_null(i)) return std::nullopt;
  return s.column_int(i);
}
std::optional<double> real_col(const Statement& s, int i) {
  if (s.is_null(i)) return std::nullopt;
  return s.column_double(i);
}
std::string text_col(const Statement& s, int i) {
  auto v = s.column_text(i);
  return v.data() ? std::string(v) : std::string();
}

/// The columns read_call reads, after "SELECT ".
constexpr std::string_view kCallColumns =
    "workspace_id, agent_id, campaign_id, swarm_agent_id, coalesce(placed_at, started_at, created_at), "
    "callee_time_zone, status, outcome, duration, ring_time_ms, answered_by_person, abandoned, quality_score, "
    "script_adherence, objections_raised, objections_answered";
/// The same before migration 15 adds the objection counts (migration 9's back-fill runs on a version 8 schema).
constexpr std::string_view kCallColumnsBefore15 =
    "workspace_id, agent_id, campaign_id, swarm_agent_id, coalesce(placed_at, started_at, created_at), "
    "callee_time_zone, status, outcome, duration, ring_time_ms, answered_by_person, abandoned, quality_score, "
    "script_adherence, NULL, NULL";
std::string call_columns(Connection& c) {
  auto has = c.prepare("SELECT 1 FROM pragma_table_info('calls') WHERE name = 'objections_raised'");
  if (!has) return std::string(kCallColumns);
  auto row = (*has)->step();
  return std::string(row && *row ? kCallColumns : kCallColumnsBefore15);
}

std::pair<Facts, CallFigures> read_call(const Statement& s) {
  Facts f{text_col(s, 0), text_col(s, 1), text_col(s, 2), text_col(s, 3), text_col(s, 5),
          parse_instant(s.column_text(4))};
  CallFigures g{text_col(s, 6), text_col(s, 7), int_col(s, 8), int_col(s, 9), s.column_int(10) != 0,
                s.column_int(11) != 0, real_col(s, 12), real_col(s, 13), int_col(s, 14), int_col(s, 15)};
  return {std::move(f), std::move(g)};
}

}  // namespace

std::string AnalyticsRepository::campaign_time_zone(Connection& c, const WorkspaceId& ws, const std::string& campaign_id) {
  if (campaign_id.empty()) return "UTC";
  // campaigns.active_hours {start, end, timezone, daysOfWeek} comes with
  // migration 8 (swarm campaigns); before it every campaign is in UTC.
  auto has = c.prepare("SELECT 1 FROM pragma_table_info('campaigns') WHERE name = 'active_hours'");
  if (!has) return "UTC";
  auto row = (*has)->step();
  if (!row || !*row) return "UTC";
  auto st = c.prepare(
      "SELECT json_extract(active_hours, '$.timezone') FROM campaigns WHERE id = ? AND workspace_id = ? "
      "AND json_valid(active_hours)");
  if (!st) return "UTC";
  (*st)->bind_text(1, campaign_id);
  (*st)->bind_text(2, ws.value);
  auto found = (*st)->step();
  if (!found || !*found) return "UTC";
  const std::string name = text_col(**st, 0);
  if (name.empty() || !TimeZone::locate(name)) return "UTC";
  return name;
}

std::string AnalyticsRepository::campaign_time_zone(const WorkspaceId& ws, const std::string& campaign_id) {
  return db_.read([&](Connection& c) { return campaign_time_zone(c, ws, campaign_id); });
}

Result<void> AnalyticsRepository::count_call(Connection& c, const CallRecord& r, std::string_view placed_at) {
  Facts f{r.workspace_id.value, r.agent_id, r.campaign_id, r.swarm_agent_id, r.callee_time_zone,
          parse_instant(placed_at)};
  CallFigures g{r.status, r.outcome.value_or(""), r.duration_s, r.ring_time_ms, r.answered_by_person, r.abandoned,
                r.quality_score, r.script_adherence, r.objections_raised, r.objections_answered};
  return apply(c, f, delta_of(g), true, campaign_time_zone(c, r.workspace_id, r.campaign_id));
}

Result<void> AnalyticsRepository::record_intelligence_in(Connection& c, const std::string& call_id,
                                                         const IntelligenceFigures& in) {
  if (in.objections_raised.has_value() != in.objections_answered.has_value())
    return std::unexpected(Error::invalid(in.objections_raised ? "objections.answered" : "objections.raised",
                                          "objections raised and answered go together"));
  if (in.objections_raised && (*in.objections_raised < 0 || *in.objections_answered < 0 ||
                               *in.objections_answered > *in.objections_raised))
    return std::unexpected(Error::invalid("objections.answered", "must be between 0 and objections.raised"));
  Facts f;
  CallFigures old;
  {
    auto st = c.prepare("SELECT " + std::string(kCallColumns) + " FROM calls WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, call_id);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
    std::tie(f, old) = read_call(**st);
  }
  CallFigures now = old;
  now.quality = in.quality;
  now.adherence = in.adherence;
  now.objections_raised = in.objections_raised;
  now.objections_answered = in.objections_answered;
  Delta d;  // only the intelligence sums move: new minus what was counted
  d.quality = in.quality.value_or(0) - old.quality.value_or(0);
  d.quality_samples = (in.quality ? 1 : 0) - (old.quality ? 1 : 0);
  d.adherence = in.adherence.value_or(0) - old.adherence.value_or(0);
  d.adherence_samples = (in.adherence ? 1 : 0) - (old.adherence ? 1 : 0);
  const auto [raised_now, handled_now] = objections_of(now);
  const auto [raised_before, handled_before] = objections_of(old);
  d.objections_raised = raised_now - raised_before;
  d.objections_handled = handled_now - handled_before;
  const bool moves = d.quality != 0 || d.quality_samples != 0 || d.adherence != 0 || d.adherence_samples != 0 ||
                     d.objections_raised != 0 || d.objections_handled != 0;
  if (moves)
    if (auto r = apply(c, f, d, false, campaign_time_zone(c, WorkspaceId(f.workspace), f.campaign_id)); !r) return r;
  // The swarm agent's quality (a running mean) and the recent-calls feed (issue 18 §2, §8), by the same difference.
  if (auto r = SwarmRepository::record_quality(c, WorkspaceId(f.workspace), call_id, f.swarm_agent_id, in.quality,
                                               d.quality, d.quality_samples, in.sentiment);
      !r)
    return r;
  auto up = c.prepare(
      "UPDATE calls SET quality_score = ?, script_adherence = ?, objections_raised = ?, objections_answered = ?, "
      "sentiment = ? WHERE id = ?");
  if (!up) return std::unexpected(up.error());
  auto& u = **up;
  in.quality ? u.bind_double(1, *in.quality) : u.bind_null(1);
  in.adherence ? u.bind_double(2, *in.adherence) : u.bind_null(2);
  in.objections_raised ? u.bind_int(3, *in.objections_raised) : u.bind_null(3);
  in.objections_answered ? u.bind_int(4, *in.objections_answered) : u.bind_null(4);
  in.sentiment ? u.bind_text(5, *in.sentiment) : u.bind_null(5);
  u.bind_text(6, call_id);
  return step(*up);
}

Result<int64_t> AnalyticsRepository::rebuild_in(Connection& c, const std::optional<WorkspaceId>& ws_in,
                                                const std::optional<std::string>& campaign_id) {
  std::optional<WorkspaceId> ws = ws_in;
  if (campaign_id) {
    std::optional<std::string> owner;
    auto found = sql::each(c, "SELECT workspace_id FROM campaigns WHERE id = ?", {*campaign_id},
                           [&](const Statement& s) { owner = text_col(s, 0); });
    if (!found) return std::unexpected(found.error());
    if (!owner || (ws && *owner != ws->value))
      return std::unexpected(Error::not_found("campaign " + *campaign_id + " not found"));
    ws = WorkspaceId(*owner);
  }
  // Which calls the pass counts (and which rows it drops first): one
  // campaign's, one workspace's, or every call.
  std::string where;
  std::vector<sql::Arg> args;
  if (campaign_id) {
    where = " WHERE workspace_id = ?1 AND campaign_id = ?2";
    args = {ws->value, *campaign_id};
  } else if (ws) {
    where = " WHERE workspace_id = ?1";
    args = {ws->value};
  }
  // Drop what the pass recomputes: a campaign's rows and its swarm agents', or the scope's.
  const std::string drop =
      campaign_id ? " WHERE workspace_id = ?1 AND (scope_key = 'c:' || ?2 OR scope_key IN (SELECT 's:' || swarm_agent_id "
                    "FROM calls" + where + " AND swarm_agent_id IS NOT NULL))"
                  : where;
  for (std::string_view table : {"swarm_performance_metrics", "swarm_call_slots"})
    if (auto r = sql::run(c, "DELETE FROM " + std::string(table) + drop, args); !r) return std::unexpected(r.error());
  std::map<std::pair<std::string, std::string>, std::string> zones;
  int64_t counted = 0;
  Result<void> failed;
  auto walked = sql::each(c, "SELECT " + call_columns(c) + " FROM calls" + where, args, [&](const Statement& s) {
    if (!failed) return;  // an earlier row failed: the pass is undone by the caller's transaction
    auto [f, g] = read_call(s);
    auto key = std::pair{f.workspace, f.campaign_id};
    auto z = zones.find(key);
    if (z == zones.end()) z = zones.emplace(key, campaign_time_zone(c, WorkspaceId(f.workspace), f.campaign_id)).first;
    failed = apply(c, f, delta_of(g), true, z->second, campaign_id ? Scopes::campaign_only : Scopes::all);
    ++counted;
  });
  if (!walked) return std::unexpected(walked.error());
  if (!failed) return std::unexpected(failed.error());
  return counted;
}

Result<int64_t> AnalyticsRepository::rebuild(const std::optional<WorkspaceId>& ws,
                                             const std::optional<std::string>& campaign_id) {
  return db_.write([&](Connection& c) { return rebuild_in(c, ws, campaign_id); });
}

Result<AnalyticsRepository::Rows> AnalyticsRepository::periods(const WorkspaceId& ws, const MetricsScope& scope,
                                                               Period period, std::optional<sys_seconds> from,
                                                               std::optional<sys_seconds> to) {
  return db_.read([&](Connection& c) -> Result<Rows> {
    Rows out;
    out.time_zone = scope.kind == MetricsScope::Kind::campaign ? campaign_time_zone(c, ws, scope.id) : "UTC";
    auto st = c.prepare(
        "SELECT period_start, total_calls, connected_calls, interested, qualified, conversions, appointments, "
        "sum_duration_s, sum_ring_time_ms, ring_samples, abandoned_calls, answered_by_person, sum_quality, "
        "quality_samples, sum_script_adherence, adherence_samples, objections_raised, objections_handled, time_zone "
        "FROM swarm_performance_metrics WHERE workspace_id = ? AND scope_key = ? AND period = ? "
        "AND period_start >= ? AND period_start < ? ORDER BY period_start DESC LIMIT ?");
    if (!st) return std::unexpected(st.error());
    auto& s = **st;
    s.bind_text(1, ws.value);
    s.bind_text(2, scope.key());
    s.bind_text(3, analytics::to_string(period));
    s.bind_text(4, from ? iso(*from) : std::string("0000"));
    s.bind_text(5, to ? iso(*to) : std::string("9999"));
    s.bind_int(6, static_cast<int64_t>(kMaxPeriods) + 1);
    std::string row_zone;
    while (true) {
      auto row = s.step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      if (out.items.size() == kMaxPeriods) {
        out.truncated = true;
        break;
      }
      PeriodSums p;
      p.period_start = text_col(s, 0);
      p.total_calls = s.column_int(1);
      p.connected_calls = s.column_int(2);
      p.interested = s.column_int(3);
      p.qualified = s.column_int(4);
      p.conversions = s.column_int(5);
      p.appointments = s.column_int(6);
      p.sum_duration_s = s.column_int(7);
      p.sum_ring_time_ms = s.column_int(8);
      p.ring_samples = s.column_int(9);
      p.abandoned_calls = s.column_int(10);
      p.answered_by_person = s.column_int(11);
      p.sum_quality = s.column_double(12);
      p.quality_samples = s.column_int(13);
      p.sum_script_adherence = s.column_double(14);
      p.adherence_samples = s.column_int(15);
      p.objections_raised = s.column_int(16);
      p.objections_handled = s.column_int(17);
      if (row_zone.empty()) row_zone = text_col(s, 18);
      out.items.push_back(std::move(p));
    }
    std::ranges::reverse(out.items);
    const TimeZone zone = zone_or_utc(row_zone.empty() ? out.time_zone : row_zone);
    if (!row_zone.empty()) out.time_zone = zone.name();
    for (auto& p : out.items) {
      const sys_seconds start = parse_instant(p.period_start), end = analytics::next_period_start(period, start, zone);
      p.period_end = iso(end);
      p.hours = std::chrono::duration<double, std::ratio<3600>>(end - start).count();
    }
    return out;
  });
}

Result<json> AnalyticsRepository::slots(const WorkspaceId& ws, const MetricsScope& scope, const std::string& kind) {
  return db_.read([&](Connection& c) -> Result<json> {
    const int n = kind == "hour" ? 24 : 7;
    json out = json::array();
    for (int i = 0; i < n; ++i)
      out.push_back({{kind == "hour" ? "hour" : "weekday", i}, {"totalCalls", 0}, {"connectedCalls", 0}, {"conversions", 0}});
    auto st = c.prepare(
        "SELECT slot, total_calls, connected_calls, conversions FROM swarm_call_slots "
        "WHERE workspace_id = ? AND scope_key = ? AND kind = ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, scope.key());
    (*st)->bind_text(3, kind);
    while (true) {
      auto row = (*st)->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      const int64_t slot = (*st)->column_int(0);
      if (slot < 0 || slot >= n) continue;
      auto& o = out[static_cast<std::size_t>(slot)];
      o["totalCalls"] = (*st)->column_int(1);
      o["connectedCalls"] = (*st)->column_int(2);
      o["conversions"] = (*st)->column_int(3);
    }
    return out;
  });
}

namespace {
Result<AbandonFigures> abandon_in(Database& db, const WorkspaceId& ws, std::string_view column, const std::string& id,
                                  std::optional<sys_seconds> since) {
  return db.read([&](Connection& c) -> Result<AbandonFigures> {
    auto st = c.prepare("SELECT coalesce(sum(abandoned), 0), coalesce(sum(answered_by_person), 0), "
                        "count(ring_time_ms), coalesce(sum(ring_time_ms), 0) FROM calls "
                        "WHERE workspace_id = ? AND " + std::string(column) + " = ? AND placed_at >= ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, id);
    (*st)->bind_text(3, since ? iso(*since) : std::string("0000"));
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    AbandonFigures a;
    a.abandoned = (*st)->column_int(0);
    a.answered_by_person = (*st)->column_int(1);
    a.ring_samples = (*st)->column_int(2);
    a.sum_ring_time_ms = (*st)->column_int(3);
    return a;
  });
}
}  // namespace

Result<AbandonFigures> AnalyticsRepository::abandon_rate(const WorkspaceId& ws, const std::string& campaign_id,
                                                         std::optional<sys_seconds> since) {
  return abandon_in(db_, ws, "campaign_id", campaign_id, since);
}

Result<AbandonFigures> AnalyticsRepository::totals(const WorkspaceId& ws, const MetricsScope& scope,
                                                   std::optional<sys_seconds> since) {
  return db_.read([&](Connection& c) -> Result<AbandonFigures> {
    auto st = c.prepare("SELECT coalesce(sum(abandoned_calls), 0), coalesce(sum(answered_by_person), 0), "
                        "coalesce(sum(ring_samples), 0), coalesce(sum(sum_ring_time_ms), 0) FROM swarm_performance_metrics "
                        "WHERE workspace_id = ? AND scope_key = ? AND period = ? AND period_start >= ?");
    if (!st) return std::unexpected(st.error());
    (*st)->bind_text(1, ws.value);
    (*st)->bind_text(2, scope.key());
    (*st)->bind_text(3, since ? "daily" : "monthly");
    std::string from = "0000";
    if (since) {
      const TimeZone zone = zone_or_utc(scope.kind == MetricsScope::Kind::campaign || scope.kind == MetricsScope::Kind::swarm_agent
                                            ? campaign_time_zone(c, ws, scope.kind == MetricsScope::Kind::campaign ? scope.id : "")
                                            : "UTC");
      from = iso(analytics::period_start(Period::daily, *since, zone));
    }
    (*st)->bind_text(4, from);
    auto row = (*st)->step();
    if (!row) return std::unexpected(row.error());
    AbandonFigures a;
    a.abandoned = (*st)->column_int(0);
    a.answered_by_person = (*st)->column_int(1);
    a.ring_samples = (*st)->column_int(2);
    a.sum_ring_time_ms = (*st)->column_int(3);
    return a;
  });
}

Result<AbandonFigures> AnalyticsRepository::abandon_rate_of_agent(const WorkspaceId& ws, const std::string& agent_id,
                                                                  std::optional<sys_seconds> since) {
  return abandon_in(db_, ws, "agent_id", agent_id, since);
}

json period_json(const PeriodSums& p) {
  auto rate = [](int64_t n, int64_t d) -> json {
    if (d <= 0) return nullptr;
    return 100.0 * static_cast<double>(n) / static_cast<double>(d);
  };
  auto mean = [](double sum, int64_t n) -> json {
    if (n <= 0) return nullptr;
    return sum / static_cast<double>(n);
  };
  double hours = 0;
  if (auto a = parse_iso8601(p.period_start), b = parse_iso8601(p.period_end); a && b && *b > *a)
    hours = std::chrono::duration<double, std::ratio<3600>>(*b - *a).count();
  return json{{"periodStart", p.period_start},
              {"periodEnd", p.period_end},
              {"totalCalls", p.total_calls},
              {"connectedCalls", p.connected_calls},
              {"connectionRate", rate(p.connected_calls, p.total_calls)},
              {"averageDurationS", mean(static_cast<double>(p.sum_duration_s), p.connected_calls)},
              {"funnel",
               {{"made", p.total_calls},
                {"connected", p.connected_calls},
                {"interested", p.interested},
                {"qualified", p.qualified},
                {"conversions", p.conversions}}},
              {"appointments", p.appointments},
              {"averageQuality", mean(p.sum_quality, p.quality_samples)},
              {"scriptAdherence", mean(p.sum_script_adherence, p.adherence_samples)},
              {"objectionHandlingSuccess", rate(p.objections_handled, p.objections_raised)},
              {"callsPerHour", hours > 0 ? json(static_cast<double>(p.total_calls) / hours) : json(nullptr)},
              {"conversionRate", rate(p.conversions, p.connected_calls)},
              {"appointmentRate", rate(p.appointments, p.connected_calls)},
              {"averageRingTimeMs", mean(static_cast<double>(p.sum_ring_time_ms), p.ring_samples)},
              {"abandonRate", rate(p.abandoned_calls, p.answered_by_person)},
              {"abandonedCalls", p.abandoned_calls},
              {"answeredByPerson", p.answered_by_person}};
}

namespace {
/// Writes `"key":` after a comma unless `first`.
void key(std::string& out, std::string_view k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += k;
  out += "\":";
}
void integer(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}
/// A double in its shortest round-trip form, as nlohmann::json writes it (JSON has no NaN or infinity: null).
void real(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  const std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out += text;
  // As nlohmann::json writes a double: an integral value keeps ".0" (30.0, not 30).
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}
/// n / d in percent, or null when d is 0 (period_json's rate).
void rate(std::string& out, int64_t n, int64_t d) {
  if (d <= 0) out += "null";
  else real(out, 100.0 * static_cast<double>(n) / static_cast<double>(d));
}
/// sum / n, or null when n is 0 (period_json's mean).
void mean(std::string& out, double sum, int64_t n) {
  if (n <= 0) out += "null";
  else real(out, sum / static_cast<double>(n));
}
}  // namespace

void append_period_json(std::string& out, const PeriodSums& p) {
  double hours = p.hours;  // periods() computed it; else from the two instants, as period_json does
  if (hours <= 0)
    if (auto a = parse_iso8601(p.period_start), b = parse_iso8601(p.period_end); a && b && *b > *a)
      hours = std::chrono::duration<double, std::ratio<3600>>(*b - *a).count();
  out += '{';
  key(out, "periodStart", true), append_json_string(out, p.period_start);
  key(out, "periodEnd"), append_json_string(out, p.period_end);
  key(out, "totalCalls"), integer(out, p.total_calls);
  key(out, "connectedCalls"), integer(out, p.connected_calls);
  key(out, "connectionRate"), rate(out, p.connected_calls, p.total_calls);
  key(out, "averageDurationS"), mean(out, static_cast<double>(p.sum_duration_s), p.connected_calls);
  key(out, "funnel"), out += '{';
  key(out, "made", true), integer(out, p.total_calls);
  key(out, "connected"), integer(out, p.connected_calls);
  key(out, "interested"), integer(out, p.interested);
  key(out, "qualified"), integer(out, p.qualified);
  key(out, "conversions"), integer(out, p.conversions);
  out += '}';
  key(out, "appointments"), integer(out, p.appointments);
  key(out, "averageQuality"), mean(out, p.sum_quality, p.quality_samples);
  key(out, "scriptAdherence"), mean(out, p.sum_script_adherence, p.adherence_samples);
  key(out, "objectionHandlingSuccess"), rate(out, p.objections_handled, p.objections_raised);
  key(out, "callsPerHour");
  if (hours > 0) real(out, static_cast<double>(p.total_calls) / hours);
  else out += "null";
  key(out, "conversionRate"), rate(out, p.conversions, p.connected_calls);
  key(out, "appointmentRate"), rate(out, p.appointments, p.connected_calls);
  key(out, "averageRingTimeMs"), mean(out, static_cast<double>(p.sum_ring_time_ms), p.ring_samples);
  key(out, "abandonRate"), rate(out, p.abandoned_calls, p.answered_by_person);
  key(out, "abandonedCalls"), integer(out, p.abandoned_calls);
  key(out, "answeredByPerson"), integer(out, p.answered_by_person);
  out += '}';
}

}  // namespace voqo::store
