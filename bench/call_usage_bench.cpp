// What measuring a call's resource use costs (issue 18 §2,
// core/call_usage.hpp): one thread-CPU clock read, one UsageScope around an
// empty task (what every stage task of a call pays on the worker pool), the
// pipeline's media-frame sampling (one frame in 8 timed, so 1/8 of a scope's
// two reads per frame), and a request counted for the call in scope.
//   build/bench/bench_call_usage --benchmark_min_time=1   ("Time" column)
#include <benchmark/benchmark.h>

#include "core/call_usage.hpp"

namespace {

void BM_ThreadCpuClockRead(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(voqo::thread_cpu_ns());
}
BENCHMARK(BM_ThreadCpuClockRead);

void BM_ScopeAroundAStageTask(benchmark::State& state) {
  voqo::CallUsage usage;
  for (auto _ : state) {
    voqo::UsageScope scope(&usage);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(usage.cpu_ns());
}
BENCHMARK(BM_ScopeAroundAStageTask);

/// Per media frame, as CallPipeline::on_frame samples: every 8th frame timed.
void BM_MediaFrameSampling(benchmark::State& state) {
  voqo::CallUsage usage;
  uint64_t frames = 0;
  for (auto _ : state) {
    if ((frames++ & 7) != 0) {
      benchmark::ClobberMemory();
      continue;
    }
    const int64_t t0 = voqo::thread_cpu_ns();
    benchmark::ClobberMemory();
    usage.add_cpu_ns(8 * (voqo::thread_cpu_ns() - t0));
  }
  benchmark::DoNotOptimize(usage.cpu_ns());
}
BENCHMARK(BM_MediaFrameSampling);

void BM_CountApiCallInScope(benchmark::State& state) {
  voqo::CallUsage usage;
  voqo::UsageScope scope(&usage);
  for (auto _ : state) voqo::count_api_call();
  benchmark::DoNotOptimize(usage.api_calls());
}
BENCHMARK(BM_CountApiCallInScope);

}  // namespace

BENCHMARK_MAIN();
