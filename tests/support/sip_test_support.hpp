#pragma once
/// Helpers shared by the SIP/RTP integration tests: free ports, a brain that
/// repeats what it heard, descriptor/thread accounting, and raw loopback
/// sockets that send hand-made SIP and RTP datagrams and read the replies.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "brain/brain.hpp"
#include <gtest/gtest.h>

#include "calls/call_service.hpp"
#include "store/store.hpp"
#include "support/test_support.hpp"

namespace voqo::test {

/// `request` with PlaceCall::events that hand `on_record` the stored call
/// record (the API's JSON as GET /api/calls/{id} shows it; {} when it cannot
/// be read) once the call has ended, on the call service's finaliser thread.
inline calls::PlaceCall with_record(calls::PlaceCall request, store::Store& store,
                                    std::function<void(const nlohmann::json&)> on_record) {
  request.events = calls::when_ended([&store, on_record = std::move(on_record)](const calls::CallOutcome& o) {
    nlohmann::json record = nlohmann::json::object();
    if (auto got = store.calls().get(o.workspace, o.call_id)) record = *got;
    on_record(record);
  });
  return request;
}

/// A UDP port on 127.0.0.1 that was free a moment ago (bound and released).
uint16_t free_loopback_port();

/// Entries in a directory such as /proc/self/fd or /proc/self/task.
std::size_t count_dir(const char* path);

/// A store in `dir`/voqo.db with one agent named "Tester" (greeting, no
/// response delay), for the SIP tests. Fails the current test on error.
std::unique_ptr<store::Store> store_with_tester(const std::filesystem::path& dir);

/// A test suite sharing one temporary directory and one store (with the
/// "Tester" agent) across its tests.
class SipSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  /// CallService settings for loopback tests: SIP on 127.0.0.1, any free
  /// port, recordings in the suite's directory, the RepeatBrain.
  static calls::CallServiceConfig loopback_config();
  static TempDir* dir_;
  static store::Store* store_;
};

/// What the open descriptors point at ("3→socket:[123] ..."), for failure messages.
std::string describe_fds();

/// A brain for tests of the telephony alone: greets with the agent's
/// greeting and answers "You said <text>.".
class RepeatBrain final : public brain::Brain {
 public:
  explicit RepeatBrain(brain::CallContext c) : ctx_(std::move(c)) {}
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token) override;
  Result<brain::Reply> respond(std::string_view text, const brain::TextSink& sink, std::stop_token) override;
  void interrupted(std::string_view) override {}
  std::string phase() const override { return ""; }
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine>, std::stop_token) override {
    return brain::CallResult{};
  }

 private:
  brain::CallContext ctx_;
};

/// A UDP socket bound to 127.0.0.1 (any port) for talking to a SIP or RTP port by hand.
class UdpSocket {
 public:
  UdpSocket();
  /// Bound to `bind_ip` (e.g. "127.0.0.2": another loopback source address).
  explicit UdpSocket(const char* bind_ip);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  [[nodiscard]] uint16_t port() const { return port_; }
  /// Sends one datagram to 127.0.0.1:`port`. Returns false when sendto fails (e.g. EMSGSIZE).
  bool send_to(uint16_t port, std::string_view data) const;
  /// The next datagram received within `timeout`, or nullopt.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) const;
  /// Discards whatever is queued.
  void drain() const;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

/// A TCP connection to 127.0.0.1:`port` (blocking; test use only).
class TcpConnection {
 public:
  explicit TcpConnection(uint16_t port);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;
  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  [[nodiscard]] uint16_t local_port() const { return local_port_; }
  bool send(std::string_view data) const;
  /// Bytes received within `timeout` (reads until a pause of 200 ms after the
  /// first bytes, or the peer closes); "" when nothing came. `closed` tells
  /// whether the peer closed the connection.
  std::string receive(std::chrono::milliseconds timeout, bool* closed = nullptr) const;

 private:
  int fd_ = -1;
  uint16_t local_port_ = 0;
};

/// The status code of a SIP response ("SIP/2.0 488 ..." → 488), 0 when `msg` is not a response.
int sip_status(std::string_view msg);

/// The value of header `name` (case-insensitive, first occurrence, compact form not handled) or "".
std::string sip_header(std::string_view msg, std::string_view name);

}  // namespace voqo::test
