#include "access/ticket.hpp"

#include <sodium.h>

#include <charconv>

#include "access/token.hpp"

namespace voqo::access {

namespace {

constexpr std::string_view kVersion = "t1";

std::string mac_of(const TicketSigner::Key& key, std::string_view payload) {
  std::string tag(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256(reinterpret_cast<unsigned char*>(tag.data()),
                         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), key.data());
  return tag;
}

Error malformed() { return Error::unauthorized("ticket is malformed"); }

}  // namespace

std::array<unsigned char, 32> derive_key(const std::array<unsigned char, 32>& master, std::string_view context) {
  ensure_sodium();
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     master.data(), master.size());
  return out;
}

Result<std::string> TicketSigner::issue(const Ticket& ticket) const {
  ensure_sodium();
  const std::pair<std::string_view, const std::string&> fields[] = {
      {"workspaceId", ticket.workspace_id}, {"principal", ticket.principal}, {"resource", ticket.resource}};
  std::string payload(kVersion);
  for (const auto& [name, value] : fields) {
    if (value.empty()) return std::unexpected(Error::invalid(std::string(name), "is required"));
    if (value.find('\n') != std::string::npos)
      return std::unexpected(Error::invalid(std::string(name), "must not contain a line feed"));
    payload += '\n';
    payload += value;
  }
  payload += '\n';
  payload += std::to_string(ticket.expires_at);
  std::string token = base64url_encode(payload) + "." + base64url_encode(mac_of(key_, payload));
  if (token.size() > kTicketMaxChars)
    return std::unexpected(Error::invalid("resource", "makes the ticket longer than 4096 characters"));
  return token;
}

Result<Ticket> TicketSigner::verify(std::string_view token, std::string_view resource, int64_t now_unix_s) const {
  ensure_sodium();
  if (token.size() > kTicketMaxChars) return std::unexpected(malformed());
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::unexpected(malformed());
  auto payload = base64url_decode(token.substr(0, dot));
  auto tag = base64url_decode(token.substr(dot + 1));
  if (!payload || !tag || tag->size() != crypto_auth_hmacsha256_BYTES) return std::unexpected(malformed());
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(tag->data()),
                                    reinterpret_cast<const unsigned char*>(payload->data()), payload->size(),
                                    key_.data()) != 0)
    return std::unexpected(Error::unauthorized("ticket signature is invalid"));

  // Ours from here on: parse "t1\nworkspace\nprincipal\nresource\nexpires".
  std::string_view rest = *payload;
  std::string_view parts[5];
  for (size_t i = 0; i < 5; ++i) {
    const auto lf = rest.find('\n');
    if ((lf == std::string_view::npos) != (i == 4)) return std::unexpected(malformed());
    parts[i] = rest.substr(0, lf);
    if (lf != std::string_view::npos) rest.remove_prefix(lf + 1);
  }
  if (parts[0] != kVersion) return std::unexpected(malformed());
  Ticket t{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]), 0};
  const auto [end, ec] = std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), t.expires_at);
  if (ec != std::errc{} || end != parts[4].data() + parts[4].size()) return std::unexpected(malformed());
  if (now_unix_s >= t.expires_at) return std::unexpected(Error::unauthorized("ticket has expired"));
  if (t.resource != resource) return std::unexpected(Error::unauthorized("ticket is for another resource"));
  return t;
}

}  // namespace voqo::access
