#pragma once
/// The check of an inbound SDP offer (RFC 3264 §5-6, RFC 4566 §5.14) that
/// SipUserAgent runs on an INVITE's body before anything is allocated for the
/// call: a pure function of the body, so that it can be tested and fuzzed
/// without a SIP stack (tests/fuzz/sdp_offer_fuzz.cpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sa;  // libre's socket address (re_sa.h)

namespace voqo::telephony {

/// The verdict on an offer: `code` 0 when it is acceptable, else 488 (RFC
/// 3261 §21.4.26 Not Acceptable Here) with `reason`, the reason phrase to
/// send (a static string).
struct SdpOfferCheck {
  uint16_t code = 0;
  const char* reason = "";
};

/// Checks `body`, the SDP offer of an INVITE (UTF-8/ASCII text, any size).
/// Acceptable: an audio stream we can answer, with a port 1-65535 (checked
/// on the text: libre keeps only the low 16 bits of an m= port), a
/// connection address that is set and not 0.0.0.0 / ::, and one of `codecs`
/// (SDP encoding names: G722, PCMU, PCMA, RFC 3551 static payload types).
/// An empty body is refused (we do not support late offers, RFC 3261 §13.2.1).
/// `local` is any local address (libre's decoder needs a session to decode
/// into). Never throws; malformed SDP is a 488.
SdpOfferCheck check_sdp_offer(std::string_view body, const ::sa& local, const std::vector<std::string>& codecs);

/// The RFC 3551 §6 static payload type ("9", "0", "8") of an audio codec we
/// encode, given its SDP name ("G722", "PCMU", "PCMA"); nullptr for any other.
const char* static_payload_type(std::string_view name);

}  // namespace voqo::telephony
