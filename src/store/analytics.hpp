#pragma once
/// Metrics by period and compliance figures (issue 18 §8-9; definitions in
/// docs/ANALYTICS.md): swarm_performance_metrics (running sums per scope,
/// period and period start) and swarm_call_slots (calls by the callee's local
/// hour and weekday), kept by CallStore::insert in the transaction that
/// stores each call, recomputable from the calls table (rebuild), and read
/// back with the derived figures computed on read (metrics).
///
/// Scopes: every call counts workspace-wide, for its voice agent, and, when
/// it has them, for its campaign and its swarm agent. Campaign and swarm
/// agent rows are in the campaign's time zone (campaigns.active_hours
/// timezone once migration 8 adds it, else UTC); voice agent and
/// workspace-wide rows are in UTC. Periods: analytics/periods.hpp.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/periods.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"
#include "store/database.hpp"

namespace voqo::store {

struct CallRecord;

/// Whose figures: a campaign, a voice agent, a swarm agent, or the workspace.
struct MetricsScope {
  enum class Kind { workspace, campaign, agent, swarm_agent } kind = Kind::workspace;
  std::string id;  ///< "" for the workspace
  /// The row key: "w", "c:<id>", "a:<id>", "s:<id>".
  [[nodiscard]] std::string key() const;
};

/// One period's running sums (a swarm_performance_metrics row).
struct PeriodSums {
  std::string period_start;  ///< ISO-8601 UTC instant of the local period start
  std::string period_end;    ///< the next period's start (computed)
  double hours = 0;          ///< period_end − period_start in hours when periods() computed it (0 = parse the two)
  int64_t total_calls = 0, connected_calls = 0, interested = 0, qualified = 0, conversions = 0, appointments = 0;
  int64_t sum_duration_s = 0, sum_ring_time_ms = 0, ring_samples = 0, abandoned_calls = 0, answered_by_person = 0;
  double sum_quality = 0, sum_script_adherence = 0;
  int64_t quality_samples = 0, adherence_samples = 0, objections_raised = 0, objections_handled = 0;
  bool operator==(const PeriodSums&) const = default;
};

/// Abandoned calls against calls answered by a person (the abandon rate's
/// numerator and denominator), and ring time, over some calls.
struct AbandonFigures {
  int64_t abandoned = 0;
  int64_t answered_by_person = 0;
  int64_t ring_samples = 0;
  int64_t sum_ring_time_ms = 0;
  /// abandoned / answered_by_person in percent; nullopt when nobody answered.
  [[nodiscard]] std::optional<double> rate_percent() const;
};

/// What call intelligence measured on one call, as its archive
/// (LiveStore::finish) records it: every field replaces the call's, nullopt
/// = not measured (null on the call).
struct IntelligenceFigures {
  std::optional<double> quality;    ///< conversation quality, 0-100 (calls.quality_score)
  std::optional<double> adherence;  ///< script adherence, 0-100 (calls.script_adherence)
  /// The caller's objections and how many of them the agent answered
  /// (intel::ObjectionCounts; calls.objections_raised, objections_answered;
  /// 0 ≤ answered ≤ raised). Both or neither.
  std::optional<int64_t> objections_raised, objections_answered;
  /// The caller's overall sentiment label: "positive" | "neutral" | "negative"
  /// (sentiment_analysis.overall; calls.sentiment and the recent-calls feed's).
  std::optional<std::string> sentiment;
};

class AnalyticsRepository {
 public:
  /// The most periods metrics() returns (the newest, with `truncated`).
  static constexpr std::size_t kMaxPeriods = 5000;

  explicit AnalyticsRepository(Database& db) : db_(db) {}

  /// Adds the stored call `r`, placed at `placed_at` (ISO-8601, the row's
  /// placed_at), to its period rows and call slots (every scope, every
  /// period), inside the caller's transaction. Called by CallStore::insert,
  /// which refuses a call id stored before, so a call counts once. Errors:
  /// database.
  static Result<void> count_call(Connection& c, const CallRecord& r, std::string_view placed_at);

  /// Call intelligence's figures for a stored call: sets calls.quality_score,
  /// script_adherence, objections_raised, objections_answered and sentiment,
  /// and moves the call's period rows (quality and adherence sums and
  /// samples, objections raised and handled as docs/ANALYTICS.md defines
  /// them) by the difference from what the call held, so writing the same
  /// figures again changes nothing; the swarm agent's quality and the
  /// recent-calls feed's quality_score and sentiment follow
  /// (SwarmRepository::record_quality). A call not stored (yet) is left
  /// alone. Errors: invalid when answered > raised or only one of the two
  /// is given; database.
  static Result<void> record_intelligence_in(Connection& c, const std::string& call_id, const IntelligenceFigures& figures);

  /// Recomputes the rows from the calls table in one transaction: every
  /// scope of `ws` (nullopt: every workspace), or with `campaign_id` only
  /// that campaign's and its swarm agents' rows. Returns the calls counted.
  /// Errors: database.
  Result<int64_t> rebuild(const std::optional<WorkspaceId>& ws, const std::optional<std::string>& campaign_id);
  /// The same inside the caller's transaction (migration 9's back-fill).
  static Result<int64_t> rebuild_in(Connection& c, const std::optional<WorkspaceId>& ws,
                                    const std::optional<std::string>& campaign_id);

  /// The zone a campaign's periods are in (campaigns.active_hours'
  /// timezone when the column exists and names a zone; else "UTC").
  static std::string campaign_time_zone(Connection& c, const WorkspaceId& ws, const std::string& campaign_id);
  std::string campaign_time_zone(const WorkspaceId& ws, const std::string& campaign_id);

  /// The period rows of `scope` whose start is in [from, to), oldest first;
  /// at most kMaxPeriods (the newest; `truncated` says so). Errors: database.
  struct Rows {
    std::vector<PeriodSums> items;
    std::string time_zone = "UTC";
    bool truncated = false;
  };
  Result<Rows> periods(const WorkspaceId& ws, const MetricsScope& scope, analytics::Period period,
                       std::optional<std::chrono::sys_seconds> from, std::optional<std::chrono::sys_seconds> to);

  /// Calls by the callee's local hour (kind "hour", slot 0–23) or weekday
  /// (kind "weekday", 0 = Sunday): {slot, totalCalls, connectedCalls,
  /// conversions} for every slot (zeros included), in slot order.
  Result<nlohmann::json> slots(const WorkspaceId& ws, const MetricsScope& scope, const std::string& kind);

  /// Abandoned and person-answered calls of `campaign_id` placed at or after
  /// `since` (nullopt: all): for the dialer's abandon cap and the
  /// compliance figures. Errors: database.
  Result<AbandonFigures> abandon_rate(const WorkspaceId& ws, const std::string& campaign_id,
                                      std::optional<std::chrono::sys_seconds> since);
  /// The compliance sums of `scope`'s calls from its rows, not the calls
  /// (O(periods)): every call (monthly rows), or with `since` the local days
  /// from the one holding `since` on (daily rows: whole days in the scope's
  /// zone, so "the last 30 days" are 30 local days and today).
  Result<AbandonFigures> totals(const WorkspaceId& ws, const MetricsScope& scope,
                                std::optional<std::chrono::sys_seconds> since = std::nullopt);
  /// The same over a voice agent's calls.
  Result<AbandonFigures> abandon_rate_of_agent(const WorkspaceId& ws, const std::string& agent_id,
                                               std::optional<std::chrono::sys_seconds> since);

 private:
  Database& db_;
};

/// The derived figures of one period (docs/ANALYTICS.md), as the metrics API
/// returns them: {periodStart, periodEnd, totalCalls, connectedCalls,
/// connectionRate, averageDurationS, funnel{made, connected, interested,
/// qualified, conversions}, appointments, averageQuality, scriptAdherence,
/// objectionHandlingSuccess, callsPerHour, conversionRate, appointmentRate,
/// averageRingTimeMs, abandonRate, abandonedCalls, answeredByPerson}; rates
/// in percent, null when their denominator is 0.
nlohmann::json period_json(const PeriodSums& p);
/// The same object as period_json(p), written as JSON text onto `out`
/// without building a DOM (the metrics API's hot path: up to kMaxPeriods
/// hourly periods, where the DOM and its dump cost most of the request).
/// Numbers are written in their shortest round-trip form, so the text parses
/// back to period_json(p) (tests/unit/analytics_rollup_test.cpp).
void append_period_json(std::string& out, const PeriodSums& p);

}  // namespace voqo::store
