#pragma once
/// HTTP request and response as the handlers see them: plain structs with no
/// Boost.Beast types, so that only the transports under api/beast/ pull in Beast.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace voqo::api {

/// One HTTP request (RFC 9110/9112). Header names are lower-cased; the path
/// and query are percent-decoded (a `+` in the query means a space).
struct Principal;  // api/authenticator.hpp

struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< raw request-target, e.g. "/api/agents?limit=5"
  std::string path;    ///< decoded path, e.g. "/api/agents"
  std::vector<std::pair<std::string, std::string>> query;    ///< decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  ///< lower-cased names
  /// Path parameters filled by the Router, e.g. {"id", "c3k…"} for "/api/agents/{id}".
  std::vector<std::pair<std::string, std::string>> params;
  std::string body;  ///< the body, for routes that do not spool it
  /// For routes registered with RouteOptions::spool_body: the body was written
  /// to this temporary file (removed after the handler returns); `body` is empty.
  std::filesystem::path body_file;
  std::uint64_t body_size = 0;  ///< bytes of body received
  std::string remote_address;   ///< peer IP, for logs
  /// Who sent it, once the route's authorize step admitted it (issue 16);
  /// null on open routes.
  std::shared_ptr<const Principal> principal;

  /// First header with this (lower-case) name, or "" when absent.
  [[nodiscard]] std::string_view header(std::string_view lower_name) const;
  /// First query parameter with this name, or nullopt.
  [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const;
  /// Path parameter by name; "" when absent.
  [[nodiscard]] std::string_view param(std::string_view name) const;
};

/// Bytes [offset, offset + length) of a file, sent as a response body.
struct FileSlice {
  std::filesystem::path path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// One HTTP response. `content_type` defaults to JSON.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  /// When set, the body is this part of a file instead of `body`: the server
  /// opens it once the handler has returned and streams it as the client
  /// reads (a few KiB in memory whatever its size; Content-Length = length).
  /// A file that cannot be opened, or is shorter by then, gives a 500.
  std::optional<FileSlice> file;

  static HttpResponse json(int status, std::string body) {
    return HttpResponse{status, "application/json", std::move(body), {}};
  }
  static HttpResponse no_content() { return HttpResponse{204, "", "", {}}; }
};

/// ASCII case-insensitive equality: field names, tokens and range units are
/// case-insensitive (RFC 9110 §5.1, §5.6.2, §14.1); no locale.
bool iequals(std::string_view a, std::string_view b);

/// Percent-decodes `in` (RFC 3986 §2.1); with `plus_is_space`, '+' → ' '
/// (application/x-www-form-urlencoded). Returns nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

/// Splits a request-target (RFC 9112 §3.2) into decoded path and query
/// pairs (both cleared first). Accepts origin-form ("/a?b=c") and
/// absolute-form ("http://host/a?b=c", whose scheme and authority are
/// dropped); a fragment is ignored. Returns false when the target is
/// malformed: bad escapes, not starting with '/', a NUL byte or a ".."
/// segment in the decoded path.
bool split_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

/// Why a request's framing cannot be trusted: the status to answer (the
/// connection is then closed) and a detail for the problem body.
struct FramingProblem {
  int status = 400;
  std::string detail;
};

/// Checks a request's Transfer-Encoding header fields (`headers` with
/// lower-cased names; several fields form one list, RFC 9110 §5.3). Absent,
/// or the single coding "chunked" (any case, optional whitespace and empty
/// list elements): nullopt. Otherwise:
///  - 400 when "chunked" is not the final coding (e.g. "xchunked",
///    "gzip"), is applied twice, or the list is empty: the body's length
///    cannot be determined, and a server MUST answer 400 and close the
///    connection (RFC 9112 §6.3 item 4, §6.1), not read the body as the
///    next request;
///  - 501 when another coding precedes the final "chunked" (e.g.
///    "gzip, chunked"): only chunked is implemented (RFC 9112 §6.1, "SHOULD
///    respond with 501").
std::optional<FramingProblem> transfer_coding_problem(
    const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace voqo::api
