// Reporting periods in a time zone (analytics/periods.hpp): local hours,
// days, ISO weeks and calendar months, DST-correct (issue 18 §8).
#include <gtest/gtest.h>

#include "analytics/periods.hpp"
#include "core/time.hpp"

using namespace voqo;
using namespace std::chrono;
using analytics::Period;

namespace {

sys_seconds at(const char* iso) { return floor<seconds>(parse_iso8601(iso).value()); }
std::string iso(sys_seconds t) { return to_iso8601(system_clock::time_point(t)); }
TimeZone zone(const char* name) { return TimeZone::locate(name).value(); }

TEST(Periods, ADayAcrossTheFallBackIs25HoursAndAcrossSpringForward23) {
  const TimeZone ny = zone("America/New_York");
  // 2026-11-01: EDT → EST at 02:00 local.
  const auto fall = analytics::period_start(Period::daily, at("2026-11-01T15:00:00Z"), ny);
  EXPECT_EQ(iso(fall), "2026-11-01T04:00:00.000Z") << "local midnight, EDT (UTC-4)";
  EXPECT_EQ(analytics::next_period_start(Period::daily, fall, ny) - fall, hours(25));
  // 2026-03-08: EST → EDT.
  const auto spring = analytics::period_start(Period::daily, at("2026-03-08T12:00:00Z"), ny);
  EXPECT_EQ(iso(spring), "2026-03-08T05:00:00.000Z");
  EXPECT_EQ(analytics::next_period_start(Period::daily, spring, ny) - spring, hours(23));
  const TimeZone london = zone("Europe/London");
  const auto uk_fall = analytics::period_start(Period::daily, at("2026-10-25T12:00:00Z"), london);
  EXPECT_EQ(iso(uk_fall), "2026-10-24T23:00:00.000Z") << "local midnight, BST (UTC+1)";
  EXPECT_EQ(analytics::next_period_start(Period::daily, uk_fall, london) - uk_fall, hours(25));
  const auto uk_spring = analytics::period_start(Period::daily, at("2026-03-29T12:00:00Z"), london);
  EXPECT_EQ(analytics::next_period_start(Period::daily, uk_spring, london) - uk_spring, hours(23));
}

TEST(Periods, TheRepeatedHourIsTwoPeriodsAndTheSkippedHourNone) {
  const TimeZone ny = zone("America/New_York");
  // 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) are different real hours.
  const auto first = analytics::period_start(Period::hourly, at("2026-11-01T05:30:00Z"), ny);
  const auto second = analytics::period_start(Period::hourly, at("2026-11-01T06:30:00Z"), ny);
  EXPECT_EQ(iso(first), "2026-11-01T05:00:00.000Z");
  EXPECT_EQ(iso(second), "2026-11-01T06:00:00.000Z");
  EXPECT_EQ(analytics::next_period_start(Period::hourly, first, ny), second);
  // Spring forward: 01:59 EST is followed by 03:00 EDT; 06:59Z and 07:00Z are consecutive hours.
  EXPECT_EQ(iso(analytics::period_start(Period::hourly, at("2026-03-08T07:10:00Z"), ny)), "2026-03-08T07:00:00.000Z");
  EXPECT_EQ(analytics::local_slot(at("2026-03-08T07:10:00Z"), ny).hour, 3);
  // A zone half an hour off UTC: the local hour starts at :30 UTC.
  EXPECT_EQ(iso(analytics::period_start(Period::hourly, at("2026-06-01T10:10:00Z"), zone("Asia/Kolkata"))),
            "2026-06-01T09:30:00.000Z");
}

TEST(Periods, WeeksStartOnMondayAndMonthsOnTheFirst) {
  const TimeZone ny = zone("America/New_York");
  // Sunday 2026-11-01 belongs to the week of Monday 2026-10-26 (EDT then).
  const auto week = analytics::period_start(Period::weekly, at("2026-11-01T20:00:00Z"), ny);
  EXPECT_EQ(iso(week), "2026-10-26T04:00:00.000Z");
  EXPECT_EQ(iso(analytics::next_period_start(Period::weekly, week, ny)), "2026-11-02T05:00:00.000Z")
      << "the next Monday's midnight is EST: the week held 169 hours";
  // Monday itself starts its week.
  EXPECT_EQ(analytics::period_start(Period::weekly, at("2026-11-02T05:00:00Z"), ny), at("2026-11-02T05:00:00Z"));
  const auto month = analytics::period_start(Period::monthly, at("2026-11-15T12:00:00Z"), ny);
  EXPECT_EQ(iso(month), "2026-11-01T04:00:00.000Z");
  EXPECT_EQ(iso(analytics::next_period_start(Period::monthly, month, ny)), "2026-12-01T05:00:00.000Z");
  // Local time decides: 2026-11-01T02:00Z is still October in New York.
  EXPECT_EQ(iso(analytics::period_start(Period::monthly, at("2026-11-01T02:00:00Z"), ny)), "2026-10-01T04:00:00.000Z");
  // December rolls into the next year.
  const auto dec = analytics::period_start(Period::monthly, at("2026-12-31T12:00:00Z"), TimeZone::utc());
  EXPECT_EQ(iso(analytics::next_period_start(Period::monthly, dec, TimeZone::utc())), "2027-01-01T00:00:00.000Z");
}

TEST(Periods, EveryInstantLiesInItsPeriodAndPeriodsTile) {
  // Stepping period to period over a year in both zones: each period starts
  // where the last ended, and an instant inside maps back to its start.
  for (const char* name : {"America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"}) {
    const TimeZone z = zone(name);
    for (Period p : analytics::kAllPeriods) {
      auto start = analytics::period_start(p, at("2026-01-01T12:00:00Z"), z);
      for (int i = 0; i < (p == Period::hourly ? 9000 : 60); ++i) {
        const auto next = analytics::next_period_start(p, start, z);
        ASSERT_GT(next, start) << name << " " << analytics::to_string(p) << " " << iso(start);
        ASSERT_EQ(analytics::period_start(p, start, z), start) << name << " " << iso(start);
        ASSERT_EQ(analytics::period_start(p, next - seconds(1), z), start) << name << " " << iso(start);
        start = next;
      }
    }
  }
}

TEST(Periods, PeriodNamesParseAndABadOneNamesTheField) {
  for (Period p : analytics::kAllPeriods) EXPECT_EQ(analytics::parse_period(analytics::to_string(p)).value(), p);
  auto bad = analytics::parse_period("yearly");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "period");
  EXPECT_FALSE(analytics::parse_period(""));
  EXPECT_FALSE(analytics::parse_period("Daily"));
}

TEST(Periods, LocalSlotsCountWeekdaysFromSunday) {
  const TimeZone ny = zone("America/New_York");
  // 2026-11-01 is a Sunday; 03:00Z is still Saturday 23:00 in New York.
  EXPECT_EQ(analytics::local_slot(at("2026-11-01T15:00:00Z"), ny).weekday, 0);
  EXPECT_EQ(analytics::local_slot(at("2026-11-01T03:00:00Z"), ny).weekday, 6);
  EXPECT_EQ(analytics::local_slot(at("2026-11-01T03:00:00Z"), ny).hour, 23);
}

}  // namespace
