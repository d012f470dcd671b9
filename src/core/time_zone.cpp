#include "core/time_zone.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace voqo {

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

}  // namespace voqo
