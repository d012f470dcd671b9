#include "net/local_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

}  // namespace

uint16_t free_loopback_port() {
  for (int attempt = 0; attempt < 32; ++attempt) {
    const uint16_t port = bind_loopback(SOCK_DGRAM, 0);
    if (port != 0 && bind_loopback(SOCK_STREAM, port) == port) return port;
  }
  return 0;
}

}  // namespace voqo::net
