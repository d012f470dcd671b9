// RTP/RTCP wire formats (RFC 3550), telephone-events (RFC 4733) and the
// receiver statistics of RFC 3550 appendix A.1/A.8: valid packets with every
// optional part, every malformed form as an error value, a fuzz pass over
// random and mutated datagrams, byte-exact RTCP layout, and the loss /
// reordering / wrap / jitter bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "telephony/rtp.hpp"

namespace voqo::telephony {
namespace {

using Bytes = std::vector<uint8_t>;

std::span<const uint8_t> view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

/// A hand-built RTP datagram (RFC 3550 §5.1 layout).
Bytes rtp_bytes(uint8_t first, uint8_t second, std::initializer_list<uint8_t> rest) {
  static constexpr uint8_t kFixed[10] = {0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
  Bytes b(12 + rest.size());
  b[0] = first;
  b[1] = second;
  std::copy(std::begin(kFixed), std::end(kFixed), b.begin() + 2);
  std::copy(rest.begin(), rest.end(), b.begin() + 12);
  return b;
}

// ---- RTP parse -------------------------------------------------------------

TEST(RtpParse, PlainPacketGivesEveryHeaderFieldAndThePayload) {
  auto b = rtp_bytes(0x80, 0x80 | 9, {0xaa, 0xbb, 0xcc});
  auto p = parse_rtp(b);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->header.marker);
  EXPECT_EQ(p->header.payload_type, 9);
  EXPECT_EQ(p->header.sequence, 0x1234);
  EXPECT_EQ(p->header.timestamp, 0xdeadbeefu);
  EXPECT_EQ(p->header.ssrc, 0x01020304u);
  ASSERT_EQ(p->payload.size(), 3u);
  EXPECT_EQ(p->payload[0], 0xaa);
  EXPECT_EQ(p->payload[2], 0xcc);
  EXPECT_EQ(p->payload.data(), b.data() + 12);  // a view into the datagram, no copy
}

TEST(RtpParse, CsrcsExtensionAndPaddingAreSkipped) {
  // V=2 P=1 X=1 CC=2; two CSRCs; extension profile 0xBEDE with 1 word; payload 2 bytes; 3 bytes padding.
  auto b = rtp_bytes(0x80 | 0x20 | 0x10 | 2, 0, {
                                                  0, 0, 0, 1, 0, 0, 0, 2,       // CSRC ×2
                                                  0xbe, 0xde, 0x00, 0x01,       // extension header: 1 word
                                                  0x10, 0x20, 0x30, 0x40,       // extension data
                                                  0x55, 0x66,                   // payload
                                                  0x00, 0x00, 0x03,             // padding, count in the last octet
                                              });
  auto p = parse_rtp(b);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->payload.size(), 2u);
  EXPECT_EQ(p->payload[0], 0x55);
  EXPECT_EQ(p->payload[1], 0x66);
}

TEST(RtpParse, PaddingMayConsumeTheWholePayload) {
  auto p = parse_rtp(rtp_bytes(0xa0, 0, {0, 0, 0, 4}));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->payload.empty());
}

TEST(RtpParse, EveryMalformedFormIsAnErrorValue) {
  struct Case {
    const char* what;
    Bytes bytes;
  };
  const std::vector<Case> cases = {
      {"empty", {}},
      {"11 bytes", Bytes(11, 0x80)},
      {"version 0", rtp_bytes(0x00, 0, {1, 2})},
      {"version 1", rtp_bytes(0x40, 0, {1, 2})},
      {"version 3", rtp_bytes(0xc0, 0, {1, 2})},
      {"CSRC count past the end", rtp_bytes(0x80 | 3, 0, {0, 0, 0, 1, 0, 0, 0, 2})},
      {"15 CSRCs, none present", rtp_bytes(0x8f, 0, {})},
      {"extension header cut short", rtp_bytes(0x90, 0, {0xbe, 0xde, 0x00})},
      {"extension length past the end", rtp_bytes(0x90, 0, {0xbe, 0xde, 0x00, 0x02, 1, 2, 3, 4})},
      {"extension length 0xffff", rtp_bytes(0x90, 0, {0xbe, 0xde, 0xff, 0xff})},
      {"padding count 0", rtp_bytes(0xa0, 0, {1, 2, 0})},
      {"padding past the payload", rtp_bytes(0xa0, 0, {1, 2, 5})},
      {"padding into the header", rtp_bytes(0xa0, 0, {255})},
      {"padding into the CSRCs", rtp_bytes(0xa1, 0, {0, 0, 0, 1, 9})},
  };
  for (const auto& c : cases) {
    auto p = parse_rtp(c.bytes);
    EXPECT_FALSE(p) << c.what;
    if (!p) {
      EXPECT_EQ(p.error().code, ErrorCode::bad_request) << c.what;
    }
  }
}

TEST(RtpWrite, RoundTripsThroughParse) {
  std::string out;
  const Bytes payload{1, 2, 3, 4, 5};
  for (const RtpHeader h : {RtpHeader{false, 0, 0, 0, 0}, RtpHeader{true, 127, 65535, 0xffffffffu, 0xfedcba98u},
                            RtpHeader{false, 101, 4242, 160, 7}}) {
    write_rtp(h, payload, out);
    ASSERT_EQ(out.size(), 12 + payload.size());
    EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x80);  // V=2, no P/X/CC
    auto p = parse_rtp(view(out));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->header.marker, h.marker);
    EXPECT_EQ(p->header.payload_type, h.payload_type);
    EXPECT_EQ(p->header.sequence, h.sequence);
    EXPECT_EQ(p->header.timestamp, h.timestamp);
    EXPECT_EQ(p->header.ssrc, h.ssrc);
    EXPECT_EQ(Bytes(p->payload.begin(), p->payload.end()), payload);
  }
  // `out` is cleared first: a second write does not append.
  write_rtp({}, {}, out);
  EXPECT_EQ(out.size(), 12u);
}

TEST(RtpDemux, LooksLikeRtcpFollowsRfc5761) {
  for (int pt = 0; pt < 128; ++pt) {
    const Bytes b{0x80, static_cast<uint8_t>(pt), 0, 0};
    EXPECT_EQ(looks_like_rtcp(b), pt >= 64 && pt <= 95) << pt;
  }
  EXPECT_TRUE(looks_like_rtcp(Bytes{0x80, 200}));  // SR: 200 & 0x7f = 72
  EXPECT_FALSE(looks_like_rtcp(Bytes{0x80}));
  EXPECT_FALSE(looks_like_rtcp(Bytes{}));
}

// ---- RTCP ------------------------------------------------------------------

TEST(Rtcp, SrWithReportSdesAndByeHasTheRfc3550ByteLayout) {
  const RtcpSenderInfo sender{0x11223344, 0x0102030405060708ull, 0x0a0b0c0d, 5, 800};
  RtcpReportBlock rb;
  rb.ssrc = 0x55667788;
  rb.fraction_lost = 0x40;
  rb.cumulative_lost = -3;
  rb.highest_sequence = 0x00010005;
  rb.jitter = 0x21;
  rb.last_sr = 0x03040506;
  rb.delay_since_last_sr = 0x00010000;
  std::string out;
  write_rtcp(sender, sender.ssrc, rb, "ab", true, out);
  // Hand-computed from RFC 3550 §6.4.1 (SR), §6.5 (SDES), §6.6 (BYE).
  const Bytes expected = {
      // SR: V=2 P=0 RC=1, PT=200, length 12 (13 words − 1)
      0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44,
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // NTP timestamp
      0x0a, 0x0b, 0x0c, 0x0d,                          // RTP timestamp
      0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0x20,  // packet count, octet count
      0x55, 0x66, 0x77, 0x88,                          // report block: SSRC_1
      0x40, 0xff, 0xff, 0xfd,                          // fraction lost, cumulative −3 (24-bit two's complement)
      0x00, 0x01, 0x00, 0x05,                          // extended highest sequence
      0x00, 0x00, 0x00, 0x21,                          // jitter
      0x03, 0x04, 0x05, 0x06, 0x00, 0x01, 0x00, 0x00,  // LSR, DLSR
      // SDES: SC=1, PT=202, length 3; chunk SSRC, CNAME(1) len 2 "ab", END + pad to 32 bits
      0x81, 0xca, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x00, 0x00,
      // BYE: SC=1, PT=203, length 1
      0x81, 0xcb, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};
  EXPECT_EQ(Bytes(out.begin(), out.end()), expected);

  auto s = parse_rtcp(view(out));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->has_sender_report);
  EXPECT_EQ(s->sender_ssrc, 0x11223344u);
  EXPECT_EQ(s->last_sr, 0x03040506u);  // middle 32 bits of the NTP timestamp
  ASSERT_TRUE(s->report);
  EXPECT_EQ(s->report->ssrc, rb.ssrc);
  EXPECT_EQ(s->report->fraction_lost, rb.fraction_lost);
  EXPECT_EQ(s->report->cumulative_lost, -3);
  EXPECT_EQ(s->report->highest_sequence, rb.highest_sequence);
  EXPECT_EQ(s->report->jitter, rb.jitter);
  EXPECT_EQ(s->report->last_sr, rb.last_sr);
  EXPECT_EQ(s->report->delay_since_last_sr, rb.delay_since_last_sr);
  EXPECT_TRUE(s->bye);
}

TEST(Rtcp, ReceiverReportAndSdesRoundTripWithEveryCnameLength) {
  RtcpReportBlock rb{0xabcdef01, 255, 0x7fffff, 0xffffffffu, 123456, 0xdeadbeef, 65536 * 3};
  std::string out;
  for (std::size_t len = 0; len <= 300; len += (len < 12 ? 1 : 37)) {
    const std::string cname(len, 'x');
    write_rtcp(std::nullopt, 0x99, rb, cname, false, out);
    EXPECT_EQ(out.size() % 4, 0u) << len;  // every RTCP packet is a multiple of 32 bits
    auto s = parse_rtcp(view(out));
    ASSERT_TRUE(s) << len;
    EXPECT_FALSE(s->has_sender_report);
    EXPECT_FALSE(s->bye);
    EXPECT_EQ(s->sender_ssrc, 0x99u);
    ASSERT_TRUE(s->report);
    EXPECT_EQ(s->report->cumulative_lost, 0x7fffff);
    EXPECT_EQ(s->report->highest_sequence, 0xffffffffu);
    EXPECT_EQ(s->report->delay_since_last_sr, 65536u * 3);
  }
  // Without a report block: an empty RR (RC=0), still parseable.
  write_rtcp(std::nullopt, 0x42, std::nullopt, "c", false, out);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x80);
  auto s = parse_rtcp(view(out));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->report);
  EXPECT_EQ(s->sender_ssrc, 0x42u);
}

TEST(Rtcp, MalformedCompoundPacketsAreErrors) {
  std::string good;
  write_rtcp(RtcpSenderInfo{1, 2, 3, 4, 5}, 1, std::nullopt, "x", true, good);
  const Bytes g(good.begin(), good.end());
  auto with = [&](auto edit) {
    Bytes b = g;
    edit(b);
    return b;
  };
  const std::vector<std::pair<const char*, Bytes>> cases = {
      {"empty", {}},
      {"3 bytes", {0x80, 0xc8, 0x00}},
      {"version 1", with([](Bytes& b) { b[0] = 0x40; })},
      {"length past the end", with([](Bytes& b) { b[3] = 0x40; })},
      {"length 0xffff", with([](Bytes& b) { b[2] = b[3] = 0xff; })},
      {"first packet SDES", with([](Bytes& b) { b.erase(b.begin(), b.begin() + 28); })},
      {"first packet BYE", {0x81, 0xcb, 0x00, 0x01, 0, 0, 0, 1}},
      {"truncated mid-SDES", with([](Bytes& b) { b.resize(b.size() - 9); })},
      {"second packet version 0", with([](Bytes& b) { b[28] = 0x01; })},
  };
  for (const auto& [what, bytes] : cases) EXPECT_FALSE(parse_rtcp(bytes)) << what;
  // An SR whose RC claims a block that is not there is read without the block.
  Bytes short_sr = {0x81, 0xc8, 0x00, 0x06, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6};
  auto s = parse_rtcp(short_sr);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->report);
}

// ---- telephone-event and DTMF ----------------------------------------------

TEST(TelephoneEvent, RoundTripsEveryField) {
  for (const TelephoneEvent e : {TelephoneEvent{0, false, 10, 160}, TelephoneEvent{11, true, 63, 65535},
                                 TelephoneEvent{15, true, 0, 800}, TelephoneEvent{255, false, 33, 0}}) {
    std::string out;
    write_telephone_event(e, out);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(static_cast<uint8_t>(out[1]) & 0x40, 0) << "the R bit is sent as zero (RFC 4733 §2.3)";
    auto p = parse_telephone_event(view(out));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->event, e.event);
    EXPECT_EQ(p->end, e.end);
    EXPECT_EQ(p->volume, e.volume);
    EXPECT_EQ(p->duration, e.duration);
  }
  // RFC 4733 §2.3 layout: event, E|R|volume, duration (network order).
  auto p = parse_telephone_event(Bytes{5, 0x80 | 0x40 | 12, 0x03, 0x20});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->event, 5);
  EXPECT_TRUE(p->end);
  EXPECT_EQ(p->volume, 12);  // the reserved bit is ignored
  EXPECT_EQ(p->duration, 800);
  EXPECT_FALSE(parse_telephone_event(Bytes{1, 2, 3}));
  EXPECT_FALSE(parse_telephone_event(Bytes{}));
}

TEST(Dtmf, CharactersAndEventCodesMapBothWays) {
  const std::string digits = "0123456789*#ABCD";
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(dtmf_char(static_cast<uint8_t>(i)), digits[static_cast<std::size_t>(i)]);
    EXPECT_EQ(dtmf_event(digits[static_cast<std::size_t>(i)]), i);
  }
  EXPECT_EQ(dtmf_event('a'), 12);
  EXPECT_EQ(dtmf_event('d'), 15);
  for (char c : std::string("EeXx +-\0", 8)) EXPECT_EQ(dtmf_event(c), -1) << static_cast<int>(c);
  EXPECT_EQ(dtmf_char(16), '\0');
  EXPECT_EQ(dtmf_char(255), '\0');
}

// ---- fuzz ------------------------------------------------------------------

/// Runs every parser over `d`; checks that a successful RTP parse stays inside the buffer.
void parse_all(std::span<const uint8_t> d) {
  if (auto p = parse_rtp(d)) {
    ASSERT_GE(p->payload.data(), d.data());
    ASSERT_LE(p->payload.data() + p->payload.size(), d.data() + d.size());
    (void)parse_telephone_event(p->payload);
  }
  (void)parse_rtcp(d);
  (void)looks_like_rtcp(d);
  (void)parse_telephone_event(d);
}

TEST(RtpFuzz, RandomBuffersAndMutatedPacketsNeverCrash) {
  std::mt19937 rng(4475);
  std::vector<uint8_t> buf;
  uint64_t rtp_ok = 0, rtcp_ok = 0;
  for (int i = 0; i < 200'000; ++i) {
    // Mostly short, sometimes up to 1500 bytes; a quarter start with version 2.
    const std::size_t n = (i % 10 == 0) ? rng() % 1500 : rng() % 64;
    buf.resize(n);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    if (n > 0 && i % 4 == 0) buf[0] = static_cast<uint8_t>((buf[0] & 0x3f) | 0x80);
    // Each parse gets an exact-size heap copy so an overread is an out-of-bounds access, not slack.
    auto exact = std::make_unique<uint8_t[]>(n == 0 ? 1 : n);
    std::copy(buf.begin(), buf.end(), exact.get());
    std::span<const uint8_t> d(exact.get(), n);
    parse_all(d);
    rtp_ok += parse_rtp(d).has_value();
    rtcp_ok += parse_rtcp(d).has_value();
  }
  // Seeds: valid packets of each kind, then random bit flips, byte sets, truncations and extensions.
  std::vector<std::string> seeds(4);
  write_rtp({true, 9, 1, 2, 3}, Bytes(160, 0x55), seeds[0]);
  seeds[1] = std::string("\xb2\x65\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03", 12) +  // P, X, CC=2
             std::string("\0\0\0\1\0\0\0\2\xbe\xde\0\1\1\2\3\4\xaa\xbb\0\3", 20);
  write_rtcp(RtcpSenderInfo{1, 2, 3, 4, 5}, 1, RtcpReportBlock{2, 3, -4, 5, 6, 7, 8}, "voqo@127.0.0.1", true, seeds[2]);
  write_rtcp(std::nullopt, 9, RtcpReportBlock{}, "", false, seeds[3]);
  for (const auto& seed : seeds) ASSERT_TRUE(parse_rtp(view(seed)) || parse_rtcp(view(seed)));
  for (int i = 0; i < 200'000; ++i) {
    std::string m = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !m.empty(); ++e) {
      const std::size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0: m[at] = static_cast<char>(m[at] ^ (1 << (rng() % 8))); break;
        case 1: m[at] = static_cast<char>(rng()); break;
        case 2: m.resize(at); break;
        default: m.append(rng() % 8, static_cast<char>(rng())); break;
      }
    }
    auto exact = std::make_unique<uint8_t[]>(m.empty() ? 1 : m.size());
    std::copy(m.begin(), m.end(), exact.get());
    parse_all({exact.get(), m.size()});
    rtcp_ok += parse_rtcp({exact.get(), m.size()}).has_value();
  }
  // Both parsers accepted some inputs and rejected most: the fuzz reached past the first checks.
  EXPECT_GT(rtp_ok, 1000u);
  EXPECT_LT(rtp_ok, 200'000u);
  EXPECT_GT(rtcp_ok, 0u);
}

// ---- reception statistics (RFC 3550 A.1, A.3, A.8) -------------------------

/// Feeds `seqs` at a steady 20 ms pace (160 RTP units), timestamps following the sequence.
void feed(RtpReceptionStats& s, std::initializer_list<int> seqs, uint32_t ts0 = 1000) {
  for (int q : seqs) {
    const auto seq = static_cast<uint16_t>(q);
    const uint32_t ts = ts0 + 160u * static_cast<uint32_t>(q);
    s.on_packet(seq, ts, ts + 5000);
  }
}

TEST(RtpReceptionStats, CountsLossAndReportsTheFractionPerInterval) {
  RtpReceptionStats s;
  EXPECT_EQ(s.lost(), 0);
  feed(s, {100, 101, 102, 104, 106, 107, 108, 109});  // 103 and 105 missing
  EXPECT_EQ(s.received(), 8u);
  EXPECT_EQ(s.lost(), 2);
  auto r = s.report(0xabc, 0x11, 0x22);
  EXPECT_EQ(r.ssrc, 0xabcu);
  EXPECT_EQ(r.fraction_lost, (2 << 8) / 10);  // A.3: lost_interval << 8 / expected_interval
  EXPECT_EQ(r.cumulative_lost, 2);
  EXPECT_EQ(r.highest_sequence, 109u);
  EXPECT_EQ(r.last_sr, 0x11u);
  EXPECT_EQ(r.delay_since_last_sr, 0x22u);
  feed(s, {110, 111, 112, 113});  // no loss in the next interval
  r = s.report(0xabc, 0, 0);
  EXPECT_EQ(r.fraction_lost, 0);
  EXPECT_EQ(r.cumulative_lost, 2);
  EXPECT_EQ(r.highest_sequence, 113u);
  feed(s, {115, 117, 118, 119});  // 4 of 6 arrive
  r = s.report(0xabc, 0, 0);
  EXPECT_EQ(r.fraction_lost, (2 << 8) / 6);
  EXPECT_EQ(r.cumulative_lost, 4);
}

TEST(RtpReceptionStats, ReorderedPacketsAreNotLoss) {
  RtpReceptionStats s;
  feed(s, {1, 2, 4, 3, 5, 7, 6, 8});
  EXPECT_EQ(s.lost(), 0);
  EXPECT_EQ(s.report(1, 0, 0).highest_sequence, 8u);
}

TEST(RtpReceptionStats, SequenceWrapAt65535ExtendsTheHighestSequence) {
  RtpReceptionStats s;
  feed(s, {65533, 65534, 65535, 65536, 65537, 65539});  // 0, 1, then 3 (2 lost)
  EXPECT_EQ(s.received(), 6u);
  EXPECT_EQ(s.lost(), 1);
  const auto r = s.report(1, 0, 0);
  EXPECT_EQ(r.highest_sequence, 65536u + 3);  // cycles in the high 16 bits
  EXPECT_EQ(r.cumulative_lost, 1);
  // A packet from before the wrap arriving late is reordering, not a new cycle.
  feed(s, {65535});
  EXPECT_EQ(s.report(1, 0, 0).highest_sequence, 65536u + 3);
}

TEST(RtpReceptionStats, APeerRestartIsFollowedAfterTwoSequentialPackets) {
  // RFC 3550 A.1: a jump beyond MAX_DROPOUT is a restart once the next
  // packet follows it; the statistics start over there.
  RtpReceptionStats s;
  feed(s, {100, 101, 102, 103});
  feed(s, {40000, 40001, 40002, 40003, 40004}, 77);
  EXPECT_EQ(s.lost(), 0);
  const auto r = s.report(1, 0, 0);
  EXPECT_EQ(r.highest_sequence, 40004u);
  EXPECT_EQ(r.cumulative_lost, 0);
  // A single stray packet far away changes nothing.
  RtpReceptionStats t;
  feed(t, {100, 101, 102});
  feed(t, {20000});
  feed(t, {103, 104});
  EXPECT_EQ(t.lost(), 0);
  EXPECT_EQ(t.report(1, 0, 0).highest_sequence, 104u);
}

TEST(RtpReceptionStats, JitterFollowsTheA8EstimatorOnASyntheticArrivalPattern) {
  // Packets every 160 units; arrivals alternate on time and 80 units late,
  // so every transit difference D = 80 after the first packet, and
  // J_n = J_{n-1} + (|D| − J_{n-1}) / 16  ⇒  J_n = 80 · (1 − (15/16)^n).
  RtpReceptionStats s;
  const uint32_t ts0 = 0xfffff000u;  // the sender's clock wraps during the stream
  for (int i = 0; i <= 100; ++i) {
    const uint32_t ts = ts0 + 160u * static_cast<uint32_t>(i);
    const uint32_t arrival = 0xffffff00u + 160u * static_cast<uint32_t>(i) + (i % 2 ? 80u : 0u);  // so does ours
    s.on_packet(static_cast<uint16_t>(i), ts, arrival);
    const double expected = 80.0 * (1.0 - std::pow(15.0 / 16.0, i));
    ASSERT_NEAR(s.jitter_units(), expected, 1e-6) << "packet " << i;
  }
  EXPECT_EQ(s.report(1, 0, 0).jitter, static_cast<uint32_t>(80.0 * (1.0 - std::pow(15.0 / 16.0, 100))));
  // Perfectly paced packets leave it at zero.
  RtpReceptionStats steady;
  for (uint32_t i = 0; i < 50; ++i) steady.on_packet(static_cast<uint16_t>(i), 160 * i, 12345 + 160 * i);
  EXPECT_EQ(steady.jitter_units(), 0.0);
}

TEST(RtpReceptionStats, GarbageTimestampsDoNotInflateTheJitterEstimate) {
  // Issue 15 §13: random RTP (in sequence, random timestamps) read as 36.7 s
  // of jitter. A paced stream with one garbage packet in four stays near its
  // real jitter (here 0), and all-garbage stays under the bound.
  std::mt19937 rng(4733);
  RtpReceptionStats mixed;
  for (uint32_t i = 0; i < 2000; ++i) {
    const uint32_t ts = i % 4 == 3 ? static_cast<uint32_t>(rng()) : 160 * i;
    mixed.on_packet(static_cast<uint16_t>(i), ts, 777 + 160 * i);
  }
  EXPECT_LT(mixed.jitter_units() / 8.0, 1.0) << "ms";
  RtpReceptionStats garbage;
  for (uint32_t i = 0; i < 2000; ++i) garbage.on_packet(static_cast<uint16_t>(i), static_cast<uint32_t>(rng()), 160 * i);
  EXPECT_LE(garbage.jitter_units(), static_cast<double>(RtpReceptionStats::kMaxTransitStep));
}

}  // namespace
}  // namespace voqo::telephony
