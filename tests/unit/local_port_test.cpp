// net::free_loopback_port: the port it returns binds on 127.0.0.1 for UDP and
// TCP and lies outside the kernel's ephemeral range, so no bind to port 0 in a
// parallel test can be handed it.
#include "net/local_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

namespace voqo::net {
namespace {

int bind_loopback(int type, uint16_t port) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(FreeLoopbackPort, BindsForUdpAndTcpOutsideTheEphemeralAndRtpRanges) {
  uint32_t lo = 0, hi = 0;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> lo >> hi;
  std::set<uint16_t> seen;
  for (int i = 0; i < 20; ++i) {
    const uint16_t port = free_loopback_port();
    ASSERT_NE(port, 0);
    EXPECT_TRUE(port < lo || port > hi) << port << " is in the ephemeral range " << lo << "-" << hi;
    EXPECT_TRUE(port < 16384 || port > 32766) << port << " is in voqo's default RTP range";
    const int udp = bind_loopback(SOCK_DGRAM, port), tcp = bind_loopback(SOCK_STREAM, port);
    EXPECT_GE(udp, 0) << port;
    EXPECT_GE(tcp, 0) << port;
    if (udp >= 0) ::close(udp);
    if (tcp >= 0) ::close(tcp);
    seen.insert(port);
  }
  EXPECT_GT(seen.size(), 15u) << "ports are drawn at random";
}

TEST(FreeLoopbackPort, SkipsAPortThatIsHeld) {
  const uint16_t port = free_loopback_port();
  const int held = bind_loopback(SOCK_STREAM, port);
  ASSERT_GE(held, 0);
  for (int i = 0; i < 200; ++i) EXPECT_NE(free_loopback_port(), port);
  ::close(held);
}

}  // namespace
}  // namespace voqo::net
