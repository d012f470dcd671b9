// IP networks in CIDR notation and the inbound source policy (issue 15 §3).
#include <gtest/gtest.h>

#include "core/ip_network.hpp"

namespace voqo {
namespace {

TEST(IpNetwork, Ipv4AndIpv6NetworksContainTheirAddressesOnly) {
  auto n = IpNetwork::parse("198.51.100.0/24");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->contains("198.51.100.0"));
  EXPECT_TRUE(n->contains("198.51.100.255"));
  EXPECT_FALSE(n->contains("198.51.101.1"));
  EXPECT_TRUE(n->contains("::ffff:198.51.100.7")) << "an IPv4 source seen on a dual-stack socket";
  EXPECT_FALSE(n->contains("not an address"));
  auto host = IpNetwork::parse("192.0.2.10");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains("192.0.2.10"));
  EXPECT_FALSE(host->contains("192.0.2.11"));
  auto v6 = IpNetwork::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains("2001:db8:1::5"));
  EXPECT_TRUE(v6->contains("[2001:db8::1]"));
  EXPECT_FALSE(v6->contains("2001:db9::1"));
  EXPECT_FALSE(v6->contains("198.51.100.7"));
  auto odd = IpNetwork::parse("10.0.0.0/9");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("10.127.255.255"));
  EXPECT_FALSE(odd->contains("10.128.0.0"));
  auto all = IpNetwork::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains("203.0.113.9"));
}

TEST(IpNetwork, MalformedNetworksAreErrorsNamingTheField) {
  for (const char* bad : {"", "300.1.1.1", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.1/8",
                          "2001:db8::/129", "2001:db8::1/32", "example.com", "1.2.3.4/24/1"}) {
    auto n = IpNetwork::parse(bad, "sip_inbound_sources[0]");
    ASSERT_FALSE(n) << bad;
    ASSERT_FALSE(n.error().fields.empty()) << bad;
    EXPECT_EQ(n.error().fields[0].field, "sip_inbound_sources[0]") << bad;
  }
}

TEST(InboundSourcePolicy, LoopbackByDefaultTheConfiguredNetworksOtherwiseAndTheTrunkAlways) {
  auto def = InboundSourcePolicy::make({});
  ASSERT_TRUE(def);
  EXPECT_TRUE(def->admits("127.0.0.1"));
  EXPECT_TRUE(def->admits("127.3.4.5"));
  EXPECT_TRUE(def->admits("::1"));
  EXPECT_FALSE(def->admits("203.0.113.9"));
  auto carrier = InboundSourcePolicy::make({"203.0.113.0/28"}, "198.51.100.20");
  ASSERT_TRUE(carrier);
  EXPECT_TRUE(carrier->admits("203.0.113.9"));
  EXPECT_TRUE(carrier->admits("198.51.100.20")) << "the trunk's own address";
  EXPECT_FALSE(carrier->admits("203.0.113.16"));
  EXPECT_FALSE(carrier->admits("127.0.0.1")) << "configured networks replace the loopback default";
  auto named_trunk = InboundSourcePolicy::make({}, "sip.carrier.example");
  ASSERT_TRUE(named_trunk) << "a trunk host name is not an address: it adds nothing";
  EXPECT_FALSE(named_trunk->admits("198.51.100.20"));
  EXPECT_FALSE(InboundSourcePolicy::make({"10.0.0.0/8", "bogus"}));
}

}  // namespace
}  // namespace voqo
