#pragma once
/// A local HTTP/1.1 server on 127.0.0.1 that replays recorded exchanges byte
/// for byte: the providers' documented request/response examples (OpenAI chat
/// completions and transcription, ElevenLabs TTS, ...). Used to test the real
/// clients without the internet. Runs on its own thread; stops in the
/// destructor. One connection at a time and one exchange per connection: the
/// server closes the connection after each response (so a recorded response
/// without Content-Length is delimited by the close, RFC 9112 §6.3). A
/// request is recorded before its response is written.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace voqo::test {

/// One recorded exchange.
struct ReplayExchange {
  std::string method;  ///< expected request method
  std::string path;    ///< expected request target (path and query)
  /// The raw response to send, status line, headers and body, exactly as
  /// documented (for a streamed body, the response is written in `chunks`
  /// with `chunk_delay` between writes; empty `chunks` = write `raw` at once).
  std::string raw;
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_delay{0};
};

/// What the server received (for assertions on what the client sent).
struct RecordedRequest {
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;  ///< de-chunked
  [[nodiscard]] std::string header(std::string_view name) const;  ///< "" when absent
};

class ReplayServer {
 public:
  /// Serves `exchanges` in order, one per request; a request that does not
  /// match the next exchange's method and path gets a 404 and is recorded.
  explicit ReplayServer(std::vector<ReplayExchange> exchanges);
  ~ReplayServer();
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string base_url() const;  ///< "http://127.0.0.1:<port>"
  [[nodiscard]] std::vector<RecordedRequest> requests() const;

 private:
  void serve();
  std::vector<ReplayExchange> exchanges_;
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  int listen_fd_ = -1;
  int wake_read_ = -1, wake_write_ = -1;  ///< self-pipe that stops serve()
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace voqo::test
