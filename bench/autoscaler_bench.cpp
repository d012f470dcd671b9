// Cost of one autoscaler tick (issue 18 figures: "autoscaler tick cost"):
// evaluate_scaling over 1, 10 and 100 active rules, in the worst case (no
// rule's comparison holds, so every rule is read) and with the lowest rule
// firing (one decision and its reason built); and what the caller spends
// measuring pace_to_finish each tick: calling_seconds_left over 1, 30 and
// 731 days (the horizon) of a Mon-Fri 09:00-17:00 America/New_York window.
//   build/bench/bench_autoscaler --benchmark_min_time=1   ("Time" column)
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "campaign/autoscaler.hpp"
#include "core/time.hpp"

namespace {

using namespace voqo::campaign;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kNow = *voqo::parse_iso8601("2026-06-10T12:00:00Z");

/// `n` rules on the campaign's metrics, priorities n..1; the last (lowest)
/// one fires when `last_fires`, none otherwise. Every third is in cooldown.
std::vector<AutoscalingRule> rules(int n, bool last_fires) {
  static const char* kMetrics[] = {"queue_depth", "wait_time", "success_rate", "connection_rate", "turn_latency"};
  std::vector<AutoscalingRule> out;
  for (int i = 0; i < n; ++i) {
    AutoscalingRule r;
    r.id = "asr_" + std::to_string(i);
    r.metric = kMetrics[i % 5];
    r.op = ScalingOperator::gt;
    r.threshold = 1e9;  // never holds
    r.action = i % 2 ? ScalingAction::scale_up : ScalingAction::scale_down;
    r.priority = n - i;
    r.max_cost_per_hour = 500;
    if (i % 3 == 0) r.last_triggered = kNow - seconds{10};
    out.push_back(std::move(r));
  }
  if (last_fires) {
    out.back().metric = "queue_depth";
    out.back().threshold = 20;
    out.back().action = ScalingAction::scale_up;
    out.back().last_triggered.reset();
  }
  return out;
}

SwarmMetrics metrics() {
  SwarmMetrics m;
  m.queue_depth = 42, m.wait_time = 30, m.success_rate = 0.4, m.connection_rate = 0.6, m.turn_latency = 700;
  m.pace_to_finish = 6, m.cost_per_hour = 50;
  return m;
}

void BM_EvaluateScaling(benchmark::State& state) {
  const auto rs = rules(static_cast<int>(state.range(0)), state.range(1) != 0);
  const auto m = metrics();
  const ScalingBounds bounds{2, 40, 10, std::nullopt};
  for (auto _ : state) {
    auto d = evaluate_scaling(rs, m, 4, bounds, kNow);
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(state.range(1) ? "lowest rule fires" : "no rule holds");
}
BENCHMARK(BM_EvaluateScaling)->ArgsProduct({{1, 10, 100}, {0, 1}})->Unit(benchmark::kMicrosecond);

void BM_CallingSecondsLeft(benchmark::State& state) {
  const CallingWindow w{9 * 60, 17 * 60, "America/New_York", {true, true, true, true, true, false, false}};
  const auto end = kNow + hours{24} * state.range(0);
  for (auto _ : state) {
    double s = calling_seconds_left(w, kNow, end);
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel(std::to_string(state.range(0)) + " days");
}
BENCHMARK(BM_CallingSecondsLeft)->Arg(1)->Arg(30)->Arg(731)->Unit(benchmark::kMicrosecond);

void BM_ParseRule(benchmark::State& state) {
  const nlohmann::json body{{"id", "asr_1"}, {"ruleType", "queue_based"}, {"metric", "queue_depth"},
                            {"operator", ">"}, {"threshold", 20}, {"action", "scale_up"},
                            {"scaleAmount", 2}, {"cooldownSeconds", 60}, {"maxCostPerHour", 100.0},
                            {"lastTriggeredAt", "2026-06-10T11:59:00Z"}};
  for (auto _ : state) {
    auto r = parse_autoscaling_rule(body);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseRule)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
