#pragma once
/// Picking a port for a peer that cannot report the one it bound (baresip,
/// sipp): bind UDP port 0 on 127.0.0.1, read the port the kernel chose,
/// release it. Another process may take it before it is used again, so this
/// is for loopback peers of demos, tests and benchmarks only.
#include <cstdint>

namespace voqo::net {

/// A UDP port on 127.0.0.1 that was free a moment ago; 0 when no socket could be bound.
uint16_t free_udp_port();

}  // namespace voqo::net
