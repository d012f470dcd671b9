#include "net/local_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <vector>

namespace voqo::net {

namespace {

/// Binds a socket of `type` to 127.0.0.1:`port` (0 = any) and returns the bound port, or 0.
uint16_t bind_loopback(int type, uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  socklen_t len = sizeof a;
  uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    bound = ntohs(a.sin_port);
  ::close(fd);
  return bound;
}

/// Whether the kernel or voqo may hand `port` to someone who did not ask for
/// it by number: the ephemeral range (every bind to port 0 and every outgoing
/// connect draws from it) and voqo's default RTP range (16384–32766).
bool handed_out_unasked(uint32_t port, uint32_t ephemeral_lo, uint32_t ephemeral_hi) {
  return (port >= ephemeral_lo && port <= ephemeral_hi) || (port >= 16384 && port <= 32766);
}

/// The old way: whatever port 0 gives (inside the ephemeral range).
uint16_t any_ephemeral_port() {
  for (int attempt = 0; attempt < 32; ++attempt) {
    const uint16_t port = bind_loopback(SOCK_DGRAM, 0);
    if (port != 0 && bind_loopback(SOCK_STREAM, port) == port) return port;
  }
  return 0;
}

}  // namespace

uint16_t free_loopback_port() {
  uint32_t lo = 32768, hi = 60999;  // Linux's default ephemeral range
  if (std::ifstream f("/proc/sys/net/ipv4/ip_local_port_range"); !(f >> lo >> hi) || lo > hi) lo = 32768, hi = 60999;
  // Drawn at random so that parallel test processes rarely try the same port.
  thread_local std::mt19937 rng(std::random_device{}() ^ static_cast<uint32_t>(::getpid()));
  std::uniform_int_distribution<uint32_t> draw(10000, 65535);
  for (int attempt = 0; attempt < 512; ++attempt) {
    const uint32_t port = draw(rng);
    if (handed_out_unasked(port, lo, hi)) continue;
    if (bind_loopback(SOCK_DGRAM, static_cast<uint16_t>(port)) == port &&
        bind_loopback(SOCK_STREAM, static_cast<uint16_t>(port)) == port)
      return static_cast<uint16_t>(port);
  }
  return any_ephemeral_port();
}

}  // namespace voqo::net
