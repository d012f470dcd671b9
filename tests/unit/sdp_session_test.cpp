// One call's SDP offer/answer (src/telephony/sdp_session.hpp): what we offer,
// how the peer's description decides the stream, and hold (RFC 3264).
#include "telephony/sdp_session.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include <re.h>

namespace voqo::telephony {
namespace {

const std::vector<std::string> kCodecs = {"G722", "PCMU", "PCMA"};

::sa local_address() {
  ::sa local;
  sa_set_str(&local, "192.0.2.10", 0);
  return local;
}

/// An mbuf holding `sdp` with CRLF line ends (the caller mem_derefs it).
::mbuf* body(const std::string& sdp) {
  std::string crlf;
  for (char c : sdp) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  ::mbuf* mb = mbuf_alloc(crlf.size());
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(crlf.data()), crlf.size());
  mbuf_set_pos(mb, 0);
  return mb;
}

std::string text(::mbuf* mb) { return std::string(reinterpret_cast<const char*>(mb->buf), mb->end); }

std::string peer(const std::string& formats, const std::string& extra = "", const std::string& address = "198.51.100.7") {
  return "v=0\no=- 1 1 IN IP4 " + address + "\ns=-\nc=IN IP4 " + address + "\nt=0 0\nm=audio 40000 RTP/AVP " + formats +
         "\na=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=rtpmap:9 G722/8000\na=rtpmap:96 telephone-event/8000\n" + extra;
}

uint16_t port_of(const sockaddr_storage& s) { return ntohs(reinterpret_cast<const sockaddr_in&>(s).sin_port); }

TEST(SdpSession, OurOfferListsTheCodecsInOrderWithTelephoneEventsAndPtime) {
  SdpSession sdp;
  ASSERT_TRUE(sdp.open(local_address(), 20000, {"PCMA", "G722"}));
  auto offer = sdp.encode(true);
  ASSERT_TRUE(offer);
  const std::string s = text(*offer);
  mem_deref(*offer);
  EXPECT_NE(s.find("m=audio 20000 RTP/AVP 8 9 101"), std::string::npos) << s;
  EXPECT_NE(s.find("c=IN IP4 192.0.2.10"), std::string::npos) << s;
  EXPECT_NE(s.find("a=fmtp:101 0-15"), std::string::npos) << s;
  EXPECT_NE(s.find("a=ptime:20"), std::string::npos) << s;
}

TEST(SdpSession, ACodecWeDoNotEncodeIsRefusedNamingTheField) {
  SdpSession sdp;
  auto opened = sdp.open(local_address(), 20000, {"G722", "G729"});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().field(), "codecs");
}

TEST(SdpSession, NegotiationTakesOurFirstCodecThePeerHasAndItsTelephoneEventType) {
  SdpSession sdp;
  ASSERT_TRUE(sdp.open(local_address(), 20000, kCodecs));
  ::mbuf* mb = body(peer("0 9 96"));
  ASSERT_TRUE(sdp.decode(mb, true));
  mem_deref(mb);
  EXPECT_TRUE(sdp.usable_offer(kCodecs));
  StreamConfig sc;
  ASSERT_TRUE(sdp.negotiate(kCodecs, sc));
  EXPECT_EQ(sc.codec, "G722");  // ours first, whatever the peer's order
  EXPECT_EQ(sc.payload_type, 9);
  EXPECT_EQ(sc.telephone_event_pt, 96);
  EXPECT_EQ(port_of(sc.remote_rtp), 40000);
  EXPECT_EQ(port_of(sc.remote_rtcp), 40001);  // RFC 3550 §11: RTP port + 1 without a=rtcp
}

TEST(SdpSession, AnRtcpAttributeNamesThePeersRtcpPort) {
  SdpSession sdp;
  ASSERT_TRUE(sdp.open(local_address(), 20000, kCodecs));
  auto offer = sdp.encode(true);  // an answer answers our offer
  ASSERT_TRUE(offer);
  mem_deref(*offer);
  ::mbuf* mb = body(peer("8", "a=rtcp:40005\n"));
  ASSERT_TRUE(sdp.decode(mb, false));
  mem_deref(mb);
  StreamConfig sc;
  ASSERT_TRUE(sdp.negotiate(kCodecs, sc));
  EXPECT_EQ(sc.codec, "PCMA");
  EXPECT_EQ(sc.telephone_event_pt, -1);
  EXPECT_EQ(port_of(sc.remote_rtcp), 40005);  // RFC 3605
}

TEST(SdpSession, NoCommonCodecIsUnsupportedAndNamesOurs) {
  SdpSession sdp;
  ASSERT_TRUE(sdp.open(local_address(), 20000, {"G722"}));
  ::mbuf* mb = body(peer("0 8"));
  ASSERT_TRUE(sdp.decode(mb, true));
  mem_deref(mb);
  EXPECT_FALSE(sdp.usable_offer({"G722"}));
  StreamConfig sc;
  auto r = sdp.negotiate({"G722"}, sc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unsupported);
  EXPECT_NE(r.error().message.find("G722"), std::string::npos);
}

TEST(SdpSession, SendonlyInactiveAndTheOldZeroAddressAreHold) {
  struct Case {
    std::string extra, address;
    bool held;
  } cases[] = {{"", "198.51.100.7", false},
               {"a=sendonly\n", "198.51.100.7", true},
               {"a=inactive\n", "198.51.100.7", true},
               {"a=recvonly\n", "198.51.100.7", false},
               {"", "0.0.0.0", true}};
  for (const auto& c : cases) {
    SdpSession sdp;
    ASSERT_TRUE(sdp.open(local_address(), 20000, kCodecs));
    ::mbuf* mb = body(peer("9", c.extra, c.address));
    ASSERT_TRUE(sdp.decode(mb, true));
    mem_deref(mb);
    EXPECT_EQ(sdp.remote_holds(), c.held) << c.extra << c.address;
  }
}

TEST(SdpSession, NothingDecodedOrClosedIsNeitherUsableNorNegotiable) {
  SdpSession sdp;
  ::mbuf* mb = body(peer("9"));
  EXPECT_FALSE(sdp.decode(mb, true));  // not open
  StreamConfig sc;
  EXPECT_FALSE(sdp.negotiate(kCodecs, sc));
  ASSERT_TRUE(sdp.open(local_address(), 20000, kCodecs));
  sdp.close();
  sdp.close();  // idempotent
  EXPECT_FALSE(sdp.decode(mb, true));
  EXPECT_FALSE(sdp.encode(false));
  mem_deref(mb);
}

}  // namespace
}  // namespace voqo::telephony
