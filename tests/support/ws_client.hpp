#pragma once
/// A small blocking WebSocket client (RFC 6455, Boost.Beast) for tests that
/// talk to a real server on loopback: connect with a target and headers, send
/// text or binary frames, read frames with a timeout, see how the server
/// closed the connection. A read that times out stays pending and completes
/// on a later read(), so no frame is lost. One thread at a time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace voqo::test {

struct WsMessage {
  bool binary = false;
  std::string data;
};

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// Opens ws://127.0.0.1:<port><target>. Returns the handshake's HTTP status
  /// (101 on success; e.g. 401 or 404 when the server refused the upgrade).
  int connect(uint16_t port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {});
  /// Sends one frame; false when the connection failed.
  bool send_text(const std::string& text);
  bool send_binary(const std::string& bytes);
  /// The next frame, or nullopt after `timeout` or once the connection is
  /// closed (then closed() is true and close_code() says how).
  std::optional<WsMessage> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Sends a close frame (1000) and waits briefly for the server's.
  void close();
  [[nodiscard]] bool closed() const;
  /// Closed by the closing handshake (both close frames, then TCP closed), not
  /// by a reset or a bare EOF (RFC 6455 §7.1.1).
  [[nodiscard]] bool closed_cleanly() const;
  /// The close code the server sent (0 = none: the connection just ended).
  [[nodiscard]] int close_code() const;
  [[nodiscard]] std::string close_reason() const;
  /// Shrinks the socket's receive buffer (SO_RCVBUF), e.g. for a slow reader.
  void set_receive_buffer(int bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::test
