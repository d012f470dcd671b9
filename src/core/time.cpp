#include "core/time.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace voqo {

std::string to_iso8601(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(tp.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int millis = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string now_iso8601() { return to_iso8601(std::chrono::system_clock::now()); }

namespace {
bool read_int(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}
}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!read_int(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !read_int(s, 5, 2, mo) ||
      s[7] != '-' || !read_int(s, 8, 2, d))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11.
  // Outside the whole years within, converting overflowed (undefined
  // behaviour; "2721-03-09" came back as a date in 1836; found by fuzzing).
  if (y < kMinIsoYear || y > kMaxIsoYear) return std::nullopt;
  size_t pos = 10;
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!read_int(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_int(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!read_int(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t digits = 0;
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 3) ms = ms * 10 + (s[pos] - '0');
          ++digits, ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (pos == s.size()) return std::nullopt;  // a time needs a zone
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      if (!read_int(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
          !read_int(s, pos + 4, 2, om) || oh > 23 || om > 59)
        return std::nullopt;
      offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
      pos += 6;
    } else {
      return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
  }
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} -
         minutes{offset_min};
}

std::optional<int> parse_hhmm(std::string_view s, bool allow_24) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 24 * 60;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

}  // namespace voqo
