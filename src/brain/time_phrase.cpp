#include "brain/time_phrase.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "brain/intent.hpp"

namespace voqo::brain {

using namespace std::chrono;

namespace detail {

/// A POSIX TZ rule date (POSIX.1-2017 §8.3): Jn, n or Mm.w.d, plus the local
/// time of the change in seconds (may be negative or beyond 24 h, RFC 8536 §3.3.1).
struct RuleDate {
  char kind = 'M';  ///< 'J', 'n' or 'M'
  int a = 0, b = 0, c = 0;  ///< J/n: day; M: month, week, weekday
  int64_t time = 7200;
};

/// The TZ footer: standard offset and optional DST offset and rules.
struct PosixRule {
  int64_t std_off = 0;  ///< UTC offset (east positive) of standard time
  bool has_dst = false;
  int64_t dst_off = 0;
  RuleDate start, end;
};

struct ZoneData {
  std::string name;
  std::vector<int64_t> transitions;  ///< UTC seconds, ascending
  std::vector<uint8_t> type_index;   ///< type after each transition
  std::vector<int32_t> type_offset;  ///< utoff of each type
  std::optional<PosixRule> footer;
};

}  // namespace detail

namespace {

using detail::PosixRule;
using detail::RuleDate;
using detail::ZoneData;

int64_t be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

// --- POSIX TZ strings (the TZif footer) ---
struct TzReader {
  std::string_view s;
  std::size_t i = 0;
  bool name() {
    if (i < s.size() && s[i] == '<') {
      auto e = s.find('>', i);
      if (e == std::string_view::npos) return false;
      i = e + 1;
      return true;
    }
    std::size_t b = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - b >= 3;
  }
  bool number(int64_t& v) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
    return true;
  }
  /// [+-]hh[:mm[:ss]] in seconds.
  bool hms(int64_t& secs) {
    int sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    int64_t h = 0, m = 0, sec = 0;
    if (!number(h)) return false;
    if (i < s.size() && s[i] == ':') { ++i; if (!number(m)) return false; }
    if (i < s.size() && s[i] == ':') { ++i; if (!number(sec)) return false; }
    secs = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool date(RuleDate& d) {
    int64_t a = 0, b = 0, c = 0;
    if (i < s.size() && s[i] == 'J') {
      ++i;
      if (!number(a)) return false;
      d = {'J', static_cast<int>(a), 0, 0, 7200};
    } else if (i < s.size() && s[i] == 'M') {
      ++i;
      if (!number(a) || i >= s.size() || s[i++] != '.' || !number(b) || i >= s.size() || s[i++] != '.' || !number(c))
        return false;
      d = {'M', static_cast<int>(a), static_cast<int>(b), static_cast<int>(c), 7200};
    } else {
      if (!number(a)) return false;
      d = {'n', static_cast<int>(a), 0, 0, 7200};
    }
    if (i < s.size() && s[i] == '/') {
      ++i;
      if (!hms(d.time)) return false;
    }
    return true;
  }
};

std::optional<PosixRule> parse_posix_tz(std::string_view s) {
  TzReader r{s};
  PosixRule rule;
  int64_t off = 0;
  if (!r.name() || !r.hms(off)) return std::nullopt;
  rule.std_off = -off;  // POSIX offsets are west-positive
  if (r.i == s.size()) return rule;
  if (!r.name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_off = rule.std_off + 3600;
  if (r.i < s.size() && s[r.i] != ',') {
    if (!r.hms(off)) return std::nullopt;
    rule.dst_off = -off;
  }
  if (r.i >= s.size() || s[r.i++] != ',' || !r.date(rule.start)) return std::nullopt;
  if (r.i >= s.size() || s[r.i++] != ',' || !r.date(rule.end)) return std::nullopt;
  return r.i == s.size() ? std::optional(rule) : std::nullopt;
}

/// The local midnight (seconds since the epoch, as if UTC) of `d` in `y`.
int64_t rule_day(const RuleDate& d, int y) {
  const year yr{y};
  sys_days day;
  if (d.kind == 'J') {  // 1..365, February 29 never counted
    day = sys_days{yr / January / 1} + days{d.a - 1};
    if (yr.is_leap() && d.a >= 60) day += days{1};
  } else if (d.kind == 'n') {  // 0..365, zero-based
    day = sys_days{yr / January / 1} + days{d.a};
  } else {  // Mm.w.d: week 5 = last
    const month m{static_cast<unsigned>(d.a)};
    if (d.b >= 5) day = sys_days{yr / m / weekday{static_cast<unsigned>(d.c)}[last]};
    else day = sys_days{yr / m / weekday{static_cast<unsigned>(d.c)}[static_cast<unsigned>(std::max(1, d.b))]};
  }
  return day.time_since_epoch().count() * int64_t{86400};
}

int64_t footer_offset(const PosixRule& r, int64_t t) {
  if (!r.has_dst) return r.std_off;
  const int y = static_cast<int>(year_month_day{floor<days>(sys_seconds{seconds{t + r.std_off}})}.year());
  const int64_t start = rule_day(r.start, y) + r.start.time - r.std_off;
  const int64_t end = rule_day(r.end, y) + r.end.time - r.dst_off;
  bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? r.dst_off : r.std_off;
}

std::optional<ZoneData> parse_tzif(std::string_view name, const std::string& bytes) {
  auto u = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (n < 44 || bytes.compare(0, 4, "TZif") != 0) return std::nullopt;
  auto counts = [&](std::size_t at, std::array<int64_t, 6>& c) {
    if (at + 44 > n || bytes.compare(at, 4, "TZif") != 0) return false;
    for (int k = 0; k < 6; ++k) c[static_cast<std::size_t>(k)] = be(u + at + 20 + 4 * k, 4);
    return std::all_of(c.begin(), c.end(), [](int64_t v) { return v >= 0; });
  };
  std::array<int64_t, 6> c{};  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!counts(0, c)) return std::nullopt;
  const char version = bytes[4];
  std::size_t at = 44;
  int tsize = 4;
  if (version >= '2') {  // skip the v1 block, use the 64-bit one
    at += static_cast<std::size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (!counts(at, c)) return std::nullopt;
    at += 44;
    tsize = 8;
  }
  const auto timecnt = static_cast<std::size_t>(c[3]), typecnt = static_cast<std::size_t>(c[4]);
  const std::size_t block = timecnt * static_cast<std::size_t>(tsize + 1) + typecnt * 6 + static_cast<std::size_t>(c[5]) +
                            static_cast<std::size_t>(c[2]) * static_cast<std::size_t>(tsize + 4) +
                            static_cast<std::size_t>(c[1] + c[0]);
  if (typecnt == 0 || at + block > n) return std::nullopt;
  ZoneData z;
  z.name = std::string(name);
  for (std::size_t k = 0; k < timecnt; ++k) z.transitions.push_back(be(u + at + k * static_cast<std::size_t>(tsize), tsize));
  at += timecnt * static_cast<std::size_t>(tsize);
  for (std::size_t k = 0; k < timecnt; ++k) {
    if (u[at + k] >= typecnt) return std::nullopt;
    z.type_index.push_back(u[at + k]);
  }
  at += timecnt;
  for (std::size_t k = 0; k < typecnt; ++k) z.type_offset.push_back(static_cast<int32_t>(be(u + at + k * 6, 4)));
  at += block - timecnt * static_cast<std::size_t>(tsize + 1);
  if (tsize == 8 && at < n && bytes[at] == '\n') {
    auto e = bytes.find('\n', at + 1);
    if (e != std::string::npos && e > at + 1) z.footer = parse_posix_tz(std::string_view(bytes).substr(at + 1, e - at - 1));
  }
  return z;
}

int64_t offset_at(const ZoneData& z, int64_t t) {
  if (z.transitions.empty() || t < z.transitions.front()) {
    if (z.transitions.empty() && z.footer) return footer_offset(*z.footer, t);
    return z.type_offset.empty() ? 0 : z.type_offset.front();
  }
  if (t >= z.transitions.back() && z.footer) return footer_offset(*z.footer, t);
  auto it = std::upper_bound(z.transitions.begin(), z.transitions.end(), t);
  auto k = static_cast<std::size_t>(std::distance(z.transitions.begin(), it)) - 1;
  return z.type_offset[z.type_index[k]];
}

std::shared_ptr<const ZoneData> utc_data() {
  static const auto d = [] {
    auto z = std::make_shared<ZoneData>();
    z->name = "UTC";
    z->type_offset = {0};
    return std::shared_ptr<const ZoneData>(std::move(z));
  }();
  return d;
}

}  // namespace

// ---------------------------------------------------------------- TimeZone

Result<TimeZone> TimeZone::locate(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return utc();
  bool valid = !name.empty() && name.size() < 128 && name.front() != '/' && name.find("..") == std::string_view::npos;
  for (char ch : name)
    valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' || ch == '+');
  if (!valid) return std::unexpected(Error::invalid("timeZone", "not an IANA time zone name: " + std::string(name)));

  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const ZoneData>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(std::string(name)); it != cache.end()) return TimeZone(it->second);
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  // Only a regular file is a zone: a folder ("Asia/") opens, then libstdc++'s
  // filebuf throws on the first read (found by fuzzing).
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open() || !in) return std::unexpected(Error::not_found("unknown time zone: " + std::string(name)));
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    return std::unexpected(Error{ErrorCode::io, "cannot read time zone file " + path, {}});
  }
  auto z = parse_tzif(name, bytes);
  if (!z) return std::unexpected(Error::invalid("timeZone", "not a TZif file: " + path));
  auto data = std::make_shared<const ZoneData>(std::move(*z));
  cache.emplace(std::string(name), data);
  return TimeZone(std::move(data));
}

TimeZone TimeZone::utc() { return TimeZone(utc_data()); }

const std::string& TimeZone::name() const { return data_->name; }

seconds TimeZone::offset(sys_seconds t) const { return seconds{offset_at(*data_, t.time_since_epoch().count())}; }

local_seconds TimeZone::to_local(sys_seconds t) const { return local_seconds{t.time_since_epoch() + offset(t)}; }

sys_seconds TimeZone::to_sys(local_seconds t) const {
  const int64_t l = t.time_since_epoch().count();
  // Offsets in force a day either side bracket any transition near `l`.
  const int64_t before = offset_at(*data_, l - 86400), after = offset_at(*data_, l + 86400);
  const bool before_ok = offset_at(*data_, l - before) == before;
  const bool after_ok = offset_at(*data_, l - after) == after;
  int64_t utc;
  if (before_ok && after_ok) utc = std::min(l - before, l - after);  // ambiguous: the earlier instant
  else if (before_ok) utc = l - before;
  else if (after_ok) utc = l - after;
  else utc = l - before;  // in a gap: the old offset lands past the gap (shifted forward)
  return sys_seconds{seconds{utc}};
}

// ------------------------------------------------------------- time phrases

namespace {

std::optional<int> as_int(std::string_view t) {
  if (t.empty() || t.size() > 4) return std::nullopt;
  int v = 0;
  for (char ch : t) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

std::optional<int> as_ordinal(std::string_view t) {
  if (t.size() < 3) return std::nullopt;
  auto suffix = t.substr(t.size() - 2);
  if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return std::nullopt;
  return as_int(t.substr(0, t.size() - 2));
}

int weekday_of(std::string_view t) {
  static constexpr std::array<std::string_view, 7> kDays = {"sunday", "monday", "tuesday", "wednesday",
                                                            "thursday", "friday", "saturday"};
  for (std::size_t i = 0; i < kDays.size(); ++i)
    if (t == kDays[i] || (t.size() == kDays[i].size() + 1 && t.starts_with(kDays[i]) && t.back() == 's'))
      return static_cast<int>(i);
  return -1;
}

int month_of(std::string_view t) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"};
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (t == kMonths[i]) return static_cast<int>(i) + 1;
  return -1;
}

constexpr int kMorning = 10 * 60, kNoon = 12 * 60, kAfternoon = 14 * 60, kEndOfDay = 17 * 60, kEvening = 18 * 60;

struct Parsed {
  std::optional<int> rel_minutes, rel_days, day_offset, weekday, dom, month, part, hour, minute;
  int meridiem = 0;  // 1 am, 2 pm
  bool next_week = false, later = false, explicit_day = false;
  std::size_t first = std::string::npos, last = 0;
  void mark(std::size_t b, std::size_t e) {  // [b, e)
    if (e <= b) return;
    first = std::min(first, b);
    last = std::max(last, e - 1);
  }
  [[nodiscard]] bool any() const { return first != std::string::npos; }
};

class PhraseParser {
 public:
  explicit PhraseParser(const std::vector<std::string>& t) : t_(t) {}

  Parsed run() {
    for (std::size_t i = 0; i < t_.size();) i = step(i);
    return p_;
  }

 private:
  [[nodiscard]] std::string_view at(std::size_t i) const { return i < t_.size() ? std::string_view(t_[i]) : ""; }

  /// "a", "an", "a couple of", "a few", digits → (count, next index); count 0 = none.
  std::pair<int, std::size_t> quantity(std::size_t i) const {
    std::size_t j = i;
    if (at(j) == "a" || at(j) == "an") ++j;
    if (at(j) == "couple") return {2, at(j + 1) == "of" ? j + 2 : j + 1};
    if (at(j) == "few" || at(j) == "several") return {3, j + 1};
    if (j > i) return {1, j};
    if (auto n = as_int(at(i))) return {*n, i + 1};
    return {0, i};
  }

  /// A duration unit at `i` → minutes per unit (days/weeks as negative days).
  static int unit(std::string_view u) {
    if (u == "minute" || u == "minutes" || u == "min" || u == "mins") return 1;
    if (u == "hour" || u == "hours" || u == "hr" || u == "hrs") return 60;
    if (u == "day" || u == "days") return -1;
    if (u == "week" || u == "weeks") return -7;
    return 0;
  }

  /// A duration at `i` ("2 hours", "a couple of days", "half an hour"):
  /// minutes (hours/minutes) or days (days/weeks); no side effects.
  bool relative(std::size_t i, std::size_t& end, std::optional<int>& mins, std::optional<int>& day_count) const {
    if (at(i) == "about" || at(i) == "around" || at(i) == "like" || at(i) == "maybe") ++i;
    if (at(i) == "half" && (at(i + 1) == "an" || at(i + 1) == "a") && unit(at(i + 2)) == 60) {
      mins = 30;
      end = i + 3;
      return true;
    }
    auto [n, j] = quantity(i);
    if (n <= 0) return false;
    const int u = unit(at(j));
    if (u == 0) return false;
    end = j + 1;
    if (u > 0) {
      int minutes = n * u;
      if (at(end) == "and" && at(end + 1) == "a" && at(end + 2) == "half") { minutes += u / 2; end += 3; }
      mins = minutes;
    } else {
      day_count = n * -u;
    }
    return true;
  }

  static int meridiem(std::string_view a, std::string_view b, std::size_t& used) {
    used = 1;
    if (a == "am") return 1;
    if (a == "pm") return 2;
    used = 2;
    if ((a == "a" || a == "p") && b == "m") return a == "a" ? 1 : 2;
    used = 0;
    return 0;
  }

  /// A clock time at `i`. `strong`: an explicit cue came before ("at").
  bool clock(std::size_t i, bool strong, std::size_t& end) {
    std::string_view h_tok = at(i);
    int mer = 0;
    // "5pm" / "10am" as one token.
    if (h_tok.size() > 2 && (h_tok.ends_with("am") || h_tok.ends_with("pm")) && as_int(h_tok.substr(0, h_tok.size() - 2))) {
      mer = h_tok.ends_with("am") ? 1 : 2;
      h_tok = h_tok.substr(0, h_tok.size() - 2);
    }
    auto h = as_int(h_tok);
    if (!h || *h > 23) return false;
    std::size_t j = i + 1;
    std::optional<int> m;
    if (auto mm = as_int(at(j)); mm && *mm <= 59 && at(j).size() == 2 && mer == 0) {
      m = *mm;
      ++j;
    }
    std::size_t used = 0;
    if (mer == 0) {
      mer = meridiem(at(j), at(j + 1), used);
      j += used;
    }
    bool oclock = false;
    if (at(j) == "oclock" || (at(j) == "o" && at(j + 1) == "clock")) {
      oclock = true;
      j += at(j) == "o" ? 2 : 1;
    }
    if (!strong && !m && mer == 0 && !oclock) return false;
    if (unit(at(j)) != 0) return false;  // "about 2 hours" is a duration
    if (*h > 12 && mer != 0) return false;
    if (mer == 0 && *h == 0 && !m) return false;
    p_.hour = *h;
    p_.minute = m.value_or(0);
    p_.meridiem = mer;
    end = j;
    return true;
  }

  std::size_t step(std::size_t i) {
    const std::string_view w = at(i);
    std::size_t end = i;
    {
      std::optional<int> mins, day_count;
      if ((w == "in" || w == "within") && relative(i + 1, end, mins, day_count)) {
        p_.rel_minutes = mins;
        p_.rel_days = day_count;
        p_.mark(i, end);
        return end;
      }
      if (relative(i, end, mins, day_count) && at(end) == "from" && at(end + 1) == "now") {
        p_.rel_minutes = mins;
        p_.rel_days = day_count;
        p_.mark(i, end + 2);
        return end + 2;
      }
    }

    if (w == "today") { p_.day_offset = 0; p_.explicit_day = true; p_.mark(i, i + 1); return i + 1; }
    if (w == "tonight") { p_.day_offset = 0; p_.explicit_day = true; p_.part = kEvening; p_.mark(i, i + 1); return i + 1; }
    if (w == "tomorrow" || w == "tomorow" || w == "tmrw") {
      p_.day_offset = 1;
      p_.explicit_day = true;
      p_.mark(i, i + 1);
      return i + 1;
    }
    if (w == "day" && at(i + 1) == "after" && at(i + 2) == "tomorrow") {
      p_.day_offset = 2;
      p_.explicit_day = true;
      std::size_t b = at(i - 1) == "the" && i > 0 ? i - 1 : i;
      p_.mark(b, i + 3);
      return i + 3;
    }
    if (int wd = weekday_of(w); wd >= 0) {
      p_.weekday = wd;
      p_.explicit_day = true;
      std::size_t b = i;
      if (i > 0 && (at(i - 1) == "next" || at(i - 1) == "this" || at(i - 1) == "on" || at(i - 1) == "coming")) b = i - 1;
      p_.mark(b, i + 1);
      // "tuesday 3", "tuesday at 3"
      if (clock(i + 1, true, end)) { p_.mark(i + 1, end); return end; }
      return i + 1;
    }
    if ((w == "next" || w == "following") && at(i + 1) == "week") {
      p_.next_week = true;
      p_.explicit_day = true;
      p_.mark(i, i + 2);
      return i + 2;
    }
    if (w == "weekend") {
      p_.weekday = 6;
      p_.explicit_day = true;
      std::size_t b = i;
      if (i > 0 && (at(i - 1) == "this" || at(i - 1) == "the" || at(i - 1) == "next")) {
        b = i - 1;
        if (at(i - 1) == "next") p_.next_week = true;
      }
      p_.mark(b, i + 1);
      return i + 1;
    }
    if (w == "end" && at(i + 1) == "of" && (at(i + 2) == "the" ? at(i + 3) : at(i + 2)) == "week") {
      std::size_t e = at(i + 2) == "the" ? i + 4 : i + 3;
      p_.weekday = 5;
      p_.explicit_day = true;
      p_.mark(i, e);
      return e;
    }
    if (w == "end" && at(i + 1) == "of" && (at(i + 2) == "the" ? at(i + 3) : at(i + 2)) == "day") {
      std::size_t e = at(i + 2) == "the" ? i + 4 : i + 3;
      p_.part = kEndOfDay;
      p_.mark(i, e);
      return e;
    }
    if (w == "later" && (at(i + 1) == "today" || at(i + 1) == "on" || at(i + 1) == "this")) {
      p_.later = true;
      p_.day_offset = 0;
      p_.mark(i, i + 1);
      return i + 1;
    }
    int part = -1;
    if (w == "morning" || w == "mornings") part = kMorning;
    else if (w == "afternoon" || w == "afternoons") part = kAfternoon;
    else if (w == "evening" || w == "evenings" || w == "night") part = kEvening;
    else if (w == "noon" || w == "midday" || w == "lunchtime") part = kNoon;
    if (part >= 0) {
      p_.part = part;
      std::size_t b = i;
      if (i > 0 && at(i - 1) == "this") {
        b = i - 1;
        if (!p_.day_offset) p_.day_offset = 0;
      } else if (i > 1 && at(i - 1) == "the" && at(i - 2) == "in") {
        b = i - 2;
      }
      p_.mark(b, i + 1);
      return i + 1;
    }
    if (int mo = month_of(w); mo > 0) {
      // "march 15th", "march 15"
      auto d = as_ordinal(at(i + 1));
      if (!d) d = as_int(at(i + 1));
      if (d && *d >= 1 && *d <= 31) {
        p_.month = mo;
        p_.dom = *d;
        p_.explicit_day = true;
        p_.mark(i, i + 2);
        return i + 2;
      }
      return i + 1;
    }
    if (auto d = as_ordinal(w); d && *d >= 1 && *d <= 31 && i > 0 && (at(i - 1) == "the" || at(i - 1) == "on")) {
      p_.dom = *d;
      p_.explicit_day = true;
      std::size_t b = i - 1, e = i + 1;
      if (at(i - 1) == "the" && i > 1 && at(i - 2) == "on") b = i - 2;
      if (at(i + 1) == "of" && month_of(at(i + 2)) > 0) {
        p_.month = month_of(at(i + 2));
        e = i + 3;
      }
      p_.mark(b, e);
      return e;
    }
    if ((w == "half" || w == "quarter") && (at(i + 1) == "past" || at(i + 1) == "after" || at(i + 1) == "to")) {
      auto h = as_int(at(i + 2));
      if (h && *h >= 1 && *h <= 12) {
        int m = w == "half" ? 30 : 15;
        int hour = *h;
        if (at(i + 1) == "to") {
          if (w == "half") return i + 1;
          m = 45;
          hour = hour == 1 ? 12 : hour - 1;
        }
        p_.hour = hour;
        p_.minute = m;
        std::size_t used = 0;
        p_.meridiem = meridiem(at(i + 3), at(i + 4), used);
        std::size_t b = i > 0 && (at(i - 1) == "at" || at(i - 1) == "around") ? i - 1 : i;
        p_.mark(b, i + 3 + used);
        return i + 3 + used;
      }
    }
    if ((w == "at" || w == "around" || w == "about" || w == "by") && clock(i + 1, true, end)) {
      p_.mark(i, end);
      return end;
    }
    if (!p_.hour && clock(i, false, end)) {
      p_.mark(i, end);
      return end;
    }
    return i + 1;
  }

  const std::vector<std::string>& t_;
  Parsed p_;
};

}  // namespace

std::optional<TimePhrase> parse_time_phrase(std::string_view text, system_clock::time_point now, std::string_view time_zone) {
  const std::vector<std::string> raw = tokenize(text);
  std::vector<std::size_t> src;
  const std::vector<std::string> toks = numberize(raw, &src);
  Parsed p = PhraseParser(toks).run();
  if (!p.any()) return std::nullopt;

  auto zone = TimeZone::locate(time_zone);
  const TimeZone tz = zone ? *zone : TimeZone::utc();
  const sys_seconds now_s = floor<seconds>(now);
  const local_seconds now_local = tz.to_local(now_s);
  const local_days today = floor<days>(now_local);

  TimePhrase out;
  {
    const std::size_t rb = src[p.first];
    const std::size_t re = p.last + 1 < src.size() ? src[p.last + 1] : raw.size();
    for (std::size_t k = rb; k < re; ++k) out.phrase += (k > rb ? " " : "") + raw[k];
  }
  const bool date_given = p.rel_days || p.weekday || p.dom || p.day_offset || p.next_week;
  const bool time_given = p.hour || p.part || p.later;
  if (p.rel_minutes && !date_given && !time_given) {
    out.at = now_s + minutes{*p.rel_minutes};
    out.has_time_of_day = true;
    return out;
  }

  // The date.
  local_days date = today;
  const int today_wd = static_cast<int>(weekday{today}.c_encoding());
  const local_days next_monday = today + days{7 - (today_wd + 6) % 7};
  if (p.rel_days) {
    date = today + days{*p.rel_days};
  } else if (p.weekday) {
    if (p.next_week) date = next_monday + days{(*p.weekday + 6) % 7};
    else {
      int k = (*p.weekday - today_wd + 7) % 7;
      date = today + days{k == 0 ? 7 : k};
    }
  } else if (p.dom) {
    year_month_day ymd{today};
    year y = ymd.year();
    month m = p.month ? month{static_cast<unsigned>(*p.month)} : ymd.month();
    for (int tries = 0; tries < 24; ++tries) {
      year_month_day cand{y, m, day{static_cast<unsigned>(*p.dom)}};
      if (cand.ok() && local_days{cand} >= today) { date = local_days{cand}; break; }
      if (p.month) y += years{1};
      else {
        year_month ym = year_month{y, m} + months{1};
        y = ym.year();
        m = ym.month();
      }
    }
  } else if (p.day_offset) {
    date = today + days{*p.day_offset};
  } else if (p.next_week) {
    date = next_monday;
  }

  // The time of day, in minutes after local midnight.
  int tod = kMorning;
  if (p.hour) {
    int h = *p.hour;
    if (p.meridiem == 2 && h < 12) h += 12;
    else if (p.meridiem == 1 && h == 12) h = 0;
    else if (p.meridiem == 0 && h < 12) {
      if (p.part && *p.part >= kNoon) h += 12;
      else if (!p.part && h >= 1 && h <= 7) h += 12;
    }
    tod = h * 60 + p.minute.value_or(0);
    out.has_time_of_day = true;
  } else if (p.part) {
    tod = *p.part;
    out.has_time_of_day = true;
  } else if (p.later) {
    const auto target = now_local + hours{2};
    const auto rounded = ceil<hours>(target);
    date = floor<days>(rounded);
    tod = static_cast<int>(duration_cast<minutes>(rounded - floor<days>(rounded)).count());
    out.has_time_of_day = true;
  } else if (p.rel_days) {
    tod = static_cast<int>(duration_cast<minutes>(now_local - today).count());
  }
  local_seconds local = local_seconds{date.time_since_epoch()} + minutes{tod};
  if (local <= now_local) {
    if (!p.explicit_day) local += days{1};
    else if (p.day_offset == 0 && p.hour && p.meridiem == 0 && *p.hour < 12 && local + hours{12} > now_local)
      local += hours{12};
  }
  out.at = tz.to_sys(local);
  return out;
}

namespace {
constexpr std::array<std::string_view, 7> kDayNames = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"January", "February", "March", "April", "May", "June",
                                                          "July", "August", "September", "October", "November",
                                                          "December"};

TimeZone zone_or_utc(std::string_view name) {
  auto zone = TimeZone::locate(name);
  return zone ? *zone : TimeZone::utc();
}

/// "2 PM", "10:30 AM".
std::string clock_words(local_seconds l) {
  const hh_mm_ss hms{l - floor<days>(l)};
  const int h = static_cast<int>(hms.hours().count()), m = static_cast<int>(hms.minutes().count());
  std::string clock = std::to_string(h % 12 == 0 ? 12 : h % 12);
  if (m != 0) clock += (m < 10 ? ":0" : ":") + std::to_string(m);
  return clock + (h < 12 ? " AM" : " PM");
}

/// "Tuesday, March 10".
std::string date_words(local_days d) {
  const year_month_day ymd{d};
  return std::string(kDayNames[weekday{d}.c_encoding()]) + ", " +
         std::string(kMonthNames[static_cast<unsigned>(ymd.month()) - 1]) + " " +
         std::to_string(static_cast<unsigned>(ymd.day()));
}
}  // namespace

std::string describe_time(system_clock::time_point at, system_clock::time_point now, std::string_view time_zone) {
  const TimeZone tz = zone_or_utc(time_zone);
  const local_seconds l = tz.to_local(floor<seconds>(at));
  const local_days d = floor<days>(l);
  const auto diff = (d - floor<days>(tz.to_local(floor<seconds>(now)))).count();
  const std::string clock = clock_words(l);
  if (diff == 0) return "today at " + clock;
  if (diff == 1) return "tomorrow at " + clock;
  if (diff > 1 && diff <= 6) return "on " + std::string(kDayNames[weekday{d}.c_encoding()]) + " at " + clock;
  return "on " + date_words(d) + " at " + clock;
}

std::string format_local_time(system_clock::time_point at, std::string_view time_zone) {
  const TimeZone tz = zone_or_utc(time_zone);
  const local_seconds l = tz.to_local(floor<seconds>(at));
  const local_days d = floor<days>(l);
  return date_words(d) + ", " + std::to_string(static_cast<int>(year_month_day{d}.year())) + " at " + clock_words(l) +
         " (" + tz.name() + ")";
}

}  // namespace voqo::brain
