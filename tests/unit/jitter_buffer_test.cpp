// The receive jitter buffer: prefetch to the target delay, playout in
// sequence order, loss reported once, late/duplicate packets dropped,
// sequence wrap, restart after a jump, overflow back to the target,
// underrun and re-buffering, and the adaptive target. Payloads carry their
// own sequence number so every get() is checked against what was put().
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "telephony/jitter_buffer.hpp"

namespace voqo::telephony {
namespace {

using Status = JitterBuffer::Status;

/// What one get() returned: the status and, for a packet, the sequence number stored in its payload.
struct Got {
  Status status;
  int seq = -1;
  uint8_t pt = 0;
  bool operator==(const Got&) const = default;
};

Got packet(int seq, uint8_t pt = 9) { return {Status::packet, seq, pt}; }
const Got kLost{Status::lost};
const Got kEmpty{Status::empty};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  switch (g.status) {
    case Status::packet: return os << "packet " << g.seq;
    case Status::lost: return os << "lost";
    case Status::empty: return os << "empty";
  }
  return os;
}

void put(JitterBuffer& jb, int seq, uint8_t pt = 9, std::size_t size = 160) {
  std::vector<uint8_t> payload(size, 0);
  const auto s = static_cast<uint16_t>(seq);
  if (size >= 2) {
    payload[0] = static_cast<uint8_t>(s >> 8);
    payload[1] = static_cast<uint8_t>(s & 0xff);
  }
  jb.put(RtpHeader{false, pt, s, 160u * s, 1}, payload);
}

Got get(JitterBuffer& jb) {
  uint8_t pt = 0;
  std::span<const uint8_t> payload;
  const auto st = jb.get(pt, payload);
  if (st != Status::packet) return {st};
  EXPECT_GE(payload.size(), 2u);
  return {st, payload.size() >= 2 ? (payload[0] << 8 | payload[1]) : -1, pt};
}

std::vector<Got> drain(JitterBuffer& jb, int n) {
  std::vector<Got> out;
  for (int i = 0; i < n; ++i) out.push_back(get(jb));
  return out;
}

TEST(JitterBuffer, PlaysInOrderOnceThePrefetchTargetIsReached) {
  JitterBuffer jb;  // target 2 packets
  EXPECT_EQ(jb.target(), 2);
  EXPECT_EQ(get(jb), kEmpty) << "nothing put yet";
  put(jb, 10, 0);
  EXPECT_EQ(get(jb), kEmpty) << "one packet is below the 40 ms target";
  EXPECT_EQ(jb.buffered(), 1);
  put(jb, 11, 8);
  EXPECT_EQ(get(jb), packet(10, 0));
  put(jb, 12);
  EXPECT_EQ(get(jb), packet(11, 8));  // payload type travels with the packet
  EXPECT_EQ(get(jb), packet(12));
  EXPECT_EQ(jb.buffered(), 0);
  EXPECT_EQ(jb.concealed(), 0u);
}

TEST(JitterBuffer, ReorderedPacketsArePlayedInSequence) {
  JitterBuffer jb;
  for (int s : {5, 3, 4, 7, 6, 9, 8}) put(jb, s);
  EXPECT_EQ(drain(jb, 8), (std::vector<Got>{packet(3), packet(4), packet(5), packet(6), packet(7), packet(8), packet(9),
                                            kEmpty}));
  EXPECT_EQ(jb.dropped_late(), 0u);
}

TEST(JitterBuffer, AMissingPacketIsReportedLostExactlyOnceAndItsLateArrivalDropped) {
  JitterBuffer jb;
  for (int s : {1, 2, 4, 5}) put(jb, s);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(1), packet(2), kLost}));
  put(jb, 3);  // too late: its slot was concealed
  EXPECT_EQ(jb.dropped_late(), 1u);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(4), packet(5), kEmpty}));
  EXPECT_EQ(jb.concealed(), 1u);
}

TEST(JitterBuffer, DuplicatesAndAlreadyPlayedPacketsAreDropped) {
  JitterBuffer jb;
  put(jb, 1);
  put(jb, 1);  // duplicate while buffered
  put(jb, 2);
  EXPECT_EQ(jb.dropped_late(), 1u);
  put(jb, 3);
  EXPECT_EQ(drain(jb, 2), (std::vector<Got>{packet(1), packet(2)}));
  put(jb, 2);  // already played
  put(jb, 1);
  put(jb, static_cast<uint16_t>(2 - 40));  // far in the past, still behind
  EXPECT_EQ(jb.dropped_late(), 4u);
  put(jb, 4);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(3), packet(4), kEmpty}));
}

TEST(JitterBuffer, SequenceWrapIsSeamless) {
  JitterBuffer jb;
  std::vector<Got> got;
  for (int s = 65530; s < 65542; ++s) {
    put(jb, s & 0xffff);
    got.push_back(get(jb));
  }
  std::vector<Got> want{kEmpty};
  for (int s = 65530; s < 65541; ++s) want.push_back(packet(s & 0xffff));
  EXPECT_EQ(got, want);
  // Reordering across the wrap too.
  JitterBuffer jb2;
  for (int s : {65535, 1, 0, 65534}) put(jb2, s);
  EXPECT_EQ(drain(jb2, 5), (std::vector<Got>{packet(65534), packet(65535), packet(0), packet(1), kEmpty}));
}

TEST(JitterBuffer, AJumpInSequenceRestartsThereInsteadOfConcealingTheGap) {
  JitterBuffer jb;
  for (int s = 100; s < 104; ++s) put(jb, s);
  EXPECT_EQ(get(jb), packet(100));
  // The peer restarts (new talk spurt after a re-INVITE, another media server): 30000 onwards.
  std::vector<Got> got;
  for (int s = 30000; s < 30010; ++s) {
    put(jb, s);
    got.push_back(get(jb));
  }
  // At most the prefetch is spent re-buffering; no long run of concealment, and nothing from before the jump.
  int packets = 0;
  for (const auto& g : got) {
    EXPECT_NE(g.status, Status::lost) << ::testing::PrintToString(got);
    if (g.status == Status::packet) {
      EXPECT_EQ(g.seq, 30000 + packets) << ::testing::PrintToString(got);
      ++packets;
    }
  }
  EXPECT_GE(packets, 8);
  // A jump backwards by more than the window behaves the same.
  for (int s = 500; s < 503; ++s) put(jb, s);
  EXPECT_EQ(drain(jb, 1), (std::vector<Got>{packet(500)}));
}

TEST(JitterBuffer, OverflowDropsTheOldestDownToTheTarget) {
  JitterBuffer jb(JitterBuffer::Config{2, 10});
  for (int s = 1; s <= 10; ++s) put(jb, s);
  EXPECT_EQ(jb.buffered(), 10);
  EXPECT_EQ(jb.dropped_overflow(), 0u);
  put(jb, 11);  // one past the maximum: back down to the target
  EXPECT_EQ(jb.buffered(), 2);
  EXPECT_EQ(jb.dropped_overflow(), 9u);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(10), packet(11), kEmpty}));
  EXPECT_EQ(jb.concealed(), 0u) << "dropped packets are not reported as lost";
  // While playing too.
  for (int s = 12; s <= 14; ++s) put(jb, s);
  EXPECT_EQ(get(jb), packet(12));
  for (int s = 15; s <= 23; ++s) put(jb, s);  // 11 buffered after 23 → down to 2
  EXPECT_EQ(jb.buffered(), 2);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(22), packet(23), kEmpty}));
}

TEST(JitterBuffer, OversizedPayloadsAreDropped) {
  JitterBuffer jb;
  put(jb, 1, 9, JitterBuffer::kMaxPayload + 1);
  EXPECT_EQ(jb.buffered(), 0);
  EXPECT_EQ(jb.dropped_overflow(), 1u);
  put(jb, 2, 9, JitterBuffer::kMaxPayload);
  put(jb, 3, 9, 2);
  EXPECT_EQ(drain(jb, 2), (std::vector<Got>{packet(2), packet(3)}));
}

TEST(JitterBuffer, UnderrunPlaysNothingThenBuffersUpAgain) {
  JitterBuffer jb;
  put(jb, 1);
  put(jb, 2);
  EXPECT_EQ(drain(jb, 3), (std::vector<Got>{packet(1), packet(2), kEmpty}));
  // The peer paused (silence suppression); nothing is invented meanwhile.
  EXPECT_EQ(drain(jb, 5), std::vector<Got>(5, kEmpty));
  EXPECT_EQ(jb.concealed(), 0u);
  // It resumes (sequence numbers continue: RFC 3550 §5.1): prefetch again, then play.
  put(jb, 3);
  EXPECT_EQ(get(jb), kEmpty);
  put(jb, 4);
  put(jb, 5);
  EXPECT_EQ(drain(jb, 4), (std::vector<Got>{packet(3), packet(4), packet(5), kEmpty}));
}

TEST(JitterBuffer, AStrayPacketBeforePlayoutDoesNotWedgeTheBuffer) {
  // One datagram far from the stream arriving during the prefetch must not
  // keep the buffer "non-empty" forever: the stream pauses, the buffer must
  // underrun, and the resumed stream must play, not be dropped as late.
  JitterBuffer jb;
  put(jb, 100);
  put(jb, 30000);  // stray (e.g. a forged or stale datagram)
  std::vector<Got> got;
  for (int s = 101; s < 110; ++s) {
    put(jb, s);
    got.push_back(get(jb));
  }
  for (int i = 0; i < 80; ++i) got.push_back(get(jb));  // the peer pauses 1.6 s
  EXPECT_EQ(got.back(), kEmpty) << ::testing::PrintToString(got);
  put(jb, 110);
  put(jb, 111);
  put(jb, 112);
  const auto after = drain(jb, 3);
  EXPECT_EQ(after, (std::vector<Got>{packet(110), packet(111), packet(112)})) << ::testing::PrintToString(got);
}

TEST(JitterBuffer, AdaptSetsTheTargetFromJitter) {
  JitterBuffer jb(JitterBuffer::Config{2, 10});
  const std::vector<std::pair<double, int>> cases = {
      {0, 2},      // ceil(10/20) = 1 → the floor
      {15, 2},     // ceil(40/20) = 2
      {15.5, 3},   // ceil(41/20) = 3
      {45, 5},     // ceil(100/20) = 5
      {50, 6},     // ceil(110/20) = 6
      {95, 10},    // ceil(200/20) = 10
      {1000, 10},  // the ceiling
      {-5, 2},
  };
  for (const auto& [jitter_ms, target] : cases) {
    jb.adapt(jitter_ms);
    EXPECT_EQ(jb.target(), target) << jitter_ms;
  }
  // A larger target holds playout back longer.
  jb.adapt(45);
  for (int s = 1; s <= 4; ++s) {
    put(jb, s);
    EXPECT_EQ(get(jb), kEmpty) << s;
  }
  put(jb, 5);
  EXPECT_EQ(get(jb), packet(1));
}

TEST(JitterBuffer, RandomTrafficKeepsItsInvariants) {
  // Random sequence numbers, jumps, duplicates and gets: buffered() never
  // exceeds the maximum or goes negative, every packet played was put and
  // is played at most once per put, and after the traffic stops the buffer
  // drains to empty within its window.
  std::mt19937 rng(7);
  JitterBuffer jb(JitterBuffer::Config{2, 10});
  int base = 0;
  for (int round = 0; round < 20000; ++round) {
    const int r = static_cast<int>(rng() % 100);
    if (r < 3) base = static_cast<int>(rng() % 65536);      // jump
    else if (r < 60) put(jb, (base + static_cast<int>(rng() % 8)) & 0xffff);
    if (r % 2 == 0) ++base;
    if (r < 50) (void)get(jb);
    ASSERT_GE(jb.buffered(), 0);
    ASSERT_LE(jb.buffered(), 10);
  }
  int gets = 0;
  while (get(jb) != kEmpty) ASSERT_LT(++gets, 70) << "the buffer must drain within its 64-slot window";
  EXPECT_EQ(jb.buffered(), 0);
}

}  // namespace
}  // namespace voqo::telephony
