// The check of an inbound INVITE's SDP offer (src/telephony/sdp_offer.hpp):
// what is answered and what gets 488 before a call is accepted.
#include "telephony/sdp_offer.hpp"

#include <gtest/gtest.h>

#include <string>

#include <re.h>

namespace voqo::telephony {
namespace {

const std::vector<std::string> kCodecs = {"G722", "PCMU", "PCMA"};

SdpOfferCheck check(std::string sdp, const std::vector<std::string>& codecs = kCodecs) {
  ::sa local;
  sa_set_str(&local, "127.0.0.1", 5060);
  std::string crlf;
  for (char c : sdp) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return check_sdp_offer(crlf, local, codecs);
}

std::string offer(const std::string& port, const std::string& address, const std::string& formats) {
  std::string s = "v=0\no=- 1 1 IN IP4 " + address + "\ns=-\nc=IN IP4 " + address + "\nt=0 0\nm=audio " + port +
                  " RTP/AVP " + formats + "\n";
  // Phones name even static payload types (RFC 4566 §6 allows leaving them out).
  const std::pair<const char*, const char*> names[] = {
      {"0", "PCMU/8000"}, {"8", "PCMA/8000"}, {"9", "G722/8000"}, {"18", "G729/8000"}, {"101", "telephone-event/8000"}};
  for (const auto& [pt, name] : names)
    if ((" " + formats + " ").find(std::string(" ") + pt + " ") != std::string::npos)
      s += std::string("a=rtpmap:") + pt + " " + name + "\n";
  return s;
}

TEST(SdpOffer, APhoneOfferingG711IsAccepted) {
  const SdpOfferCheck c = check(offer("16450", "192.168.0.105", "0 8 101"));
  EXPECT_EQ(c.code, 0);
  EXPECT_STREQ(c.reason, "");
}

TEST(SdpOffer, NoCommonCodecIs488WithTheReason) {
  const SdpOfferCheck c = check(offer("4000", "192.0.2.1", "18 101"));  // G.729 only
  EXPECT_EQ(c.code, 488);
  EXPECT_STREQ(c.reason, "Not Acceptable Here (no common codec: G722, PCMU or PCMA)");
  // The same offer is fine for a list that has what it offers.
  EXPECT_EQ(check(offer("4000", "192.0.2.1", "0"), {"PCMU"}).code, 0);
  EXPECT_EQ(check(offer("4000", "192.0.2.1", "8"), {"PCMU"}).code, 488);
}

TEST(SdpOffer, AnUnusableMediaAddressIs488) {
  EXPECT_STREQ(check(offer("4000", "0.0.0.0", "0")).reason, "Not Acceptable Here (no usable media address)");
  EXPECT_EQ(check(offer("0", "192.0.2.1", "0")).code, 488);  // port 0: the stream is declined (RFC 3264 §5.1)
}

TEST(SdpOffer, APortPast65535IsRefusedOnItsTextNotWrapped) {
  // libre would keep the low 16 bits of 70000 (4464).
  const SdpOfferCheck c = check(offer("70000", "192.0.2.1", "0"));
  EXPECT_EQ(c.code, 488);
  EXPECT_STREQ(c.reason, "Not Acceptable Here (bad media port)");
  EXPECT_EQ(check(offer("", "192.0.2.1", "0")).code, 488);
}

TEST(SdpOffer, NoOfferOrNoSdpIs488) {
  EXPECT_EQ(check("").code, 488);  // late offer: not supported
  EXPECT_EQ(check("hello\n").code, 488);
  EXPECT_EQ(check("m=audio\n").code, 488);
}

TEST(SdpOffer, StaticPayloadTypesOfOurCodecs) {
  EXPECT_STREQ(static_payload_type("G722"), "9");
  EXPECT_STREQ(static_payload_type("PCMU"), "0");
  EXPECT_STREQ(static_payload_type("PCMA"), "8");
  EXPECT_EQ(static_payload_type("opus"), nullptr);
}

}  // namespace
}  // namespace voqo::telephony
