// The autoscaler's API parsers and its decision on any rule body
// (src/campaign/autoscaler.hpp). Input: a first line of metric bytes, then
// a JSON body (through core::parse_json, as the API takes it) that is both
// an autoscaling rule and, if it has one, an "activeHours" member.
// Properties: a rule that parses is inside the table's ranges; a decision
// moves the count only the rule's way and never past its bounds or the cost
// cap; calling_seconds_left stays within [0, the span asked about].
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/autoscaler.hpp"
#include "core/json_parse.hpp"
#include "fuzz_check.hpp"

using namespace voqo;
using namespace voqo::campaign;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view head = input.substr(0, nl == std::string_view::npos ? input.size() : nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  auto json = parse_json(body);
  if (!json) return 0;
  const auto now = std::chrono::system_clock::time_point{} + std::chrono::seconds{1'780'000'000};
  if (json->is_object() && json->contains("activeHours")) {
    if (auto w = parse_active_hours((*json)["activeHours"])) {
      const double s = calling_seconds_left(*w, now, now + std::chrono::days{9});
      FUZZ_CHECK(s >= 0 && s <= 9 * 86400.0);
    }
  }
  auto rule = parse_autoscaling_rule(*json);
  if (!rule) {
    FUZZ_CHECK(rule.error().code == ErrorCode::invalid_argument && !rule.error().fields.empty());
    return 0;
  }
  FUZZ_CHECK(is_scaling_metric(rule->metric) && std::isfinite(rule->threshold));
  FUZZ_CHECK(rule->scale_amount >= 1 && rule->scale_amount <= 100);
  FUZZ_CHECK(rule->cooldown.count() >= 0 && rule->cooldown.count() <= 86400);
  FUZZ_CHECK(rule->min_agents >= 0 && rule->min_agents <= rule->max_agents);

  // Metrics, agent count and bounds from the head's bytes (doubles as read).
  double raw[4] = {0, 0, 0, 0};
  std::memcpy(raw, head.data(), std::min(head.size(), sizeof raw));
  SwarmMetrics m;  // every metric reads raw[0]; active_agents falls back to `active`
  for (auto* v : {&m.queue_depth, &m.wait_time, &m.success_rate, &m.connection_rate, &m.cost_per_hour, &m.turn_latency,
                  &m.pace_to_finish, &m.calling_agents, &m.idle_agents, &m.hour_of_day, &m.day_of_week})
    *v = raw[0];
  const int active = static_cast<int>(static_cast<int64_t>(std::isfinite(raw[1]) ? std::fmod(raw[1], 2e9) : 0));
  ScalingBounds bounds{static_cast<int>(std::isfinite(raw[2]) ? std::fmod(std::abs(raw[2]), 2000) : 0), 1000,
                       raw[3], std::nullopt};
  const std::vector rules{*rule};
  const auto d = evaluate_scaling(rules, m, active, bounds, now);
  if (!d) return 0;
  FUZZ_CHECK(d->from_agents == active && d->rule_id == rule->id && d->action == rule->action);
  if (d->action == ScalingAction::maintain) {
    FUZZ_CHECK(d->to_agents == active);
  } else if (d->action == ScalingAction::scale_up) {
    FUZZ_CHECK(d->to_agents > active && d->to_agents <= std::min(rule->max_agents, bounds.max_agents));
    FUZZ_CHECK(static_cast<int64_t>(d->to_agents) - active <= rule->scale_amount);
    if (rule->max_cost_per_hour && std::isfinite(bounds.cost_per_agent_hour) && bounds.cost_per_agent_hour > 0)
      FUZZ_CHECK(d->to_agents * bounds.cost_per_agent_hour <= *rule->max_cost_per_hour * (1 + 1e-9));
  } else {
    FUZZ_CHECK(d->to_agents < active && d->to_agents >= std::max(rule->min_agents, bounds.min_agents));
    FUZZ_CHECK(static_cast<int64_t>(active) - d->to_agents <= rule->scale_amount);
  }
  return 0;
}
