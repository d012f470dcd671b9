#pragma once
/// A webhook receiver for tests: a tiny HTTP/1.1 server on 127.0.0.1 that
/// records every POST (headers and body) and answers with a status the test
/// sets (e.g. 503 while "down", 200 when "up"). It can also stop listening
/// altogether (the port is closed: connections are refused) and listen again
/// on the same port. One request per connection (answers with
/// "Connection: close").
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace voqo::test {

/// One request the receiver got, and what it answered.
struct ReceivedHook {
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;
  int answered = 0;  ///< the status sent back
  [[nodiscard]] std::string header(std::string_view name) const;  ///< "" when absent
};

class WebhookReceiver {
 public:
  /// Picks a free port and starts listening, answering `status`.
  explicit WebhookReceiver(int status = 200);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path = "/hooks") const;

  /// The status the next requests get.
  void set_status(int status);
  /// Closes the listening socket (connections are refused) / listens again on the same port.
  void close_port();
  void open_port();

  [[nodiscard]] std::vector<ReceivedHook> received() const;

 private:
  void listen_on(uint16_t port);
  void serve();
  void stop_thread();
  mutable std::mutex mutex_;
  std::vector<ReceivedHook> received_;
  int status_ = 200;
  int listen_fd_ = -1;
  int wake_read_ = -1, wake_write_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace voqo::test
