// Calling hours (issue 4 §3): callee zones from the number (libphonenumber
// region + zone.tab, NANP narrowed by the offline geocoder), callee local
// hours in every candidate zone, the job's window with days, windows across
// midnight and DST days, all at fixed instants (no wall clock). next_allowed
// is checked against hand-computed instants and, for many instants, against
// a brute-force minute scan.
#include <gtest/gtest.h>

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>

#include "brain/time_phrase.hpp"
#include "campaign/calling_hours.hpp"
#include "core/time.hpp"

namespace voqo::campaign {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

system_clock::time_point utc(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(system_clock::time_point{});
}

std::string iso(system_clock::time_point t) { return to_iso8601(t); }

CallingWindow window(const json& j) {
  auto w = parse_calling_window(j);
  EXPECT_TRUE(w) << (w ? "" : w.error().message);
  return w.value_or(CallingWindow{});
}

using Zones = std::vector<std::string>;

constexpr const char* kNewYork = "+12125550100";    // geocoder: "New York, NY"
constexpr const char* kCalifornia = "+14155550123"; // "San Francisco, CA"
constexpr const char* kTexas = "+19155550100";      // "Texas" (El Paso's area code): Central and Mountain
constexpr const char* kLondon = "+442071234567";
constexpr const char* kAustralia = "+61212345678";
constexpr const char* kRussia = "+79141234567";     // mobile: all of Russia

TEST(CallingHours, CalleeZonesComeFromTheNumber) {
  EXPECT_EQ(time_zones_of(kNewYork), Zones{"America/New_York"});
  EXPECT_EQ(time_zones_of(kCalifornia), Zones{"America/Los_Angeles"});
  EXPECT_EQ(time_zones_of(kTexas), (Zones{"America/Chicago", "America/Denver"}));
  EXPECT_EQ(time_zones_of("+14165550100"), (Zones{"America/Toronto", "America/Winnipeg"}));  // "Ontario"
  EXPECT_EQ(time_zones_of(kLondon), Zones{"Europe/London"});
  const Zones au = time_zones_of(kAustralia);
  EXPECT_EQ(au.size(), 12u);
  EXPECT_NE(std::ranges::find(au, "Australia/Perth"), au.end());
  EXPECT_NE(std::ranges::find(au, "Australia/Lord_Howe"), au.end());
  EXPECT_EQ(std::ranges::find(au, "Asia/Tokyo"), au.end()) << "zone.tab, not zone1970.tab's merged zones";
  const Zones ru = time_zones_of(kRussia);
  EXPECT_EQ(ru.front(), "Europe/Kaliningrad");
  EXPECT_NE(std::ranges::find(ru, "Asia/Kamchatka"), ru.end());
  // A toll-free number is "United States": every US zone, Hawaii included.
  const Zones us = time_zones_of("+18005550100");
  EXPECT_GT(us.size(), 20u);
  EXPECT_NE(std::ranges::find(us, "Pacific/Honolulu"), us.end());
  // Non-geographic, invalid and garbage input: no zone.
  EXPECT_TRUE(time_zones_of("+80012345678").empty());
  EXPECT_TRUE(time_zones_of("+999123").empty());
  EXPECT_TRUE(time_zones_of("hello").empty());
}

TEST(CallingHours, NanpPlaceTable) {
  EXPECT_EQ(nanp_place_time_zones("New York, NY"), Zones{"America/New_York"});
  EXPECT_EQ(nanp_place_time_zones("Montreal, QC"), (Zones{"America/Toronto", "America/Halifax"}));
  EXPECT_EQ(nanp_place_time_zones("Washington State"), Zones{"America/Los_Angeles"});
  EXPECT_EQ(nanp_place_time_zones("Washington D.C."), Zones{"America/New_York"});
  EXPECT_EQ(nanp_place_time_zones("Nova Scotia/Prince Edward Island"), Zones{"America/Halifax"});
  EXPECT_EQ(nanp_place_time_zones("Northwest Territories/Nunavut/Yukon").size(), 6u);
  EXPECT_TRUE(nanp_place_time_zones("United States").empty());
  EXPECT_TRUE(nanp_place_time_zones("Canada").empty());
  EXPECT_TRUE(nanp_place_time_zones("Ontario/Atlantis").empty());
  EXPECT_TRUE(nanp_place_time_zones("").empty());
}

// Every place the geocoder names for US and Canadian numbers (a sample of
// exchanges in every area code) is in the table, except the country names.
TEST(CallingHours, EveryGeocoderPlaceOfTheUsAndCanadaIsMapped) {
  using namespace i18n::phonenumbers;
  const auto* util = PhoneNumberUtil::GetInstance();
  const PhoneNumberOfflineGeocoder geocoder;
  const icu::Locale english("en");
  int mapped = 0;
  for (uint64_t npa = 201; npa <= 989; ++npa)
    for (uint64_t exchange = 201; exchange <= 999; exchange += 97) {
      PhoneNumber n;
      n.set_country_code(1);
      n.set_national_number(npa * 10000000 + exchange * 10000 + 1234);
      if (!util->IsValidNumber(n)) continue;
      std::string region;
      util->GetRegionCodeForNumber(n, &region);
      if (region != "US" && region != "CA") continue;
      const std::string place = geocoder.GetDescriptionForNumber(n, english);
      if (place == "United States" || place == "Canada") continue;
      EXPECT_FALSE(nanp_place_time_zones(place).empty()) << "+1" << n.national_number() << " \"" << place << "\"";
      ++mapped;
    }
  EXPECT_GT(mapped, 1000);
}

TEST(CallingHours, NewYorkNumberAtTheEdgesOfLocalHours) {
  const CallingHours hours;  // 08:00-21:00
  // Tuesday 2025-07-15, EDT (UTC-4).
  auto d = hours.check(kNewYork, std::nullopt, utc("2025-07-15T11:59:00Z"));  // 07:59
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-15T12:00:00.000Z");
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in America/New_York");
  EXPECT_EQ(d.zones, Zones{"America/New_York"});
  // A second before 08:00, with a fraction: next_allowed is still exactly 08:00.
  d = hours.check(kNewYork, std::nullopt, utc("2025-07-15T11:59:59.750Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-15T12:00:00.000Z");
  EXPECT_TRUE(hours.check(kNewYork, std::nullopt, utc("2025-07-15T12:00:00Z")).allowed);      // 08:00
  EXPECT_TRUE(hours.check(kNewYork, std::nullopt, utc("2025-07-16T00:59:00Z")).allowed);      // 20:59
  EXPECT_TRUE(hours.check(kNewYork, std::nullopt, utc("2025-07-16T00:59:59.999Z")).allowed);  // 20:59:59.999
  d = hours.check(kNewYork, std::nullopt, utc("2025-07-16T01:00:00Z"));                       // 21:00
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-16T12:00:00.000Z");
  // Winter (EST, UTC-5): the same local hours are an hour later in UTC.
  EXPECT_FALSE(hours.check(kNewYork, std::nullopt, utc("2025-01-15T12:30:00Z")).allowed);  // 07:30 EST
  EXPECT_TRUE(hours.check(kNewYork, std::nullopt, utc("2025-01-15T13:00:00Z")).allowed);
}

TEST(CallingHours, CaliforniaNumberUsesPacificTime) {
  const CallingHours hours;
  // 10:59 in New York is 07:59 in San Francisco.
  auto d = hours.check(kCalifornia, std::nullopt, utc("2025-07-15T14:59:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in America/Los_Angeles");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-15T15:00:00.000Z");
  EXPECT_TRUE(hours.check(kNewYork, std::nullopt, utc("2025-07-15T14:59:00Z")).allowed);
  // 21:30 in New York is 18:30 in San Francisco.
  EXPECT_TRUE(hours.check(kCalifornia, std::nullopt, utc("2025-07-16T01:30:00Z")).allowed);
}

TEST(CallingHours, StateSpanningTwoZonesTakesTheMostRestrictiveReading) {
  const CallingHours hours;
  // 08:30 CDT is 07:30 MDT: Chicago is fine, Denver is not.
  auto d = hours.check(kTexas, std::nullopt, utc("2025-07-15T13:30:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in America/Denver");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-15T14:00:00.000Z");  // 08:00 MDT
  EXPECT_EQ(d.zones, (Zones{"America/Chicago", "America/Denver"}));
  EXPECT_TRUE(hours.check(kTexas, std::nullopt, utc("2025-07-16T01:59:00Z")).allowed);  // 20:59 CDT
  // 21:00 CDT: Chicago is out now; tomorrow's start is Denver's 08:00.
  d = hours.check(kTexas, std::nullopt, utc("2025-07-16T02:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in America/Chicago");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-16T14:00:00.000Z");
  // 06:00 CDT: outside in both.
  d = hours.check(kTexas, std::nullopt, utc("2025-07-16T11:00:00Z"));
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in America/Chicago, America/Denver");
}

TEST(CallingHours, UnitedKingdomNumber) {
  const CallingHours hours;
  auto d = hours.check(kLondon, std::nullopt, utc("2025-01-15T07:59:00Z"));  // GMT
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-01-15T08:00:00.000Z");
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in Europe/London");
  EXPECT_TRUE(hours.check(kLondon, std::nullopt, utc("2025-07-15T07:00:00Z")).allowed);  // 08:00 BST
  EXPECT_FALSE(hours.check(kLondon, std::nullopt, utc("2025-07-15T20:00:00Z")).allowed);  // 21:00 BST
}

TEST(CallingHours, MultiZoneCountriesAllowOnlyWhereEveryZoneIsInsideHours) {
  const CallingHours hours;
  // Australia in January: Perth is UTC+8 (08:00 = 00:00Z), Lord Howe and
  // Sydney UTC+11 (21:00 = 10:00Z): allowed 00:00Z-10:00Z only.
  auto d = hours.check(kAustralia, std::nullopt, utc("2025-01-15T23:30:00Z"));  // 10:30 Sydney, 07:30 Perth
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in Australia/Perth");
  EXPECT_EQ(iso(d.next_allowed), "2025-01-16T00:00:00.000Z");
  EXPECT_TRUE(hours.check(kAustralia, std::nullopt, utc("2025-01-16T09:59:00Z")).allowed);
  d = hours.check(kAustralia, std::nullopt, utc("2025-01-16T10:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("Australia/Sydney"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("Australia/Lord_Howe"), std::string::npos) << d.reason;
  EXPECT_EQ(d.reason.find("Australia/Perth"), std::string::npos) << d.reason;
  EXPECT_EQ(iso(d.next_allowed), "2025-01-17T00:00:00.000Z");
  // Russia (no DST): Kaliningrad UTC+2 opens at 06:00Z, Kamchatka and
  // Anadyr UTC+12 close at 09:00Z.
  d = hours.check(kRussia, std::nullopt, utc("2025-03-03T05:59:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside callee local hours 08:00-21:00 in Europe/Kaliningrad");
  EXPECT_EQ(iso(d.next_allowed), "2025-03-03T06:00:00.000Z");
  EXPECT_TRUE(hours.check(kRussia, std::nullopt, utc("2025-03-03T08:59:00Z")).allowed);
  d = hours.check(kRussia, std::nullopt, utc("2025-03-03T09:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-03-04T06:00:00.000Z");
}

TEST(CallingHours, JobWindowDaysSkipTheWeekendToMondayStart) {
  const CallingHours hours(LocalHours{}, false);
  const auto w = window({{"start", "09:00"}, {"end", "17:00"}, {"timezone", "Europe/London"}, {"daysOfWeek", {1, 2, 3, 4, 5}}});
  // Saturday 2025-07-19 10:00 BST.
  auto d = hours.check(kLondon, w, utc("2025-07-19T09:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside the job's calling window 09:00-17:00 Europe/London (Mon-Fri)");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-21T08:00:00.000Z");  // Monday 09:00 BST
  EXPECT_TRUE(d.zones.empty()) << "callee hours not enforced";
  // Friday 16:59 in, 17:00 out (next: Monday 09:00).
  EXPECT_TRUE(hours.check(kLondon, w, utc("2025-07-18T15:59:00Z")).allowed);
  d = hours.check(kLondon, w, utc("2025-07-18T16:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-21T08:00:00.000Z");
  // Wednesday 08:00 → 09:00 the same day.
  d = hours.check(kLondon, w, utc("2025-07-16T07:00:00Z"));
  EXPECT_EQ(iso(d.next_allowed), "2025-07-16T08:00:00.000Z");
}

TEST(CallingHours, JobWindowAndCalleeHoursCombine) {
  const CallingHours hours;
  const auto w = window({{"start", "09:00"}, {"end", "17:00"}, {"timezone", "America/Los_Angeles"}});
  // Monday 08:00 in New York = 05:00 in LA: the callee may be called, the job may not.
  auto d = hours.check(kNewYork, w, utc("2025-07-21T12:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside the job's calling window 09:00-17:00 America/Los_Angeles (every day)");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-21T16:00:00.000Z");
  // 05:00 in New York: both rules are broken; both are named.
  d = hours.check(kNewYork, w, utc("2025-07-21T09:00:00Z"));
  EXPECT_EQ(d.reason,
            "outside the job's calling window 09:00-17:00 America/Los_Angeles (every day); "
            "outside callee local hours 08:00-21:00 in America/New_York");
  EXPECT_EQ(iso(d.next_allowed), "2025-07-21T16:00:00.000Z");
  // 16:30 LA = 19:30 NY allowed; a window in New York 20:00-23:00 meets
  // the callee hours only until 21:00.
  EXPECT_TRUE(hours.check(kNewYork, w, utc("2025-07-21T23:30:00Z")).allowed);
  const auto evening = window({{"start", "20:00"}, {"end", "23:00"}, {"timezone", "America/New_York"}});
  d = hours.check(kNewYork, evening, utc("2025-07-22T01:00:00Z"));  // 21:00 EDT
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-23T00:00:00.000Z");  // tomorrow 20:00 EDT
}

TEST(CallingHours, WindowAcrossMidnightBelongsToTheDayItStarts) {
  const CallingHours hours(LocalHours{}, false);
  const auto w = window({{"start", "22:00"}, {"end", "02:00"}, {"timezone", "Europe/London"}, {"daysOfWeek", {5}}});
  EXPECT_EQ(describe_calling_window(w), "22:00-02:00 Europe/London (Fri)");
  EXPECT_TRUE(hours.check(kLondon, w, utc("2025-01-17T23:00:00Z")).allowed);  // Fri 23:00
  EXPECT_TRUE(hours.check(kLondon, w, utc("2025-01-18T01:59:00Z")).allowed);  // Sat 01:59, started Friday
  auto d = hours.check(kLondon, w, utc("2025-01-18T02:00:00Z"));             // Sat 02:00
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-01-24T22:00:00.000Z");
  d = hours.check(kLondon, w, utc("2025-01-17T01:30:00Z"));  // Fri 01:30 belongs to Thursday's window
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-01-17T22:00:00.000Z");
  // Callee hours across midnight work the same way.
  const CallingHours night(LocalHours{22 * 60, 6 * 60});
  EXPECT_TRUE(night.check(kLondon, std::nullopt, utc("2025-01-18T03:00:00Z")).allowed);
  d = night.check(kLondon, std::nullopt, utc("2025-01-18T06:00:00Z"));
  EXPECT_EQ(d.reason, "outside callee local hours 22:00-06:00 in Europe/London");
  EXPECT_EQ(iso(d.next_allowed), "2025-01-18T22:00:00.000Z");
}

TEST(CallingHours, DaylightSavingTransitionDays) {
  const CallingHours hours;
  // Sunday 2025-03-09, New York springs forward at 02:00 EST → 03:00 EDT:
  // 08:00 that day is 12:00Z, not 13:00Z.
  auto d = hours.check(kNewYork, std::nullopt, utc("2025-03-09T06:30:00Z"));  // 01:30 EST
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-03-09T12:00:00.000Z");
  // A window starting in the skipped hour opens when the clock jumps past
  // its start (03:00 EDT = 07:00Z), not an hour late.
  const CallingHours job_only(LocalHours{}, false);
  const auto gap = window({{"start", "02:30"}, {"end", "04:00"}, {"timezone", "America/New_York"}});
  d = job_only.check(kNewYork, gap, utc("2025-03-09T06:30:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-03-09T07:00:00.000Z");
  // Fall back, Sunday 2025-11-02 02:00 EDT → 01:00 EST: 01:30-02:00 happens
  // twice; at 01:10 EST (the second 01:10) the next opening is 01:30 EST.
  const auto twice = window({{"start", "01:30"}, {"end", "02:00"}, {"timezone", "America/New_York"}});
  EXPECT_TRUE(job_only.check(kNewYork, twice, utc("2025-11-02T05:45:00Z")).allowed);  // 01:45 EDT
  d = job_only.check(kNewYork, twice, utc("2025-11-02T06:10:00Z"));                   // 01:10 EST
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-11-02T06:30:00.000Z");
  // Europe/London, Sunday 2025-03-30 01:00 GMT → 02:00 BST: 21:00 BST is 20:00Z.
  d = hours.check(kLondon, std::nullopt, utc("2025-03-30T20:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-03-31T07:00:00.000Z");
}

TEST(CallingHours, EnforceFalseIgnoresCalleeHours) {
  const CallingHours lax(LocalHours{}, false);
  auto d = lax.check(kNewYork, std::nullopt, utc("2025-07-15T07:00:00Z"));  // 03:00 EDT
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.zones.empty());
  EXPECT_TRUE(d.reason.empty());
  EXPECT_FALSE(CallingHours().check(kNewYork, std::nullopt, utc("2025-07-15T07:00:00Z")).allowed);
}

TEST(CallingHours, NumberWithoutZoneIsJudgedByTheJobWindowOnly) {
  const CallingHours hours;
  const char* freephone = "+80012345678";  // international freephone: no country
  auto d = hours.check(freephone, std::nullopt, utc("2025-07-15T03:00:00Z"));
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.zones.empty());
  EXPECT_EQ(d.reason, "callee time zone unknown: only the job's calling window applies");
  const auto w = window({{"start", "09:00"}, {"end", "17:00"}, {"timezone", "UTC"}});
  d = hours.check(freephone, w, utc("2025-07-15T08:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(iso(d.next_allowed), "2025-07-15T09:00:00.000Z");
  EXPECT_NE(d.reason.find("callee time zone unknown"), std::string::npos);
}

TEST(CallingHours, RulesThatNeverMeetGiveUpAfterEightDays) {
  const CallingHours hours;
  const auto w = window({{"start", "02:00"}, {"end", "03:00"}, {"timezone", "America/New_York"}});
  const auto now = utc("2025-07-15T12:00:00Z");
  auto d = hours.check(kNewYork, w, now);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.next_allowed, now + std::chrono::days{8});
  EXPECT_NE(d.reason.find("no time within 8 days"), std::string::npos) << d.reason;
}

TEST(CallingHours, ParseRejectsBadWindowsNamingTheField) {
  auto field_of = [](const json& j) -> std::string {
    auto w = parse_calling_window(j);
    if (w) return "(accepted)";
    EXPECT_EQ(w.error().code, ErrorCode::invalid_argument);
    return std::string(w.error().field());
  };
  const json good = {{"start", "09:00"}, {"end", "17:00"}, {"timezone", "America/Chicago"}};
  EXPECT_EQ(field_of(good), "(accepted)");
  auto with = [&](const char* key, json v) {
    json j = good;
    j[key] = std::move(v);
    return j;
  };
  EXPECT_EQ(field_of(with("start", "9:00")), "callingWindow.start");
  EXPECT_EQ(field_of(with("start", "24:00")), "callingWindow.start");
  EXPECT_EQ(field_of(with("start", "12:60")), "callingWindow.start");
  EXPECT_EQ(field_of(with("start", 900)), "callingWindow.start");
  EXPECT_EQ(field_of(with("end", "25:00")), "callingWindow.end");
  EXPECT_EQ(field_of(with("end", "00:00")), "callingWindow.end");
  EXPECT_EQ(field_of(with("end", "09:00")), "callingWindow.end") << "end == start";
  EXPECT_EQ(field_of(with("end", "24:00")), "(accepted)");
  EXPECT_EQ(field_of(with("timezone", "Mars/Olympus_Mons")), "callingWindow.timezone");
  EXPECT_EQ(field_of(with("timezone", "../../etc/passwd")), "callingWindow.timezone");
  EXPECT_EQ(field_of(with("daysOfWeek", json::array({0, 1}))), "callingWindow.daysOfWeek");
  EXPECT_EQ(field_of(with("daysOfWeek", json::array({8}))), "callingWindow.daysOfWeek");
  EXPECT_EQ(field_of(with("daysOfWeek", json::array())), "callingWindow.daysOfWeek");
  EXPECT_EQ(field_of(with("daysOfWeek", "Mon")), "callingWindow.daysOfWeek");
  EXPECT_EQ(field_of(with("days", json::array({1}))), "callingWindow.days");
  EXPECT_EQ(field_of(json{{"end", "17:00"}, {"timezone", "UTC"}}), "callingWindow.start");
  EXPECT_EQ(field_of(json{{"start", "09:00"}, {"end", "17:00"}}), "callingWindow.timezone");
  EXPECT_EQ(field_of(json::array()), "callingWindow");
  // Every offending field is listed.
  auto many = parse_calling_window(json{{"start", "x"}, {"end", "y"}, {"timezone", "Nowhere/At_All"}});
  ASSERT_FALSE(many);
  ASSERT_EQ(many.error().fields.size(), 3u);
  EXPECT_EQ(many.error().fields[2].field, "callingWindow.timezone");
  EXPECT_NE(many.error().message.find("callingWindow.start"), std::string::npos);
  // Parsed values.
  auto w = parse_calling_window(json{{"start", "08:30"}, {"end", "24:00"}, {"timezone", "Asia/Kolkata"}, {"daysOfWeek", {6, 7}}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start_minute, 8 * 60 + 30);
  EXPECT_EQ(w->end_minute, 24 * 60);
  EXPECT_EQ(w->timezone, "Asia/Kolkata");
  EXPECT_EQ(w->days, (std::array<bool, 7>{false, false, false, false, false, true, true}));
  EXPECT_EQ(describe_calling_window(*w), "08:30-24:00 Asia/Kolkata (Sat, Sun)");
  EXPECT_EQ(describe_calling_window(window(with("daysOfWeek", {1, 2, 3, 5}))), "09:00-17:00 America/Chicago (Mon-Wed, Fri)");
  // Callee local hours (the setting).
  auto h = parse_local_hours(json{{"start", "09:15"}, {"end", "20:00"}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->start_minute, 9 * 60 + 15);
  EXPECT_EQ(h->end_minute, 20 * 60);
  EXPECT_EQ(parse_local_hours(json{{"start", "09:15"}}).error().field(), "callee_local_hours.end");
  EXPECT_EQ(parse_local_hours(json{{"start", "8am"}, {"end", "20:00"}}).error().field(), "callee_local_hours.start");
}

// ---------------------------------------------------------------- reference

/// Whether `t` is inside [start, end) local minutes of `zone` (days = the
/// day a window starts on), computed from scratch.
bool inside(const TimeZone& zone, int start, int end, const std::array<bool, 7>& days,
            std::chrono::sys_seconds t) {
  const auto local = zone.to_local(t);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const int m = static_cast<int>((local - day).count() / 60);
  const auto wd = std::chrono::weekday{day}.iso_encoding() - 1;
  const auto prev = (wd + 6) % 7;
  if (start < end) return days[wd] && m >= start && m < end;
  return (days[wd] && m >= start) || (days[prev] && m < end);
}

// next_allowed equals a minute-by-minute scan (exact: every boundary is a
// whole UTC minute in these zones) for many instants across a year,
// including both DST changes, for several numbers and windows.
TEST(CallingHours, NextAllowedMatchesABruteForceScan) {
  const CallingHours hours;
  const std::array<bool, 7> every{true, true, true, true, true, true, true};
  const std::vector<std::optional<CallingWindow>> windows = {
      std::nullopt,
      window({{"start", "09:00"}, {"end", "17:00"}, {"timezone", "America/New_York"}, {"daysOfWeek", {1, 2, 3, 4, 5}}}),
      window({{"start", "19:30"}, {"end", "01:15"}, {"timezone", "Europe/London"}, {"daysOfWeek", {2, 6}}}),
      window({{"start", "02:15"}, {"end", "10:00"}, {"timezone", "Australia/Lord_Howe"}, {"daysOfWeek", {7}}}),
  };
  const std::vector<std::string> numbers = {kNewYork, kTexas, kAustralia, "+13175550100" /* Indiana */, kLondon};
  std::vector<std::chrono::sys_seconds> instants;
  for (const char* s : {"2025-03-09T06:59:00Z", "2025-03-30T00:30:00Z", "2025-04-06T15:00:00Z",
                        "2025-10-05T15:40:00Z", "2025-11-02T05:30:00Z", "2025-07-19T21:07:00Z"})
    instants.push_back(std::chrono::floor<std::chrono::seconds>(utc(s)));
  for (int i = 0; i < 6; ++i) instants.push_back(instants.back() + std::chrono::minutes{4409});  // odd steps
  int denied = 0;
  for (const auto& number : numbers) {
    std::vector<TimeZone> zones;
    for (const auto& z : time_zones_of(number)) zones.push_back(*TimeZone::locate(z));
    for (const auto& w : windows) {
      const auto wz = w ? *TimeZone::locate(w->timezone) : TimeZone::utc();
      auto ok = [&](std::chrono::sys_seconds t) {
        if (w && !inside(wz, w->start_minute, w->end_minute, w->days, t)) return false;
        return std::ranges::all_of(zones, [&](const auto& z) { return inside(z, 8 * 60, 21 * 60, every, t); });
      };
      for (const auto t0 : instants) {
        const auto d = hours.check(number, w, t0);
        ASSERT_EQ(d.allowed, ok(t0)) << number << " at " << iso(t0);
        if (d.allowed) continue;
        ++denied;
        auto expect = t0 + std::chrono::days{8};
        for (auto t = t0; t < t0 + std::chrono::days{8}; t += std::chrono::minutes{1})
          if (ok(t)) {
            expect = t;
            break;
          }
        EXPECT_EQ(iso(d.next_allowed), iso(expect)) << number << " window " << (w ? describe_calling_window(*w) : "-")
                                                    << " at " << iso(t0);
      }
    }
  }
  EXPECT_GT(denied, 50);
}

}  // namespace
}  // namespace voqo::campaign
