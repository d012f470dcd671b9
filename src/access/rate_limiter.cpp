#include "access/rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace voqo::access {

namespace {

constexpr uint32_t kNever = std::numeric_limits<uint32_t>::max();
// Tolerance for the floating refill: 0.1 tokens/s × 10 s must give one token.
constexpr double kEps = 1e-9;

struct Bucket {
  double tokens = 0;
  int64_t updated_ms = 0;  // when tokens was last brought up to date (also the LRU time)
  double rate_per_s = 0;
  uint32_t burst = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

uint32_t ceil_seconds(double s) {
  if (!(s > kEps)) return 0;
  const double c = std::ceil(s - kEps);
  return c >= static_cast<double>(kNever) ? kNever : static_cast<uint32_t>(c);
}

double refilled(const Bucket& b, int64_t now_ms) {
  const double elapsed_ms = static_cast<double>(std::max<int64_t>(0, now_ms - b.updated_ms));
  return std::min<double>(b.burst, b.tokens + elapsed_ms * b.rate_per_s / 1000.0);
}

RateDecision decide(double tokens, double rate_per_s, uint32_t burst, bool allowed) {
  RateDecision d;
  d.allowed = allowed;
  d.limit = burst;
  d.remaining = static_cast<uint32_t>(std::floor(tokens + kEps));
  d.reset_s = ceil_seconds((burst - tokens) / rate_per_s);
  d.retry_after_s = allowed ? 0 : std::max<uint32_t>(1, ceil_seconds((1.0 - tokens) / rate_per_s));
  return d;
}

RateDecision refuse_all(uint32_t burst) { return {false, burst, 0, kNever, kNever}; }

}  // namespace

struct RateLimiter::Impl {
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets;
  };
  RateLimiterOptions options;
  Clock clock;
  size_t per_shard;
  std::vector<Shard> shards;

  Impl(RateLimiterOptions o, Clock c)
      : options(o),
        clock(std::move(c)),
        per_shard(std::max<size_t>(1, o.max_entries / std::max<size_t>(1, o.shards))),
        shards(std::max<size_t>(1, o.shards)) {}

  Shard& shard_of(std::string_view key) { return shards[StringHash{}(key) % shards.size()]; }

  /// Makes room for one more bucket in a full shard (lock held).
  static void evict(Shard& shard, size_t per_shard, int64_t now_ms) {
    std::erase_if(shard.buckets, [&](const auto& kv) { return refilled(kv.second, now_ms) + kEps >= kv.second.burst; });
    if (shard.buckets.size() < per_shard) return;
    auto oldest = std::min_element(shard.buckets.begin(), shard.buckets.end(), [](const auto& a, const auto& b) {
      return a.second.updated_ms < b.second.updated_ms;
    });
    shard.buckets.erase(oldest);
  }
};

int64_t RateLimiter::steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RateLimiter::RateLimiter(RateLimiterOptions options, Clock clock)
    : impl_(std::make_unique<Impl>(options, std::move(clock))) {}

RateLimiter::~RateLimiter() = default;

RateDecision RateLimiter::take(std::string_view key, double rate_per_s, uint32_t burst) {
  if (!(rate_per_s > 0) || burst == 0) return refuse_all(burst);
  auto& shard = impl_->shard_of(key);
  const int64_t now = impl_->clock();
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= impl_->per_shard) Impl::evict(shard, impl_->per_shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{static_cast<double>(burst), now, rate_per_s, burst}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min<double>(burst, refilled(b, now));
  b.updated_ms = std::max(b.updated_ms, now);
  b.rate_per_s = rate_per_s;
  b.burst = burst;
  const bool allowed = b.tokens + kEps >= 1.0;
  if (allowed) b.tokens = std::max(0.0, b.tokens - 1.0);
  return decide(b.tokens, rate_per_s, burst, allowed);
}

RateDecision RateLimiter::peek(std::string_view key, double rate_per_s, uint32_t burst) {
  if (!(rate_per_s > 0) || burst == 0) return refuse_all(burst);
  auto& shard = impl_->shard_of(key);
  const int64_t now = impl_->clock();
  std::lock_guard lock(shard.mutex);
  double tokens = burst;
  if (auto it = shard.buckets.find(key); it != shard.buckets.end()) {
    Bucket b = it->second;
    b.rate_per_s = rate_per_s;
    b.burst = burst;
    tokens = std::min<double>(burst, refilled(b, now));
  }
  return decide(tokens, rate_per_s, burst, tokens + kEps >= 1.0);
}

void RateLimiter::erase(std::string_view key) {
  auto& shard = impl_->shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.buckets.find(key); it != shard.buckets.end()) shard.buckets.erase(it);
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const auto& s : impl_->shards) {
    std::lock_guard lock(s.mutex);
    n += s.buckets.size();
  }
  return n;
}

LoginThrottle::LoginThrottle(Options options, RateLimiter::Clock clock)
    : options_(options),
      rate_per_s_(options.window_s > 0 ? static_cast<double>(options.max_failures) / options.window_s : 0),
      buckets_(RateLimiterOptions{options.max_entries, 16}, std::move(clock)) {}

RateDecision LoginThrottle::check(std::string_view key) {
  return buckets_.peek(key, rate_per_s_, options_.max_failures);
}

void LoginThrottle::record_failure(std::string_view key) { (void)buckets_.take(key, rate_per_s_, options_.max_failures); }

void LoginThrottle::record_success(std::string_view key) { buckets_.erase(key); }

}  // namespace voqo::access
