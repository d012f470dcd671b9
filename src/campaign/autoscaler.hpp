#pragma once
/// The autoscaler's decision (issue 18 §3): which of a swarm campaign's
/// autoscaling rules fires on this tick, and how many agents the campaign
/// should run afterwards. Pure: no store, no threads, no clock reads (`now`
/// is an argument), so every rule is tested on a fake clock with synthetic
/// metrics (tests/unit/autoscaler_test.cpp).
///
/// The caller (the dialer's swarm loop, every 10 s per active swarm campaign)
/// gathers SwarmMetrics from the store, calls evaluate_scaling with the
/// campaign's active rules (swarm_autoscaling_rules rows, typed by
/// parse_autoscaling_rule), and applies the decision: activate/add or release
/// agents, store the rule's last_triggered_at = now and log `auto_scaled` with
/// ScalingDecision::reason when ScalingDecision::triggered.
///
/// Vocabulary from the swarm specification: rule types queue_based |
/// time_based | performance_based | cost_based; actions scale_up |
/// scale_down | maintain; operators > >= < <= ==; days of the week with
/// 0 = Sunday. The rule type is the editor's category: evaluation depends
/// on the metric, the operator and the action only.
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "campaign/calling_hours.hpp"
#include "core/error.hpp"

namespace voqo::campaign {

enum class ScalingRuleType { queue_based, time_based, performance_based, cost_based };  ///< JSON "queue_based" ...
enum class ScalingAction { scale_up, scale_down, maintain };                            ///< JSON "scale_up" ...
enum class ScalingOperator { gt, gte, lt, lte, eq };                                    ///< JSON ">", ">=", "<", "<=", "=="

/// The JSON spelling of each value ("queue_based", "scale_up", ">=").
std::string_view label(ScalingRuleType type);
std::string_view label(ScalingAction action);
std::string_view label(ScalingOperator op);
/// The inverse of label(); nullopt for any other text (case-sensitive, as stored).
std::optional<ScalingRuleType> parse_scaling_rule_type(std::string_view text);
std::optional<ScalingAction> parse_scaling_action(std::string_view text);
std::optional<ScalingOperator> parse_scaling_operator(std::string_view text);

/// `value op threshold`. `==` allows a relative difference of 1e-9 (so
/// 0.1 + 0.2 == 0.3 holds; integer metrics compare exactly). false when
/// either side is NaN or infinite.
bool compare(ScalingOperator op, double value, double threshold);

/// The metric names a rule may name (JSON strings):
/// - queue_depth: contacts due now (job calls pending with next_attempt_at ≤ now);
/// - wait_time: seconds the oldest due contact has waited since it became due;
/// - success_rate, connection_rate: 0..1 over the last N calls (absent before the first call);
/// - cost_per_hour: currency units per hour at the current agent count;
/// - turn_latency: ms, the host's recent turn latency (host load);
/// - pace_to_finish: agents needed to finish the remaining contacts inside the
///   remaining calling window (pace_to_finish() below; absent while the
///   average call length is unknown);
/// - active_agents, calling_agents, idle_agents: swarm agent counts;
/// - hour_of_day (0..23) and day_of_week (0 = Sunday … 6 = Saturday, as the
///   swarm specification writes it), campaign-local (fill_local_time).
bool is_scaling_metric(std::string_view name);

/// One swarm_autoscaling_rules row, typed (parse_autoscaling_rule).
struct AutoscalingRule {
  std::string id;
  ScalingRuleType type = ScalingRuleType::queue_based;
  std::string metric;                  ///< one of is_scaling_metric's names
  ScalingOperator op = ScalingOperator::gt;
  double threshold = 0;
  ScalingAction action = ScalingAction::maintain;
  int scale_amount = 1;                ///< agents added/removed per trigger, >= 1 (values < 1 act as 1)
  std::chrono::seconds cooldown{60};
  int min_agents = 0;                  ///< this rule's bounds, intersected with the campaign's
  int max_agents = 1000;
  std::optional<double> max_cost_per_hour;  ///< agents × cost_per_agent_hour may not exceed it
  int priority = 5;                    ///< higher first
  bool active = true;
  std::optional<std::chrono::system_clock::time_point> last_triggered;
  std::string name;                    ///< for the activity log; may be empty (last, so the fields above keep the issue's order)
};

/// The measured values on one tick. A metric that cannot be measured yet
/// (no calls, unknown average call length) is absent; NaN and infinities
/// count as absent too.
struct SwarmMetrics {
  std::optional<double> queue_depth;
  std::optional<double> wait_time;        ///< s
  std::optional<double> success_rate;     ///< 0..1
  std::optional<double> connection_rate;  ///< 0..1
  std::optional<double> cost_per_hour;    ///< currency units / h
  std::optional<double> turn_latency;     ///< ms
  std::optional<double> pace_to_finish;   ///< agents (pace_to_finish())
  std::optional<double> active_agents;    ///< absent: evaluate_scaling uses its active_agents argument
  std::optional<double> calling_agents;
  std::optional<double> idle_agents;
  std::optional<double> hour_of_day;      ///< 0..23, campaign-local
  std::optional<double> day_of_week;      ///< 0 = Sunday … 6 = Saturday, campaign-local

  /// The value named `metric` when present and finite; nullopt for an
  /// absent, non-finite or unknown metric.
  [[nodiscard]] std::optional<double> value(std::string_view metric) const;
};

/// Sets hour_of_day and day_of_week to the local time at `now` in the IANA
/// zone `timezone` (DST-correct, core/time_zone). Errors: invalid_argument /
/// not_found (field "timeZone") for an unknown zone; `metrics` is unchanged then.
Result<void> fill_local_time(SwarmMetrics& metrics, std::string_view timezone, std::chrono::system_clock::time_point now);

/// The campaign's own bounds.
struct ScalingBounds {
  int min_agents = 0;
  int max_agents = 1000;
  double cost_per_agent_hour = 0;               ///< currency units per agent-hour; <= 0 or NaN: unknown (no cost cap applies)
  std::optional<double> max_cost_per_hour;      ///< a campaign-wide cap besides the rules' own (optional)
};

/// What one tick decided.
struct ScalingDecision {
  std::string rule_id;
  ScalingAction action = ScalingAction::maintain;
  int from_agents = 0;
  int to_agents = 0;          ///< == from_agents for maintain
  std::string metric;
  double value = 0;           ///< the metric's value that held
  double threshold = 0;
  std::string reason;         ///< in words for the activity log: "queue_depth 42 > 20: 2 → 4 agents"
  /// true: the rule fired now; the caller stores last_triggered = now and
  /// logs `auto_scaled`. false only for a maintain rule that holds inside its
  /// cooldown (it still blocks lower rules, but is not logged again).
  bool triggered = true;
};

/// Evaluates the active rules by priority (higher first, ties by id,
/// ascending) and returns the first decision; nullopt = no change.
///
/// A rule applies when it is active, its metric is present and finite
/// (SwarmMetrics::value; active_agents falls back to the argument), its
/// threshold is finite and `value op threshold` holds. Then:
/// - scale_up / scale_down: skipped while in cooldown (last_triggered +
///   cooldown > now; at exactly last_triggered + cooldown it may fire again).
///   The target is active_agents ± scale_amount, clamped: a scale-up never
///   goes over min(rule max, campaign max) nor over the cost cap
///   (floor(cap / cost_per_agent_hour) agents, for the rule's and the
///   campaign's max_cost_per_hour, when cost_per_agent_hour > 0); a
///   scale-down never under max(rule min, campaign min). The cost cap never
///   forces a scale-down (that is a cost_based rule's job). A rule whose
///   clamped target does not move the count its way (at or past a bound,
///   blocked by the cap) does not apply, and the next rule is tried.
/// - a rule on pace_to_finish moves toward the needed number: a scale-up
///   targets min(active + scale_amount, pace) (nothing when pace ≤ active), a
///   scale-down max(active − scale_amount, pace) (nothing when pace ≥
///   active), then the bounds above.
/// - maintain is how a manager says "hold": when its comparison holds it
///   returns a maintain decision (to_agents == from_agents) and no lower rule
///   is evaluated. Its cooldown only limits how often it is logged: inside
///   its cooldown it still holds, with triggered = false.
/// Inactive rules, unknown metrics and absent metrics are skipped. Cost:
/// one sort of the active rules' pointers, O(n log n); ~µs for 100 rules
/// (bench/autoscaler_bench.cpp).
std::optional<ScalingDecision> evaluate_scaling(std::span<const AutoscalingRule> rules, const SwarmMetrics& metrics,
                                                int active_agents, const ScalingBounds& bounds,
                                                std::chrono::system_clock::time_point now);

/// pace_to_finish's answer when the contacts cannot be finished at any agent
/// count (no calling time left): the largest int, which the rules' bounds
/// clamp to the campaign's max agents.
inline constexpr int kPaceUnreachable = std::numeric_limits<int>::max();

/// Agents needed to finish `remaining_contacts` inside
/// `remaining_window_seconds` of calling time, each contact taking on
/// average `attempts_per_contact` attempts of `avg_call_seconds` plus
/// `gap_seconds` between one agent's calls:
///   ceil(remaining × attempts × (avg_call + gap) / window).
/// - remaining_contacts ≤ 0 → 0;
/// - contacts remain and window ≤ 0 or NaN → kPaceUnreachable;
/// - contacts remain → at least 1 (even with 0 s calls or an infinite window);
/// - huge inputs clamp to kPaceUnreachable, never overflow (computed in long double);
/// - negative or NaN avg_call/gap count as 0, attempts ≤ 0 or NaN as 1, +inf
///   call length or attempts as unreachable.
/// A result within 1e-9 (relative) above an integer rounds down to it, so
/// 100 contacts × 60 s / 3000 s is 2, not 3.
int pace_to_finish(int64_t remaining_contacts, double avg_call_seconds, double remaining_window_seconds,
                   double attempts_per_contact = 1.0, double gap_seconds = 0.0);

/// How far ahead calling_seconds_left looks: an `end` later than now + 731
/// days counts as now + 731 days (so pace_to_finish reads a larger, safe
/// number of agents for a campaign that long, and a tick stays cheap).
inline constexpr std::chrono::days kCallingHorizon{731};

/// Seconds of calling time in [now, end) inside the weekly window: the
/// instants the dialer's CallingHours::check allows for this window (local
/// [start, end) on its days, a window spanning midnight belongs to the day
/// it starts on; the zone's DST changes counted exactly: a 00:00–24:00
/// window holds 23 h on the spring-forward day and 25 h on the fall-back
/// day in America/New_York). 0 when end ≤ now. NaN when the window's zone is
/// unknown (a window that passed parse_calling_window never is); then leave
/// pace_to_finish absent (pace_to_finish_metric does). Whole seconds (now
/// and end are floored to the second). Cost: a few steps per local day.
double calling_seconds_left(const CallingWindow& window, std::chrono::system_clock::time_point now,
                            std::chrono::system_clock::time_point end);

/// Parses a swarm campaign's activeHours {start "HH:MM", end "HH:MM",
/// timezone, daysOfWeek [0..6]} where, as the swarm specification writes it,
/// 0 = Sunday … 6 = Saturday, into the dialer's CallingWindow (ISO days) for
/// calling_seconds_left and the job. The same rules as parse_calling_window
/// (required start/end/timezone, end "24:00" allowed, end ≠ start, unknown
/// members refused, daysOfWeek absent = every day); errors name
/// "activeHours.start", "activeHours.daysOfWeek", …
Result<CallingWindow> parse_active_hours(const nlohmann::json& value);

/// The pace_to_finish metric for SwarmMetrics: pace_to_finish(remaining,
/// avg_call_seconds, calling_seconds_left(window, now, end), attempts, gap),
/// or nullopt (absent) when the average call length is unknown (nullopt,
/// NaN or negative: no calls yet) or the window's zone is unknown.
std::optional<double> pace_to_finish_metric(int64_t remaining_contacts, std::optional<double> avg_call_seconds,
                                            const CallingWindow& window, std::chrono::system_clock::time_point now,
                                            std::chrono::system_clock::time_point end,
                                            double attempts_per_contact = 1.0, double gap_seconds = 0.0);

/// Types a rule as the API receives it or as the store returns its row's
/// JSON (camelCase): ruleType, metric, operator, threshold and action are
/// required; scaleAmount (1..100, default 1), cooldownSeconds (0..86400,
/// default 60), minAgents (≥ 0, default 0), maxAgents (≥ minAgents, ≤
/// 100000, default 1000), maxCostPerHour (≥ 0 or null), priority (integer,
/// default 5), isActive (boolean or 0/1, default true), id and name
/// (strings), lastTriggeredAt (ISO-8601 or null) are optional; other
/// members (campaignId, workspaceId, triggerCount, createdAt, …) are
/// ignored. The defaults and ranges are the swarm_autoscaling_rules
/// table's. Errors: invalid_argument listing every offending field
/// by its camelCase name (Error::fields), the message naming the first.
Result<AutoscalingRule> parse_autoscaling_rule(const nlohmann::json& body);

}  // namespace voqo::campaign
