#pragma once
/// Test helpers for "nothing connected" assertions (the SSRF guard, proxies
/// that must not be used): a TCP listener that counts the connections it gets
/// and closes each at once without a byte, and a scoped environment variable
/// override (http_proxy and friends).
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace voqo::test {

/// Listens on `address` ("127.0.0.1" or "::1"), any free port, on its own
/// thread; every connection is accepted, counted and closed (a client sees an
/// empty reply). Stops in the destructor.
class ConnectionCounter {
 public:
  /// Throws std::runtime_error when it cannot listen.
  explicit ConnectionCounter(const std::string& address = "127.0.0.1");
  ~ConnectionCounter();
  ConnectionCounter(const ConnectionCounter&) = delete;
  ConnectionCounter& operator=(const ConnectionCounter&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>" or "http://[::1]:<port>".
  [[nodiscard]] std::string url() const;
  /// Connections accepted so far (pending ones in the backlog are accepted first).
  [[nodiscard]] int connections();

 private:
  void serve();
  int accept_pending();
  std::string address_;
  int listen_fd_ = -1;
  int wake_read_ = -1, wake_write_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> count_{0};
  std::thread thread_;
};

/// Sets (value) or unsets (nullopt) environment variables for its lifetime
/// and restores what was there before. Not thread-safe (setenv): use it where
/// no other thread of the test reads the environment meanwhile.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::vector<std::pair<std::string, std::optional<std::string>>>& vars);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace voqo::test
