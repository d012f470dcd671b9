#pragma once
/// Outbound HTTP(S) for providers and tools (LLM chat completions,
/// transcription, ElevenLabs, custom functions, later webhooks), over libcurl.
/// Blocking: run on a worker pool, never on io threads (DESIGN.md "Threads").
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace voqo::net {

/// One outbound request.
struct HttpRequest {
  std::string method = "GET";  ///< GET, POST, PUT, PATCH, DELETE
  std::string url;             ///< absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent in order, as given
  std::string body;            ///< sent as is (set Content-Type in headers)
  std::chrono::milliseconds timeout{30000};          ///< whole request
  std::chrono::milliseconds connect_timeout{5000};
  /// When false, a URL whose host resolves to a loopback, private (RFC 1918,
  /// RFC 4193), link-local or unspecified address is refused before connecting
  /// (server-side request forgery guard for tool endpoints); the address that
  /// is checked is the one connected to (no DNS rebinding window).
  bool allow_private_addresses = true;
};

/// The response head and, unless streamed, the body.
struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;  ///< empty when the body was streamed to a BodySink
  /// The first header value named `name` (lower case), or nullopt.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// Receives body bytes as they arrive (after the status line and headers).
/// Return false to abort the transfer (the request then ends with
/// ErrorCode::io "aborted").
using BodySink = std::function<bool(std::string_view chunk)>;

/// Performs `request`. With `on_body`, the body is streamed to it and not kept.
/// `stop` aborts the transfer promptly (within ~50 ms). Any HTTP status is a
/// success here (the caller judges it). Errors: ErrorCode::invalid_argument
/// (field "url") for a malformed or non-http(s) URL, or one refused by the
/// private-address guard (the message names the address); ErrorCode::io for
/// DNS, connect, TLS, timeout and abort failures (the message says which).
Result<HttpResponse> perform(const HttpRequest& request, const BodySink& on_body = {},
                             std::stop_token stop = {});

/// Whether `address` (IPv4 or IPv6 literal) is loopback, private, link-local,
/// unique-local, unspecified or otherwise not globally routable.
bool is_private_address(std::string_view address);

/// Incremental parser of a text/event-stream (Server-Sent Events, WHATWG HTML
/// §9.2): feed() arbitrary chunks; on_event(event_name, data) is called for
/// each complete event ("message" when no `event:` field; multi-line data
/// joined with '\n').
class SseParser {
 public:
  using EventHandler = std::function<void(std::string_view event, std::string_view data)>;
  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}
  void feed(std::string_view chunk);

 private:
  void dispatch_line(std::string_view line);
  EventHandler on_event_;
  std::string buffer_;
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

}  // namespace voqo::net
