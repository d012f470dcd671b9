#pragma once
/// Plans and their limits (issue 16 items 1 and 5): a workspace's tier gives
/// its limits; a server admin may override any of them per workspace.
///
///   limit (API name)                  | free  | starter | premium | enterprise
///   ----------------------------------|-------|---------|---------|-----------
///   agents                            |   1   |    3    |   10    | unlimited
///   concurrentCalls                   |   2   |   10    |   50    | unlimited
///   apiRequestsPerSecond (per wkspace)|   5   |   20    |   50    | unlimited
///   apiBurst                          |  10   |   40    |  100    | unlimited
///   premiumVoices                     |  no   |   yes   |   yes   |   yes
///
/// agents: 1/3/10/unlimited from the issue. The others are voqo's documented
/// defaults: concurrent calls sized to what one 2-core node carries for a
/// paying plan (enterprise: bounded only by the server's own call limit, and
/// no workspace-wide request rate: a self-hosted install is not limited
/// until its admin says so; keys may still carry their own rate);
/// request rates well above what the dashboard needs (a page load is ~5
/// requests), burst = 2 s of rate. premiumVoices: the ElevenLabs voices; the
/// issue: "a Free workspace cannot ... use ElevenLabs voices". A limit is
/// enforced where the thing is created or started (403 problem+json naming
/// the limit: `agents`, `concurrentCalls`, `premiumVoices`); the request
/// rate by RateLimiter (429).
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"

namespace voqo::access {

enum class Tier { free, starter, premium, enterprise };

/// "free", "starter", "premium", "enterprise".
std::string_view to_string(Tier tier);
/// Parses a tier name (exact, lowercase). Error: invalid_argument naming
/// `field`, with the unknown value in the message.
Result<Tier> parse_tier(std::string_view text, std::string_view field = "tier");

/// A workspace's limits. nullopt = unlimited.
struct TierLimits {
  std::optional<uint32_t> agents;            ///< agents in the workspace
  std::optional<uint32_t> concurrent_calls;  ///< calls in progress at once (call service and dialer)
  double api_requests_per_s = 0;             ///< sustained API rate for the workspace (token bucket rate); 0 = unlimited
  uint32_t api_burst = 0;                    ///< token bucket capacity
  bool premium_voices = false;               ///< may use ElevenLabs (premium) voices

  friend bool operator==(const TierLimits&, const TierLimits&) = default;
};

/// The table above.
TierLimits limits_of(Tier tier);

/// `limits` with a per-workspace override object applied. Shape (every
/// member optional; unknown members refused):
///   {"agents": 0..1000000 | null (unlimited),
///    "concurrentCalls": 0..100000 | null (unlimited),
///    "apiRequestsPerSecond": number, 0 < x ≤ 100000,
///    "apiBurst": 1..1000000,
///    "premiumVoices": true | false}
/// An empty object or JSON null changes nothing. 0 agents or calls is
/// allowed (a suspended workspace). Errors: invalid_argument naming
/// "limits" (not an object) or "limits.<member>" (wrong type, out of range,
/// unknown member).
Result<TierLimits> apply_overrides(TierLimits limits, const nlohmann::json& overrides);

/// The limits as the API shows them: {"agents", "concurrentCalls",
/// "apiRequestsPerSecond", "apiBurst", "premiumVoices"}, null = unlimited.
nlohmann::json to_json(const TierLimits& limits);

}  // namespace voqo::access
