#pragma once
/// IP networks in CIDR notation (RFC 4632 §3.1; IPv6 prefixes RFC 4291 §2.3)
/// and the inbound source policy built on them: which addresses may send us
/// INVITEs (setting `sip_inbound_sources`, docs/SECURITY.md).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace voqo {

/// One network: an address and a prefix length. IPv4 is kept as its
/// IPv4-mapped IPv6 form (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) with the prefix
/// plus 96, so an IPv4 source that reaches a dual-stack socket as
/// ::ffff:a.b.c.d matches an IPv4 network.
struct IpNetwork {
  std::array<uint8_t, 16> address{};
  int prefix = 128;  ///< leading bits that must match, 0-128

  /// Parses "192.0.2.10", "198.51.100.0/24", "2001:db8::/32" or "::1".
  /// Errors: invalid_argument naming `field` (a malformed address, a prefix
  /// outside 0-32 for IPv4 or 0-128 for IPv6, or bits set past the prefix).
  static Result<IpNetwork> parse(std::string_view text, std::string_view field = "network");
  /// Whether `ip` (IPv4 or IPv6 text, as a packet's source) is inside. An
  /// address that does not parse is in no network.
  [[nodiscard]] bool contains(std::string_view ip) const;
};

/// Where inbound INVITEs may come from (setting `sip_inbound_sources`): the
/// configured networks, or loopback (127.0.0.0/8, ::1) when none are
/// configured, plus the trunk's host when that is an IP literal. "0.0.0.0/0"
/// and "::/0" admit everyone (a lab PBX; not for a server on the Internet).
class InboundSourcePolicy {
 public:
  /// `networks`: the setting's entries ([] = loopback only); `trunk_host`:
  /// the sip_trunk URI's host (admitted when it is an IP address). Errors: as IpNetwork::parse, with
  /// field "sip_inbound_sources[i]".
  static Result<InboundSourcePolicy> make(const std::vector<std::string>& networks, std::string_view trunk_host = {});
  [[nodiscard]] bool admits(std::string_view source_ip) const;

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace voqo
