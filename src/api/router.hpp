#pragma once
/// Maps (method, path) to a handler. Patterns are OpenAPI-style paths with
/// `{name}` segments, e.g. "/api/agents/{id}/configurations/{version}"; a
/// parameter matches exactly one non-empty segment.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/http.hpp"

namespace voqo::api {

using Handler = std::function<HttpResponse(HttpRequest&)>;

/// Where the HttpServer runs a route's handler.
enum class Lane {
  /// The shared worker pool (ServerConfig::worker_threads): handlers that may
  /// block on the store for a moment. The default.
  worker,
  /// The connection's I/O thread, with no hop to a pool: only for handlers
  /// that never block (a health check), so that they answer however busy
  /// the workers are.
  io,
  /// The pool for slow work (ServerConfig::slow_threads), bounded
  /// (ServerConfig::slow_queue; beyond it 503 + Retry-After): handlers that
  /// take seconds, such as speech synthesis or a CSV import, so that they
  /// cannot occupy every worker.
  slow,
};

/// Per-route options.
struct RouteOptions {
  /// Write the body to a temporary file instead of memory (for CSV uploads):
  /// such bodies may be up to ServerConfig::max_upload_bytes; others are
  /// limited to ServerConfig::max_body_bytes.
  bool spool_body = false;
  /// Part of the public API documented in /api/openapi.json (the OpenAPI test
  /// checks every route with documented = true).
  bool documented = true;
  /// Where the handler runs (see Lane).
  Lane lane = Lane::worker;
  /// Checked by the server as soon as the request's header has arrived,
  /// before the slow lane admits it and before any of its body is read or
  /// spooled: a response refuses the request with it (e.g. 401 for a missing
  /// API key), so an unauthenticated client cannot take a slow-lane place or
  /// make the server write a 256 MB upload to disk. Unset = no check.
  /// When it admits the request it may attach the caller (HttpRequest::principal).
  std::function<std::optional<HttpResponse>(HttpRequest&)> authorize;
};

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  ///< pattern split on '/'
};

/// Outcome of a lookup.
struct RouteMatch {
  const Route* route = nullptr;  ///< null when nothing matched
  /// When the path matched some route but not this method: the allowed
  /// methods (for 405 + Allow, RFC 9110 §15.5.6). Empty means 404.
  std::vector<std::string> allowed_methods;
  std::vector<std::pair<std::string, std::string>> params;
};

class Router {
 public:
  /// Registers a route. Literal segments win over `{param}` segments when both match.
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  /// Finds the route for `method` and decoded `path` (a trailing '/' is
  /// ignored). A route with this method wins over a more specific one with
  /// another method; among routes with this method, the one whose first
  /// differing segment is literal wins, then the first registered. HEAD falls
  /// back to GET. Nothing found: `allowed_methods` lists the methods of the
  /// routes whose path matches (GET implies HEAD), or is empty for a 404.
  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

  /// The handler for GET and HEAD requests that match no route and whose path
  /// is not under /api (the dashboard's static files and client-side routes);
  /// undocumented. Without one such requests are 404s as usual.
  void set_fallback(Handler handler);

 private:
  std::vector<Route> routes_;
  Route fallback_;
};

}  // namespace voqo::api
