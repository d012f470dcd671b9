#pragma once
/// Byte-range requests (RFC 9110 §14): which part of a representation a
/// `Range` header asks for, and whether to answer 200, 206 or 416.
#include <cstdint>
#include <string_view>

#include "api/http.hpp"

namespace voqo::api {

/// What to send for a request's `Range` header (RFC 9110 §14.2).
struct RangeDecision {
  enum class Kind {
    full,           ///< 200 with the whole representation: no Range, or one to ignore
    partial,        ///< 206 with bytes [first, first + length) and Content-Range
    unsatisfiable,  ///< 416 with `Content-Range: bytes */<size>`
  };
  Kind kind = Kind::full;
  uint64_t first = 0;   ///< partial: offset of the first byte sent
  uint64_t length = 0;  ///< partial: bytes sent (≥ 1)
};

/// Evaluates a `Range` header value against a representation of `size`
/// bytes. Grammar (RFC 9110 §14.1.1, §14.1.2, list rule §5.6.1):
///   Range = range-unit "=" range-set;  range-set = 1#range-spec
///   range-spec = first-pos "-" [ last-pos ] / "-" suffix-length  (1*DIGIT each)
/// - Empty value, a unit other than `bytes` (compared case-insensitively), or
///   any syntax error — a non-digit such as `0x10`, `1-2-3`, a missing `=`,
///   no range at all, last-pos < first-pos, spaces inside a range — means the
///   header is ignored: `full` (§14.2 "a server MUST ignore a Range header
///   field ... with invalid syntax" is read as: answer as if it were absent;
///   416 is only for a valid range-set).
/// - A valid range-set none of whose ranges is satisfiable (§14.1.1: first-pos
///   ≥ size, or a suffix-length of 0) → `unsatisfiable`.
/// - One satisfiable range → `partial`; last-pos beyond the end is clamped to
///   size - 1, a suffix-length over size means the whole representation;
///   digits too large for 64 bits are valid and read as "very large".
/// - Several ranges, at least one satisfiable → `full` (the server may ignore
///   Range, §14.2; multipart/byteranges is not produced).
/// - A zero-length representation → `full` (no byte can be named).
RangeDecision evaluate_range(std::string_view header_value, uint64_t size);

/// The same for a request: only GET honours Range (§14.2: range handling is
/// defined for GET only; HEAD answers the full representation's header), and
/// a request with `If-Range` gets the full representation (this server sends
/// no validators, so the condition cannot hold; §13.1.5).
RangeDecision evaluate_range(const HttpRequest& req, uint64_t size);

}  // namespace voqo::api
