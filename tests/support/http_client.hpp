#pragma once
/// A tiny blocking HTTP/1.1 client over POSIX sockets, for tests that talk to
/// a real server on loopback. Not a general client: no TLS, no redirects;
/// reads Content-Length, chunked and close-delimited responses.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace voqo::test {

struct HttpResult {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  ///< lower-cased names
  std::string body;
  /// First header with this lower-case name, or "".
  [[nodiscard]] std::string header(std::string_view lower_name) const;
};

/// One TCP connection to 127.0.0.1:port (reads time out after 10 s).
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port, std::string host = "127.0.0.1");
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// Sends a request with Content-Length (when `body` is non-empty or the
  /// method is POST/PUT/PATCH) and reads the response.
  HttpResult request(std::string_view method, std::string_view target, std::string_view body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  /// Writes raw bytes; throws on error.
  void send_all(std::string_view data);
  /// Sets how long one read or write may wait (10 s by default), e.g. longer
  /// for a response that comes only after a large import.
  void set_timeout(std::chrono::seconds timeout);
  /// Writes `total` filler bytes in chunks, stopping early as soon as the
  /// server has answered (readable socket) or reset the connection. With
  /// `chunked`, frames them as chunked transfer coding (and the last chunk
  /// when all were sent). Returns the number of body bytes handed to the
  /// socket (for chunked, including the frame being written when it stopped).
  uint64_t send_body_until_response(uint64_t total, bool chunked = false);
  /// Reads one response; `head` for responses to HEAD (no body).
  HttpResult read_response(bool head = false);
  /// True when the server closed the connection (EOF or reset) within `timeout_ms`.
  bool closed_by_peer(int timeout_ms = 3000);
  [[nodiscard]] int fd() const { return fd_; }

 private:
  bool fill();  // reads more into buf_; false at EOF
  std::string read_line();
  int fd_ = -1;
  std::string host_header_;
  std::string buf_;
};

/// One request on a fresh connection.
HttpResult http_request(uint16_t port, std::string_view method, std::string_view target,
                        std::string_view body = {},
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Resident set size of this process in KiB (VmRSS from /proc/self/status).
long rss_kib();

}  // namespace voqo::test
