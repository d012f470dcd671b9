#include "telephony/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace voqo::telephony {
namespace {
/// Signed distance a - b in sequence space (RFC 3550 §A.1: modulo 2^16).
int seq_diff(uint16_t a, uint16_t b) { return static_cast<int16_t>(static_cast<uint16_t>(a - b)); }
}  // namespace

JitterBuffer::JitterBuffer(Config config) : config_(config), slots_(kSlots), target_(config.min_delay_packets) {}

void JitterBuffer::put(const RtpHeader& h, std::span<const uint8_t> payload) {
  if (payload.size() > kMaxPayload) {
    ++dropped_overflow_;
    return;
  }
  // Everything buffered lies within one window of kSlots around next_; a
  // packet outside it (either way) is a jump — a new talk spurt, a peer
  // restart with a fresh random sequence (RFC 3550 §5.1) — not a late packet:
  // start over there. Treating a jump backwards as "late" would drop the
  // restarted stream until its sequence caught up (up to 32767 packets);
  // keeping a far packet while prefetching would leave a slot that is never
  // played, so buffered() never reaches 0 and the buffer never underruns.
  const int ahead = seq_diff(h.sequence, next_);
  const bool outside = ahead >= static_cast<int>(kSlots) || ahead <= -static_cast<int>(kSlots);
  if ((playing_ || buffered_ > 0) && outside) {
    for (auto& s : slots_) s.filled = false;
    buffered_ = 0;
    playing_ = false;
  } else if (playing_ && ahead < 0) {  // already played or concealed
    ++dropped_late_;
    return;
  }
  Slot& s = slot(h.sequence);
  if (s.filled) {
    if (s.sequence == h.sequence) {
      ++dropped_late_;  // duplicate
      return;
    }
    --buffered_;  // an old packet 64 behind: overwritten
  }
  s.filled = true;
  s.sequence = h.sequence;
  s.payload_type = h.payload_type;
  s.size = static_cast<uint16_t>(payload.size());
  std::memcpy(s.data.data(), payload.data(), payload.size());
  ++buffered_;
  if (!playing_ && buffered_ == 1) next_ = h.sequence;
  if (!playing_ && seq_diff(h.sequence, next_) < 0) next_ = h.sequence;  // reordered start
  if (buffered_ > config_.max_delay_packets) {
    // Too far behind: drop from the head until back at the target.
    while (buffered_ > target_) {
      Slot& head = slot(next_);
      if (head.filled && head.sequence == next_) {
        head.filled = false;
        --buffered_;
        ++dropped_overflow_;
      }
      ++next_;
    }
  }
}

void JitterBuffer::skip_to_oldest() {
  // Find the oldest buffered packet at or after next_.
  for (std::size_t i = 0; i < kSlots; ++i) {
    const auto seq = static_cast<uint16_t>(next_ + i);
    const Slot& s = slot(seq);
    if (s.filled && s.sequence == seq) {
      next_ = seq;
      return;
    }
  }
}

JitterBuffer::Status JitterBuffer::get(uint8_t& payload_type, std::span<const uint8_t>& payload) {
  if (!playing_) {
    if (buffered_ < target_) return Status::empty;
    playing_ = true;
    skip_to_oldest();
  }
  if (buffered_ == 0) {  // underrun: the peer paused (or stopped); buffer up again
    playing_ = false;
    return Status::empty;
  }
  Slot& s = slot(next_);
  ++next_;
  if (s.filled && s.sequence != static_cast<uint16_t>(next_ - 1)) {  // defensive: never keep a stale slot
    s.filled = false;
    --buffered_;
  }
  if (s.filled) {
    s.filled = false;
    --buffered_;
    payload_type = s.payload_type;
    payload = std::span<const uint8_t>(s.data.data(), s.size);
    return Status::packet;
  }
  ++concealed_;
  return Status::lost;
}

void JitterBuffer::adapt(double jitter_ms) {
  const int t = static_cast<int>(std::ceil((2.0 * jitter_ms + 10.0) / 20.0));
  target_ = std::clamp(t, config_.min_delay_packets, config_.max_delay_packets);
}

}  // namespace voqo::telephony
