// Spoken time phrases → UTC, with fixed `now` values in zones across DST
// changes (America/New_York, Europe/London), a half-hour offset
// (Asia/Kolkata), and the TZif reader behind them.
#include <gtest/gtest.h>

#include "brain/time_phrase.hpp"
#include "core/time.hpp"

namespace voqo::brain {
namespace {

using std::chrono::system_clock;

system_clock::time_point utc(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(system_clock::time_point{});
}

std::string at_utc(std::string_view phrase, const char* now, const char* zone) {
  auto r = parse_time_phrase(phrase, utc(now), zone);
  return r ? to_iso8601(r->at) : "nullopt";
}

struct Case {
  const char* phrase;
  const char* expected_utc;
};

// Saturday 2025-03-08 15:00 EST; US DST starts Sunday 2025-03-09 02:00.
constexpr const char* kNyNow = "2025-03-08T20:00:00Z";
const Case kNewYork[] = {
    {"tomorrow afternoon", "2025-03-09T18:00:00.000Z"},      // 14:00 EDT, the day DST starts
    {"tomorrow", "2025-03-09T14:00:00.000Z"},                // day only → 10:00
    {"monday morning", "2025-03-10T14:00:00.000Z"},
    {"call me back next tuesday afternoon", "2025-03-11T18:00:00.000Z"},
    {"tuesday at 3", "2025-03-11T19:00:00.000Z"},            // bare 3 → 3 PM
    {"in two hours", "2025-03-08T22:00:00.000Z"},
    {"in 30 minutes", "2025-03-08T20:30:00.000Z"},
    {"in half an hour", "2025-03-08T20:30:00.000Z"},
    {"in an hour and a half", "2025-03-08T21:30:00.000Z"},
    {"next week", "2025-03-10T14:00:00.000Z"},               // next Monday 10:00
    {"this evening", "2025-03-08T23:00:00.000Z"},            // 18:00 EST
    {"at 5 pm", "2025-03-08T22:00:00.000Z"},
    {"later today", "2025-03-08T22:00:00.000Z"},             // next full hour ≥ now + 2 h
    {"friday at ten thirty", "2025-03-14T14:30:00.000Z"},
    {"the 15th", "2025-03-15T14:00:00.000Z"},
    {"in a couple of days", "2025-03-10T19:00:00.000Z"},     // keeps 15:00 local across the DST change
    {"three thirty", "2025-03-08T20:30:00.000Z"},
    {"ten am", "2025-03-09T14:00:00.000Z"},                  // 10 AM already past → tomorrow
    {"maybe around four o'clock", "2025-03-08T21:00:00.000Z"},
    {"tomorrow at 2 30 am", "2025-03-09T07:30:00.000Z"},     // in the DST gap → 3:30 EDT
    {"half past two tomorrow afternoon", "2025-03-09T18:30:00.000Z"},
    {"quarter to five", "2025-03-08T21:45:00.000Z"},
    {"march 20th at 9 am", "2025-03-20T13:00:00.000Z"},
    {"the day after tomorrow", "2025-03-10T14:00:00.000Z"},
    {"at 5pm", "2025-03-08T22:00:00.000Z"},
};

TEST(TimePhrase, NewYorkAcrossSpringForward) {
  for (const Case& c : kNewYork) EXPECT_EQ(at_utc(c.phrase, kNyNow, "America/New_York"), c.expected_utc) << c.phrase;
}

TEST(TimePhrase, NewYorkFallBack) {
  // Saturday 2025-11-01 12:00 EDT; DST ends Sunday 02:00 → 01:00 EST.
  const char* now = "2025-11-01T16:00:00Z";
  // 1:30 happens twice: the earlier (EDT) instant is taken.
  EXPECT_EQ(at_utc("tomorrow at 1 30 am", now, "America/New_York"), "2025-11-02T05:30:00.000Z");
  EXPECT_EQ(at_utc("tomorrow afternoon", now, "America/New_York"), "2025-11-02T19:00:00.000Z");  // 14:00 EST
  // Relative minutes/hours are exact durations, whatever the wall clock does.
  EXPECT_EQ(at_utc("in two hours", "2025-11-02T04:30:00Z", "America/New_York"), "2025-11-02T06:30:00.000Z");
}

TEST(TimePhrase, LondonAcrossBstStart) {
  // Friday 2025-03-28 09:00 GMT; BST starts Sunday 2025-03-30 01:00 UTC.
  const char* now = "2025-03-28T09:00:00Z";
  EXPECT_EQ(at_utc("monday at 9", now, "Europe/London"), "2025-03-31T08:00:00.000Z");  // 9 AM BST
  EXPECT_EQ(at_utc("this weekend", now, "Europe/London"), "2025-03-29T10:00:00.000Z");
  EXPECT_EQ(at_utc("next tuesday afternoon", now, "Europe/London"), "2025-04-01T13:00:00.000Z");
  EXPECT_EQ(at_utc("end of the day", now, "Europe/London"), "2025-03-28T17:00:00.000Z");
  EXPECT_EQ(at_utc("tuesday next week", now, "Europe/London"), "2025-04-01T09:00:00.000Z");
}

TEST(TimePhrase, KolkataHalfHourOffset) {
  // Tuesday 2025-06-10 10:00 IST (+05:30, no DST).
  const char* now = "2025-06-10T04:30:00Z";
  EXPECT_EQ(at_utc("tomorrow evening", now, "Asia/Kolkata"), "2025-06-11T12:30:00.000Z");
  EXPECT_EQ(at_utc("at 4 pm", now, "Asia/Kolkata"), "2025-06-10T10:30:00.000Z");
  EXPECT_EQ(at_utc("friday at 11", now, "Asia/Kolkata"), "2025-06-13T05:30:00.000Z");
  EXPECT_EQ(at_utc("on the fifth", now, "Asia/Kolkata"), "2025-07-05T04:30:00.000Z");  // June 5 passed
  EXPECT_EQ(at_utc("in half an hour", now, "Asia/Kolkata"), "2025-06-10T05:00:00.000Z");
}

TEST(TimePhrase, NothingToParse) {
  for (const char* text : {"", "we have three rental properties", "i'm not interested", "call me back",
                           "about 2 hours of work a week", "give me a second"})
    EXPECT_FALSE(parse_time_phrase(text, utc(kNyNow), "America/New_York").has_value()) << text;
}

TEST(TimePhrase, ReportsTheMatchedPhrase) {
  auto r = parse_time_phrase("yeah call me back next tuesday afternoon please", utc(kNyNow), "America/New_York");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->phrase, "next tuesday afternoon");
  EXPECT_TRUE(r->has_time_of_day);
  auto d = parse_time_phrase("sure tomorrow works", utc(kNyNow), "America/New_York");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->phrase, "tomorrow");
  EXPECT_FALSE(d->has_time_of_day);
  auto t = parse_time_phrase("friday at ten thirty would be good", utc(kNyNow), "America/New_York");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->phrase, "friday at ten thirty");
}

TEST(TimePhrase, UnknownZoneFallsBackToUtc) {
  EXPECT_EQ(at_utc("tomorrow at 9 am", kNyNow, "Mars/Olympus_Mons"), "2025-03-09T09:00:00.000Z");
}

TEST(TimeZone, OffsetsFromTzifAndFooterRule) {
  auto ny = TimeZone::locate("America/New_York");
  ASSERT_TRUE(ny) << ny.error().message;
  auto secs = [](const char* iso) { return std::chrono::floor<std::chrono::seconds>(utc(iso)); };
  EXPECT_EQ(ny->offset(secs("2025-01-15T12:00:00Z")).count(), -5 * 3600);
  EXPECT_EQ(ny->offset(secs("2025-07-15T12:00:00Z")).count(), -4 * 3600);
  // The transition instant itself: 2025-03-09 07:00 UTC.
  EXPECT_EQ(ny->offset(secs("2025-03-09T06:59:59Z")).count(), -5 * 3600);
  EXPECT_EQ(ny->offset(secs("2025-03-09T07:00:00Z")).count(), -4 * 3600);
  // Far future: past any listed transition, the POSIX footer rule decides.
  EXPECT_EQ(ny->offset(secs("2060-07-01T12:00:00Z")).count(), -4 * 3600);
  EXPECT_EQ(ny->offset(secs("2060-12-01T12:00:00Z")).count(), -5 * 3600);
  auto syd = TimeZone::locate("Australia/Sydney");  // southern hemisphere: DST spans the new year
  ASSERT_TRUE(syd);
  EXPECT_EQ(syd->offset(secs("2060-01-15T00:00:00Z")).count(), 11 * 3600);
  EXPECT_EQ(syd->offset(secs("2060-07-15T00:00:00Z")).count(), 10 * 3600);
  auto kol = TimeZone::locate("Asia/Kolkata");
  ASSERT_TRUE(kol);
  EXPECT_EQ(kol->offset(secs("2060-07-15T00:00:00Z")).count(), 5 * 3600 + 1800);
}

TEST(TimeZone, RejectsBadNames) {
  EXPECT_EQ(TimeZone::locate("Nowhere/Atlantis").error().code, ErrorCode::not_found);
  // Folders of the tz database are not zones (they threw from the read; found by fuzzing).
  EXPECT_EQ(TimeZone::locate("Asia/").error().code, ErrorCode::not_found);
  EXPECT_EQ(TimeZone::locate("America").error().code, ErrorCode::not_found);
  EXPECT_EQ(TimeZone::locate("../../etc/passwd").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(TimeZone::locate("/etc/localtime").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(TimeZone::locate("UTC")->offset({}).count(), 0);
}

TEST(TimePhrase, DescribesTimesForSpeech) {
  const auto now = utc(kNyNow);
  EXPECT_EQ(describe_time(utc("2025-03-09T18:00:00Z"), now, "America/New_York"), "tomorrow at 2 PM");
  EXPECT_EQ(describe_time(utc("2025-03-08T22:30:00Z"), now, "America/New_York"), "today at 5:30 PM");
  EXPECT_EQ(describe_time(utc("2025-03-11T19:00:00Z"), now, "America/New_York"), "on Tuesday at 3 PM");
  EXPECT_EQ(describe_time(utc("2025-03-20T13:05:00Z"), now, "America/New_York"), "on Thursday, March 20 at 9:05 AM");
  EXPECT_EQ(format_local_time(utc("2025-03-11T19:00:00Z"), "America/New_York"),
            "Tuesday, March 11, 2025 at 3 PM (America/New_York)");
}

}  // namespace
}  // namespace voqo::brain
