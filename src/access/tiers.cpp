#include "access/tiers.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace voqo::access {

namespace {

constexpr std::array<std::string_view, 4> kTiers{"free", "starter", "premium", "enterprise"};

Error bad(std::string_view member, std::string message) {
  return Error::invalid("limits." + std::string(member), std::move(message));
}

/// An integer in [lo, hi] or (when `nullable`) null; the member name for errors.
Result<std::optional<uint32_t>> count(std::string_view member, const nlohmann::json& v, uint32_t lo, uint32_t hi,
                                      bool nullable) {
  if (v.is_null() && nullable) return std::optional<uint32_t>{};
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  if (!v.is_number_integer())
    return std::unexpected(bad(member, "must be an integer (" + range + ")" + (nullable ? " or null for unlimited" : "")));
  // is_number_integer covers signed and unsigned; compare as signed 64-bit.
  const auto n = v.is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX))
                                        : v.get<int64_t>();
  if (n < static_cast<int64_t>(lo) || n > static_cast<int64_t>(hi)) return std::unexpected(bad(member, "must be " + range));
  return std::optional<uint32_t>{static_cast<uint32_t>(n)};
}

}  // namespace

std::string_view to_string(Tier tier) { return kTiers[static_cast<size_t>(tier)]; }

Result<Tier> parse_tier(std::string_view text, std::string_view field) {
  for (size_t i = 0; i < kTiers.size(); ++i)
    if (kTiers[i] == text) return static_cast<Tier>(i);
  return std::unexpected(Error::invalid(std::string(field), "unknown tier '" + std::string(text) +
                                                                "' (free, starter, premium or enterprise)"));
}

TierLimits limits_of(Tier tier) {
  switch (tier) {
    case Tier::free: return {1, 2, 5, 10, false};
    case Tier::starter: return {3, 10, 20, 40, true};
    case Tier::premium: return {10, 50, 50, 100, true};
    case Tier::enterprise: return {std::nullopt, std::nullopt, 0, 0, true};  // no workspace-wide request limit
  }
  return limits_of(Tier::free);
}

Result<TierLimits> apply_overrides(TierLimits limits, const nlohmann::json& overrides) {
  if (overrides.is_null()) return limits;
  if (!overrides.is_object()) return std::unexpected(Error::invalid("limits", "must be an object"));
  for (const auto& [member, v] : overrides.items()) {
    if (member == "agents") {
      auto n = count(member, v, 0, 1'000'000, true);
      if (!n) return std::unexpected(n.error());
      limits.agents = *n;
    } else if (member == "concurrentCalls") {
      auto n = count(member, v, 0, 100'000, true);
      if (!n) return std::unexpected(n.error());
      limits.concurrent_calls = *n;
    } else if (member == "apiRequestsPerSecond" && v.is_null()) {
      limits.api_requests_per_s = 0;  // unlimited
      limits.api_burst = 0;
    } else if (member == "apiRequestsPerSecond") {
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0 || v.get<double>() > 100'000)
        return std::unexpected(bad(member, "must be a number above 0 and at most 100000"));
      limits.api_requests_per_s = v.get<double>();
    } else if (member == "apiBurst" && v.is_null()) {
      limits.api_burst = 0;
    } else if (member == "apiBurst") {
      auto n = count(member, v, 1, 1'000'000, false);
      if (!n) return std::unexpected(n.error());
      limits.api_burst = **n;
    } else if (member == "premiumVoices") {
      if (!v.is_boolean()) return std::unexpected(bad(member, "must be true or false"));
      limits.premium_voices = v.get<bool>();
    } else {
      return std::unexpected(bad(member, "is not a limit (agents, concurrentCalls, apiRequestsPerSecond, apiBurst, premiumVoices)"));
    }
  }
  return limits;
}

nlohmann::json to_json(const TierLimits& limits) {
  nlohmann::json j;
  j["agents"] = limits.agents ? nlohmann::json(*limits.agents) : nlohmann::json(nullptr);
  j["concurrentCalls"] = limits.concurrent_calls ? nlohmann::json(*limits.concurrent_calls) : nlohmann::json(nullptr);
  // 0 = no workspace-wide request limit, shown as null like the other unlimited ones.
  j["apiRequestsPerSecond"] = limits.api_requests_per_s > 0 ? nlohmann::json(limits.api_requests_per_s) : nlohmann::json();
  j["apiBurst"] = limits.api_requests_per_s > 0 ? nlohmann::json(limits.api_burst) : nlohmann::json();
  j["premiumVoices"] = limits.premium_voices;
  return j;
}

}  // namespace voqo::access
