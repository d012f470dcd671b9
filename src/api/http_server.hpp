#pragma once
/// The HTTP/1.1 server. This header is Beast-free; the implementation is
/// api/beast/ (http_server.cpp: accept loop and threads; the transports
/// http_session.cpp, websocket.cpp and sse.cpp are the only translation units
/// that include Boost.Beast). Threads as DESIGN.md says: `io_threads` run the
/// sockets; handlers (which may block on the store) run on a separate pool of
/// `worker_threads`, and their responses are written back on the connection's
/// strand.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "api/router.hpp"
#include "core/error.hpp"
#include "core/workspace_id.hpp"

namespace voqo::realtime {
class Hub;
}
namespace voqo::calls {
class SupervisorAudio;
}

namespace voqo::api {

class Authenticator;

struct ServerConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 8080;  ///< 0 = pick a free port (see HttpServer::port())
  unsigned io_threads = 0;      ///< 0 = number of cores
  unsigned worker_threads = 0;  ///< 0 = max(4, 2 × cores): handlers block on the store
  /// Threads of the slow-work pool (routes with Lane::slow: TTS preview, CSV
  /// imports), apart from the workers so that slow requests cannot take them all.
  unsigned slow_threads = 2;
  /// Slow requests admitted beyond those running (waiting for a slow thread);
  /// one more is refused with 503 problem+json and `Retry-After:
  /// slow_retry_after_s` as soon as its header arrives, before its body is read.
  unsigned slow_queue = 4;
  unsigned slow_retry_after_s = 5;
  /// Host names the server answers to besides IP literals and `localhost`
  /// (issue 16 §7: DNS rebinding — a page on evil.example whose name resolves
  /// to 127.0.0.1 sends `Host: evil.example`). Behind a proxy or on a DNS
  /// name, list it here (`--allowed-host`, env VOQO_ALLOWED_HOSTS); "*"
  /// answers every Host. Others get 421 Misdirected Request.
  std::vector<std::string> allowed_hosts;
  uint64_t max_body_bytes = 1 << 20;            ///< JSON bodies; larger → 413
  uint64_t max_upload_bytes = 256ull << 20;     ///< spooled bodies; larger → 413
  std::filesystem::path spool_dir = std::filesystem::temp_directory_path();
  unsigned idle_timeout_s = 60;   ///< keep-alive connections idle longer are closed
  unsigned shutdown_grace_s = 10; ///< stop() waits this long for in-flight requests
};

/// The realtime endpoints (issue 5; protocol in docs/REALTIME.md), served
/// by the HttpServer itself because they are not request/response:
/// - `GET /api/realtime`: WebSocket (RFC 6455) carrying the Hub's JSON text
///   protocol; binary frames are refused (close 1003).
/// - `GET /api/realtime/events?query=<name>&<arg>=<value>...`: Server-Sent
///   Events (WHATWG HTML §9.2) of one subscription; `id:` is the seq,
///   `event:` the message type; `Last-Event-ID` (or `?lastEventId=`) resumes.
/// - `GET /api/live-calls/{id}/audio`: WebSocket of binary frames, 16-bit
///   little-endian mono PCM at 16 kHz both ways, bridged to a supervisor's
///   calls::SupervisorAudio (JOIN_CALL).
/// Admitted as the REST API is (Authenticator::admit with the route's
/// permission: live:read, the audio leg live:control), and — because
/// browsers cannot set headers on a WebSocket — with `?ticket=` from POST
/// /api/tickets. A subscriber sees its own workspace only (the hub session's
/// bound `workspaceId`), and its connection is closed (WebSocket 1008) within
/// a second of its key being revoked or its session ended.
/// Missing pieces switch endpoints off (the Router then answers, i.e. 404).
struct RealtimeOptions {
  realtime::Hub* hub = nullptr;  ///< not owned; must outlive the server's stop()
  Authenticator* auth = nullptr; ///< not owned; required with `hub` or `open_supervisor_audio`
  /// Opens a supervisor's audio leg on a live call of workspace `ws`; not_found → 404.
  std::function<Result<std::shared_ptr<calls::SupervisorAudio>>(const WorkspaceId& ws, const std::string& call_id)>
      open_supervisor_audio;
  /// How often an open WebSocket or SSE stream checks that its credential still holds.
  std::chrono::milliseconds revalidate_every{500};
  /// SSE comment lines sent this often keep idle streams (and proxies) alive.
  std::chrono::seconds sse_heartbeat{15};
  /// Call audio queued for a slow supervisor beyond this is dropped, oldest
  /// first (bytes; 64,000 = 2 s of 16 kHz 16-bit audio).
  std::size_t max_audio_queued_bytes = 64'000;
};

/// Serves a Router. Every response that the handler does not set gets
/// `Content-Length`; errors raised before a handler runs (bad target, body
/// too large, unknown route, wrong method) are RFC 7807 problem+json.
/// Handlers run where their route's Lane says: the I/O thread (health), the
/// worker pool, or the bounded slow-work pool. A response with a
/// HttpResponse::file body is streamed from the file with Beast's
/// basic_file_body (4 KiB at a time), so a client that does not read costs
/// no memory; such a download may take as long as it needs, but a client
/// that reads nothing of it for idle_timeout_s is disconnected (other
/// responses must be written whole within idle_timeout_s).
/// A handler that throws yields a 500 problem; the server keeps running.
/// Bodies: a declared Content-Length over the route's limit is refused with
/// 413 before any of the body is read; a chunked body is cut off at the limit
/// (413). After such early answers the connection is closed, draining what
/// the client still sends for up to 2 s ("lingering close") so that it sees
/// the response. `Expect: 100-continue` is honoured. Spooled bodies go to
/// owner-only files in spool_dir, removed once the handler returns.
class HttpServer {
 public:
  /// `realtime`: the WebSocket/SSE endpoints (default: none, those paths go
  /// to the Router like any other).
  HttpServer(ServerConfig config, const Router& router, RealtimeOptions realtime = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts the threads. Throws std::runtime_error when the address
  /// cannot be bound (start-up only).
  void start();
  /// The bound port (useful with port 0).
  [[nodiscard]] uint16_t port() const;
  /// Stops accepting, lets in-flight requests finish (up to
  /// shutdown_grace_s), closes every connection (WebSockets with 1001 going
  /// away) and joins the threads.
  /// Idempotent; safe to call from any thread except a handler.
  void stop();
  /// Blocks until stop() has completed (e.g. from a signal).
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::api
