// The check of an inbound INVITE's SDP offer (src/telephony/sdp_offer.hpp),
// which runs on the SIP thread on any body a caller sends, before the call is
// accepted. Properties: the verdict is 0 or 488 with a reason; the same body
// gets the same verdict twice (no state leaks between checks).
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "telephony/sdp_offer.hpp"

#include <re.h>

using namespace voqo::telephony;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kDefault = {"G722", "PCMU", "PCMA"};  // SipTrunk{}.codecs
  static const std::vector<std::string> kG711 = {"PCMU"};
  static ::sa local = [] {
    ::sa a;
    sa_set_str(&a, "127.0.0.1", 5060);
    return a;
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const SdpOfferCheck first = check_sdp_offer(body, local, kDefault);
  FUZZ_CHECK(first.code == 0 || first.code == 488);
  FUZZ_CHECK(first.reason != nullptr && (first.code == 0) == (first.reason[0] == '\0'));
  const SdpOfferCheck again = check_sdp_offer(body, local, kDefault);
  FUZZ_CHECK(again.code == first.code && std::string_view(again.reason) == first.reason);
  const SdpOfferCheck narrow = check_sdp_offer(body, local, kG711);
  FUZZ_CHECK(narrow.code == 0 || narrow.code == 488);
  return 0;
}
