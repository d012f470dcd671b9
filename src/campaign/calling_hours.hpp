#pragma once
/// When a contact may be dialed (issue 4 §3): inside the job's calling window
/// and inside the callee's local hours (default 08:00–21:00, setting
/// callee_local_hours; the US TCPA rule, 47 CFR § 64.1200(c)(1), and most
/// national rules are of this form) in the callee's own time zone.
///
/// The callee's zones come from the number: libphonenumber's region of the
/// number, then the IANA zones of that region (zone.tab / zone1970.tab of the
/// system tz database); for NANP numbers (+1) the offline geocoder's place
/// (state / province) narrows them. A number with several candidate zones is
/// allowed only when the time is inside the hours in every one of them (the
/// most restrictive reading). A number with no known zone is checked against
/// the job's window only, and the decision says so.
///
/// Why not libphonenumber's PhoneNumberToTimeZonesMapper: Debian 12's
/// libphonenumber (8.12) does not build it, so the zones are derived here
/// from the region (PhoneNumberUtil::GetRegionCodeForNumber) and, for NANP,
/// the offline geocoder's English description of the number ("New York, NY",
/// "California", "Ontario", "Northwest Territories/Nunavut/Yukon"), mapped to
/// zones by a table of US states and Canadian provinces/territories (see
/// nanp_place_time_zones).
///
/// Time zones: TimeZone (the system tz database, RFC 8536 TZif files),
/// so DST changes are exact. Rules are judged on local wall-clock minutes:
/// a window [start, end) allows local times start ≤ t < end.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "model/settings_snapshot.hpp"

namespace voqo::campaign {

/// A job's calling window: local times [start, end) in one IANA zone, on some days.
struct CallingWindow {
  int start_minute = 9 * 60;   ///< minutes after local midnight, 0..1439
  int end_minute = 17 * 60;    ///< exclusive, 1..1440; end < start spans midnight
  std::string timezone = "UTC";
  std::array<bool, 7> days{true, true, true, true, true, true, true};  ///< [0] = Monday … [6] = Sunday (ISO 8601)
};

/// Parses {start "HH:MM", end "HH:MM", timezone, daysOfWeek [1..7]} (ISO
/// weekday numbers, 1 = Monday; absent = every day). Errors: invalid_argument
/// naming the field ("callingWindow.start", "callingWindow.timezone" for an
/// unknown zone, ...).
///
/// start, end and timezone are required; "HH:MM" is 24-hour, 00:00–23:59,
/// and end may also be "24:00" (the end of the day); end < start is a window
/// that spans midnight (22:00–02:00); end == start is refused (an empty or
/// a 24-hour window is ambiguous: 00:00–24:00 is every hour). daysOfWeek is a
/// non-empty array of integers 1–7 (duplicates are harmless). Unknown members
/// are refused. Every offending member is listed in Error::fields; the
/// message names the first.
///
/// Days of a window that spans midnight are the days it *starts* on: Friday
/// 22:00–02:00 includes Saturday 01:00 even when Saturday is not a day.
Result<CallingWindow> parse_calling_window(const nlohmann::json& value);

/// Local hours that apply to every callee: {start, end} "HH:MM".
struct LocalHours {
  int start_minute = 8 * 60;   ///< minutes after local midnight, 0..1439
  int end_minute = 21 * 60;    ///< exclusive, 1..1440; end < start spans midnight
};
/// Parses the setting callee_local_hours {start, end} with the same "HH:MM"
/// rules as parse_calling_window; errors name "callee_local_hours.start" / ".end".
Result<LocalHours> parse_local_hours(const nlohmann::json& value);
/// The same for the typed setting (model::SettingsSnapshot::callee_local_hours).
Result<LocalHours> parse_local_hours(const model::CalleeLocalHours& value);

/// "09:00-17:00 Europe/London (Mon-Fri)": the window in words, for reasons
/// and audit logs (days as ranges of ISO weekdays; "every day" when all).
std::string describe_calling_window(const CallingWindow& window);

/// IANA zones a number may be in (E.164 input), most specific first; empty when unknown.
///
/// Region (PhoneNumberUtil) → that region's zones in the system tz
/// database's zone.tab (zone1970.tab when absent), in the file's order; for +1 numbers of the US and Canada, narrowed to the
/// zones of the state / province the geocoder names (nanp_place_time_zones),
/// when it names one. Zones the system cannot load are left out. Not valid,
/// non-geographic (+800, +882…) or unparsable input → empty. The tables are
/// read once per process; ~10–20 µs a number (libphonenumber's parse and
/// geocoder lookup). Thread-safe.
std::vector<std::string> time_zones_of(const std::string& e164);

/// Zones of an ISO 3166-1 alpha-2 region ("GB", "au", case-insensitive)
/// from zone.tab (zone1970.tab as fallback), file order; empty when unknown.
/// zone.tab is preferred because it lists each country's own zones:
/// zone1970.tab merges zones that agree since 1970 across countries, so a
/// Norwegian number would read "Europe/Berlin" and Australia would include
/// Asia/Tokyo (for the Eyre Bird Observatory). Both files are read the same
/// way (columns: country codes, coordinates, TZ, comments).
std::vector<std::string> region_time_zones(std::string_view region);

/// Zones of a NANP place as libphonenumber's offline geocoder writes it in
/// English: a state or province name ("Texas", "Ontario"), "City, ST" with a
/// US/Canadian postal abbreviation ("New York, NY", "Montreal, QC"), several
/// names joined by '/' ("Nova Scotia/Prince Edward Island" → the union), or
/// one of the geocoder's few other spellings ("Washington State", "Washington
/// D.C.", "Philadelphia", "Watson Lake"). States and provinces spanning
/// several zones list each (the main one first), so the most restrictive
/// reading applies to the whole state. Unknown places ("United States",
/// "Canada", "") → empty.
std::vector<std::string> nanp_place_time_zones(std::string_view place);

/// Whether a dial may happen now, and if not, the earliest instant it may.
struct DialWindowDecision {
  bool allowed = false;
  /// When !allowed: the earliest instant ≥ now at which every rule allows
  /// the dial (exact to the second, DST changes included). When no such
  /// instant exists within 8 days (rules that never overlap, an unknown
  /// window zone), now + 8 days and the reason says so.
  std::chrono::system_clock::time_point next_allowed{};
  /// When !allowed, every rule broken at `now`, joined by "; ", e.g.
  /// "outside the job's calling window 09:00-17:00 Europe/London (Mon-Fri)",
  /// "outside callee local hours 08:00-21:00 in America/Los_Angeles" (the
  /// zones where it is outside). When the callee's zone is unknown (and
  /// callee hours are enforced) it also notes "callee time zone unknown:
  /// only the job's calling window applies" — even when allowed.
  std::string reason;
  /// The callee zones considered (time_zones_of); empty when unknown or when
  /// callee hours are not enforced.
  std::vector<std::string> zones;
};

/// Seconds in [from, to) at which `window` allows a dial, as check() reads
/// it (local [start, end) on the window's days, a window spanning midnight
/// belonging to the day it starts on, the zone's offset changes exact to the
/// second); from and to are floored to the second; 0 when to ≤ from. Walks
/// the window's boundaries (a few steps per local day), so the caller bounds
/// the span (the autoscaler's calling_seconds_left caps it at 731 days).
/// Errors: those of TimeZone::locate for an unknown window zone.
Result<std::chrono::seconds> seconds_inside_window(const CallingWindow& window,
                                                   std::chrono::system_clock::time_point from,
                                                   std::chrono::system_clock::time_point to);

class CallingHours {
 public:
  /// `callee_hours`: the setting callee_local_hours; `enforce_callee_hours`
  /// false = only the job's window applies (for numbers the operator has
  /// consent to call at any hour, or tests).
  explicit CallingHours(LocalHours callee_hours = {}, bool enforce_callee_hours = true);
  /// Thread-safe; zone data is cached. `window` absent = no job window.
  ///
  /// Allowed iff `now` is inside the job window (if any) and, when enforced,
  /// inside the callee hours in every candidate zone of `e164`. next_allowed
  /// is found by jumping between the rules' boundaries (local start/end
  /// times, midnights and the zones' offset changes), not by scanning.
  [[nodiscard]] DialWindowDecision check(const std::string& e164, const std::optional<CallingWindow>& window,
                                         std::chrono::system_clock::time_point now) const;

 private:
  LocalHours hours_;
  bool enforce_;
};

}  // namespace voqo::campaign
