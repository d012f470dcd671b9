#include "api/router.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace voqo::api {

namespace {

/// Most segments a path may have to be matched (deeper paths are 404s).
constexpr std::size_t kMaxSegments = 32;

bool is_param(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

/// Splits "/a/b/c" (or "/a/b/c/") into {"a","b","c"}; "/" → {}. Returns the
/// count, or kMaxSegments + 1 when the path is too deep.
std::size_t split_path(std::string_view path, std::array<std::string_view, kMaxSegments>& out) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  // Trailing slash: "/api/agents/" is the same resource as "/api/agents".
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return 0;
  std::size_t n = 0;
  for (;;) {
    std::size_t slash = path.find('/');
    if (n == kMaxSegments) return kMaxSegments + 1;
    out[n++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return n;
}

/// Literal segments earlier in the path weigh more: with two candidate routes,
/// the one whose first differing segment is literal wins.
std::uint64_t specificity(const Route& r) {
  std::uint64_t s = 0;
  const std::size_t n = r.segments.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_param(r.segments[i])) s |= std::uint64_t{1} << (n - 1 - i);
  }
  return s;
}

bool matches(const Route& r, const std::array<std::string_view, kMaxSegments>& segs, std::size_t n) {
  if (r.segments.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& p = r.segments[i];
    if (is_param(p)) {
      if (segs[i].empty()) return false;
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

void add_allowed(std::vector<std::string>& allowed, std::string_view method) {
  if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) allowed.emplace_back(method);
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  Route r;
  r.method = std::move(method);
  r.handler = std::move(handler);
  r.options = options;
  std::array<std::string_view, kMaxSegments> segs;
  std::size_t n = split_path(pattern, segs);
  if (n > kMaxSegments) throw std::invalid_argument("route pattern too deep: " + pattern);
  r.segments.reserve(n);
  for (std::size_t i = 0; i < n; ++i) r.segments.emplace_back(segs[i]);
  r.pattern = std::move(pattern);
  routes_.push_back(std::move(r));
}

void Router::set_fallback(Handler handler) {
  fallback_ = Route{"GET", "/{path...}", std::move(handler), RouteOptions{.spool_body = false, .documented = false}, {}};
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  std::array<std::string_view, kMaxSegments> segs;
  const std::size_t n = split_path(path, segs);
  if (n > kMaxSegments) return result;
  // Nothing under /api falls back to the static site: an unknown API path stays a 404 problem.
  const bool may_fall_back = fallback_.handler && (method == "GET" || method == "HEAD") && !(n > 0 && segs[0] == "api");

  const Route* best = nullptr;      // best route with exactly this method
  const Route* best_get = nullptr;  // best GET route, for HEAD
  std::uint64_t best_score = 0, best_get_score = 0;
  bool any = false;
  const bool head = method == "HEAD";
  for (const Route& r : routes_) {
    if (!matches(r, segs, n)) continue;
    any = true;
    if (r.method == method) {
      std::uint64_t s = specificity(r);
      if (!best || s > best_score) best = &r, best_score = s;
    } else if (head && r.method == "GET") {
      std::uint64_t s = specificity(r);
      if (!best_get || s > best_get_score) best_get = &r, best_get_score = s;
    }
  }
  if (!best) best = best_get;
  if (best) {
    result.route = best;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& p = best->segments[i];
      if (is_param(p)) result.params.emplace_back(p.substr(1, p.size() - 2), segs[i]);
    }
    return result;
  }
  if (!any) {
    if (may_fall_back) result.route = &fallback_;
    return result;
  }
  // The path exists, the method does not: collect what is allowed (RFC 9110 §15.5.6).
  for (const Route& r : routes_) {
    if (!matches(r, segs, n)) continue;
    add_allowed(result.allowed_methods, r.method);
    if (r.method == "GET") add_allowed(result.allowed_methods, "HEAD");
  }
  return result;
}

}  // namespace voqo::api
