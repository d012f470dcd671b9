#pragma once
/// One call's SDP offer/answer state (RFC 3264) over libre's `sdp_session`:
/// our single audio stream and the peer's description as last decoded. The
/// SIP user agent (sip_agent.cpp) owns one per call and uses it on the SIP
/// thread only; the pure check of an inbound offer before anything is
/// allocated is sdp_offer.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "telephony/media_engine.hpp"

struct sa;           // libre's socket address (re_sa.h)
struct mbuf;         // libre's memory buffer (re_mbuf.h)
struct sdp_session;  // libre (re_sdp.h)
struct sdp_media;

namespace voqo::telephony {

class SdpSession {
 public:
  SdpSession() = default;
  ~SdpSession() { close(); }
  SdpSession(const SdpSession&) = delete;
  SdpSession& operator=(const SdpSession&) = delete;

  /// Creates the session with our audio m-line at `local` (address) and
  /// `port` (our RTP port; RTCP is port + 1, RFC 3550 §11): `codecs` as SDP
  /// encoding names in order of preference ("G722", "PCMU", "PCMA"; RFC 3551
  /// static payload types), telephone-event on payload type 101 for DTMF
  /// 0-15 (RFC 4733 §7) and a=ptime:20 (RFC 4566 §6).
  /// Errors: invalid_argument with field "codecs" (a codec we do not
  /// encode); internal (libre could not allocate).
  Result<void> open(const ::sa& local, uint16_t port, const std::vector<std::string>& codecs);

  /// Our description as an offer (outbound INVITE) or as the answer to the
  /// peer's last decoded offer. The caller owns the buffer (mem_deref).
  /// Errors: internal (not open, or libre could not encode).
  Result<::mbuf*> encode(bool offer);

  /// Reads the peer's SDP (`offer`: an INVITE or re-INVITE; otherwise the
  /// answer of a 183 or 200). Returns false when it does not parse.
  bool decode(::mbuf* body, bool offer);

  /// The decoded offer has one of `codecs` and a media address (the guard
  /// before answering 200; RFC 3264 §6).
  bool usable_offer(const std::vector<std::string>& codecs) const;

  /// The peer's last description puts us on hold: sendonly or inactive
  /// (RFC 3264 §8.4), or the RFC 2543 c=0.0.0.0.
  bool remote_holds() const;

  /// Fills what the negotiation decided into `stream`: the first of our
  /// `codecs` (our order of preference) that the peer has, its payload type,
  /// the peer's RTP address, its RTCP address (a=rtcp, RFC 3605, else the
  /// RTP port + 1) and its telephone-event payload type (-1 = none).
  /// Errors: bad_request (no description, or no usable media address);
  /// unsupported (no common codec; the message names ours).
  Result<void> negotiate(const std::vector<std::string>& codecs, StreamConfig& stream) const;

  /// Frees libre's session (idempotent).
  void close();

 private:
  ::sdp_session* session_ = nullptr;
  ::sdp_media* media_ = nullptr;  ///< owned by session_
};

}  // namespace voqo::telephony
