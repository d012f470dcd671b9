#include "analytics/periods.hpp"

namespace voqo::analytics {

using namespace std::chrono;

std::string_view to_string(Period p) {
  switch (p) {
    case Period::hourly: return "hourly";
    case Period::daily: return "daily";
    case Period::weekly: return "weekly";
    case Period::monthly: return "monthly";
  }
  return "daily";
}

Result<Period> parse_period(std::string_view text) {
  for (Period p : kAllPeriods)
    if (to_string(p) == text) return p;
  return std::unexpected(Error::invalid("period", "must be one of hourly, daily, weekly, monthly"));
}

namespace {
/// Local midnight of `day` as an instant.
sys_seconds midnight(local_days day, const TimeZone& zone) { return zone.to_sys(local_seconds(day)); }

local_days first_day(Period p, local_days day) {
  switch (p) {
    case Period::weekly: {
      // weekday: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const unsigned wd = weekday(day).c_encoding();
      return day - days((wd + 6) % 7);
    }
    case Period::monthly: {
      const year_month_day ymd(day);
      return local_days(ymd.year() / ymd.month() / 1);
    }
    default: return day;
  }
}
}  // namespace

sys_seconds period_start(Period p, sys_seconds t, const TimeZone& zone) {
  const local_seconds local = zone.to_local(t);
  if (p == Period::hourly) {
    sys_seconds start = t - (local - floor<hours>(local));
    // An offset change inside this local hour (Lord Howe's 30 min) starts a
    // new period at the change: find it (one change at most in an hour).
    if (zone.offset(start) != zone.offset(t)) {
      sys_seconds lo = start, hi = t;
      while (hi - lo > seconds(1)) {
        const sys_seconds mid = lo + (hi - lo) / 2;
        (zone.offset(mid) == zone.offset(t) ? hi : lo) = mid;
      }
      start = hi;
    }
    return start;
  }
  const local_days day = floor<days>(local);
  return midnight(first_day(p, day), zone);
}

sys_seconds next_period_start(Period p, sys_seconds start, const TimeZone& zone) {
  if (p == Period::hourly) {
    // An offset change by a part of an hour (Lord Howe's 30 min) starts a new
    // local hour at the change: that period is shorter than an hour.
    const sys_seconds last = period_start(p, start + hours(1) - seconds(1), zone);
    return last > start ? last : start + hours(1);
  }
  const local_days day = floor<days>(zone.to_local(start));
  switch (p) {
    case Period::daily: return midnight(day + days(1), zone);
    case Period::weekly: return midnight(first_day(p, day) + days(7), zone);
    case Period::monthly: {
      const year_month_day ymd(day);
      return midnight(local_days((ymd.year() / ymd.month() / 1) + months(1)), zone);
    }
    default: return start + hours(1);
  }
}

LocalSlot local_slot(sys_seconds t, const TimeZone& zone) {
  const local_seconds local = zone.to_local(t);
  const local_days day = floor<days>(local);
  return LocalSlot{static_cast<int>(duration_cast<hours>(local - day).count()),
                   static_cast<int>(weekday(day).c_encoding())};
}

}  // namespace voqo::analytics
