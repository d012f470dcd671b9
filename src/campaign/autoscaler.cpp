#include "campaign/autoscaler.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "core/time_zone.hpp"

namespace voqo::campaign {
namespace {

using std::chrono::days;
using std::chrono::local_seconds;
using std::chrono::seconds;
using std::chrono::sys_seconds;
using std::chrono::system_clock;

constexpr std::array<std::pair<std::string_view, ScalingRuleType>, 4> kRuleTypes{{
    {"queue_based", ScalingRuleType::queue_based},
    {"time_based", ScalingRuleType::time_based},
    {"performance_based", ScalingRuleType::performance_based},
    {"cost_based", ScalingRuleType::cost_based},
}};
constexpr std::array<std::pair<std::string_view, ScalingAction>, 3> kActions{{
    {"scale_up", ScalingAction::scale_up},
    {"scale_down", ScalingAction::scale_down},
    {"maintain", ScalingAction::maintain},
}};
constexpr std::array<std::pair<std::string_view, ScalingOperator>, 5> kOperators{{
    {">", ScalingOperator::gt},
    {">=", ScalingOperator::gte},
    {"<", ScalingOperator::lt},
    {"<=", ScalingOperator::lte},
    {"==", ScalingOperator::eq},
}};

template <class E, size_t N>
std::string_view label_of(const std::array<std::pair<std::string_view, E>, N>& table, E value) {
  for (const auto& [text, v] : table)
    if (v == value) return text;
  return {};
}

template <class E, size_t N>
std::optional<E> parse_of(const std::array<std::pair<std::string_view, E>, N>& table, std::string_view text) {
  for (const auto& [t, v] : table)
    if (t == text) return v;
  return std::nullopt;
}

/// SwarmMetrics member per metric name (is_scaling_metric's list).
using MetricField = std::optional<double> SwarmMetrics::*;
constexpr std::array<std::pair<std::string_view, MetricField>, 12> kMetrics{{
    {"queue_depth", &SwarmMetrics::queue_depth},
    {"wait_time", &SwarmMetrics::wait_time},
    {"success_rate", &SwarmMetrics::success_rate},
    {"connection_rate", &SwarmMetrics::connection_rate},
    {"cost_per_hour", &SwarmMetrics::cost_per_hour},
    {"turn_latency", &SwarmMetrics::turn_latency},
    {"pace_to_finish", &SwarmMetrics::pace_to_finish},
    {"active_agents", &SwarmMetrics::active_agents},
    {"calling_agents", &SwarmMetrics::calling_agents},
    {"idle_agents", &SwarmMetrics::idle_agents},
    {"hour_of_day", &SwarmMetrics::hour_of_day},
    {"day_of_week", &SwarmMetrics::day_of_week},
}};

/// A number for the activity log: integers without decimals, others with
/// up to 15 significant digits ("42", "0.25", "1e+20").
std::string number(double v) {
  char buf[40];
  if (std::abs(v) < 1e15 && v == std::trunc(v))
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

/// Agents a cost cap allows: floor(cap / cost), tolerant of the cap being an
/// exact multiple that floating point misses by an ulp (0.3 / 0.1 → 3).
int64_t agents_under_cap(double cap, double cost_per_agent_hour) {
  if (!(cap >= 0)) return 0;
  const long double n = std::floor(static_cast<long double>(cap) / cost_per_agent_hour);
  if (!(n < static_cast<long double>(std::numeric_limits<int>::max()))) return std::numeric_limits<int>::max();
  auto agents = static_cast<int64_t>(n);
  if (static_cast<long double>(agents + 1) * cost_per_agent_hour <= static_cast<long double>(cap) * (1 + 1e-12L)) ++agents;
  return agents;
}

/// Whether `rule` is inside its cooldown at `now` (last + cooldown > now),
/// without overflowing for far-away instants or huge cooldowns.
bool in_cooldown(const AutoscalingRule& rule, system_clock::time_point now) {
  if (!rule.last_triggered || rule.cooldown <= seconds{0}) return false;
  constexpr seconds kLongest = days{36'500};  // a century: beyond it, as good as forever
  const auto cooldown = std::chrono::duration_cast<system_clock::duration>(std::min(rule.cooldown, kLongest));
  const auto last = *rule.last_triggered;
  if (last > system_clock::time_point::max() - cooldown) return true;
  return last + cooldown > now;
}

// ------------------------------------------------------------ rule JSON

struct FieldErrors {
  std::vector<FieldError> list;
  void add(std::string field, std::string message) { list.push_back({std::move(field), std::move(message)}); }
};

/// An integer member in [lo, hi]; absent or null → `fallback`; errors under `field`.
int int_member(const nlohmann::json& body, const char* field, int fallback, int64_t lo, int64_t hi, FieldErrors& errors) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (it->is_number_unsigned()) {
    const auto u = it->get<uint64_t>();
    if ((lo <= 0 || u >= static_cast<uint64_t>(lo)) && hi >= 0 && u <= static_cast<uint64_t>(hi)) return static_cast<int>(u);
  } else if (it->is_number_integer()) {
    const auto v = it->get<int64_t>();
    if (v >= lo && v <= hi) return static_cast<int>(v);
  }
  errors.add(field, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return fallback;
}

}  // namespace

std::string_view label(ScalingRuleType type) { return label_of(kRuleTypes, type); }
std::string_view label(ScalingAction action) { return label_of(kActions, action); }
std::string_view label(ScalingOperator op) { return label_of(kOperators, op); }
std::optional<ScalingRuleType> parse_scaling_rule_type(std::string_view text) { return parse_of(kRuleTypes, text); }
std::optional<ScalingAction> parse_scaling_action(std::string_view text) { return parse_of(kActions, text); }
std::optional<ScalingOperator> parse_scaling_operator(std::string_view text) { return parse_of(kOperators, text); }

bool compare(ScalingOperator op, double value, double threshold) {
  if (!std::isfinite(value) || !std::isfinite(threshold)) return false;
  switch (op) {
    case ScalingOperator::gt: return value > threshold;
    case ScalingOperator::gte: return value >= threshold;
    case ScalingOperator::lt: return value < threshold;
    case ScalingOperator::lte: return value <= threshold;
    case ScalingOperator::eq:
      return std::abs(value - threshold) <= 1e-9 * std::max({1.0, std::abs(value), std::abs(threshold)});
  }
  return false;
}

bool is_scaling_metric(std::string_view name) {
  return std::ranges::any_of(kMetrics, [&](const auto& m) { return m.first == name; });
}

std::optional<double> SwarmMetrics::value(std::string_view metric) const {
  for (const auto& [name, field] : kMetrics)
    if (name == metric) {
      const auto& v = this->*field;
      if (v && std::isfinite(*v)) return *v;
      return std::nullopt;
    }
  return std::nullopt;
}

Result<void> fill_local_time(SwarmMetrics& metrics, std::string_view timezone, system_clock::time_point now) {
  auto zone = TimeZone::locate(timezone);
  if (!zone) return std::unexpected(zone.error());
  const local_seconds local = zone->to_local(std::chrono::floor<seconds>(now));
  const auto day = std::chrono::floor<days>(local);
  metrics.hour_of_day = static_cast<double>(std::chrono::duration_cast<std::chrono::hours>(local - day).count());
  metrics.day_of_week = static_cast<double>(std::chrono::weekday{day}.c_encoding());  // 0 = Sunday
  return ok();
}

std::optional<ScalingDecision> evaluate_scaling(std::span<const AutoscalingRule> rules, const SwarmMetrics& metrics,
                                                int active_agents, const ScalingBounds& bounds,
                                                system_clock::time_point now) {
  std::vector<const AutoscalingRule*> order;
  order.reserve(rules.size());
  for (const auto& r : rules)
    if (r.active) order.push_back(&r);
  std::ranges::sort(order, [](const AutoscalingRule* a, const AutoscalingRule* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->id < b->id;
  });

  const bool cost_known = std::isfinite(bounds.cost_per_agent_hour) && bounds.cost_per_agent_hour > 0;
  for (const AutoscalingRule* rule : order) {
    std::optional<double> value = metrics.value(rule->metric);
    if (!value && rule->metric == "active_agents") value = active_agents;
    if (!value || !compare(rule->op, *value, rule->threshold)) continue;

    ScalingDecision d{rule->id,    rule->action,    active_agents, active_agents, rule->metric,
                      *value,      rule->threshold, {},            true};
    const std::string comparison =
        rule->metric + " " + number(*value) + " " + std::string(label(rule->op)) + " " + number(rule->threshold) + ": ";
    if (rule->action == ScalingAction::maintain) {
      d.triggered = !in_cooldown(*rule, now);
      d.reason = comparison + "hold at " + std::to_string(active_agents) + " agents";
      if (!d.triggered) d.reason += " (in cooldown)";
      return d;
    }
    if (in_cooldown(*rule, now)) continue;

    const int64_t amount = std::max(1, rule->scale_amount);
    const int64_t active = active_agents;
    const bool pace = rule->metric == "pace_to_finish";
    int64_t target = 0;
    std::string note;
    if (rule->action == ScalingAction::scale_up) {
      target = active + amount;
      if (pace && std::ceil(*value) < static_cast<double>(target)) {
        target = static_cast<int64_t>(std::max<double>(std::ceil(*value), static_cast<double>(active)));
        note = " (toward pace " + number(*value) + ")";
      }
      const int64_t upper = std::min(rule->max_agents, bounds.max_agents);
      if (target > upper) {
        target = upper;
        note = " (held to max " + std::to_string(upper) + " agents)";
      }
      if (cost_known) {
        int64_t cap_agents = std::numeric_limits<int>::max();
        double cap = 0;
        for (const auto& c : {rule->max_cost_per_hour, bounds.max_cost_per_hour})
          if (c && !std::isnan(*c) && agents_under_cap(*c, bounds.cost_per_agent_hour) < cap_agents) {
            cap_agents = agents_under_cap(*c, bounds.cost_per_agent_hour);
            cap = *c;
          }
        if (target > cap_agents) {
          target = cap_agents;
          note = " (cost cap " + number(cap) + "/h at " + number(bounds.cost_per_agent_hour) + " per agent-hour allows " +
                 std::to_string(cap_agents) + ")";
        }
      }
      if (target <= active) continue;
    } else {
      target = active - amount;
      if (pace && std::ceil(*value) > static_cast<double>(target)) {
        target = static_cast<int64_t>(std::min<double>(std::ceil(*value), static_cast<double>(active)));
        note = " (toward pace " + number(*value) + ")";
      }
      const int64_t lower = std::max(rule->min_agents, bounds.min_agents);
      if (target < lower) {
        target = lower;
        note = " (held to min " + std::to_string(lower) + " agents)";
      }
      if (target >= active) continue;
    }
    d.to_agents = static_cast<int>(target);
    d.reason = comparison + std::to_string(active) + " → " + std::to_string(target) + " agents" + note;
    return d;
  }
  return std::nullopt;
}

int pace_to_finish(int64_t remaining_contacts, double avg_call_seconds, double remaining_window_seconds,
                   double attempts_per_contact, double gap_seconds) {
  if (remaining_contacts <= 0) return 0;
  if (!(remaining_window_seconds > 0)) return kPaceUnreachable;
  const auto sane = [](double v) { return std::isnan(v) || v < 0 ? 0.0L : static_cast<long double>(v); };
  const long double attempts =
      std::isnan(attempts_per_contact) || attempts_per_contact <= 0 ? 1.0L : static_cast<long double>(attempts_per_contact);
  const long double work = static_cast<long double>(remaining_contacts) * attempts * (sane(avg_call_seconds) + sane(gap_seconds));
  const long double agents = work / static_cast<long double>(remaining_window_seconds);
  // +inf work (an infinite call length or attempts) or a quotient past int:
  // unreachable; NaN (inf × 0 s, inf / inf) has no sane answer either.
  if (!std::isfinite(agents) || agents >= static_cast<long double>(kPaceUnreachable)) return kPaceUnreachable;
  long double needed = std::ceil(agents);
  // 1e-9 relative above an integer is floating-point noise, not another agent.
  if (needed > agents && agents - std::floor(agents) <= 1e-9L * std::max(1.0L, agents)) needed = std::floor(agents);
  return std::max(1, static_cast<int>(needed));
}

double calling_seconds_left(const CallingWindow& window, system_clock::time_point now, system_clock::time_point end) {
  const sys_seconds t0 = std::chrono::floor<seconds>(now);
  sys_seconds t1 = std::chrono::floor<seconds>(end);
  if (t1 <= t0) return 0;
  if (t1 - t0 > kCallingHorizon) t1 = t0 + kCallingHorizon;  // in seconds: no overflow near the clock's ends
  // The dialer's own reading of the window (CallingHours::check), so the
  // seconds counted are the seconds it may dial.
  const auto inside = seconds_inside_window(window, t0, t1);
  return inside ? static_cast<double>(inside->count()) : std::numeric_limits<double>::quiet_NaN();
}

Result<CallingWindow> parse_active_hours(const nlohmann::json& value) {
  if (!value.is_object())
    return std::unexpected(Error::invalid("activeHours", "must be an object {start, end, timezone, daysOfWeek}"));
  nlohmann::json iso = value;
  std::optional<FieldError> days_error;
  if (const auto it = value.find("daysOfWeek"); it != value.end()) {
    nlohmann::json days = nlohmann::json::array();
    bool ok = it->is_array() && !it->empty();
    if (ok)
      for (const auto& d : *it) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > 6) {
          ok = false;
          break;
        }
        days.push_back(d.get<int64_t>() == 0 ? 7 : d.get<int64_t>());  // Sunday: ISO 7
      }
    if (ok)
      iso["daysOfWeek"] = days;
    else {
      iso.erase("daysOfWeek");
      days_error = FieldError{"activeHours.daysOfWeek", "must be a non-empty array of weekdays 0-6 (0 = Sunday)"};
    }
  }
  auto w = parse_calling_window(iso);
  if (w && !days_error) return w;
  Error e{ErrorCode::invalid_argument, {}, {}};
  if (!w)
    for (auto f : w.error().fields) {
      if (f.field.rfind("callingWindow", 0) == 0) f.field = "activeHours" + f.field.substr(13);
      e.fields.push_back(std::move(f));
    }
  if (days_error) e.fields.push_back(*days_error);
  e.message = e.fields.front().field + ": " + e.fields.front().message;
  return std::unexpected(std::move(e));
}

std::optional<double> pace_to_finish_metric(int64_t remaining_contacts, std::optional<double> avg_call_seconds,
                                            const CallingWindow& window, system_clock::time_point now,
                                            system_clock::time_point end, double attempts_per_contact,
                                            double gap_seconds) {
  if (!avg_call_seconds || !(*avg_call_seconds >= 0)) return std::nullopt;
  const double left = calling_seconds_left(window, now, end);
  if (std::isnan(left)) return std::nullopt;
  return pace_to_finish(remaining_contacts, *avg_call_seconds, left, attempts_per_contact, gap_seconds);
}

Result<AutoscalingRule> parse_autoscaling_rule(const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected(Error::invalid("body", "must be a JSON object (an autoscaling rule)"));
  AutoscalingRule rule;
  FieldErrors errors;
  const auto text = [&](const char* field) -> std::optional<std::string> {
    const auto it = body.find(field);
    if (it != body.end() && it->is_string()) return it->get<std::string>();
    return std::nullopt;
  };
  for (const char* field : {"id", "name"})
    if (const auto it = body.find(field); it != body.end() && !it->is_null() && !it->is_string())
      errors.add(field, "must be a string");
  rule.id = text("id").value_or("");
  rule.name = text("name").value_or("");

  const auto enum_member = [&](const char* field, auto parse, auto& out, std::string_view choices) {
    const auto t = text(field);
    if (body.find(field) == body.end())
      errors.add(field, "is required");
    else if (auto v = t ? parse(*t) : std::nullopt)
      out = *v;
    else
      errors.add(field, "must be one of " + std::string(choices));
  };
  enum_member("ruleType", parse_scaling_rule_type, rule.type, "queue_based, time_based, performance_based, cost_based");
  if (const auto m = text("metric"); m && is_scaling_metric(*m))
    rule.metric = *m;
  else
    errors.add("metric", body.contains("metric")
                             ? "must be one of queue_depth, wait_time, success_rate, connection_rate, cost_per_hour, "
                               "turn_latency, pace_to_finish, active_agents, calling_agents, idle_agents, hour_of_day, "
                               "day_of_week"
                             : "is required");
  enum_member("operator", parse_scaling_operator, rule.op, ">, >=, <, <=, ==");
  if (const auto it = body.find("threshold"); it == body.end())
    errors.add("threshold", "is required");
  else if (it->is_number() && std::isfinite(it->get<double>()))
    rule.threshold = it->get<double>();
  else
    errors.add("threshold", "must be a finite number");
  enum_member("action", parse_scaling_action, rule.action, "scale_up, scale_down, maintain");

  rule.scale_amount = int_member(body, "scaleAmount", 1, 1, 100, errors);
  rule.cooldown = seconds{int_member(body, "cooldownSeconds", 60, 0, 86'400, errors)};
  rule.min_agents = int_member(body, "minAgents", 0, 0, 100'000, errors);
  rule.max_agents = int_member(body, "maxAgents", 1000, 0, 100'000, errors);
  if (rule.max_agents < rule.min_agents) errors.add("maxAgents", "must be at least minAgents");
  if (const auto it = body.find("maxCostPerHour"); it != body.end() && !it->is_null()) {
    if (it->is_number() && std::isfinite(it->get<double>()) && it->get<double>() >= 0)
      rule.max_cost_per_hour = it->get<double>();
    else
      errors.add("maxCostPerHour", "must be a number ≥ 0 or null");
  }
  rule.priority = int_member(body, "priority", 5, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), errors);
  if (const auto it = body.find("isActive"); it != body.end() && !it->is_null()) {
    if (it->is_boolean())
      rule.active = it->get<bool>();
    else if (it->is_number_integer() && (it->get<int64_t>() == 0 || it->get<int64_t>() == 1))
      rule.active = it->get<int64_t>() == 1;
    else
      errors.add("isActive", "must be a boolean");
  }
  if (const auto it = body.find("lastTriggeredAt"); it != body.end() && !it->is_null()) {
    std::optional<system_clock::time_point> t;
    if (it->is_string()) t = parse_iso8601(it->get_ref<const std::string&>());
    if (t)
      rule.last_triggered = *t;
    else
      errors.add("lastTriggeredAt", "must be an ISO-8601 instant or null");
  }
  if (!errors.list.empty()) {
    Error e{ErrorCode::invalid_argument, errors.list.front().field + ": " + errors.list.front().message, errors.list};
    return std::unexpected(std::move(e));
  }
  return rule;
}

}  // namespace voqo::campaign
