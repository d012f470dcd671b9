#pragma once
/// Spoken time phrases ("call me back next tuesday afternoon") → a UTC instant,
/// in the callee's IANA time zone, for callbacks and demo times (issue 3 §4a).
///
/// Time zones: voqo::TimeZone (core/time_zone.hpp).
///
/// Phrase grammar (tokens from tokenize() then numberize(), so "three
/// thirty" is "3 30"; any other words are ignored):
/// - relative: "in N minutes|hours|days|weeks", "in a|an hour", "in half an
///   hour", "in an hour and a half", "in a couple of|a few|several <unit>"
///   (couple = 2, few/several = 3), "N <unit> from now".
///   Minutes and hours are exact offsets from `now`; days and weeks keep the
///   local clock time of `now` unless a time of day is also given.
/// - days: "today", "tonight" (today, evening), "tomorrow", "the day after
///   tomorrow", "<weekday>" / "this|on|next <weekday>" (the first such day
///   after today; today itself never), "<weekday> next week" (that day in the
///   week starting next Monday), "next week" (next Monday), "this|the|next
///   weekend" (Saturday), "later today", "the 15th" / "on the 15th" /
///   "march 15th" / "the 15th of march" (the next such date from today on).
/// - parts of day: morning 10:00, noon/lunchtime 12:00, afternoon 14:00,
///   evening/tonight 18:00, end of (the) day 17:00.
/// - clock times: "at|around|about|by H [M] [am|pm|a m|p m|oclock]", "H M
///   am|pm", "H:MM", "half past H", "quarter past|to H", "noon", "midnight";
///   a bare "H M" (minutes 00–59, as STT writes "three thirty") or an hour
///   right after a day word ("tuesday 3"). Without am/pm: pm for 1–7 (the
///   business-hours reading), am for 8–11, 12 is noon; with afternoon/evening
///   an hour below 12 is pm.
/// Defaults: a day without a time → 10:00 local; "later today" without a time
/// → the next full hour at least 2 hours from now. A time without a day that
/// is not after `now` moves to the next day. Local times in a DST gap move
/// forward by the gap (2:30 on a spring-forward night → 3:30); ambiguous
/// local times take the earlier instant (the first 1:30 on a fall-back
/// night). Nothing recognised → nullopt.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time_zone.hpp"

namespace voqo::brain {

/// A parsed time phrase.
struct TimePhrase {
  std::chrono::system_clock::time_point at;  ///< the instant (UTC)
  std::string phrase;        ///< the matched words of the (normalised) utterance, e.g. "next tuesday afternoon"
  bool has_time_of_day = false;  ///< a clock time or part of day was said (not a default)
};

/// Finds the first time phrase in `text` (see the grammar above), resolved
/// against `now` in zone `time_zone` (an unknown zone falls back to UTC).
std::optional<TimePhrase> parse_time_phrase(std::string_view text, std::chrono::system_clock::time_point now,
                                            std::string_view time_zone);

/// The instant `at` in words for speaking back to the caller, relative to
/// `now` in `time_zone`: "today at 2 PM", "tomorrow at 10:30 AM", "on
/// Tuesday at 2 PM" (within 6 days), "on Tuesday, March 17 at 2 PM".
std::string describe_time(std::chrono::system_clock::time_point at, std::chrono::system_clock::time_point now,
                          std::string_view time_zone);

/// The instant `at` as an absolute local time for records that outlive the
/// call (memories): "Tuesday, March 10, 2026 at 2 PM (America/Chicago)".
std::string format_local_time(std::chrono::system_clock::time_point at, std::string_view time_zone);

}  // namespace voqo::brain
