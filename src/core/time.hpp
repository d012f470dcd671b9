#pragma once
/// Time as the data model stores it: ISO-8601 UTC text with milliseconds,
/// e.g. "2026-11-23T07:51:00.123Z". Such strings sort chronologically.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace voqo {

/// Now, formatted as ISO-8601 UTC with millisecond precision.
std::string now_iso8601();

/// `tp` formatted as ISO-8601 UTC with millisecond precision.
std::string to_iso8601(std::chrono::system_clock::time_point tp);

/// The years parse_iso8601 accepts: the whole years that a system_clock
/// time point (64-bit nanoseconds since 1970) holds, offsets included.
inline constexpr int kMinIsoYear = 1678;
inline constexpr int kMaxIsoYear = 2261;

/// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z" or "±HH:MM"
/// (RFC 3339 profile of ISO 8601; a bare date means midnight UTC).
/// Returns nullopt for anything else, including impossible dates and years
/// outside kMinIsoYear..kMaxIsoYear (which the clock cannot represent).
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

/// "HH:MM" (24-hour clock, exactly five characters) → minutes after midnight
/// (0..1439); "24:00" → 1440 only when `allow_24` (the end of a day span).
/// nullopt for anything else.
std::optional<int> parse_hhmm(std::string_view text, bool allow_24);

}  // namespace voqo
