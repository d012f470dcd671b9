#include "api/byte_range.hpp"

#include <limits>
#include <optional>

#include "api/http.hpp"

namespace voqo::api {
namespace {

constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// 1*DIGIT, saturating at 2^64 - 1 (a valid number, however long); nullopt
/// when empty or anything but digits.
std::optional<uint64_t> digits(std::string_view t) {
  if (t.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : t) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    v = v > (kHuge - d) / 10 ? kHuge : v * 10 + d;
  }
  return v;
}

bool ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && ows(s.back())) s.remove_suffix(1);
  return s;
}

/// One range-spec, resolved against `size` (> 0): nullopt = invalid syntax;
/// a range of length 0 = valid but unsatisfiable.
std::optional<RangeDecision> range_spec(std::string_view spec, uint64_t size) {
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view left = spec.substr(0, dash), right = spec.substr(dash + 1);
  RangeDecision r{RangeDecision::Kind::partial, 0, 0};
  if (left.empty()) {  // suffix-range: the last n bytes
    const auto n = digits(right);
    if (!n) return std::nullopt;
    r.length = *n < size ? *n : size;
    r.first = size - r.length;
    return r;
  }
  const auto first = digits(left);
  if (!first) return std::nullopt;
  uint64_t last = kHuge;
  if (!right.empty()) {
    const auto l = digits(right);
    if (!l || *l < *first) return std::nullopt;  // §14.1.1: last-pos < first-pos is invalid
    last = *l;
  }
  if (*first >= size) return r;  // unsatisfiable (length 0)
  if (last > size - 1) last = size - 1;
  r.first = *first;
  r.length = last - *first + 1;
  return r;
}

}  // namespace

RangeDecision evaluate_range(std::string_view value, uint64_t size) {
  const RangeDecision full{};
  if (value.empty() || size == 0) return full;
  const auto eq = value.find('=');
  if (eq == std::string_view::npos || !iequals(value.substr(0, eq), "bytes")) return full;
  std::string_view set = value.substr(eq + 1);
  unsigned ranges = 0, satisfiable = 0;
  RangeDecision chosen{};
  for (;;) {
    const auto comma = set.find(',');
    const std::string_view element = trim_ows(set.substr(0, comma));
    if (!element.empty()) {  // empty list elements are allowed and skipped (§5.6.1)
      const auto r = range_spec(element, size);
      if (!r) return full;  // invalid syntax anywhere: the whole header is ignored
      ++ranges;
      if (r->length > 0) {
        ++satisfiable;
        chosen = *r;
      }
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (ranges == 0) return full;  // 1#range-spec: at least one
  if (satisfiable == 0) return RangeDecision{RangeDecision::Kind::unsatisfiable, 0, 0};
  if (ranges > 1) return full;
  return chosen;
}

RangeDecision evaluate_range(const HttpRequest& req, uint64_t size) {
  if (req.method != "GET" || !req.header("if-range").empty()) return {};
  return evaluate_range(req.header("range"), size);
}

}  // namespace voqo::api
