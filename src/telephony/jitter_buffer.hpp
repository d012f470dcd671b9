#pragma once
/// A receive jitter buffer for one RTP audio stream: reorders packets by
/// sequence number, holds an adaptive playout delay, and says when a packet is
/// missing so the decoder side can conceal the loss. Owned by the call's media
/// thread; allocation-free after construction; never trusts the peer (any
/// sequence/timestamp jump, duplicate or flood is absorbed).
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "telephony/rtp.hpp"

namespace voqo::telephony {

class JitterBuffer {
 public:
  struct Config {
    int min_delay_packets = 2;  ///< playout delay floor (2 × 20 ms = 40 ms)
    int max_delay_packets = 10; ///< beyond this the oldest packets are dropped (clock drift, bursts)
  };
  /// What get() produced.
  enum class Status {
    packet,  ///< `payload` holds the next packet in sequence
    lost,    ///< the next packet is missing but later ones arrived: conceal one packet
    empty,   ///< nothing to play (not started, or the stream paused): play silence
  };
  static constexpr std::size_t kSlots = 64;
  static constexpr std::size_t kMaxPayload = 1024;  ///< larger payloads are dropped (≥ 64 ms of G.711)

  JitterBuffer() : JitterBuffer(Config{}) {}
  explicit JitterBuffer(Config config);

  /// Stores a received packet. Late packets (already played or skipped),
  /// duplicates and oversized payloads are dropped and counted. A packet
  /// kSlots or more away from the playout point, either way, is a jump (peer
  /// restart, RFC 3550 §5.1 random initial sequence): the buffer starts over there.
  void put(const RtpHeader& header, std::span<const uint8_t> payload);

  /// Takes the next packet in playout order (see Status). On Status::packet,
  /// `payload_type` and `payload` (valid until the next put/get) are set.
  Status get(uint8_t& payload_type, std::span<const uint8_t>& payload);

  /// Sets the playout delay target from the measured interarrival jitter
  /// (ms): target = clamp(ceil((2 × jitter + 10) / 20), min, max) packets.
  void adapt(double jitter_ms);

  [[nodiscard]] int buffered() const { return buffered_; }
  [[nodiscard]] int target() const { return target_; }
  [[nodiscard]] uint64_t dropped_late() const { return dropped_late_; }
  [[nodiscard]] uint64_t dropped_overflow() const { return dropped_overflow_; }
  [[nodiscard]] uint64_t concealed() const { return concealed_; }

 private:
  struct Slot {
    bool filled = false;
    uint16_t sequence = 0;
    uint8_t payload_type = 0;
    uint16_t size = 0;
    std::array<uint8_t, kMaxPayload> data{};
  };
  Slot& slot(uint16_t seq) { return slots_[seq % kSlots]; }
  void skip_to_oldest();

  Config config_;
  std::vector<Slot> slots_;
  bool playing_ = false;
  uint16_t next_ = 0;
  int buffered_ = 0;
  int target_ = 2;
  uint64_t dropped_late_ = 0, dropped_overflow_ = 0, concealed_ = 0;
};

}  // namespace voqo::telephony
