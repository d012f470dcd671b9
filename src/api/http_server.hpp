#pragma once
/// The HTTP/1.1 server (Boost.Beast; the only translation unit that includes
/// Beast is http_server.cpp). Threads as DESIGN.md says: `io_threads` run the
/// sockets; handlers (which may block on the store) run on a separate pool of
/// `worker_threads`, and their responses are written back on the connection's
/// strand.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "api/router.hpp"

namespace voqo::api {

struct ServerConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 8080;  ///< 0 = pick a free port (see HttpServer::port())
  unsigned io_threads = 0;      ///< 0 = number of cores
  unsigned worker_threads = 0;  ///< 0 = max(4, 2 × cores): handlers block on the store
  uint64_t max_body_bytes = 1 << 20;            ///< JSON bodies; larger → 413
  uint64_t max_upload_bytes = 256ull << 20;     ///< spooled bodies; larger → 413
  std::filesystem::path spool_dir = std::filesystem::temp_directory_path();
  unsigned idle_timeout_s = 60;   ///< keep-alive connections idle longer are closed
  unsigned shutdown_grace_s = 10; ///< stop() waits this long for in-flight requests
};

/// Serves a Router. Every response that the handler does not set gets
/// `Content-Length`; errors raised before a handler runs (bad target, body
/// too large, unknown route, wrong method) are RFC 7807 problem+json.
/// A handler that throws yields a 500 problem; the server keeps running.
/// Bodies: a declared Content-Length over the route's limit is refused with
/// 413 before any of the body is read; a chunked body is cut off at the limit
/// (413). After such early answers the connection is closed, draining what
/// the client still sends for up to 2 s ("lingering close") so that it sees
/// the response. `Expect: 100-continue` is honoured. Spooled bodies go to
/// owner-only files in spool_dir, removed once the handler returns.
class HttpServer {
 public:
  HttpServer(ServerConfig config, const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts the threads. Throws std::runtime_error when the address
  /// cannot be bound (start-up only).
  void start();
  /// The bound port (useful with port 0).
  [[nodiscard]] uint16_t port() const;
  /// Stops accepting, lets in-flight requests finish (up to
  /// shutdown_grace_s), closes every connection and joins the threads.
  /// Idempotent; safe to call from any thread except a handler.
  void stop();
  /// Blocks until stop() has completed (e.g. from a signal).
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::api
