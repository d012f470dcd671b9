#pragma once
/// RTP and RTCP wire formats for one audio stream (RFC 3550) and the
/// telephone-event payload for DTMF (RFC 4733, which obsoletes RFC 2833).
/// Pure functions over byte buffers: no sockets, no allocation on parse, safe
/// on hostile input (every length is checked; a malformed packet is an error
/// value, never a crash).
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"

namespace voqo::telephony {

/// The fixed RTP header fields we use (RFC 3550 §5.1).
struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;  ///< 7 bits
  uint16_t sequence = 0;
  uint32_t timestamp = 0;    ///< in the payload's RTP clock (8000 Hz for all our audio, RFC 3551 §4.5.2)
  uint32_t ssrc = 0;
};

/// A parsed RTP packet: the header and a view of the payload inside the
/// datagram (CSRCs, header extension and padding skipped).
struct RtpPacket {
  RtpHeader header;
  std::span<const uint8_t> payload;
};

/// Parses an RTP datagram. Errors (ErrorCode::bad_request): shorter than 12
/// bytes, version ≠ 2, CSRC list / extension / padding longer than the packet.
Result<RtpPacket> parse_rtp(std::span<const uint8_t> datagram);

/// Writes a 12-byte RTP header (version 2, no CSRC, no extension, no padding)
/// followed by `payload` into `out` (cleared first; allocation-free when `out`
/// has the capacity).
void write_rtp(const RtpHeader& header, std::span<const uint8_t> payload, std::string& out);

/// True when the first byte says RTCP rather than RTP on a shared port
/// (RFC 5761 §4: payload types 64–95 after the marker bit are RTCP).
bool looks_like_rtcp(std::span<const uint8_t> datagram);

/// Sender statistics for an RTCP sender report.
struct RtcpSenderInfo {
  uint32_t ssrc = 0;
  uint64_t ntp_timestamp = 0;  ///< NTP format: seconds since 1900 << 32 | fraction
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
};

/// One reception report block (RFC 3550 §6.4.1).
struct RtcpReportBlock {
  uint32_t ssrc = 0;              ///< the source reported on
  uint8_t fraction_lost = 0;      ///< lost since the last report, fixed point /256
  int32_t cumulative_lost = 0;    ///< 24-bit signed
  uint32_t highest_sequence = 0;  ///< extended highest sequence number received
  uint32_t jitter = 0;            ///< interarrival jitter, RTP timestamp units
  uint32_t last_sr = 0;           ///< middle 32 bits of the last SR's NTP timestamp
  uint32_t delay_since_last_sr = 0;  ///< 1/65536 s
};

/// Builds a compound RTCP packet: SR (when `sender` is given) or RR with at
/// most one report block, then SDES with CNAME (RFC 3550 §6.1: every compound
/// packet carries SDES CNAME), then BYE when `bye` (RFC 3550 §6.6).
void write_rtcp(const std::optional<RtcpSenderInfo>& sender, uint32_t ssrc,
                const std::optional<RtcpReportBlock>& report, std::string_view cname, bool bye,
                std::string& out);

/// What a received compound RTCP packet said about us / the peer.
struct RtcpSummary {
  bool has_sender_report = false;
  uint32_t sender_ssrc = 0;
  uint32_t last_sr = 0;  ///< middle 32 bits of the peer's SR NTP timestamp (for our next RR's LSR)
  std::optional<RtcpReportBlock> report;  ///< the first report block, if any
  bool bye = false;
};

/// Parses a compound RTCP packet (SR, RR, SDES, BYE, APP; unknown types
/// skipped by length). Errors (ErrorCode::bad_request): version ≠ 2, a length
/// field past the end, a first packet that is neither SR nor RR (RFC 3550 §6.1).
Result<RtcpSummary> parse_rtcp(std::span<const uint8_t> datagram);

/// An RFC 4733 §2.3 telephone-event payload (4 bytes).
struct TelephoneEvent {
  uint8_t event = 0;       ///< 0–9 digits, 10 '*', 11 '#', 12–15 A–D
  bool end = false;        ///< E bit: last packets of the event
  uint8_t volume = 10;     ///< 0–63, -dBm0
  uint16_t duration = 0;   ///< in RTP timestamp units since the event began
};

/// Parses a telephone-event payload. Errors: fewer than 4 bytes.
Result<TelephoneEvent> parse_telephone_event(std::span<const uint8_t> payload);
/// Appends the 4-byte payload for `event` to `out`.
void write_telephone_event(const TelephoneEvent& event, std::string& out);
/// The DTMF character for an event code (0–15) or '\0' for other events.
char dtmf_char(uint8_t event);
/// The event code for a DTMF character ("0123456789*#ABCD", case-insensitive), or -1.
int dtmf_event(char digit);

/// RFC 3550 appendix A.1/A.8: per-source reception statistics kept by the receiver.
class RtpReceptionStats {
 public:
  /// Accounts for one packet with `sequence` that arrived at `arrival_rtp`
  /// (the arrival time converted to the RTP clock) carrying `timestamp`.
  /// A jump of more than 3000 ahead (or 100 behind) is ignored unless the
  /// next packet follows it, in which case the statistics restart there (the
  /// source restarted; RFC 3550 A.1). Both clocks may wrap (A.8 arithmetic is
  /// modulo 2^32).
  void on_packet(uint16_t sequence, uint32_t timestamp, uint32_t arrival_rtp);
  /// The report block for the interval since the last call (updates the interval state).
  RtcpReportBlock report(uint32_t ssrc, uint32_t last_sr, uint32_t delay_since_last_sr);
  [[nodiscard]] uint32_t received() const { return received_; }
  [[nodiscard]] int64_t lost() const;
  [[nodiscard]] double jitter_units() const { return jitter_; }  ///< RTP timestamp units
  /// The largest change of relative transit time between two packets that
  /// counts as jitter: 3 s at the 8 kHz clock. A larger one is a timestamp
  /// jump (a restarted, misbehaving or hostile sender) and is left out of the
  /// A.8 estimate, which therefore stays below this bound.
  static constexpr int64_t kMaxTransitStep = 3 * 8000;

 private:
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;
  uint32_t base_seq_ = 0;
  uint32_t received_ = 0;
  uint32_t expected_prior_ = 0;
  uint32_t received_prior_ = 0;
  static constexpr uint32_t kNoBadSeq = 65536 + 1;  ///< RFC 3550 A.1 RTP_SEQ_MOD + 1: matches no sequence
  uint32_t bad_seq_ = kNoBadSeq;  ///< the sequence that confirms a restart after a large jump (A.1)
  int64_t transit_ = 0;  ///< last relative transit time, RTP units modulo 2^32
  double jitter_ = 0;
};

}  // namespace voqo::telephony
