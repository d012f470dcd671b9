// Autoscaler (issue 18 §3), done-when: "Autoscaling rules, cooldowns,
// min/max, cost cap and pace_to_finish with a fake clock and synthetic
// metrics (table-driven)". Every case runs at a fixed `now`; metrics are
// written by hand. calling_seconds_left is checked against hand-computed
// DST days and against a minute-by-minute scan of the dialer's own
// CallingHours::check, so the seconds counted are the seconds it may dial.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "campaign/autoscaler.hpp"
#include "core/time.hpp"

namespace voqo::campaign {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;
using Op = ScalingOperator;
using Act = ScalingAction;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

system_clock::time_point utc(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(system_clock::time_point{});
}

const system_clock::time_point kNow = utc("2026-06-10T12:00:00Z");

AutoscalingRule rule(std::string id, std::string metric, Op op, double threshold, Act action, int amount = 1,
                     int priority = 5) {
  AutoscalingRule r;
  r.id = std::move(id);
  r.metric = std::move(metric);
  r.op = op;
  r.threshold = threshold;
  r.action = action;
  r.scale_amount = amount;
  r.priority = priority;
  r.cooldown = seconds{60};
  return r;
}

SwarmMetrics queue(double depth) {
  SwarmMetrics m;
  m.queue_depth = depth;
  return m;
}

const ScalingBounds kWide{0, 1000, 0, std::nullopt};

std::string fired(const std::optional<ScalingDecision>& d) { return d ? d->rule_id : "-"; }

// ------------------------------------------------------------ enums and operators

TEST(Autoscaler, LabelsRoundTripAndUnknownTextIsRefused) {
  for (auto t : {ScalingRuleType::queue_based, ScalingRuleType::time_based, ScalingRuleType::performance_based,
                 ScalingRuleType::cost_based})
    EXPECT_EQ(parse_scaling_rule_type(label(t)), t);
  for (auto a : {Act::scale_up, Act::scale_down, Act::maintain}) EXPECT_EQ(parse_scaling_action(label(a)), a);
  for (auto o : {Op::gt, Op::gte, Op::lt, Op::lte, Op::eq}) EXPECT_EQ(parse_scaling_operator(label(o)), o);
  EXPECT_EQ(label(Op::gte), ">=");
  EXPECT_EQ(label(ScalingRuleType::cost_based), "cost_based");
  EXPECT_EQ(parse_scaling_operator("="), std::nullopt);
  EXPECT_EQ(parse_scaling_operator("=>"), std::nullopt);
  EXPECT_EQ(parse_scaling_action("SCALE_UP"), std::nullopt);
  EXPECT_EQ(parse_scaling_rule_type(""), std::nullopt);
  EXPECT_TRUE(is_scaling_metric("pace_to_finish"));
  EXPECT_TRUE(is_scaling_metric("day_of_week"));
  EXPECT_FALSE(is_scaling_metric("queueDepth"));
  EXPECT_FALSE(is_scaling_metric(""));
}

TEST(Autoscaler, EachOperatorDecidesWhetherTheRuleFires) {
  struct Case {
    Op op;
    double value, threshold;
    bool fires;
  };
  const std::vector<Case> cases = {
      {Op::gt, 21, 20, true},   {Op::gt, 20, 20, false},  {Op::gt, 19, 20, false},
      {Op::gte, 21, 20, true},  {Op::gte, 20, 20, true},  {Op::gte, 19, 20, false},
      {Op::lt, 19, 20, true},   {Op::lt, 20, 20, false},  {Op::lt, 21, 20, false},
      {Op::lte, 19, 20, true},  {Op::lte, 20, 20, true},  {Op::lte, 21, 20, false},
      {Op::eq, 20, 20, true},   {Op::eq, 20.5, 20, false}, {Op::eq, 0.1 + 0.2, 0.3, true},
      {Op::eq, 1e-12, 0, true}, {Op::eq, 1e-6, 0, false}, {Op::gt, -1, -2, true},
  };
  for (const auto& c : cases) {
    const std::vector rules{rule("r", "queue_depth", c.op, c.threshold, Act::scale_up)};
    const auto d = evaluate_scaling(rules, queue(c.value), 2, kWide, kNow);
    EXPECT_EQ(d.has_value(), c.fires) << c.value << " " << label(c.op) << " " << c.threshold;
    EXPECT_EQ(compare(c.op, c.value, c.threshold), c.fires);
    if (d) {
      EXPECT_EQ(d->to_agents, 3);
      EXPECT_EQ(d->value, c.value);
      EXPECT_EQ(d->threshold, c.threshold);
      EXPECT_EQ(d->metric, "queue_depth");
      EXPECT_TRUE(d->triggered);
    }
  }
  for (auto op : {Op::gt, Op::gte, Op::lt, Op::lte, Op::eq}) {
    EXPECT_FALSE(compare(op, kNaN, 0));
    EXPECT_FALSE(compare(op, 0, kNaN));
    EXPECT_FALSE(compare(op, kInf, 0));
  }
}

TEST(Autoscaler, TheDecisionSaysWhatHappenedInWords) {
  const std::vector rules{rule("q", "queue_depth", Op::gt, 20, Act::scale_up, 2)};
  const auto d = evaluate_scaling(rules, queue(42), 2, kWide, kNow);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "queue_depth 42 > 20: 2 → 4 agents");
  EXPECT_EQ(d->action, Act::scale_up);
  EXPECT_EQ(d->from_agents, 2);
  EXPECT_EQ(d->to_agents, 4);

  SwarmMetrics m;
  m.success_rate = 0.125;
  const std::vector down{rule("s", "success_rate", Op::lt, 0.25, Act::scale_down, 1)};
  const auto e = evaluate_scaling(down, m, 3, kWide, kNow);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "success_rate 0.125 < 0.25: 3 → 2 agents");
}

// ------------------------------------------------------------ order

TEST(Autoscaler, RulesAreTriedByPriorityThenId) {
  struct Case {
    const char* name;
    std::vector<AutoscalingRule> rules;
    SwarmMetrics metrics;
    std::string expected;
  };
  SwarmMetrics both = queue(50);
  both.success_rate = 0.9;
  auto inactive = rule("a-top", "queue_depth", Op::gt, 0, Act::scale_down, 1, 99);
  inactive.active = false;
  auto cooling = rule("a-top", "queue_depth", Op::gt, 0, Act::scale_down, 1, 99);
  cooling.last_triggered = kNow - seconds{10};
  auto at_max = rule("a-top", "queue_depth", Op::gt, 0, Act::scale_up, 1, 99);
  at_max.max_agents = 4;  // active is 4: no change, the next rule is tried
  const std::vector<Case> cases = {
      {"higher priority first", {rule("low", "queue_depth", Op::gt, 0, Act::scale_up, 1, 1),
                                 rule("high", "queue_depth", Op::gt, 0, Act::scale_down, 1, 9)}, both, "high"},
      {"input order does not matter", {rule("high", "queue_depth", Op::gt, 0, Act::scale_down, 1, 9),
                                       rule("low", "queue_depth", Op::gt, 0, Act::scale_up, 1, 1)}, both, "high"},
      {"ties by id", {rule("b", "queue_depth", Op::gt, 0, Act::scale_up, 1, 5),
                      rule("a", "queue_depth", Op::gt, 0, Act::scale_down, 1, 5)}, both, "a"},
      {"negative priorities", {rule("minus", "queue_depth", Op::gt, 0, Act::scale_up, 1, -3),
                               rule("zero", "queue_depth", Op::gt, 0, Act::scale_down, 1, 0)}, both, "zero"},
      {"comparison fails: next", {rule("high", "queue_depth", Op::lt, 10, Act::scale_down, 1, 9),
                                  rule("low", "success_rate", Op::gt, 0.5, Act::scale_up, 1, 1)}, both, "low"},
      {"metric absent: next", {rule("high", "connection_rate", Op::gt, 0, Act::scale_down, 1, 9),
                               rule("low", "queue_depth", Op::gt, 0, Act::scale_up, 1, 1)}, both, "low"},
      {"unknown metric: next", {rule("high", "queueDepth", Op::gt, 0, Act::scale_down, 1, 9),
                                rule("low", "queue_depth", Op::gt, 0, Act::scale_up, 1, 1)}, both, "low"},
      {"inactive ignored", {inactive, rule("b", "queue_depth", Op::gt, 0, Act::scale_up)}, both, "b"},
      {"in cooldown: next", {cooling, rule("b", "queue_depth", Op::gt, 0, Act::scale_up)}, both, "b"},
      {"no change at a bound: next", {at_max, rule("b", "queue_depth", Op::gt, 0, Act::scale_down)}, both, "b"},
      {"nothing holds", {rule("x", "queue_depth", Op::lt, 0, Act::scale_up)}, both, "-"},
      {"no rules", {}, both, "-"},
      {"only inactive", {inactive}, both, "-"},
  };
  for (const auto& c : cases) EXPECT_EQ(fired(evaluate_scaling(c.rules, c.metrics, 4, kWide, kNow)), c.expected) << c.name;
}

TEST(Autoscaler, TenThousandRulesPickTheSameRuleAsABruteForceScan) {
  std::mt19937 rng(18);
  std::vector<AutoscalingRule> rules;
  for (int i = 0; i < 10'000; ++i) {
    auto r = rule(std::to_string(rng() % 1000) + "-" + std::to_string(i), "queue_depth", Op::gt,
                  static_cast<double>(rng() % 100), rng() % 2 ? Act::scale_up : Act::scale_down, 1,
                  static_cast<int>(rng() % 50));
    r.active = rng() % 4 != 0;
    if (rng() % 3 == 0) r.last_triggered = kNow - seconds{rng() % 120};
    rules.push_back(std::move(r));
  }
  for (double depth : {5.0, 50.0, 99.0, 100.0}) {
    const AutoscalingRule* best = nullptr;
    for (const auto& r : rules) {
      if (!r.active || !(depth > r.threshold)) continue;
      if (r.last_triggered && *r.last_triggered + r.cooldown > kNow) continue;
      if (!best || r.priority > best->priority || (r.priority == best->priority && r.id < best->id)) best = &r;
    }
    const auto d = evaluate_scaling(rules, queue(depth), 10, kWide, kNow);
    EXPECT_EQ(fired(d), best ? best->id : "-") << depth;
    if (d && best) {
      EXPECT_EQ(d->action, best->action);
    }
  }
}

// ------------------------------------------------------------ cooldown

TEST(Autoscaler, CooldownSkipsARuleUntilLastTriggeredPlusCooldown) {
  struct Case {
    const char* name;
    std::optional<system_clock::time_point> last;
    seconds cooldown;
    bool fires;
  };
  constexpr auto kMax = system_clock::time_point::max();
  constexpr auto kMin = system_clock::time_point::min();
  const std::vector<Case> cases = {
      {"never triggered", std::nullopt, seconds{60}, true},
      {"inside", kNow - seconds{30}, seconds{60}, false},
      {"one second before the end", kNow - seconds{59}, seconds{60}, false},
      {"a nanosecond before the end", kNow - seconds{60} + std::chrono::nanoseconds{1}, seconds{60}, false},
      {"at the end", kNow - seconds{60}, seconds{60}, true},
      {"after", kNow - seconds{61}, seconds{60}, true},
      {"zero cooldown, just fired", kNow, seconds{0}, true},
      {"triggered in the future (clock stepped back)", kNow + seconds{5}, seconds{60}, false},
      {"a day-long cooldown", kNow - hours{23}, seconds{86'400}, false},
      {"huge cooldown", kNow - hours{24 * 365}, seconds::max(), false},
      {"last at the end of time", kMax, seconds{60}, false},
      {"last at the start of time", kMin, seconds{60}, true},
      {"last at the start of time, huge cooldown", kMin, seconds::max(), true},
  };
  for (const auto& c : cases) {
    auto r = rule("r", "queue_depth", Op::gt, 0, Act::scale_up);
    r.last_triggered = c.last;
    r.cooldown = c.cooldown;
    const std::vector rules{r};
    EXPECT_EQ(evaluate_scaling(rules, queue(1), 2, kWide, kNow).has_value(), c.fires) << c.name;
  }
}

// ------------------------------------------------------------ bounds and cost

TEST(Autoscaler, MinAndMaxOfTheRuleAndTheCampaignClampTheTarget) {
  struct Case {
    const char* name;
    Act action;
    int active, amount, rule_min, rule_max, campaign_min, campaign_max;
    int expected;  // -1: no change
  };
  const std::vector<Case> cases = {
      {"up, room", Act::scale_up, 2, 2, 0, 1000, 0, 1000, 4},
      {"up, amount > room (rule max)", Act::scale_up, 3, 5, 0, 4, 0, 1000, 4},
      {"up, amount > room (campaign max)", Act::scale_up, 3, 5, 0, 1000, 0, 6, 6},
      {"up, the tighter max wins", Act::scale_up, 1, 10, 0, 5, 0, 3, 3},
      {"up, at max", Act::scale_up, 4, 1, 0, 4, 0, 1000, -1},
      {"up, above max already", Act::scale_up, 7, 1, 0, 4, 0, 1000, -1},
      {"down, room", Act::scale_down, 5, 2, 0, 1000, 0, 1000, 3},
      {"down, amount > room (rule min)", Act::scale_down, 5, 10, 2, 1000, 0, 1000, 2},
      {"down, amount > room (campaign min)", Act::scale_down, 5, 10, 0, 1000, 3, 1000, 3},
      {"down, the tighter min wins", Act::scale_down, 9, 10, 4, 1000, 2, 1000, 4},
      {"down, at min", Act::scale_down, 2, 1, 2, 1000, 0, 1000, -1},
      {"down, below min already", Act::scale_down, 1, 1, 2, 1000, 0, 1000, -1},
      {"down to zero", Act::scale_down, 1, 1, 0, 1000, 0, 1000, 0},
      {"bounds that do not meet: up stops at max", Act::scale_up, 2, 5, 6, 1000, 0, 4, 4},
      {"bounds that do not meet: down stops at min", Act::scale_down, 9, 5, 6, 1000, 0, 4, 6},
      {"amount 0 acts as 1", Act::scale_up, 2, 0, 0, 1000, 0, 1000, 3},
      {"huge amount, no overflow", Act::scale_up, std::numeric_limits<int>::max() - 1, std::numeric_limits<int>::max(), 0,
       std::numeric_limits<int>::max(), 0, std::numeric_limits<int>::max(), std::numeric_limits<int>::max()},
      {"huge amount down, no overflow", Act::scale_down, std::numeric_limits<int>::min() + 1,
       std::numeric_limits<int>::max(), std::numeric_limits<int>::min(), 1000, std::numeric_limits<int>::min(), 1000,
       std::numeric_limits<int>::min()},
  };
  for (const auto& c : cases) {
    auto r = rule("r", "queue_depth", Op::gt, 0, c.action, c.amount);
    r.min_agents = c.rule_min;
    r.max_agents = c.rule_max;
    const std::vector rules{r};
    const auto d = evaluate_scaling(rules, queue(1), c.active, ScalingBounds{c.campaign_min, c.campaign_max, 0, {}}, kNow);
    EXPECT_EQ(d ? d->to_agents : -1, c.expected) << c.name;
    if (d) {
      EXPECT_EQ(d->from_agents, c.active) << c.name;
      EXPECT_EQ(d->action, c.action) << c.name;
    }
  }
}

TEST(Autoscaler, TheCostCapLimitsScaleUpsAndABlockedRuleChangesNothing) {
  struct Case {
    const char* name;
    int active, amount;
    std::optional<double> rule_cap, campaign_cap;
    double cost_per_agent_hour;
    int expected;  // -1: no change
  };
  const std::vector<Case> cases = {
      {"under the cap", 1, 2, 100.0, {}, 25, 3},
      {"amount > what the cap allows", 3, 5, 100.0, {}, 25, 4},
      {"exactly at the cap: blocked", 4, 1, 100.0, {}, 25, -1},
      {"over the cap already: blocked, not cut", 6, 1, 100.0, {}, 25, -1},
      {"the campaign's cap", 1, 10, {}, 50.0, 25, 2},
      {"the tighter cap wins", 1, 10, 100.0, 75.0, 25, 3},
      {"a cap that is an exact multiple despite floating point", 1, 10, 0.3, {}, 0.1, 3},
      {"cap below one agent", 0, 1, 10.0, {}, 25, -1},
      {"unknown cost per agent: no cap", 1, 10, 100.0, {}, 0, 11},
      {"NaN cost per agent: no cap", 1, 10, 100.0, {}, kNaN, 11},
      {"no cap set", 1, 10, {}, {}, 25, 11},
      {"NaN cap is no cap", 1, 10, kNaN, {}, 25, 11},
      {"huge cap", 1, 10, 1e300, {}, 1e-300, 11},
  };
  for (const auto& c : cases) {
    auto r = rule("up", "queue_depth", Op::gt, 0, Act::scale_up, c.amount);
    r.max_cost_per_hour = c.rule_cap;
    const std::vector rules{r};
    const auto d = evaluate_scaling(rules, queue(1), c.active, ScalingBounds{0, 1000, c.cost_per_agent_hour, c.campaign_cap}, kNow);
    EXPECT_EQ(d ? d->to_agents : -1, c.expected) << c.name;
  }
  // Blocked by the cap, the rule gives way to the next one (here a lower
  // maintain rule would otherwise never be reached).
  auto up = rule("up", "queue_depth", Op::gt, 0, Act::scale_up, 1, 9);
  up.max_cost_per_hour = 100;
  const std::vector rules{up, rule("hold", "queue_depth", Op::gt, 0, Act::maintain, 1, 1)};
  const auto d = evaluate_scaling(rules, queue(1), 4, ScalingBounds{0, 1000, 25, {}}, kNow);
  EXPECT_EQ(fired(d), "hold");
  // Capped, the reason says why it stopped short.
  const auto e = evaluate_scaling(rules, queue(1), 3, ScalingBounds{0, 1000, 25, {}}, kNow);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_agents, 4);
  up.scale_amount = 3;
  const std::vector capped{up};
  const auto f = evaluate_scaling(capped, queue(1), 3, ScalingBounds{0, 1000, 25, {}}, kNow);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->reason, "queue_depth 1 > 0: 3 → 4 agents (cost cap 100/h at 25 per agent-hour allows 4)");
}

// ------------------------------------------------------------ maintain

TEST(Autoscaler, MaintainHoldsAndBlocksLowerRules) {
  SwarmMetrics m = queue(80);
  m.success_rate = 0.1;
  auto hold = rule("hold", "success_rate", Op::lt, 0.2, Act::maintain, 1, 9);
  const auto up = rule("up", "queue_depth", Op::gt, 20, Act::scale_up, 2, 5);

  const std::vector rules{up, hold};
  auto d = evaluate_scaling(rules, m, 3, kWide, kNow);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule_id, "hold");
  EXPECT_EQ(d->action, Act::maintain);
  EXPECT_EQ(d->from_agents, 3);
  EXPECT_EQ(d->to_agents, 3);
  EXPECT_TRUE(d->triggered);
  EXPECT_EQ(d->reason, "success_rate 0.1 < 0.2: hold at 3 agents");

  // Inside its cooldown it still holds, but is not a new trigger.
  hold.last_triggered = kNow - seconds{10};
  const std::vector cooling{up, hold};
  d = evaluate_scaling(cooling, m, 3, kWide, kNow);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule_id, "hold");
  EXPECT_FALSE(d->triggered);

  // Its comparison fails: the lower rule scales.
  m.success_rate = 0.5;
  d = evaluate_scaling(rules, m, 3, kWide, kNow);
  EXPECT_EQ(fired(d), "up");
  EXPECT_EQ(d->to_agents, 5);

  // A lower-priority maintain does not block a higher rule.
  m.success_rate = 0.1;
  auto low_hold = hold;
  low_hold.priority = 1;
  low_hold.last_triggered.reset();
  const std::vector low{up, low_hold};
  EXPECT_EQ(fired(evaluate_scaling(low, m, 3, kWide, kNow)), "up");
  // An inactive maintain holds nothing.
  low_hold.priority = 99;
  low_hold.active = false;
  const std::vector off{up, low_hold};
  EXPECT_EQ(fired(evaluate_scaling(off, m, 3, kWide, kNow)), "up");
}

// ------------------------------------------------------------ metrics

TEST(Autoscaler, AbsentNaNAndInfiniteMetricsAreSkipped) {
  struct Case {
    const char* name;
    std::optional<double> depth;
    bool fires;
  };
  const std::vector<Case> cases = {
      {"present", 30, true}, {"absent", std::nullopt, false}, {"NaN", kNaN, false},
      {"+inf", kInf, false}, {"-inf", -kInf, false},
  };
  for (const auto& c : cases) {
    SwarmMetrics m;
    m.queue_depth = c.depth;
    EXPECT_EQ(m.value("queue_depth").has_value(), c.fires) << c.name;
    const std::vector rules{rule("r", "queue_depth", Op::gt, 20, Act::scale_up)};
    EXPECT_EQ(evaluate_scaling(rules, m, 1, kWide, kNow).has_value(), c.fires) << c.name;
  }
  // A NaN threshold never holds.
  const std::vector nan_threshold{rule("r", "queue_depth", Op::lt, kNaN, Act::scale_up)};
  EXPECT_FALSE(evaluate_scaling(nan_threshold, queue(5), 1, kWide, kNow));
  // active_agents, when not measured, is the count the caller passes.
  const std::vector by_count{rule("r", "active_agents", Op::lt, 3, Act::scale_up)};
  EXPECT_EQ(fired(evaluate_scaling(by_count, SwarmMetrics{}, 2, kWide, kNow)), "r");
  EXPECT_EQ(fired(evaluate_scaling(by_count, SwarmMetrics{}, 3, kWide, kNow)), "-");
  // Every metric name reads its own member.
  SwarmMetrics all;
  all.queue_depth = 1, all.wait_time = 2, all.success_rate = 3, all.connection_rate = 4, all.cost_per_hour = 5;
  all.turn_latency = 6, all.pace_to_finish = 7, all.active_agents = 8, all.calling_agents = 9, all.idle_agents = 10;
  all.hour_of_day = 11, all.day_of_week = 12;
  const char* names[] = {"queue_depth",    "wait_time",     "success_rate",   "connection_rate",
                         "cost_per_hour",  "turn_latency",  "pace_to_finish", "active_agents",
                         "calling_agents", "idle_agents",   "hour_of_day",    "day_of_week"};
  for (int i = 0; i < 12; ++i) {
    EXPECT_TRUE(is_scaling_metric(names[i]));
    EXPECT_EQ(all.value(names[i]), i + 1) << names[i];
  }
  EXPECT_EQ(all.value("nope"), std::nullopt);
}

TEST(Autoscaler, TimeBasedRulesReadCampaignLocalHourAndDay) {
  struct Case {
    const char* at;
    const char* zone;
    double hour, day;  // day: 0 = Sunday
  };
  const std::vector<Case> cases = {
      {"2026-03-08T06:59:59Z", "America/New_York", 1, 0},   // 01:59 EST, the Sunday of the change
      {"2026-03-08T07:00:00Z", "America/New_York", 3, 0},   // 03:00 EDT: 02:xx never happens
      {"2026-11-01T05:30:00Z", "America/New_York", 1, 0},   // 01:30 EDT
      {"2026-11-01T06:30:00Z", "America/New_York", 1, 0},   // 01:30 EST, again
      {"2026-06-13T03:00:00Z", "America/Los_Angeles", 20, 5},  // Friday evening there, Saturday in UTC
      {"2026-06-13T23:30:00Z", "Asia/Tokyo", 8, 0},         // Sunday morning in Tokyo
      {"2026-06-10T12:00:00Z", "UTC", 12, 3},
  };
  for (const auto& c : cases) {
    SwarmMetrics m;
    ASSERT_TRUE(fill_local_time(m, c.zone, utc(c.at))) << c.zone;
    EXPECT_EQ(m.hour_of_day, c.hour) << c.at << " " << c.zone;
    EXPECT_EQ(m.day_of_week, c.day) << c.at << " " << c.zone;
  }
  SwarmMetrics untouched;
  EXPECT_FALSE(fill_local_time(untouched, "Mars/Olympus_Mons", kNow));
  EXPECT_FALSE(untouched.hour_of_day);

  // "After 17:00 local, scale down; on Sundays, hold": the same rules fire at
  // 17:00 New York time in winter (22:00 UTC) and summer (21:00 UTC).
  auto evening = rule("evening", "hour_of_day", Op::gte, 17, Act::scale_down, 2, 5);
  evening.type = ScalingRuleType::time_based;
  auto sunday = rule("sunday", "day_of_week", Op::eq, 0, Act::maintain, 1, 9);
  sunday.type = ScalingRuleType::time_based;
  const std::vector rules{evening, sunday};
  struct Tick {
    const char* at;
    std::string expected;
  };
  const std::vector<Tick> ticks = {
      {"2026-01-14T21:59:00Z", "-"},       {"2026-01-14T22:00:00Z", "evening"},  // Wednesday, EST
      {"2026-07-15T20:59:00Z", "-"},       {"2026-07-15T21:00:00Z", "evening"},  // Wednesday, EDT
      {"2026-07-19T21:00:00Z", "sunday"},                                        // Sunday 17:00 EDT: hold wins
  };
  for (const auto& t : ticks) {
    SwarmMetrics m;
    ASSERT_TRUE(fill_local_time(m, "America/New_York", utc(t.at)));
    EXPECT_EQ(fired(evaluate_scaling(rules, m, 6, kWide, utc(t.at))), t.expected) << t.at;
  }
}

// ------------------------------------------------------------ pace_to_finish

TEST(Autoscaler, PaceToFinishIsTheCeilingOfWorkOverWindow) {
  constexpr int64_t kHugeContacts = std::numeric_limits<int64_t>::max();
  struct Case {
    const char* name;
    int64_t remaining;
    double avg, window, attempts, gap;
    int expected;
  };
  const std::vector<Case> cases = {
      {"nothing remains", 0, 60, 3600, 1, 0, 0},
      {"negative remaining", -5, 60, 3600, 1, 0, 0},
      {"nothing remains, no window", 0, 60, 0, 1, 0, 0},
      {"exact", 100, 60, 3000, 1, 0, 2},
      {"a bit more needs one more agent", 101, 60, 3000, 1, 0, 3},
      {"floating-point noise is not an agent", 3, 0.1, 0.3, 1, 0, 1},
      {"attempts > 1", 100, 60, 3000, 2.5, 0, 5},
      {"gap between calls", 100, 50, 3000, 1, 10, 2},
      {"gap pushes over", 100, 50, 3000, 1, 11, 3},
      {"a short list still needs an agent", 1, 60, 1e9, 1, 0, 1},
      {"zero-length calls still need an agent", 100, 0, 3600, 1, 0, 1},
      {"infinite window", 100, 60, kInf, 1, 0, 1},
      {"zero window", 100, 60, 0, 1, 0, kPaceUnreachable},
      {"negative window", 100, 60, -10, 1, 0, kPaceUnreachable},
      {"NaN window", 100, 60, kNaN, 1, 0, kPaceUnreachable},
      {"huge list", kHugeContacts, 600, 1, 1, 0, kPaceUnreachable},
      {"huge call length", 10, 1e308, 3600, 1, 0, kPaceUnreachable},
      {"huge everything", kHugeContacts, 1e308, 1e-300, 1e308, 1e308, kPaceUnreachable},
      {"infinite call length", 10, kInf, 3600, 1, 0, kPaceUnreachable},
      {"just under int max", 2'147'483'646, 1, 1, 1, 0, 2'147'483'646},
      {"just over int max", 2'147'483'648, 1, 1, 1, 0, kPaceUnreachable},
      {"NaN call length counts as 0", 10, kNaN, 3600, 1, 0, 1},
      {"negative gap counts as 0", 100, 60, 3000, 1, -30, 2},
      {"attempts 0 count as 1", 100, 60, 3000, 0, 0, 2},
      {"attempts NaN count as 1", 100, 60, 3000, kNaN, 0, 2},
      {"a 10,000-contact campaign, 2 attempts of 90 s + 15 s gap over 8 h", 10'000, 90, 8 * 3600, 2, 15, 73},
  };
  for (const auto& c : cases)
    EXPECT_EQ(pace_to_finish(c.remaining, c.avg, c.window, c.attempts, c.gap), c.expected) << c.name;
}

TEST(Autoscaler, APaceRuleMovesTowardTheNeededNumber) {
  struct Case {
    const char* name;
    double pace;
    Act action;
    int active, amount, max_agents;
    int expected;  // -1: no change
  };
  const std::vector<Case> cases = {
      {"up by the amount", 9, Act::scale_up, 2, 2, 100, 4},
      {"up, stops at the pace", 7, Act::scale_up, 2, 10, 100, 7},
      {"up, pace reached", 5, Act::scale_up, 5, 3, 100, -1},
      {"up, pace below", 3, Act::scale_up, 5, 3, 100, -1},
      {"up, unreachable pace stops at max", kPaceUnreachable, Act::scale_up, 8, 10, 10, 10},
      {"up, fractional pace rounds up", 6.2, Act::scale_up, 2, 10, 100, 7},
      {"down by the amount", 2, Act::scale_down, 9, 3, 100, 6},
      {"down, stops at the pace", 3, Act::scale_down, 5, 10, 100, 3},
      {"down, pace reached", 5, Act::scale_down, 5, 3, 100, -1},
      {"down, pace above", 8, Act::scale_down, 5, 3, 100, -1},
      {"down to zero when nothing remains", 0, Act::scale_down, 2, 5, 100, 0},
  };
  for (const auto& c : cases) {
    auto r = rule("pace", "pace_to_finish", Op::gte, 0, c.action, c.amount);
    r.max_agents = c.max_agents;
    const std::vector rules{r};
    SwarmMetrics m;
    m.pace_to_finish = c.pace;
    const auto d = evaluate_scaling(rules, m, c.active, kWide, kNow);
    EXPECT_EQ(d ? d->to_agents : -1, c.expected) << c.name;
  }
  SwarmMetrics m;
  m.pace_to_finish = 7;
  const std::vector rules{rule("pace", "pace_to_finish", Op::gt, 0, Act::scale_up, 10)};
  const auto d = evaluate_scaling(rules, m, 2, kWide, kNow);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "pace_to_finish 7 > 0: 2 → 7 agents (toward pace 7)");
}

// ------------------------------------------------------------ calling_seconds_left

CallingWindow window(int start_h, int end_h, const char* zone, std::array<bool, 7> days = {true, true, true, true, true,
                                                                                            true, true}) {
  return CallingWindow{start_h * 60, end_h * 60, zone, days};
}
constexpr std::array<bool, 7> kWeekdays{true, true, true, true, true, false, false};  // [0] = Monday

TEST(Autoscaler, CallingSecondsLeftCountsTheWindowAcrossDaysAndDstChanges) {
  struct Case {
    const char* name;
    CallingWindow w;
    const char* now;
    const char* end;
    double hours;
  };
  const std::vector<Case> cases = {
      {"before the window", window(9, 17, "UTC"), "2026-06-10T08:00:00Z", "2026-06-10T18:00:00Z", 8},
      {"inside the window", window(9, 17, "UTC"), "2026-06-10T12:00:00Z", "2026-06-10T18:00:00Z", 5},
      {"end inside the window", window(9, 17, "UTC"), "2026-06-10T08:00:00Z", "2026-06-10T10:30:00Z", 1.5},
      {"end before now", window(9, 17, "UTC"), "2026-06-10T12:00:00Z", "2026-06-10T11:00:00Z", 0},
      {"end == now", window(9, 17, "UTC"), "2026-06-10T12:00:00Z", "2026-06-10T12:00:00Z", 0},
      {"a week of weekdays", window(9, 17, "UTC", kWeekdays), "2026-06-08T00:00:00Z", "2026-06-15T00:00:00Z", 40},
      // Friday 12:00 EST to Monday 12:00 EDT: Fri 5 h, the weekend (and its
      // DST change, Sunday 8 March 2026) skipped, Mon 3 h.
      {"weekend skipped across spring-forward", window(9, 17, "America/New_York", kWeekdays), "2026-03-06T17:00:00Z",
       "2026-03-09T16:00:00Z", 8},
      {"spring-forward day is 23 h", window(0, 24, "America/New_York"), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23},
      {"fall-back day is 25 h", window(0, 24, "America/New_York"), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25},
      {"a window inside the spring gap: 03:00-04:00 EDT", CallingWindow{150, 240, "America/New_York"},
       "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 1},
      {"an end inside the fall-back repeat: both 01:00-01:30",
       CallingWindow{0, 90, "America/New_York"}, "2026-11-01T04:00:00Z", "2026-11-01T12:00:00Z", 2},
      {"9-17 on the fall-back day is still 8 h", window(9, 17, "America/New_York"), "2026-11-01T00:00:00Z",
       "2026-11-02T00:00:00Z", 8},
      // 22:00-02:00 on Fridays only: Friday 22:00 to Saturday 02:00.
      {"across midnight, the day it starts on",
       window(22, 2, "UTC", {false, false, false, false, true, false, false}), "2026-06-08T00:00:00Z",
       "2026-06-15T00:00:00Z", 4},
      {"across midnight, now inside the early part",
       window(22, 2, "UTC", {false, false, false, false, true, false, false}), "2026-06-13T01:00:00Z",
       "2026-06-15T00:00:00Z", 1},
      {"no day in the range", window(9, 17, "UTC", kWeekdays), "2026-06-13T00:00:00Z", "2026-06-15T00:00:00Z", 0},
  };
  for (const auto& c : cases)
    EXPECT_EQ(calling_seconds_left(c.w, utc(c.now), utc(c.end)), c.hours * 3600) << c.name;
}

TEST(Autoscaler, CallingSecondsLeftAgreesWithTheDialersCallingHours) {
  const CallingHours dialer(LocalHours{}, false);  // the job window only, as the swarm's window is
  struct Case {
    CallingWindow w;
    const char* from;
    const char* to;
  };
  const std::vector<Case> cases = {
      {window(9, 17, "America/New_York", kWeekdays), "2026-03-05T00:00:00Z", "2026-03-10T00:00:00Z"},
      {CallingWindow{90, 200, "America/New_York"}, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"},
      {CallingWindow{60, 150, "America/New_York"}, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"},
      {window(22, 2, "Europe/London", {true, false, false, false, false, false, true}), "2026-03-27T00:00:00Z",
       "2026-04-01T00:00:00Z"},
      {CallingWindow{23 * 60 + 30, 30, "Australia/Lord_Howe"}, "2026-04-03T00:00:00Z", "2026-04-07T00:00:00Z"},
  };
  for (const auto& c : cases) {
    int64_t allowed_minutes = 0;
    for (auto t = utc(c.from); t < utc(c.to); t += minutes{1})
      allowed_minutes += dialer.check("+12125550100", c.w, t).allowed ? 1 : 0;
    EXPECT_EQ(calling_seconds_left(c.w, utc(c.from), utc(c.to)), static_cast<double>(allowed_minutes * 60))
        << describe_calling_window(c.w) << " from " << c.from;
  }
}

TEST(Autoscaler, CallingSecondsLeftIsBoundedAndRefusesAnUnknownZone) {
  const auto w = window(9, 17, "America/New_York", kWeekdays);
  const double horizon = calling_seconds_left(w, kNow, kNow + kCallingHorizon);
  EXPECT_GT(horizon, 500 * 8 * 3600.0);
  EXPECT_EQ(calling_seconds_left(w, kNow, system_clock::time_point::max()), horizon);
  EXPECT_EQ(calling_seconds_left(w, system_clock::time_point::min(), system_clock::time_point::min()), 0);
  EXPECT_EQ(calling_seconds_left(w, system_clock::time_point::max(), system_clock::time_point::min()), 0);

  const auto nowhere = CallingWindow{9 * 60, 17 * 60, "Mars/Olympus_Mons"};
  EXPECT_TRUE(std::isnan(calling_seconds_left(nowhere, kNow, kNow + hours{24})));
  EXPECT_EQ(pace_to_finish_metric(100, 60.0, nowhere, kNow, kNow + hours{24}), std::nullopt);
  // No calls yet: the average call length is unknown, so is the pace.
  EXPECT_EQ(pace_to_finish_metric(100, std::nullopt, w, kNow, kNow + hours{24}), std::nullopt);
  EXPECT_EQ(pace_to_finish_metric(100, kNaN, w, kNow, kNow + hours{24}), std::nullopt);
  // Wednesday 08:00 EDT to Thursday 08:00: 8 h of window, 1,000 × 2 min / 8 h = 4.17 → 5.
  EXPECT_EQ(pace_to_finish_metric(1000, 120.0, w, utc("2026-06-10T12:00:00Z"), utc("2026-06-11T12:00:00Z")), 5);
  // The window is over for the campaign: unreachable, which a rule clamps to max agents.
  EXPECT_EQ(pace_to_finish_metric(10, 120.0, w, utc("2026-06-13T12:00:00Z"), utc("2026-06-14T12:00:00Z")),
            kPaceUnreachable);
  EXPECT_EQ(pace_to_finish_metric(0, 120.0, w, kNow, kNow), 0);
}

TEST(Autoscaler, ActiveHoursCountSundayAsZero) {
  struct Case {
    json days;
    std::array<bool, 7> iso;  // [0] = Monday
  };
  const std::vector<Case> cases = {
      {json::array({1, 2, 3, 4, 5}), kWeekdays},
      {json::array({0, 6}), {false, false, false, false, false, true, true}},
      {json::array({0}), {false, false, false, false, false, false, true}},
      {nullptr, {true, true, true, true, true, true, true}},  // absent: every day
  };
  for (const auto& c : cases) {
    json body{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "America/New_York"}};
    if (!c.days.is_null()) body["daysOfWeek"] = c.days;
    const auto w = parse_active_hours(body);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->days, c.iso) << c.days.dump();
    EXPECT_EQ(w->start_minute, 9 * 60);
    EXPECT_EQ(w->end_minute, 17 * 60);
    EXPECT_EQ(w->timezone, "America/New_York");
  }
  // Sunday 2026-06-14 in New York: only a window with day 0 has calling time.
  const json sunday{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "America/New_York"}, {"daysOfWeek", {0}}};
  EXPECT_EQ(calling_seconds_left(*parse_active_hours(sunday), utc("2026-06-14T04:00:00Z"), utc("2026-06-15T04:00:00Z")),
            8 * 3600.0);

  struct Bad {
    json body;
    const char* field;
  };
  const std::vector<Bad> bad = {
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", {7}}}, "activeHours.daysOfWeek"},
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", {-1}}}, "activeHours.daysOfWeek"},
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", json::array()}},
       "activeHours.daysOfWeek"},
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", "weekdays"}}, "activeHours.daysOfWeek"},
      {json{{"end", "17:00"}, {"timezone", "UTC"}}, "activeHours.start"},
      {json{{"start", "09:00"}, {"end", "09:00"}, {"timezone", "UTC"}}, "activeHours.end"},
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "Mars/Olympus_Mons"}}, "activeHours.timezone"},
      {json{{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}, {"days", {1}}}, "activeHours.days"},
      {json::array(), "activeHours"},
  };
  for (const auto& b : bad) {
    const auto w = parse_active_hours(b.body);
    ASSERT_FALSE(w) << b.body.dump();
    EXPECT_EQ(w.error().field(), b.field) << b.body.dump() << ": " << w.error().message;
    EXPECT_EQ(w.error().code, ErrorCode::invalid_argument);
  }
  // Both a bad day and a bad start are reported.
  const auto w = parse_active_hours(json{{"start", "9"}, {"end", "17:00"}, {"timezone", "UTC"}, {"daysOfWeek", {9}}});
  ASSERT_FALSE(w);
  ASSERT_EQ(w.error().fields.size(), 2u);
  EXPECT_EQ(w.error().fields[1].field, "activeHours.daysOfWeek");
}

// ------------------------------------------------------------ the rule's JSON

TEST(Autoscaler, ARuleBodyParsesWithTheTablesDefaults) {
  auto r = parse_autoscaling_rule(
      json{{"ruleType", "queue_based"}, {"metric", "queue_depth"}, {"operator", ">"}, {"threshold", 20}, {"action", "scale_up"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ScalingRuleType::queue_based);
  EXPECT_EQ(r->metric, "queue_depth");
  EXPECT_EQ(r->op, Op::gt);
  EXPECT_EQ(r->threshold, 20);
  EXPECT_EQ(r->action, Act::scale_up);
  EXPECT_EQ(r->scale_amount, 1);
  EXPECT_EQ(r->cooldown, seconds{60});
  EXPECT_EQ(r->min_agents, 0);
  EXPECT_EQ(r->max_agents, 1000);
  EXPECT_EQ(r->max_cost_per_hour, std::nullopt);
  EXPECT_EQ(r->priority, 5);
  EXPECT_TRUE(r->active);
  EXPECT_EQ(r->last_triggered, std::nullopt);
  EXPECT_EQ(r->id, "");

  // A stored row's JSON: every column, plus members the rule ignores.
  r = parse_autoscaling_rule(json{{"id", "asr_1"},
                                  {"workspaceId", "ws_1"},
                                  {"campaignId", "cmp_1"},
                                  {"name", "cost guard"},
                                  {"ruleType", "cost_based"},
                                  {"metric", "cost_per_hour"},
                                  {"operator", ">="},
                                  {"threshold", 12.5},
                                  {"action", "scale_down"},
                                  {"scaleAmount", 3},
                                  {"cooldownSeconds", 0},
                                  {"minAgents", 2},
                                  {"maxAgents", 2},
                                  {"maxCostPerHour", 40.0},
                                  {"priority", -7},
                                  {"isActive", 0},
                                  {"lastTriggeredAt", "2026-06-10T11:59:00Z"},
                                  {"triggerCount", 4},
                                  {"createdAt", "2026-06-01T00:00:00Z"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "asr_1");
  EXPECT_EQ(r->name, "cost guard");
  EXPECT_EQ(r->type, ScalingRuleType::cost_based);
  EXPECT_EQ(r->op, Op::gte);
  EXPECT_EQ(r->threshold, 12.5);
  EXPECT_EQ(r->action, Act::scale_down);
  EXPECT_EQ(r->scale_amount, 3);
  EXPECT_EQ(r->cooldown, seconds{0});
  EXPECT_EQ(r->min_agents, 2);
  EXPECT_EQ(r->max_agents, 2);
  EXPECT_EQ(r->max_cost_per_hour, 40.0);
  EXPECT_EQ(r->priority, -7);
  EXPECT_FALSE(r->active);
  EXPECT_EQ(r->last_triggered, utc("2026-06-10T11:59:00Z"));

  r = parse_autoscaling_rule(json{{"ruleType", "time_based"}, {"metric", "hour_of_day"}, {"operator", "=="},
                                  {"threshold", 9}, {"action", "maintain"}, {"isActive", true},
                                  {"maxCostPerHour", nullptr}, {"lastTriggeredAt", nullptr}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->active);
  EXPECT_EQ(r->max_cost_per_hour, std::nullopt);
}

TEST(Autoscaler, ABadRuleBodyNamesTheField) {
  const json good{{"ruleType", "queue_based"}, {"metric", "queue_depth"}, {"operator", ">"}, {"threshold", 20},
                  {"action", "scale_up"}};
  struct Case {
    const char* field;
    json value;  // null: the member is removed
  };
  const std::vector<Case> cases = {
      {"ruleType", nullptr},          {"ruleType", "queue"},         {"ruleType", 1},
      {"metric", nullptr},            {"metric", "queueDepth"},      {"metric", 3},
      {"operator", nullptr},          {"operator", "="},             {"operator", "gt"},
      {"threshold", nullptr},         {"threshold", "20"},           {"threshold", true},
      {"action", nullptr},            {"action", "scale"},           {"scaleAmount", 0},
      {"scaleAmount", 101},           {"scaleAmount", 1.5},          {"scaleAmount", "2"},
      {"scaleAmount", -1},            {"scaleAmount", 18446744073709551615ull},
      {"cooldownSeconds", -1},        {"cooldownSeconds", 86'401},   {"minAgents", -1},
      {"maxAgents", 100'001},         {"maxCostPerHour", -0.01},     {"maxCostPerHour", "10"},
      {"priority", 1e10},             {"priority", 3'000'000'000ll}, {"isActive", "yes"},
      {"isActive", 2},                {"lastTriggeredAt", "yesterday"}, {"lastTriggeredAt", 5},
      {"id", 5},                      {"name", json::array()},
  };
  for (const auto& c : cases) {
    json body = good;
    if (c.value.is_null())
      body.erase(c.field);
    else
      body[c.field] = c.value;
    const auto r = parse_autoscaling_rule(body);
    ASSERT_FALSE(r) << c.field << " = " << c.value.dump();
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(r.error().field(), c.field) << c.value.dump() << ": " << r.error().message;
  }
  // min > max names maxAgents.
  json body = good;
  body["minAgents"] = 5;
  body["maxAgents"] = 4;
  auto r = parse_autoscaling_rule(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field(), "maxAgents");
  // Every offending field is listed.
  r = parse_autoscaling_rule(json{{"metric", "x"}, {"scaleAmount", 0}});
  ASSERT_FALSE(r);
  std::vector<std::string> fields;
  for (const auto& f : r.error().fields) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"ruleType", "metric", "operator", "threshold", "action", "scaleAmount"}));
  EXPECT_EQ(r.error().message.rfind("ruleType: ", 0), 0u) << r.error().message;
  // Not an object at all.
  for (const json& j : {json::array(), json("rule"), json(nullptr)}) {
    r = parse_autoscaling_rule(j);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field(), "body");
  }
  // A huge body is refused member by member, not by size: 10,000 unknown members are ignored.
  body = good;
  for (int i = 0; i < 10'000; ++i) body["extra" + std::to_string(i)] = i;
  EXPECT_TRUE(parse_autoscaling_rule(body));
}

TEST(Autoscaler, AParsedRuleDrivesTheDecisionTickByTick) {
  // The done-when's campaign: min 2, max 4 agents, a queue_based rule, ticks
  // every 10 s as the dialer calls it; the caller stores last_triggered.
  const auto r = parse_autoscaling_rule(json{{"id", "q"}, {"ruleType", "queue_based"}, {"metric", "queue_depth"},
                                             {"operator", ">"}, {"threshold", 5}, {"action", "scale_up"},
                                             {"scaleAmount", 1}, {"cooldownSeconds", 30}});
  ASSERT_TRUE(r);
  std::vector rules{*r};
  const ScalingBounds campaign{2, 4, 0, {}};
  auto t = kNow;
  int agents = 2;
  std::vector<int> counts;
  std::vector<std::string> log;
  for (int tick = 0; tick < 8; ++tick, t += seconds{10}) {
    if (auto d = evaluate_scaling(rules, queue(40), agents, campaign, t); d && d->triggered) {
      agents = d->to_agents;
      rules[0].last_triggered = t;
      log.push_back(d->reason);
    }
    counts.push_back(agents);
  }
  // 2 → 3 at once, 3 → 4 when the 30 s cooldown ends, then held at max.
  EXPECT_EQ(counts, (std::vector<int>{3, 3, 3, 4, 4, 4, 4, 4}));
  EXPECT_EQ(log, (std::vector<std::string>{"queue_depth 40 > 5: 2 → 3 agents", "queue_depth 40 > 5: 3 → 4 agents"}));
  // Held at max, the rule does not fire, so its cooldown is not renewed.
  EXPECT_EQ(rules[0].last_triggered, kNow + seconds{30});
}

}  // namespace
}  // namespace voqo::campaign
