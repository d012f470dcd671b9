#pragma once
/// The media plane: RTP/RTCP streams of many calls driven by a few media
/// threads (DESIGN.md "Threads"; voqo's own code, not libre's, so that one
/// box carries thousands of calls with bounded send jitter).
///
/// Each media thread owns a set of streams: it receives their datagrams
/// (epoll, non-blocking sockets, recvmmsg with the kernel's receive time
/// stamps), and every 20 ms per stream it takes one frame from the jitter
/// buffer (concealing a lost packet), decodes it to
/// 16 kHz, hands it to the stream's MediaHandler together with a buffer for
/// the agent's next 20 ms, encodes that and sends it (symmetric RTP, RFC
/// 4961, from the port we receive on, to the address the peer sends from once
/// it has sent: at once from the SDP address, after 3 packets in sequence
/// from any other, so a stray datagram cannot redirect the stream). Streams on a thread are spread over four 5 ms phases so
/// their sends do not bunch. RTCP SR/RR every 5 s (RFC 3550 §6.2), BYE at the
/// end. DTMF both ways as RFC 4733 telephone-events.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

#include "core/error.hpp"

namespace voqo::telephony {

/// Samples in one 20 ms frame at the pipeline's 16 kHz.
inline constexpr int kFrameSamples16k = 320;
inline constexpr int kPtimeMs = 20;

/// The pipeline's side of a stream, called on the stream's media thread.
/// Must not block (no locks held long, no I/O beyond buffered writes).
class MediaHandler {
 public:
  virtual ~MediaHandler() = default;
  /// Every 20 ms. `caller` is the peer's decoded audio, 320 samples at 16 kHz
  /// (concealed on loss, silence before the first packet or while the peer
  /// pauses); fill `agent` (320 samples at 16 kHz, zeroed on entry) with the
  /// agent's next 20 ms. `tick` counts frames since the stream started.
  virtual void on_frame(std::span<const int16_t> caller, std::span<int16_t> agent, uint64_t tick) = 0;
  /// A DTMF digit received (RFC 4733), once per event, at its end.
  virtual void on_dtmf(char digit, int duration_ms) = 0;
  /// Called once by MediaEngine::start_stream, before the first on_frame:
  /// `play_soon` (callable from any thread, cheap, harmless once the stream
  /// has stopped) is MediaStream::play_soon for this handler's stream.
  virtual void attach(std::function<void()> play_soon) {}
};

/// A pair of bound UDP sockets: RTP on an even port, RTCP on the next (RFC 3550 §11).
struct RtpPorts {
  int rtp_fd = -1;
  int rtcp_fd = -1;
  uint16_t port = 0;  ///< the RTP port
};

/// What a stream needs from SDP negotiation.
struct StreamConfig {
  RtpPorts ports;
  sockaddr_storage remote_rtp{};  ///< from SDP c=/m=
  sockaddr_storage remote_rtcp{}; ///< port + 1 or a=rtcp (RFC 3605)
  std::string codec = "G722";     ///< SDP encoding name: G722, PCMU or PCMA
  int payload_type = 9;           ///< as negotiated
  int telephone_event_pt = -1;    ///< -1 when the peer did not offer telephone-event
  std::string cname;              ///< RTCP CNAME
  /// Packets (RTP and RTCP) sent to the SDP address before the peer's first
  /// RTP packet latches the stream; past it nothing is sent until then, so
  /// one INVITE naming a third party's address cannot aim a stream at it
  /// (RTP reflection; docs/SECURITY.md). 0 = no limit (outbound calls: the
  /// address comes from the answer of the trunk we chose).
  int unlatched_send_limit = 0;
};

/// Counters of one stream, readable from any thread.
struct StreamStats {
  std::atomic<uint64_t> packets_sent{0}, packets_received{0}, packets_lost{0}, packets_concealed{0};
  std::atomic<uint64_t> malformed{0};         ///< datagrams dropped as not RTP/RTCP
  std::atomic<uint64_t> packets_withheld{0};  ///< not sent: past StreamConfig::unlatched_send_limit before the peer's first packet
  std::atomic<uint32_t> jitter_us{0};         ///< RFC 3550 interarrival jitter of received packets
  std::atomic<uint32_t> peer_reported_lost{0};///< cumulative lost from the peer's RTCP reports
  std::atomic<uint32_t> peer_jitter_us{0};
};

class MediaEngine;

/// One RTP stream. Created by MediaEngine::start_stream; stop() (or the
/// engine's destruction) ends it. Thread-safe public methods.
class MediaStream {
 public:
  ~MediaStream();
  /// Queues DTMF digits ("0-9*#A-D") to send as telephone-events (100 ms
  /// each, 60 ms apart). Errors: invalid_argument for another character or
  /// when the peer did not negotiate telephone-event.
  Result<void> send_dtmf(std::string_view digits);
  /// Asks for this stream's next frame (on_frame, then its RTP packet) in the
  /// media thread's next 5 ms slot instead of at the stream's own 20 ms
  /// phase, and keeps the stream on that slot's phase from then on: the first
  /// packet of a reply leaves 0–5 ms after its audio is ready rather than
  /// 0–20 ms. The one early packet reads as 5–15 ms of jitter to the peer and
  /// takes the caller's next frame that much sooner from the jitter buffer.
  /// Thread-safe; a no-op once stopped.
  void play_soon();
  /// Stops sending and receiving, sends RTCP BYE, closes the sockets. Does not
  /// wait: a tick already running on the media thread may still be in the
  /// handler when stop() returns (no tick starts after), and the engine keeps
  /// its reference to the handler until it is over.
  void stop();
  [[nodiscard]] const StreamStats& stats() const { return stats_; }
  [[nodiscard]] const std::string& codec() const;
  [[nodiscard]] int codec_rate_hz() const;

 private:
  friend class MediaEngine;
  struct Impl;
  MediaStream() = default;
  std::unique_ptr<Impl> impl_;
  StreamStats stats_;
};

/// Send-timing figures of the engine (for benchmarks and /metrics).
struct MediaEngineStats {
  uint64_t frames = 0;              ///< stream ticks processed
  uint64_t late_over_5ms = 0;       ///< sends more than 5 ms after their ideal time
  double send_lateness_p50_ms = 0, send_lateness_p99_ms = 0, send_lateness_max_ms = 0;
  std::size_t streams = 0;
};

class MediaEngine {
 public:
  struct Config {
    int threads = 1;           ///< media threads (≤ cores)
    std::string bind_ip = "0.0.0.0";
    uint16_t port_min = 16384; ///< RTP port range (even ports; RTCP = port + 1)
    uint16_t port_max = 32766;
  };
  static Result<std::unique_ptr<MediaEngine>> create(Config config);
  ~MediaEngine();

  /// Binds an RTP/RTCP socket pair in the configured range on `ip` (or the
  /// configured bind_ip when empty). Thread-safe. Errors: ErrorCode::io when
  /// no pair is free or bind fails.
  Result<RtpPorts> allocate_ports(const std::string& ip = {});
  /// Closes ports never handed to start_stream().
  static void release_ports(RtpPorts& ports);

  /// Starts a stream on the least-loaded media thread; it owns `config.ports`
  /// from now on. Errors: unsupported codec; internal.
  Result<std::shared_ptr<MediaStream>> start_stream(StreamConfig config, std::shared_ptr<MediaHandler> handler);

  /// Engine-wide send timing since the last reset_stats().
  MediaEngineStats stats() const;
  void reset_stats();

 private:
  struct Worker;
  explicit MediaEngine(Config config);
  Config config_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex port_mutex_;
  uint16_t next_port_ = 0;
  friend class MediaStream;
};

}  // namespace voqo::telephony
