#pragma once
/// Picking a port for a peer that cannot report the one it bound (baresip,
/// sipp, voqo callee-sim): bind port 0 on 127.0.0.1, read the port the kernel
/// chose, release it. Another process may take it before it is used again, so
/// this is for loopback peers of demos, tests and benchmarks only.
#include <cstdint>

namespace voqo::net {

/// A port on 127.0.0.1 that was free a moment ago for both UDP and TCP (a
/// SIP peer listens on both, RFC 3261 §18; a UDP-only check once handed a
/// simulator a port a parallel test held on TCP); 0 when none was found in
/// 32 tries.
uint16_t free_loopback_port();

}  // namespace voqo::net
