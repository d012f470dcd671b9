// Cost of the per-frame audio analysis on the media thread (one 20 ms frame at
// 16 kHz per iteration): VAD, echo canceller, barge-in, AMD, and the whole
// chain a call runs each tick. Real speech from ../shared/fixtures drives them.
//   build/bench_vad --benchmark_min_time=1   (µs per frame = "Time" column)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pipeline/amd.hpp"
#include "pipeline/barge_in.hpp"
#include "pipeline/echo_canceller.hpp"
#include "pipeline/vad.hpp"

#ifndef VOQO_BENCH_FIXTURES
#define VOQO_BENCH_FIXTURES "../shared/fixtures"
#endif

namespace {

using voqo::pipeline::AnsweringMachineDetector;
using voqo::pipeline::BargeInDetector;
using voqo::pipeline::EchoCanceller;
using voqo::pipeline::EchoCancellerConfig;
using voqo::pipeline::VoiceActivityDetector;
constexpr std::size_t kFrame = 320;

/// A 16 kHz s16le fixture (.raw), trimmed to whole frames.
std::vector<int16_t> raw(const std::string& name) {
  std::ifstream in(std::string(VOQO_BENCH_FIXTURES) + "/speech/" + name, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<int16_t> s(bytes.size() / 2 / kFrame * kFrame);
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<int16_t>(static_cast<uint8_t>(bytes[2 * i]) | (static_cast<uint8_t>(bytes[2 * i + 1]) << 8));
  if (s.empty()) s.assign(50 * kFrame, 0);
  return s;
}

const std::vector<int16_t>& caller() { static const auto s = raw("goforward.raw"); return s; }
const std::vector<int16_t>& agent() { static const auto s = raw("numbers.raw"); return s; }

std::span<const int16_t> frame_of(const std::vector<int16_t>& s, std::size_t i) {
  return std::span<const int16_t>(s).subspan((i * kFrame) % s.size(), kFrame);
}

void BM_Vad(benchmark::State& state) {
  auto vad = VoiceActivityDetector::create();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(vad->process(frame_of(caller(), i++)));
}
BENCHMARK(BM_Vad)->Unit(benchmark::kMicrosecond);

void BM_EchoCanceller(benchmark::State& state) {
  EchoCancellerConfig cfg;
  cfg.filter_ms = static_cast<int>(state.range(0));
  auto ec = EchoCanceller::create(cfg);
  std::array<int16_t, kFrame> out{};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ec->process(frame_of(agent(), i), frame_of(caller(), i), out));
    ++i;
  }
}
BENCHMARK(BM_EchoCanceller)->Arg(256)->Arg(400)->Unit(benchmark::kMicrosecond);

void BM_BargeIn(benchmark::State& state) {
  BargeInDetector bi;
  double level = -40;
  for (auto _ : state) {
    level = level > -20 ? -40 : level + 0.5;
    benchmark::DoNotOptimize(bi.process({.agent_speaking = true, .caller_voiced = level > -30, .caller_level_dbfs = level,
                                         .reference_level_dbfs = -20, .echo_loss_db = 25}));
  }
}
BENCHMARK(BM_BargeIn)->Unit(benchmark::kMicrosecond);

void BM_Amd(benchmark::State& state) {
  auto amd = AnsweringMachineDetector::create();
  std::size_t i = 0;
  for (auto _ : state) {
    if (i % 500 == 0) amd->reset();  // keep it analysing, as in the first seconds of a call
    benchmark::DoNotOptimize(amd->process(frame_of(caller(), i), (i % 7) < 4));
    ++i;
  }
}
BENCHMARK(BM_Amd)->Unit(benchmark::kMicrosecond);

/// The caller-side chain of one tick: AEC → VAD → AMD → barge-in.
void BM_TickChain(benchmark::State& state) {
  auto ec = EchoCanceller::create();
  auto vad = VoiceActivityDetector::create();
  auto amd = AnsweringMachineDetector::create();
  BargeInDetector bi;
  std::array<int16_t, kFrame> out{};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto e = ec->process(frame_of(agent(), i), frame_of(caller(), i), out);
    const auto v = vad->process(out);
    benchmark::DoNotOptimize(amd->process(out, v.voiced));
    benchmark::DoNotOptimize(bi.process({.agent_speaking = true, .caller_voiced = v.voiced, .caller_level_dbfs = v.level_dbfs,
                                         .reference_level_dbfs = e.reference_level_dbfs, .echo_loss_db = e.echo_loss_db,
                                         .near_level_dbfs = e.near_level_dbfs}));
    ++i;
  }
}
BENCHMARK(BM_TickChain)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
