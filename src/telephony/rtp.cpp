#include "telephony/rtp.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace voqo::telephony {
namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}
Error malformed(const char* what) { return Error::bad_request(std::string("malformed RTP/RTCP: ") + what); }

}  // namespace

Result<RtpPacket> parse_rtp(std::span<const uint8_t> d) {
  if (d.size() < 12) return std::unexpected(malformed("shorter than the 12-byte header"));
  const uint8_t* p = d.data();
  if ((p[0] >> 6) != 2) return std::unexpected(malformed("version is not 2"));
  const bool padding = p[0] & 0x20, extension = p[0] & 0x10;
  const std::size_t csrc_count = p[0] & 0x0f;
  RtpPacket pkt;
  pkt.header.marker = p[1] & 0x80;
  pkt.header.payload_type = p[1] & 0x7f;
  pkt.header.sequence = be16(p + 2);
  pkt.header.timestamp = be32(p + 4);
  pkt.header.ssrc = be32(p + 8);
  std::size_t offset = 12 + 4 * csrc_count;
  if (offset > d.size()) return std::unexpected(malformed("CSRC list past the end"));
  if (extension) {
    if (offset + 4 > d.size()) return std::unexpected(malformed("extension header past the end"));
    offset += 4 + 4 * std::size_t{be16(p + offset + 2)};
    if (offset > d.size()) return std::unexpected(malformed("extension past the end"));
  }
  std::size_t end = d.size();
  if (padding) {
    const std::size_t pad = p[d.size() - 1];
    if (pad == 0 || offset + pad > end) return std::unexpected(malformed("bad padding length"));
    end -= pad;
  }
  pkt.payload = d.subspan(offset, end - offset);
  return pkt;
}

void write_rtp(const RtpHeader& h, std::span<const uint8_t> payload, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(0x80));
  out.push_back(static_cast<char>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f)));
  put16(out, h.sequence);
  put32(out, h.timestamp);
  put32(out, h.ssrc);
  out.append(reinterpret_cast<const char*>(payload.data()), payload.size());
}

bool looks_like_rtcp(std::span<const uint8_t> d) {
  if (d.size() < 2) return false;
  const uint8_t pt = d[1] & 0x7f;
  return pt >= 64 && pt <= 95;
}

void write_rtcp(const std::optional<RtcpSenderInfo>& sender, uint32_t ssrc,
                const std::optional<RtcpReportBlock>& report, std::string_view cname, bool bye,
                std::string& out) {
  out.clear();
  const uint8_t rc = report ? 1 : 0;
  // SR (PT 200) or RR (PT 201); length in 32-bit words minus one.
  const uint16_t words = static_cast<uint16_t>(1 + (sender ? 5 : 0) + 6 * rc);
  out.push_back(static_cast<char>(0x80 | rc));
  out.push_back(static_cast<char>(sender ? 200 : 201));
  put16(out, words);
  put32(out, ssrc);
  if (sender) {
    put32(out, static_cast<uint32_t>(sender->ntp_timestamp >> 32));
    put32(out, static_cast<uint32_t>(sender->ntp_timestamp));
    put32(out, sender->rtp_timestamp);
    put32(out, sender->packet_count);
    put32(out, sender->octet_count);
  }
  if (report) {
    put32(out, report->ssrc);
    const uint32_t lost = static_cast<uint32_t>(report->cumulative_lost) & 0xffffff;
    put32(out, static_cast<uint32_t>(report->fraction_lost) << 24 | lost);
    put32(out, report->highest_sequence);
    put32(out, report->jitter);
    put32(out, report->last_sr);
    put32(out, report->delay_since_last_sr);
  }
  // SDES (PT 202), one chunk: SSRC, CNAME item, END, padded to 32 bits.
  const std::size_t name_len = std::min<std::size_t>(cname.size(), 255);
  const std::size_t chunk = 4 + 2 + name_len + 1;
  const std::size_t padded = (chunk + 3) / 4 * 4;
  out.push_back(static_cast<char>(0x81));
  out.push_back(static_cast<char>(202));
  put16(out, static_cast<uint16_t>(padded / 4));
  put32(out, ssrc);
  out.push_back(1);
  out.push_back(static_cast<char>(name_len));
  out.append(cname.substr(0, name_len));
  out.append(padded - chunk + 1, '\0');
  if (bye) {
    out.push_back(static_cast<char>(0x81));
    out.push_back(static_cast<char>(203));
    put16(out, 1);
    put32(out, ssrc);
  }
}

Result<RtcpSummary> parse_rtcp(std::span<const uint8_t> d) {
  RtcpSummary s;
  std::size_t off = 0;
  bool first = true;
  while (off + 4 <= d.size()) {
    const uint8_t* p = d.data() + off;
    if ((p[0] >> 6) != 2) return std::unexpected(malformed("RTCP version is not 2"));
    const uint8_t count = p[0] & 0x1f, pt = p[1];
    const std::size_t len = 4 * (std::size_t{be16(p + 2)} + 1);
    if (off + len > d.size()) return std::unexpected(malformed("RTCP length past the end"));
    if (first && pt != 200 && pt != 201) return std::unexpected(malformed("compound RTCP must start with SR or RR"));
    first = false;
    std::size_t blocks = 0;
    if (pt == 200 && len >= 28) {
      s.has_sender_report = true;
      s.sender_ssrc = be32(p + 4);
      s.last_sr = (be32(p + 8) << 16) | (be32(p + 12) >> 16);
      blocks = 28;
    } else if (pt == 201 && len >= 8) {
      s.sender_ssrc = be32(p + 4);
      blocks = 8;
    } else if (pt == 203) {
      s.bye = true;
    }
    if (blocks && count > 0 && blocks + 24 <= len && !s.report) {
      const uint8_t* b = p + blocks;
      RtcpReportBlock r;
      r.ssrc = be32(b);
      r.fraction_lost = b[4];
      int32_t lost = static_cast<int32_t>(be32(b + 4) & 0xffffff);
      if (lost & 0x800000) lost -= 0x1000000;
      r.cumulative_lost = lost;
      r.highest_sequence = be32(b + 8);
      r.jitter = be32(b + 12);
      r.last_sr = be32(b + 16);
      r.delay_since_last_sr = be32(b + 20);
      s.report = r;
    }
    off += len;
  }
  if (first) return std::unexpected(malformed("empty RTCP packet"));
  return s;
}

Result<TelephoneEvent> parse_telephone_event(std::span<const uint8_t> p) {
  if (p.size() < 4) return std::unexpected(malformed("telephone-event payload shorter than 4 bytes"));
  TelephoneEvent e;
  e.event = p[0];
  e.end = p[1] & 0x80;
  e.volume = p[1] & 0x3f;
  e.duration = be16(p.data() + 2);
  return e;
}

void write_telephone_event(const TelephoneEvent& e, std::string& out) {
  out.push_back(static_cast<char>(e.event));
  out.push_back(static_cast<char>((e.end ? 0x80 : 0) | (e.volume & 0x3f)));
  put16(out, e.duration);
}

char dtmf_char(uint8_t event) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return event < 16 ? kDigits[event] : '\0';
}

int dtmf_event(char digit) {
  static constexpr std::string_view kDigits = "0123456789*#ABCD";
  auto pos = kDigits.find(static_cast<char>(std::toupper(static_cast<unsigned char>(digit))));
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// RFC 3550 A.1 (sequence number bookkeeping; simplified: a new source needs no
// probation, but a large jump is only followed once a second packet confirms
// it) and A.8 (jitter).
void RtpReceptionStats::on_packet(uint16_t seq, uint32_t timestamp, uint32_t arrival_rtp) {
  constexpr uint16_t kMaxDropout = 3000, kMaxMisorder = 100;  // RFC 3550 A.1
  // A.8: transit times in RTP units, modulo 2^32 like the RFC's 32-bit
  // arithmetic, so the sender's or our clock wrapping is not a jump.
  const uint32_t transit = arrival_rtp - timestamp;
  auto restart = [&] {
    started_ = true;
    base_seq_ = seq;
    max_seq_ = seq;
    cycles_ = 0;
    received_ = 0;
    expected_prior_ = 0;
    received_prior_ = 0;
    bad_seq_ = kNoBadSeq;
    transit_ = transit;
  };
  if (!started_) restart();
  const uint16_t delta = static_cast<uint16_t>(seq - max_seq_);
  if (delta < kMaxDropout) {  // in order, possibly with a gap
    if (seq < max_seq_) cycles_ += 65536;
    max_seq_ = seq;
  } else if (delta <= 65536 - kMaxMisorder) {
    // A large jump: the source restarted (A.1) when the next packet follows
    // this one; until then the packet is not counted.
    if (seq != bad_seq_) {
      bad_seq_ = static_cast<uint16_t>(seq + 1);
      return;
    }
    restart();
  }  // else a duplicate or reordered packet
  ++received_;
  const int32_t d = static_cast<int32_t>(transit - static_cast<uint32_t>(transit_));
  transit_ = transit;
  // A transit change beyond kMaxTransitStep is not network jitter but a
  // timestamp jump (a restarted or garbage sender): it re-bases the transit
  // time without entering the estimate, so junk cannot inflate it (random
  // timestamps read as 36.7 s of jitter before).
  if (std::abs(static_cast<int64_t>(d)) > kMaxTransitStep) return;
  jitter_ += (std::abs(static_cast<double>(d)) - jitter_) / 16.0;
}

int64_t RtpReceptionStats::lost() const {
  if (!started_) return 0;
  const int64_t expected = static_cast<int64_t>(cycles_ + max_seq_) - base_seq_ + 1;
  return expected - received_;
}

RtcpReportBlock RtpReceptionStats::report(uint32_t ssrc, uint32_t last_sr, uint32_t dlsr) {
  RtcpReportBlock r;
  r.ssrc = ssrc;
  const uint32_t expected = started_ ? cycles_ + max_seq_ - base_seq_ + 1 : 0;
  const uint32_t expected_interval = expected - expected_prior_;
  const uint32_t received_interval = received_ - received_prior_;
  expected_prior_ = expected;
  received_prior_ = received_;
  const int64_t lost_interval = static_cast<int64_t>(expected_interval) - received_interval;
  r.fraction_lost = (expected_interval == 0 || lost_interval <= 0)
                        ? 0
                        : static_cast<uint8_t>(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
  r.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(lost(), -0x800000, 0x7fffff));
  r.highest_sequence = cycles_ + max_seq_;
  r.jitter = static_cast<uint32_t>(jitter_);
  r.last_sr = last_sr;
  r.delay_since_last_sr = dlsr;
  return r;
}

}  // namespace voqo::telephony
