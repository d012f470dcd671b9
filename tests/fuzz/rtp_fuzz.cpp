// The RTP/RTCP parsers (src/telephony/rtp.hpp) on hostile datagrams: any
// bytes from the network reach parse_rtp / parse_rtcp on the media threads.
// Properties: a parsed packet's payload lies inside the datagram; writing the
// parsed header with its payload and parsing again gives the same header and
// payload; a telephone-event parses from any 4 bytes; reception statistics
// accept any sequence/timestamp history.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "fuzz_check.hpp"
#include "telephony/rtp.hpp"

using namespace voqo::telephony;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> datagram(data, size);
  (void)looks_like_rtcp(datagram);
  if (auto rtp = parse_rtp(datagram)) {
    const auto& p = *rtp;
    FUZZ_CHECK(p.payload.empty() || (p.payload.data() >= data && p.payload.data() + p.payload.size() <= data + size));
    FUZZ_CHECK(p.header.payload_type < 128);
    std::string out;
    write_rtp(p.header, p.payload, out);
    auto again = parse_rtp({reinterpret_cast<const uint8_t*>(out.data()), out.size()});
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->header.marker == p.header.marker && again->header.payload_type == p.header.payload_type &&
               again->header.sequence == p.header.sequence && again->header.timestamp == p.header.timestamp &&
               again->header.ssrc == p.header.ssrc);
    FUZZ_CHECK(again->payload.size() == p.payload.size() &&
               (p.payload.empty() || std::memcmp(again->payload.data(), p.payload.data(), p.payload.size()) == 0));
    if (auto te = parse_telephone_event(p.payload)) {
      std::string ev;
      write_telephone_event(*te, ev);
      FUZZ_CHECK(ev.size() == 4);
      (void)dtmf_char(te->event);
    }
  }
  if (auto rtcp = parse_rtcp(datagram)) {
    if (rtcp->report) FUZZ_CHECK(rtcp->report->cumulative_lost >= -(1 << 23) && rtcp->report->cumulative_lost < (1 << 23));
  }
  // The datagram as a history of (sequence, timestamp, arrival) triples.
  RtpReceptionStats stats;
  for (size_t at = 0; at + 10 <= size; at += 10) {
    uint16_t seq;
    uint32_t ts, arrival;
    std::memcpy(&seq, data + at, 2);
    std::memcpy(&ts, data + at + 2, 4);
    std::memcpy(&arrival, data + at + 6, 4);
    stats.on_packet(seq, ts, arrival);
    if (data[at] & 1) (void)stats.report(1, 0, 0);
  }
  FUZZ_CHECK(stats.jitter_units() >= 0 && stats.jitter_units() <= RtpReceptionStats::kMaxTransitStep);
  (void)stats.lost();
  return 0;
}
