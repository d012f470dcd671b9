// Cost of authentication on the request path (issue 16 figures: "key
// verification µs; login (Argon2id) ms at the chosen cost"):
//  * an API key presented by a client: offline checksum, SHA-256, lookup of
//    the hash among 10,000 stored keys (an unordered_map standing in for the
//    store's index on the hash column, so the figure is the access module's
//    share, not SQLite's);
//  * a ticket verified (HMAC-SHA-256, parse, expiry, resource);
//  * one rate-limiter take() (one thread, and two threads on distinct keys);
//  * hash_password / verify_password at the chosen Argon2id cost.
//   build/bench/bench_access --benchmark_min_time=1   ("Time" column)
#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "access/api_key.hpp"
#include "access/password.hpp"
#include "access/rate_limiter.hpp"
#include "access/ticket.hpp"

namespace {

using namespace voqo::access;

struct KeyTable {
  std::unordered_map<std::string, int> by_hash;
  std::vector<std::string> secrets;
  KeyTable() {
    for (int i = 0; i < 10'000; ++i) {
      auto k = generate_api_key();
      by_hash.emplace(k.hash, i);
      secrets.push_back(std::move(k.secret));
    }
  }
};

const KeyTable& keys() {
  static const KeyTable table;
  return table;
}

void BM_ApiKeyVerify(benchmark::State& state) {
  const auto& table = keys();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& presented = table.secrets[i++ % table.secrets.size()];
    bool ok = api_key_checksum_ok(presented);
    auto it = table.by_hash.find(api_key_hash(presented));
    ok = ok && it != table.by_hash.end();
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_ApiKeyVerify)->Unit(benchmark::kMicrosecond);

void BM_ApiKeyRejectedByChecksum(benchmark::State& state) {
  std::string forged = keys().secrets.front();
  forged[10] = forged[10] == 'a' ? 'b' : 'a';
  for (auto _ : state) benchmark::DoNotOptimize(api_key_checksum_ok(forged));
}
BENCHMARK(BM_ApiKeyRejectedByChecksum)->Unit(benchmark::kMicrosecond);

void BM_TicketVerify(benchmark::State& state) {
  std::array<unsigned char, 32> master{};
  master.fill(7);
  const TicketSigner signer(derive_key(master, kTicketKeyContext));
  const auto token = *signer.issue({"ws_0123456789", "key:k_0123456789", "/api/calls/c_0123456789/recording", 2'000'000'000});
  for (auto _ : state) benchmark::DoNotOptimize(signer.verify(token, "/api/calls/c_0123456789/recording", 1'000'000'000));
}
BENCHMARK(BM_TicketVerify)->Unit(benchmark::kMicrosecond);

void BM_RateLimiterTake(benchmark::State& state) {
  static RateLimiter limiter;
  const std::string key = "key:k_bench_" + std::to_string(state.thread_index());
  for (auto _ : state) benchmark::DoNotOptimize(limiter.take(key, 1e9, 1'000'000));
}
BENCHMARK(BM_RateLimiterTake)->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2);

void BM_HashPassword(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(hash_password("correct horse battery staple"));
}
BENCHMARK(BM_HashPassword)->Unit(benchmark::kMillisecond)->Iterations(20);

void BM_VerifyPassword(benchmark::State& state) {
  const auto stored = *hash_password("correct horse battery staple");
  for (auto _ : state) benchmark::DoNotOptimize(verify_password(stored, "correct horse battery staple"));
}
BENCHMARK(BM_VerifyPassword)->Unit(benchmark::kMillisecond)->Iterations(20);

void BM_DummyVerify(benchmark::State& state) {
  (void)dummy_verify("warm up: the first call makes the dummy hash");
  for (auto _ : state) benchmark::DoNotOptimize(dummy_verify("correct horse battery staple"));
}
BENCHMARK(BM_DummyVerify)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
