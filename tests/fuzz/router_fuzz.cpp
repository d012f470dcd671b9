// The HTTP router (src/api/router.hpp) and request-target parsing
// (split_target in src/api/http.hpp) on any request line: every request
// reaches them before authentication. Input: lines "METHOD TARGET" (a
// request line without the version, or with it: "GET /a HTTP/1.1").
// The route table has the shapes of voqo's API (literal and {param}
// segments, nested resources, a literal beside a parameter, the dashboard
// fallback).
// Properties: a target that splits has a decoded path starting with '/'
// and no ".." segment and no NUL; a match's route has the request's method
// (or GET for HEAD, or is the fallback), its params are its pattern's
// {names} in order, with non-empty values; a miss lists allowed methods only
// for a path some route matches.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"
#include "api/router.hpp"
#include "fuzz_check.hpp"

using namespace voqo::api;

namespace {

const Router& routes() {
  static const Router r = [] {
    Router r;
    const Handler h = [](HttpRequest&) { return HttpResponse::no_content(); };
    for (const char* p : {"/api/health", "/api/openapi.json", "/api/me", "/api/agents", "/api/agents/stats",
                          "/api/agents/{id}", "/api/agents/{id}/configurations", "/api/agents/{id}/configurations/{version}",
                          "/api/contacts/{id}/memories", "/api/calls/{id}/recording", "/api/jobs/{id}/calls",
                          "/api/live-calls/{id}/audio", "/api/realtime", "/api/realtime/events", "/api/{kind}/summary",
                          "/api/workspaces/{id}/members/{userId}", "/"})
      r.add("GET", p, h);
    for (const char* p : {"/api/agents", "/api/agents/{id}/rollback", "/api/uploads", "/api/jobs/{id}/pause",
                          "/api/live-calls/{id}/actions", "/api/auth/login"})
      r.add("POST", p, h);
    for (const char* p : {"/api/agents/{id}", "/api/settings/{key}"}) {
      r.add("PATCH", p, h);
      r.add("DELETE", p, h);
    }
    r.add("PUT", "/api/settings/{key}", h);
    r.set_fallback(h);
    return r;
  }();
  return r;
}

size_t param_count(const std::string& pattern) {
  size_t n = 0;
  for (char c : pattern) n += c == '{';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  for (size_t at = 0, lines = 0; at <= input.size() && lines < 64; ++lines) {
    const size_t eol = std::min(input.find('\n', at), input.size());
    std::string_view line = input.substr(at, eol - at);
    at = eol + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t sp = line.find(' ');
    const std::string_view method = line.substr(0, sp);
    std::string_view target = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    if (const size_t v = target.rfind(" HTTP/"); v != std::string_view::npos) target = target.substr(0, v);

    if (!split_target(target, path, query)) continue;
    FUZZ_CHECK(!path.empty() && path[0] == '/');
    FUZZ_CHECK(path.find('\0') == std::string::npos);
    FUZZ_CHECK(path.find("/../") == std::string::npos && !path.ends_with("/.."));
    (void)percent_decode(target, true);

    const RouteMatch m = routes().match(method, path);
    if (m.route) {
      if (m.route->pattern == "/{path...}") continue;  // the fallback (Router::set_fallback)
      FUZZ_CHECK(m.route->method == method || (method == "HEAD" && m.route->method == "GET"));
      FUZZ_CHECK(m.params.size() == param_count(m.route->pattern));
      for (const auto& [name, value] : m.params) FUZZ_CHECK(!name.empty() && !value.empty() && value.find('/') == std::string::npos);
      FUZZ_CHECK(m.allowed_methods.empty());
    } else {
      for (const auto& allowed : m.allowed_methods) FUZZ_CHECK(allowed != method);
    }
  }
  return 0;
}
