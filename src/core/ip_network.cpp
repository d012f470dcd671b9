#include "core/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace voqo {
namespace {

/// `ip` as 16 bytes (IPv4 as IPv4-mapped IPv6) and whether it was IPv4.
bool to_bytes(std::string_view ip, std::array<uint8_t, 16>& out, bool& v4) {
  if (ip.size() > 64) return false;
  std::string text(ip);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    out = {};
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return true;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    v4 = false;
    return true;
  }
  return false;
}

bool prefix_matches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  int i = 0;
  for (; prefix >= 8; prefix -= 8, ++i)
    if (a[static_cast<std::size_t>(i)] != b[static_cast<std::size_t>(i)]) return false;
  if (prefix == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - prefix));
  return (a[static_cast<std::size_t>(i)] & mask) == (b[static_cast<std::size_t>(i)] & mask);
}

}  // namespace

Result<IpNetwork> IpNetwork::parse(std::string_view text, std::string_view field) {
  const std::string f(field);
  const auto slash = text.find('/');
  const std::string_view addr = text.substr(0, slash);
  IpNetwork n;
  bool v4 = false;
  if (!to_bytes(addr, n.address, v4))
    return std::unexpected(Error::invalid(f, "not an IP address or CIDR network: \"" + std::string(text.substr(0, 80)) + "\""));
  const int max = v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc{} || end != p.data() + p.size() || p.empty() || prefix < 0 || prefix > max)
      return std::unexpected(Error::invalid(f, "the prefix length must be 0-" + std::to_string(max)));
  }
  n.prefix = v4 ? prefix + 96 : prefix;
  // Bits past the prefix must be 0 (RFC 4632 §3.1): "10.0.0.1/8" is a typo, not a network.
  std::array<uint8_t, 16> masked{};
  for (int bit = 0; bit < n.prefix; ++bit)
    masked[static_cast<std::size_t>(bit / 8)] |= static_cast<uint8_t>(n.address[static_cast<std::size_t>(bit / 8)] & (0x80 >> (bit % 8)));
  if (masked != n.address)
    return std::unexpected(Error::invalid(f, "address bits are set past the prefix length: \"" + std::string(text) + "\""));
  return n;
}

bool IpNetwork::contains(std::string_view ip) const {
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  return to_bytes(ip, a, v4) && prefix_matches(a, address, prefix);
}

Result<InboundSourcePolicy> InboundSourcePolicy::make(const std::vector<std::string>& networks, std::string_view trunk_host) {
  InboundSourcePolicy p;
  if (networks.empty()) {
    p.networks_.push_back(*IpNetwork::parse("127.0.0.0/8"));
    p.networks_.push_back(*IpNetwork::parse("::1"));
  }
  for (std::size_t i = 0; i < networks.size(); ++i) {
    auto n = IpNetwork::parse(networks[i], "sip_inbound_sources[" + std::to_string(i) + "]");
    if (!n) return std::unexpected(n.error());
    p.networks_.push_back(*n);
  }
  if (!trunk_host.empty())
    if (auto n = IpNetwork::parse(trunk_host)) p.networks_.push_back(*n);
  return p;
}

bool InboundSourcePolicy::admits(std::string_view source_ip) const {
  for (const auto& n : networks_)
    if (n.contains(source_ip)) return true;
  return false;
}

}  // namespace voqo
