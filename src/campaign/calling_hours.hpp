#pragma once
/// When a contact may be dialed (issue 4 §3): inside the job's calling window
/// and inside the callee's local hours (default 08:00–21:00, setting
/// callee_local_hours; the US TCPA rule, 47 CFR § 64.1200(c)(1), and most
/// national rules are of this form) in the callee's own time zone.
///
/// The callee's zones come from the number: libphonenumber's region of the
/// number, then the IANA zones of that region (zone1970.tab / zone.tab of the
/// system tz database); for NANP numbers (+1) the offline geocoder's place
/// (state / province) narrows them. A number with several candidate zones is
/// allowed only when the time is inside the hours in every one of them (the
/// most restrictive reading). A number with no known zone is checked against
/// the job's window only, and the decision says so.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

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
Result<CallingWindow> parse_calling_window(const nlohmann::json& value);

/// Local hours that apply to every callee: {start, end} "HH:MM".
struct LocalHours {
  int start_minute = 8 * 60;
  int end_minute = 21 * 60;
};
Result<LocalHours> parse_local_hours(const nlohmann::json& value);

/// IANA zones a number may be in (E.164 input), most specific first; empty when unknown.
std::vector<std::string> time_zones_of(const std::string& e164);

/// Whether a dial may happen now, and if not, the earliest instant it may.
struct DialWindowDecision {
  bool allowed = false;
  std::chrono::system_clock::time_point next_allowed{};  ///< when !allowed: earliest allowed instant (≤ 8 days ahead)
  std::string reason;                   ///< when !allowed: e.g. "outside callee local hours 08:00-21:00 (America/Chicago)"
  std::vector<std::string> zones;       ///< the callee zones considered
};

class CallingHours {
 public:
  explicit CallingHours(LocalHours callee_hours = {}, bool enforce_callee_hours = true);
  /// Thread-safe; zone data is cached. `window` absent = no job window.
  [[nodiscard]] DialWindowDecision check(const std::string& e164, const std::optional<CallingWindow>& window,
                                         std::chrono::system_clock::time_point now) const;

 private:
  LocalHours hours_;
  bool enforce_;
};

}  // namespace voqo::campaign
