#pragma once
/// Picking a port for a peer that cannot report the one it bound (baresip,
/// sipp, voqo callee-sim): a random port on 127.0.0.1 that binds for both UDP
/// and TCP, drawn from outside the kernel's ephemeral range
/// (/proc/sys/net/ipv4/ip_local_port_range) and voqo's default RTP range, so
/// that no bind to port 0 and no outgoing connection in a parallel test can be
/// given it between this check and the peer's own bind. It is released before
/// returning; another process choosing by number could still take it, so this
/// is for loopback peers of demos, tests and benchmarks only.
#include <cstdint>

namespace voqo::net {

/// A port on 127.0.0.1 that was free a moment ago for both UDP and TCP (a
/// SIP peer listens on both, RFC 3261 §18; a UDP-only check once handed a
/// simulator a port a parallel test held on TCP). When 512 random draws find
/// none, an ephemeral port from port 0 (32 tries); 0 when that fails too.
uint16_t free_loopback_port();

}  // namespace voqo::net
