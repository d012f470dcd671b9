#include "brain/time_phrase.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

#include "brain/intent.hpp"

namespace voqo::brain {

using namespace std::chrono;

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
