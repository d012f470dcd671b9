#pragma once
/// Reporting periods in a time zone (issue 18 §8): the local hour, day, ISO
/// week and calendar month an instant falls in, as the instant the period
/// starts. Metrics by period (store/analytics.hpp) key their rows by it.
///
/// Why a library of its own below store/: the store adds every call to its
/// period rows in the transaction that stores the call, so the period
/// arithmetic must sit below store/; it needs only core/ (TimeZone), so
/// analytics/ is a leaf beside model/ (store → analytics → core). The
/// rollups' SQL stays in store/analytics.cpp.
///
/// Rules (docs/ANALYTICS.md):
/// - hourly: the local clock hour. Every real hour is its own period, so the
///   repeated hour of a fall-back day gives two periods and the skipped hour
///   of a spring-forward day none (the period start is the instant minus the
///   local minutes and seconds, or the offset change when one falls inside
///   that hour, as Lord Howe's 30 min; for whole-hour offsets it is the UTC
///   hour).
/// - daily: local midnight to the next local midnight (23 or 25 hours across
///   a DST change; a midnight that falls in a DST gap moves forward by the gap,
///   as TimeZone::to_sys does).
/// - weekly: ISO 8601 weeks, Monday 00:00 local to the next Monday.
/// - monthly: the calendar month, the 1st 00:00 local to the next 1st.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time_zone.hpp"

namespace voqo::analytics {

enum class Period { hourly, daily, weekly, monthly };

inline constexpr Period kAllPeriods[] = {Period::hourly, Period::daily, Period::weekly, Period::monthly};

/// "hourly", "daily", "weekly", "monthly" (the API's and the table's words).
std::string_view to_string(Period p);
/// The inverse of to_string. Errors: invalid_argument naming field "period".
Result<Period> parse_period(std::string_view text);

/// The instant the `p` period containing `t` starts, in `zone`'s local time.
std::chrono::sys_seconds period_start(Period p, std::chrono::sys_seconds t, const TimeZone& zone);
/// The start of the period after the one starting at `start` (a value
/// period_start returned): `start` + 1 h for hourly (earlier when an offset
/// change by part of an hour, as Lord Howe's 30 min, starts a new local hour);
/// the next local midnight, Monday or 1st for the others.
std::chrono::sys_seconds next_period_start(Period p, std::chrono::sys_seconds start, const TimeZone& zone);

/// The local hour (0–23) and weekday (0 = Sunday, as the swarm
/// specification's daysOfWeek) of `t` in `zone`: peak hours and best days.
struct LocalSlot {
  int hour = 0;
  int weekday = 0;
};
LocalSlot local_slot(std::chrono::sys_seconds t, const TimeZone& zone);

}  // namespace voqo::analytics
