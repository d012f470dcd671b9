#pragma once
/// RTP audio codecs for SIP calls: G.711 µ-law (PCMU), G.711 A-law (PCMA) and
/// G.722 at 64 kbit/s, all implemented by spandsp (Debian 12: 0.0.6), which is
/// bit exact against the ITU-T test vectors.
///
/// Hot audio path: encode() and decode() append to caller-owned buffers and
/// allocate nothing when the output already has the capacity (reserve once per
/// call, e.g. 160 bytes / 320 samples for a 20 ms frame), take no locks and
/// never throw.
///
/// Codecs are stateful (G.722 is sub-band ADPCM: each direction carries its
/// predictor and step-size state from one packet to the next), so a call uses
/// one encoder instance for the audio it sends and another instance for the
/// audio it receives, and never shares either between calls or threads.
/// G.722's QMF analysis and synthesis filters delay the decoded audio by 22
/// samples at 16 kHz (1.375 ms, measured on speech in tests/unit/codec_test.cpp);
/// G.711 is memoryless (no delay, no state).
/// Thread-compatible, not thread-safe.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace voqo::telephony {

/// One codec instance for one direction of one call.
class AudioCodec {
 public:
  virtual ~AudioCodec() = default;

  /// The SDP encoding name (RFC 3551 §6, `a=rtpmap:<pt> <name>/<clock rate>`):
  /// "PCMU", "PCMA" or "G722".
  [[nodiscard]] virtual std::string_view name() const = 0;

  /// The static RTP payload type (RFC 3551 §6, table 4): PCMU 0, PCMA 8, G722 9.
  [[nodiscard]] virtual int payload_type() const = 0;

  /// Sample rate of the linear PCM audio that encode() takes and decode()
  /// returns, in Hz: 8000 for PCMU/PCMA, 16000 for G722.
  [[nodiscard]] virtual int sample_rate_hz() const = 0;

  /// The RTP timestamp clock rate in Hz, what SDP's rtpmap advertises: 8000 for
  /// all three. For G.722 this is NOT the sample rate: RFC 3551 §4.5.2 keeps
  /// 8000 Hz for G.722 "for historic reasons" (an error in RFC 1890 that
  /// deployed equipment depends on), so G.722's RTP timestamp advances by 160
  /// per 20 ms packet even though the packet carries 320 samples at 16 kHz.
  /// RTP code must use this, never sample_rate_hz(), for timestamps.
  [[nodiscard]] virtual int rtp_clock_rate_hz() const = 0;

  /// Linear PCM samples (at sample_rate_hz()) in a packet of `ptime_ms`
  /// milliseconds (SDP `a=ptime`, RFC 4566 §6; 20 ms by default per RFC 3551
  /// §4.5): 160 for PCMU/PCMA, 320 for G722 at 20 ms. Returns 0 for ptime ≤ 0.
  [[nodiscard]] int samples_per_frame(int ptime_ms) const;

  /// Encoded payload bytes for `samples` linear samples: PCMU/PCMA 1 byte per
  /// sample (64 kbit/s at 8 kHz); G722 1 byte per 2 samples (64 kbit/s at 16 kHz,
  /// one 8-bit codeword per pair of input samples, ITU-T G.722 §1.4).
  [[nodiscard]] virtual std::size_t encoded_bytes(std::size_t samples) const = 0;

  /// Linear samples that `bytes` bytes of payload decode to: 1 per byte for
  /// PCMU/PCMA, 2 per byte for G722.
  [[nodiscard]] virtual std::size_t decoded_samples(std::size_t bytes) const = 0;

  /// Encodes mono signed 16-bit PCM at sample_rate_hz() and appends the RTP
  /// payload bytes (encoded_bytes(pcm.size()) of them) to `out`.
  /// Allocation-free when `out` has the capacity. Errors:
  /// ErrorCode::invalid_argument (field "pcm") for G722 given an odd number of
  /// samples: G.722's QMF analysis consumes input in pairs (spandsp's
  /// g722_encode would read past the end), so frames must be even; `out` is
  /// left unchanged then.
  virtual Result<void> encode(std::span<const int16_t> pcm, std::string& out) = 0;

  /// Decodes an RTP payload and appends decoded_samples(payload.size()) mono
  /// signed 16-bit samples at sample_rate_hz() to `out`. Any length is valid
  /// for all three codecs (G.711: 1 byte per sample; G.722: every byte is a
  /// complete codeword for 2 samples); an empty payload appends nothing.
  /// Allocation-free when `out` has the capacity. No errors today; the Result
  /// leaves room for codecs with framing rules.
  virtual Result<void> decode(std::span<const uint8_t> payload, std::vector<int16_t>& out) = 0;

  /// Returns the codec to its initial state (e.g. for a new RTP stream / SSRC).
  virtual void reset() = 0;
};

/// The SDP encoding names make_codec() accepts, in order of preference for a
/// call whose audio goes to 16 kHz speech recognition: "G722", "PCMU", "PCMA".
std::span<const std::string_view> supported_codecs();

/// Creates a codec by SDP encoding name, case-insensitively (RFC 4566 §6:
/// encoding names are case-insensitive): "PCMU", "PCMA" or "G722".
/// Errors: ErrorCode::unsupported for any other name (e.g. "opus"), the
/// message listing the supported names; ErrorCode::internal if spandsp fails
/// to initialise.
Result<std::unique_ptr<AudioCodec>> make_codec(std::string_view sdp_name);

}  // namespace voqo::telephony
