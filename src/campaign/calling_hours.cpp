#include "campaign/calling_hours.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>

#include "core/time_zone.hpp"
#include "core/time.hpp"

namespace voqo::campaign {
namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

/// The farthest next_allowed looks ahead: a week of job days, plus a day for
/// a window that spans midnight and for DST changes.
constexpr auto kHorizon = days{8};

// ------------------------------------------------------------ "HH:MM" parsing

/// A JSON "HH:MM" → minutes after midnight (core/time.hpp parse_hhmm).
std::optional<int> parse_hhmm(const nlohmann::json& v, bool allow_24) {
  return v.is_string() ? voqo::parse_hhmm(v.get_ref<const std::string&>(), allow_24) : std::nullopt;
}

/// Minutes after midnight (0..1440) → "HH:MM".
std::string hhmm(int minute) {
  const int h = minute / 60, m = minute % 60;
  return {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':', static_cast<char>('0' + m / 10),
          static_cast<char>('0' + m % 10)};
}

/// Collects field errors; the first names the Error's message.
struct FieldErrors {
  std::vector<FieldError> list;
  void add(std::string field, std::string message) { list.push_back({std::move(field), std::move(message)}); }
  [[nodiscard]] Error error() const {
    Error e{ErrorCode::invalid_argument, list.front().field + ": " + list.front().message, list};
    return e;
  }
};

/// Parses start/end of `value` into `start`/`end`, reporting under `prefix`.
void parse_span(const nlohmann::json& value, const std::string& prefix, FieldErrors& errors, int& start, int& end) {
  constexpr const char* kShape = "must be \"HH:MM\" (24-hour, 00:00-23:59)";
  if (auto it = value.find("start"); it == value.end())
    errors.add(prefix + ".start", "is required");
  else if (auto m = parse_hhmm(*it, false))
    start = *m;
  else
    errors.add(prefix + ".start", kShape);
  if (auto it = value.find("end"); it == value.end())
    errors.add(prefix + ".end", "is required");
  else if (auto m = parse_hhmm(*it, true); m && *m != 0)
    end = *m;
  else
    errors.add(prefix + ".end", "must be \"HH:MM\" (24-hour, 00:01-24:00)");
  if (errors.list.empty() && start == end)
    errors.add(prefix + ".end", "must differ from start (use 00:00-24:00 for the whole day)");
}

constexpr std::array<const char*, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/// Monday = 0 … Sunday = 6.
int iso_index(local_days d) { return static_cast<int>(std::chrono::weekday{d}.iso_encoding()) - 1; }

// ------------------------------------------------------------ zone tables

std::string tz_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

/// Region → zones from zone.tab (columns: country code, coordinates, TZ,
/// comments; '#' comments), or zone1970.tab (codes separated by ',').
const std::map<std::string, std::vector<std::string>, std::less<>>& region_table() {
  static const auto table = [] {
    std::map<std::string, std::vector<std::string>, std::less<>> t;
    std::ifstream in(tz_dir() + "/zone.tab");
    if (!in) in.open(tz_dir() + "/zone1970.tab");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream row(line);
      std::string codes, coords, zone;
      if (!std::getline(row, codes, '\t') || !std::getline(row, coords, '\t') || !std::getline(row, zone, '\t'))
        continue;
      if (!zone.empty() && zone.back() == '\r') zone.pop_back();
      if (!TimeZone::locate(zone)) continue;
      std::istringstream cs(codes);
      for (std::string code; std::getline(cs, code, ',');) t[code].push_back(zone);
    }
    return t;
  }();
  return table;
}

/// A US state or Canadian province/territory and its zones, main one first.
/// Sources: the tz database's zone1970.tab comments (e.g. America/Boise
/// "Mountain - ID (south), OR (east)", America/Menominee "Central - MI
/// (Wisconsin border)", America/Edmonton "Mountain - AB, BC(E), NT(E),
/// SK(W)") and the US DOT's standard time zone boundaries (49 CFR Part 71:
/// the Florida panhandle, western KS/NE/ND/SD and El Paso TX are Central /
/// Mountain; East Tennessee is Eastern; West Wendover NV is Mountain).
/// Zones with the same rules as a listed one since 1970 are not repeated
/// (America/Kentucky/Louisville = New_York, America/Indiana/Tell_City =
/// Chicago). Year-round-standard areas are covered by their neighbours:
/// Arizona's MST is listed, the Navajo Nation's DST as America/Denver;
/// Atikokan ON's EST is Toronto in winter and Winnipeg in summer, Quebec's
/// Lower North Shore AST Halifax in winter and Toronto in summer, NE BC's
/// MST Edmonton in winter and Vancouver in summer.
struct Place {
  const char* country;  ///< "US" or "CA" (the region libphonenumber gives)
  const char* name;
  const char* abbreviation;  ///< USPS / Canada Post code
  std::vector<const char*> zones;
};

const std::vector<Place>& places() {
  static const std::vector<Place> p = {
      {"US", "Alabama", "AL", {"America/Chicago"}},
      {"US", "Alaska", "AK",
       {"America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla", "America/Yakutat",
        "America/Nome", "America/Adak"}},
      {"US", "Arizona", "AZ", {"America/Phoenix", "America/Denver"}},
      {"US", "Arkansas", "AR", {"America/Chicago"}},
      {"US", "California", "CA", {"America/Los_Angeles"}},
      {"US", "Colorado", "CO", {"America/Denver"}},
      {"US", "Connecticut", "CT", {"America/New_York"}},
      {"US", "Delaware", "DE", {"America/New_York"}},
      {"US", "District of Columbia", "DC", {"America/New_York"}},
      {"US", "Florida", "FL", {"America/New_York", "America/Chicago"}},
      {"US", "Georgia", "GA", {"America/New_York"}},
      {"US", "Hawaii", "HI", {"Pacific/Honolulu"}},
      {"US", "Idaho", "ID", {"America/Boise", "America/Los_Angeles"}},
      {"US", "Illinois", "IL", {"America/Chicago"}},
      {"US", "Indiana", "IN", {"America/Indiana/Indianapolis", "America/Chicago"}},
      {"US", "Iowa", "IA", {"America/Chicago"}},
      {"US", "Kansas", "KS", {"America/Chicago", "America/Denver"}},
      {"US", "Kentucky", "KY", {"America/New_York", "America/Chicago"}},
      {"US", "Louisiana", "LA", {"America/Chicago"}},
      {"US", "Maine", "ME", {"America/New_York"}},
      {"US", "Maryland", "MD", {"America/New_York"}},
      {"US", "Massachusetts", "MA", {"America/New_York"}},
      {"US", "Michigan", "MI", {"America/Detroit", "America/Menominee"}},
      {"US", "Minnesota", "MN", {"America/Chicago"}},
      {"US", "Mississippi", "MS", {"America/Chicago"}},
      {"US", "Missouri", "MO", {"America/Chicago"}},
      {"US", "Montana", "MT", {"America/Denver"}},
      {"US", "Nebraska", "NE", {"America/Chicago", "America/Denver"}},
      {"US", "Nevada", "NV", {"America/Los_Angeles", "America/Denver"}},
      {"US", "New Hampshire", "NH", {"America/New_York"}},
      {"US", "New Jersey", "NJ", {"America/New_York"}},
      {"US", "New Mexico", "NM", {"America/Denver"}},
      {"US", "New York", "NY", {"America/New_York"}},
      {"US", "North Carolina", "NC", {"America/New_York"}},
      {"US", "North Dakota", "ND", {"America/Chicago", "America/Denver"}},
      {"US", "Ohio", "OH", {"America/New_York"}},
      {"US", "Oklahoma", "OK", {"America/Chicago"}},
      {"US", "Oregon", "OR", {"America/Los_Angeles", "America/Boise"}},
      {"US", "Pennsylvania", "PA", {"America/New_York"}},
      {"US", "Rhode Island", "RI", {"America/New_York"}},
      {"US", "South Carolina", "SC", {"America/New_York"}},
      {"US", "South Dakota", "SD", {"America/Chicago", "America/Denver"}},
      {"US", "Tennessee", "TN", {"America/Chicago", "America/New_York"}},
      {"US", "Texas", "TX", {"America/Chicago", "America/Denver"}},
      {"US", "Utah", "UT", {"America/Denver"}},
      {"US", "Vermont", "VT", {"America/New_York"}},
      {"US", "Virginia", "VA", {"America/New_York"}},
      {"US", "Washington", "WA", {"America/Los_Angeles"}},
      {"US", "West Virginia", "WV", {"America/New_York"}},
      {"US", "Wisconsin", "WI", {"America/Chicago"}},
      {"US", "Wyoming", "WY", {"America/Denver"}},
      {"CA", "Alberta", "AB", {"America/Edmonton"}},
      {"CA", "British Columbia", "BC", {"America/Vancouver", "America/Edmonton"}},
      {"CA", "Manitoba", "MB", {"America/Winnipeg"}},
      {"CA", "New Brunswick", "NB", {"America/Moncton"}},
      {"CA", "Newfoundland and Labrador", "NL", {"America/St_Johns", "America/Goose_Bay"}},
      {"CA", "Nova Scotia", "NS", {"America/Halifax"}},
      {"CA", "Northwest Territories", "NT", {"America/Edmonton", "America/Inuvik"}},
      {"CA", "Nunavut", "NU", {"America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"}},
      {"CA", "Ontario", "ON", {"America/Toronto", "America/Winnipeg"}},
      {"CA", "Prince Edward Island", "PE", {"America/Halifax"}},
      {"CA", "Quebec", "QC", {"America/Toronto", "America/Halifax"}},
      {"CA", "Saskatchewan", "SK", {"America/Regina", "America/Edmonton"}},
      {"CA", "Yukon", "YT", {"America/Whitehorse"}},
  };
  return p;
}

/// The geocoder's spellings that are neither a name nor "City, ST".
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kPlaceAliases = {{
    {"Washington State", "WA"},
    {"Washington D.C.", "DC"},
    {"Philadelphia", "PA"},
    {"Watson Lake", "YT"},  // Yukon
}};

const Place* find_place(std::string_view part) {
  for (const auto& [alias, code] : kPlaceAliases)
    if (part == alias) part = code;
  if (const auto comma = part.rfind(", "); comma != std::string_view::npos && part.size() - comma == 4)
    part = part.substr(comma + 2);  // "New York, NY" → "NY"
  for (const auto& p : places())
    if (part == p.name || part == p.abbreviation) return &p;
  return nullptr;
}

/// A candidate-zone list with its loaded zones, cached per region / place.
struct ZoneSet {
  std::vector<std::string> names;
  std::vector<TimeZone> zones;
};

std::shared_ptr<const ZoneSet> make_zone_set(const std::vector<std::string>& names) {
  auto set = std::make_shared<ZoneSet>();
  for (const auto& n : names)
    if (auto z = TimeZone::locate(n); z && std::ranges::find(set->names, n) == set->names.end()) {
      set->names.push_back(n);
      set->zones.push_back(*z);
    }
  return set;
}

/// The cached ZoneSet of `key` (a region or "NANP place"), built by `names`.
template <class F>
std::shared_ptr<const ZoneSet> cached_zone_set(const std::string& key, F&& names) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const ZoneSet>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto set = make_zone_set(names());
  cache.emplace(key, set);
  return set;
}

/// Candidate zones of `e164` (see time_zones_of); never null.
std::shared_ptr<const ZoneSet> zone_set_of(const std::string& e164) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  static const std::shared_ptr<const ZoneSet> none = std::make_shared<ZoneSet>();
  const auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return none;
  std::string region;
  util->GetRegionCodeForNumber(number, &region);
  if (region.size() != 2 || region == "ZZ") return none;  // invalid or non-geographic ("001")
  if (number.country_code() == 1 && (region == "US" || region == "CA")) {
    static const i18n::phonenumbers::PhoneNumberOfflineGeocoder geocoder;
    static const icu::Locale english("en");
    const std::string place = geocoder.GetDescriptionForNumber(number, english);
    if (auto names = nanp_place_time_zones(place); !names.empty())
      return cached_zone_set(region + " " + place, [&] { return names; });
  }
  return cached_zone_set(region, [&] { return region_time_zones(region); });
}

// ------------------------------------------------------------ rules

/// One rule: local time of `zone` inside [start, end) on `days` (the day a
/// window starts on; a window with end ≤ start runs into the next day).
struct Rule {
  TimeZone zone;
  int start = 0;
  int end = 0;
  std::array<bool, 7> on{true, true, true, true, true, true, true};

  [[nodiscard]] bool allows(sys_seconds t) const {
    const local_seconds local = zone.to_local(t);
    const auto day = std::chrono::floor<days>(local);
    const auto m = static_cast<int>(std::chrono::duration_cast<minutes>(local - day).count());
    const int wd = iso_index(day);
    if (start < end) return on[static_cast<size_t>(wd)] && m >= start && m < end;
    return (on[static_cast<size_t>(wd)] && m >= start) || (on[static_cast<size_t>((wd + 6) % 7)] && m < end);
  }

  /// The first instant after `t` where allows() may change: the next local
  /// midnight, start or end, or an offset change of the zone before it.
  [[nodiscard]] sys_seconds next_change(sys_seconds t) const {
    const seconds off = zone.offset(t);
    const local_seconds local{t.time_since_epoch() + off};
    const auto day = std::chrono::floor<days>(local);
    local_seconds best = day + days{1};  // the next midnight
    for (const int b : {start, end})
      if (const local_seconds at = day + minutes{b}; at > local && at < best) best = at;
    const sys_seconds at{best.time_since_epoch() - off};
    if (zone.offset(at) == off) return at;
    // The offset changes within (t, at]: the local clock jumps there, so
    // that instant is the change (found to the second).
    sys_seconds lo = t, hi = at;
    while (hi - lo > seconds{1}) {
      const sys_seconds mid = lo + (hi - lo) / 2;
      (zone.offset(mid) == off ? lo : hi) = mid;
    }
    return hi;
  }

  /// The first instant ≥ t that allows(), or `limit` when none before it.
  [[nodiscard]] sys_seconds next_start(sys_seconds t, sys_seconds limit) const {
    while (!allows(t)) {
      if (t >= limit) return limit;
      t = next_change(t);
    }
    return t;
  }
};

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------ parsing

Result<CallingWindow> parse_calling_window(const nlohmann::json& value) {
  if (!value.is_object())
    return std::unexpected(Error::invalid("callingWindow", "must be an object {start, end, timezone, daysOfWeek}"));
  CallingWindow w;
  FieldErrors errors;
  for (const auto& [key, v] : value.items())
    if (key != "start" && key != "end" && key != "timezone" && key != "daysOfWeek")
      errors.add("callingWindow." + key, "unknown member (expected start, end, timezone, daysOfWeek)");
  parse_span(value, "callingWindow", errors, w.start_minute, w.end_minute);
  if (auto it = value.find("timezone"); it == value.end()) {
    errors.add("callingWindow.timezone", "is required");
  } else if (!it->is_string() || !TimeZone::locate(it->get<std::string>())) {
    errors.add("callingWindow.timezone", "must be an IANA time zone name such as \"America/New_York\"");
  } else {
    w.timezone = it->get<std::string>();
  }
  if (auto it = value.find("daysOfWeek"); it != value.end()) {
    bool ok = it->is_array() && !it->empty();
    std::array<bool, 7> on{};
    if (ok)
      for (const auto& d : *it) {
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > 7) {
          ok = false;
          break;
        }
        on[static_cast<size_t>(d.get<int64_t>() - 1)] = true;
      }
    if (ok)
      w.days = on;
    else
      errors.add("callingWindow.daysOfWeek", "must be a non-empty array of ISO weekdays 1-7 (1 = Monday)");
  }
  if (!errors.list.empty()) return std::unexpected(errors.error());
  return w;
}

Result<LocalHours> parse_local_hours(const nlohmann::json& value) {
  if (!value.is_object()) return std::unexpected(Error::invalid("callee_local_hours", "must be an object {start, end}"));
  LocalHours h;
  FieldErrors errors;
  parse_span(value, "callee_local_hours", errors, h.start_minute, h.end_minute);
  if (!errors.list.empty()) return std::unexpected(errors.error());
  return h;
}

Result<LocalHours> parse_local_hours(const model::CalleeLocalHours& value) {
  // One set of "HH:MM" rules (parse_span) for job windows and this setting.
  return parse_local_hours(nlohmann::json{{"start", value.start}, {"end", value.end}});
}

std::string describe_calling_window(const CallingWindow& window) {
  std::string out = hhmm(window.start_minute) + "-" + hhmm(window.end_minute) + " " + window.timezone + " (";
  if (std::ranges::all_of(window.days, [](bool b) { return b; })) return out + "every day)";
  std::vector<std::string> runs;
  for (size_t i = 0; i < 7;) {
    if (!window.days[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < 7 && window.days[j + 1]) ++j;
    runs.push_back(j == i ? kDayNames[i] : j == i + 1 ? std::string(kDayNames[i]) + ", " + kDayNames[j]
                                                      : std::string(kDayNames[i]) + "-" + kDayNames[j]);
    i = j + 1;
  }
  return out + join(runs, ", ") + ")";
}

// ------------------------------------------------------------ zones

std::vector<std::string> region_time_zones(std::string_view region) {
  std::string code(region);
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const auto& table = region_table();
  if (auto it = table.find(code); it != table.end()) return it->second;
  return {};
}

std::vector<std::string> nanp_place_time_zones(std::string_view place) {
  std::vector<std::string> out;
  while (!place.empty()) {
    const auto slash = place.find('/');
    const Place* p = find_place(place.substr(0, slash));
    if (!p) return {};  // one unknown part: the place is not known
    for (const char* z : p->zones)
      if (std::ranges::find(out, z) == out.end()) out.emplace_back(z);
    place = slash == std::string_view::npos ? std::string_view{} : place.substr(slash + 1);
  }
  return out;
}

std::vector<std::string> time_zones_of(const std::string& e164) { return zone_set_of(e164)->names; }

// ------------------------------------------------------------ CallingHours

CallingHours::CallingHours(LocalHours callee_hours, bool enforce_callee_hours)
    : hours_(callee_hours), enforce_(enforce_callee_hours) {}

DialWindowDecision CallingHours::check(const std::string& e164, const std::optional<CallingWindow>& window,
                                       std::chrono::system_clock::time_point now) const {
  DialWindowDecision d;
  // Every boundary is a whole second (whole local minutes, whole-second
  // offsets), so the rules are constant within the second `now` falls in.
  const sys_seconds t0 = std::chrono::floor<seconds>(now);
  const sys_seconds limit = t0 + kHorizon;
  const std::string hours_text = hhmm(hours_.start_minute) + "-" + hhmm(hours_.end_minute);

  std::vector<Rule> rules;
  std::vector<std::string> broken;
  if (window) {
    auto zone = TimeZone::locate(window->timezone);
    if (!zone) {
      d.next_allowed = limit;
      d.reason = "the job's calling window has an unknown time zone \"" + window->timezone + "\"";
      return d;
    }
    rules.push_back({*zone, window->start_minute, window->end_minute, window->days});
    if (!rules.back().allows(t0)) broken.push_back("outside the job's calling window " + describe_calling_window(*window));
  }
  std::string note;
  if (enforce_) {
    const auto set = zone_set_of(e164);
    d.zones = set->names;
    std::vector<std::string> outside;
    for (size_t i = 0; i < set->zones.size(); ++i) {
      rules.push_back({set->zones[i], hours_.start_minute, hours_.end_minute});
      if (!rules.back().allows(t0)) outside.push_back(set->names[i]);
    }
    if (!outside.empty()) broken.push_back("outside callee local hours " + hours_text + " in " + join(outside, ", "));
    if (set->zones.empty()) note = "callee time zone unknown: only the job's calling window applies";
  }

  if (broken.empty()) {
    d.allowed = true;
    d.reason = note;
    return d;
  }
  if (!note.empty()) broken.push_back(note);

  // Each pass moves t to the first instant ≥ t that a broken rule allows;
  // t only grows, and a pass that moves nothing has every rule allowing.
  sys_seconds t = t0;
  for (bool moved = true; moved && t < limit;) {
    moved = false;
    for (const auto& r : rules)
      if (!r.allows(t)) {
        t = r.next_start(t, limit);
        moved = true;
      }
  }
  if (t >= limit) {
    t = limit;
    broken.push_back("no time within 8 days satisfies every rule");
  }
  d.next_allowed = t;
  d.reason = join(broken, "; ");
  return d;
}

Result<seconds> seconds_inside_window(const CallingWindow& window, std::chrono::system_clock::time_point from,
                                      std::chrono::system_clock::time_point to) {
  auto zone = TimeZone::locate(window.timezone);
  if (!zone) return std::unexpected(zone.error());
  const Rule rule{*zone, window.start_minute, window.end_minute, window.days};
  const sys_seconds end = std::chrono::floor<seconds>(to);
  seconds total{0};
  for (sys_seconds t = std::chrono::floor<seconds>(from); t < end;) {
    const sys_seconds next = std::min(rule.next_change(t), end);
    if (rule.allows(t)) total += next - t;
    t = next;
  }
  return total;
}

}  // namespace voqo::campaign
