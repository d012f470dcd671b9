#pragma once
/// Outbound HTTP(S) for providers, tools and webhooks (LLM chat completions,
/// transcription, ElevenLabs, SMS, custom functions, webhooks), over libcurl.
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

/// Which addresses a request may connect to, and how (server-side request
/// forgery guard, OWASP SSRF Prevention Cheat Sheet). Every request whose URL a
/// user of the API can aim (webhooks, custom functions, later workflow HTTP
/// steps and lead-source pulls) takes user_target_guard(setting
/// allow_private_tool_hosts); requests to endpoints the operator configured
/// (LLM, STT, TTS and SMS providers) take `none`.
enum class AddressGuard {
  /// Any address; libcurl's environment proxies (http_proxy, HTTPS_PROXY,
  /// ALL_PROXY, NO_PROXY) apply.
  none,
  /// Only globally routable addresses (is_private_address() false). Checked
  /// on the address of every socket libcurl opens, after DNS resolution, so a
  /// name that resolves (or re-resolves: DNS rebinding) to a loopback, private,
  /// link-local or metadata address is refused before a packet is sent to it.
  /// Direct connections only: proxies from the environment are ignored (a
  /// proxy would connect on our behalf, to an address the guard never sees).
  public_only,
  /// A user-aimed request in a deployment that opted in (setting
  /// allow_private_tool_hosts): any address, still direct (no proxy).
  private_allowed,
};

/// The guard for a request whose URL a user can aim: public_only, or
/// private_allowed when the deployment's allow_private_tool_hosts is on.
constexpr AddressGuard user_target_guard(bool allow_private_hosts) {
  return allow_private_hosts ? AddressGuard::private_allowed : AddressGuard::public_only;
}

/// One outbound request.
struct HttpRequest {
  std::string method = "GET";  ///< GET, POST, PUT, PATCH, DELETE
  std::string url;             ///< absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent in order, as given
  std::string body;            ///< sent as is (set Content-Type in headers)
  std::chrono::milliseconds timeout{30000};          ///< whole request
  std::chrono::milliseconds connect_timeout{5000};
  AddressGuard guard = AddressGuard::none;  ///< see AddressGuard
};

/// The response head and, unless streamed, the body.
struct HttpResponse {
  int status = 0;
  /// The reason phrase of the status line (RFC 9112 §4), printable ASCII only,
  /// at most 64 characters; empty when there was none (HTTP/2).
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;  ///< empty when the body was streamed to a BodySink
  /// The first header value named `name` (lower case), or nullopt.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  /// "HTTP <status> <reason>" ("HTTP <status>" without a reason): what to keep
  /// of a failed reply (never its body: a reply's body is the receiver's data).
  [[nodiscard]] std::string status_line() const;
};

/// Receives body bytes as they arrive (after the status line and headers).
/// Return false to abort the transfer (the request then ends with
/// ErrorCode::io "aborted").
using BodySink = std::function<bool(std::string_view chunk)>;

/// Performs `request`. With `on_body`, the body is streamed to it and not kept.
/// `stop` aborts the transfer promptly (within ~50 ms). Any HTTP status is a
/// success here (the caller judges it); redirects are never followed (a 3xx is
/// returned as it is). Errors: ErrorCode::invalid_argument (field "url") for a
/// malformed or non-http(s) URL, or one refused by AddressGuard::public_only
/// (the message says "refused to connect to private address <address>");
/// ErrorCode::io for DNS, connect, TLS, timeout and abort failures (the message
/// says which).
Result<HttpResponse> perform(const HttpRequest& request, const BodySink& on_body = {},
                             std::stop_token stop = {});

/// Whether `address` (IPv4 or IPv6 literal, "[...]" and "%zone" accepted) is
/// loopback, private, shared (CGNAT), link-local (incl. the 169.254.169.254
/// cloud metadata address), unique-local, unspecified, multicast, reserved or
/// otherwise not globally routable (IANA special-purpose registries, RFC 6890),
/// including such an IPv4 address embedded in IPv6 (mapped, translated,
/// NAT64, 6to4). Anything that is not an address literal counts as private.
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
