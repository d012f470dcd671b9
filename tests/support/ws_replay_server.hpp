#pragma once
/// A local WebSocket server (RFC 6455, Boost.Beast) on 127.0.0.1 that plays
/// a scripted list of text messages to a client and records what the client
/// sent: the opening handshake (target, headers) and every text and binary
/// frame. Used to test streaming providers (Deepgram) without the internet.
/// Runs on its own thread; stops in the destructor. Connections are served
/// one after another; the script runs across them in order.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace voqo::test {

/// One scripted step: when its trigger fires, `replies` are sent as text
/// frames, in order. Steps fire in script order, each at most once, and one
/// received frame fires at most one step.
struct WsScriptStep {
  /// Fire once this many binary frames have been received on the current
  /// connection (0 = not a binary-frame trigger).
  std::size_t after_binary_frames = 0;
  /// Fire when a text frame containing this string arrives ("" = not a text trigger).
  std::string on_text_containing;
  std::vector<std::string> replies;
  bool close_after = false;  ///< then close the connection (close code 1000)
};

/// One frame the client sent.
struct WsFrame {
  bool binary = false;
  std::string data;
};

/// One client connection as the server saw it.
struct WsConnectionRecord {
  std::string target;                                        ///< request target of the upgrade (path and query)
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::vector<WsFrame> frames;
  bool client_closed = false;  ///< the client sent a close frame
  [[nodiscard]] std::string header(std::string_view name) const;  ///< "" when absent
};

class WsReplayServer {
 public:
  /// `reject_status` ≠ 0 answers every upgrade with that HTTP status instead
  /// (e.g. 401, as a provider does for a bad key).
  explicit WsReplayServer(std::vector<WsScriptStep> script, int reject_status = 0);
  ~WsReplayServer();
  WsReplayServer(const WsReplayServer&) = delete;
  WsReplayServer& operator=(const WsReplayServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string base_url() const;  ///< "ws://127.0.0.1:<port>"
  [[nodiscard]] std::vector<WsConnectionRecord> connections() const;
  /// Waits (at most `timeout`) until `done(connections)` holds; returns whether it did.
  bool wait_until(const std::function<bool(const std::vector<WsConnectionRecord>&)>& done,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace voqo::test
