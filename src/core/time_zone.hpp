#pragma once
/// An IANA time zone, for calling hours, callbacks and spoken times.
///
/// Why our own: libstdc++ 12 has no std::chrono::locate_zone, and Debian's
/// date/tz.h needs libdate-tz linked (date::date-tz, USE_OS_TZDB=1), so
/// TimeZone reads the system's compiled tz database itself: TZif files (RFC
/// 8536) under $TZDIR or /usr/share/zoneinfo, version 2+ 64-bit data, with
/// the footer's POSIX TZ rule (RFC 8536 §3.3, POSIX.1-2017 §8.3 "TZ";
/// M-month.week.day, Julian Jn and zero-based n rules) for instants after the
/// last transition. No process-global TZ/setenv, so it is thread-safe; parsed
/// zones are cached for the life of the process.
///
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo {

namespace detail {
struct ZoneData;
}

/// An IANA time zone loaded from the system tz database.
class TimeZone {
 public:
  /// Loads (or returns the cached) zone named `name`, e.g. "America/Chicago",
  /// "UTC". Errors: ErrorCode::invalid_argument (field "timeZone") for a name
  /// that is not a plain relative path or a file that is not TZif;
  /// ErrorCode::not_found when no such zone file exists.
  static Result<TimeZone> locate(std::string_view name);
  /// UTC (always available, even without a tz database).
  static TimeZone utc();

  [[nodiscard]] const std::string& name() const;
  /// UTC offset in effect at `t` (local = UTC + offset).
  [[nodiscard]] std::chrono::seconds offset(std::chrono::sys_seconds t) const;
  /// The local wall-clock time at `t`.
  [[nodiscard]] std::chrono::local_seconds to_local(std::chrono::sys_seconds t) const;
  /// The instant of local time `t`: a time in a DST gap is moved forward by
  /// the gap; an ambiguous time takes the earlier instant.
  [[nodiscard]] std::chrono::sys_seconds to_sys(std::chrono::local_seconds t) const;

 private:
  explicit TimeZone(std::shared_ptr<const detail::ZoneData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::ZoneData> data_;
};

}  // namespace voqo
