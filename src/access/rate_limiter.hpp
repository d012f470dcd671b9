#pragma once
/// Request rate limits (issue 16 item 5: token buckets per key and per
/// workspace, 429 with Retry-After and RateLimit-* headers) and sign-in
/// throttling (item 3: per account and per address).
///
/// Token bucket per string key (a key id, a workspace id, "login:<email>",
/// "addr:<ip>": the caller namespaces its keys). A bucket holds up to `burst`
/// tokens and gains `rate_per_s` tokens per second (continuously, in ms
/// steps); a new key starts full. take() spends one token when there is at
/// least one, else refuses. Sustained rate = rate_per_s, momentary = burst.
///
/// What take() reports (RateDecision), and the HTTP headers they become
/// (draft-ietf-httpapi-ratelimit-headers, the "RateLimit-Limit /
/// -Remaining / -Reset" fields; Retry-After from RFC 9110 §10.2.3):
///   limit         = burst                         → RateLimit-Limit
///   remaining     = whole tokens left after this request (floor)
///                                                 → RateLimit-Remaining
///   reset_s       = seconds until the bucket is full again, rounded up
///                   (0 when already full)         → RateLimit-Reset
///   retry_after_s = when refused: seconds until one token is back, rounded
///                   up, at least 1; 0 when allowed → Retry-After (on 429 only)
/// So a client that waits Retry-After seconds is admitted (unless others
/// spent the token meanwhile), and one that waits RateLimit-Reset has the
/// whole burst again.
///
/// Bounded memory: at most `max_entries` buckets (default 100,000, ≈ 10 MB
/// with keys), split over shards. When a new key arrives at a full shard,
/// the shard first drops every bucket that has refilled to full (a full
/// bucket is the same as no bucket, so this loses nothing); if none has, it
/// drops the least recently used bucket (that key starts full again: the
/// table fails open for the oldest key rather than refusing new keys, so
/// flooding it with addresses cannot lock others out).
///
/// Clock: a function returning milliseconds on a monotonic clock (default
/// std::chrono::steady_clock); tests pass a fake one and need no sleep. It is
/// called from every calling thread at once, outside the shard locks, so it
/// must be thread-safe. A clock going backwards adds no tokens.
///
/// Threads: take(), peek(), erase() and size() are safe from any number of
/// threads (one mutex per shard; a key always lands in the same shard).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace voqo::access {

/// The outcome of one take() or peek(); see the header definitions above.
struct RateDecision {
  bool allowed = false;
  uint32_t limit = 0;          ///< RateLimit-Limit: the burst
  uint32_t remaining = 0;      ///< RateLimit-Remaining: whole tokens left
  uint32_t reset_s = 0;        ///< RateLimit-Reset: s until full again (ceil)
  uint32_t retry_after_s = 0;  ///< Retry-After: s until a token (ceil, ≥ 1) when refused; 0 when allowed
};

struct RateLimiterOptions {
  size_t max_entries = 100'000;  ///< buckets kept at most (all shards together)
  size_t shards = 16;            ///< independent maps with their own mutex (≥ 1)
};

/// Token buckets by key; see the file comment.
class RateLimiter {
 public:
  using Clock = std::function<int64_t()>;  ///< monotonic milliseconds

  /// The steady_clock in ms, the default clock.
  static int64_t steady_ms();

  explicit RateLimiter(RateLimiterOptions options = {}, Clock clock = &RateLimiter::steady_ms);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Spends one token of `key`'s bucket (rate_per_s > 0 tokens/s, capacity
  /// burst ≥ 1; a call with other values than the last for this key applies
  /// the new ones from now on, clamping the tokens to the new burst).
  /// rate_per_s ≤ 0 or burst 0 refuses every request (retry_after_s = reset_s
  /// = UINT32_MAX: never).
  RateDecision take(std::string_view key, double rate_per_s, uint32_t burst);

  /// As take() but spends nothing: `allowed` says whether a take() now would
  /// be allowed. Creates no bucket for an unknown key (it reports a full one).
  RateDecision peek(std::string_view key, double rate_per_s, uint32_t burst);

  /// Forgets `key`'s bucket (it starts full on its next use).
  void erase(std::string_view key);

  /// Buckets held now (all shards).
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Sign-in throttling: at most `max_failures` failed sign-ins per `window_s`
/// for one key (the caller checks two keys per attempt: "account:<email>" and
/// "address:<ip>", and refuses when either refuses).
///
/// It is the token bucket above with burst = max_failures and rate =
/// max_failures / window_s, spent by failures only: after max_failures
/// failures in a row the key is refused; one more attempt is allowed every
/// window_s / max_failures seconds, and the whole allowance is back window_s
/// after the last failure. (A smooth refill rather than a fixed window: no
/// burst of 2×max_failures around a window edge.) A successful sign-in
/// forgets the account's failures (record_success), not the address's.
/// Defaults: 5 failures per 15 minutes (one more try every 3 minutes).
/// check() and record_failure() are separate calls, so attempts racing on
/// one key may each pass check() before any failure is counted: at most one
/// extra attempt per concurrent request, which the caller's bounded sign-in
/// lane keeps small.
///
/// Threads: as RateLimiter.
class LoginThrottle {
 public:
  struct Options {
    uint32_t max_failures = 5;
    uint32_t window_s = 900;
    size_t max_entries = 100'000;
  };

  explicit LoginThrottle(Options options, RateLimiter::Clock clock = &RateLimiter::steady_ms);

  /// May `key` try to sign in now? (Spends nothing.) When refused,
  /// retry_after_s says when it may (→ 429 with Retry-After).
  RateDecision check(std::string_view key);
  /// Counts one failed sign-in for `key`.
  void record_failure(std::string_view key);
  /// Forgets `key`'s failures (call for the account key after a success).
  void record_success(std::string_view key);

 private:
  Options options_;
  double rate_per_s_;
  RateLimiter buckets_;
};

}  // namespace voqo::access
