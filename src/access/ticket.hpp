#pragma once
/// Signed short-lived tickets (issue 16 item 4): `POST /api/tickets
/// {"resource": "/api/realtime"}` returns a token valid 60 s for that one
/// resource, which the browser puts in a URL (`?ticket=`) where it cannot send
/// a header: the WebSocket, SSE and recording (audio element) URLs. A
/// long-lived key never appears in a URL, a log line or the browser history.
///
/// Token (ASCII, URL-safe, no '=' padding):
///
///   base64url(payload) "." base64url(HMAC-SHA256(ticket_key, payload))
///
///   payload = "t1" LF workspace_id LF principal LF resource LF expires_at
///
/// (LF = '\n'; expires_at in decimal unix seconds; "t1" is the format
/// version.) HMAC-SHA-256 is libsodium crypto_auth_hmacsha256 (RFC 2104,
/// 32-byte tag), keyed with derive_key(server secret, kTicketKeyContext), a
/// key of its own so a ticket tag can never be confused with anything sealed
/// by the SecretBox key. A ticket is stateless: any node with the same server
/// secret verifies it; it is not single-use (60 s bounds a replay), and it is
/// not revocable by itself: the verifier re-checks that the principal (the
/// user or key) still exists and is enabled before it serves the resource.
///
/// Threads: a TicketSigner is immutable; issue() and verify() are safe from
/// any thread at once.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::access {

/// Lifetime of a ticket from `POST /api/tickets` (issue 16: "valid 60 s").
inline constexpr int64_t kTicketTtlS = 60;
/// Context string for derive_key() of the ticket key.
inline constexpr std::string_view kTicketKeyContext = "voqo ticket hmac v1";
/// Tokens longer than this are refused before any work (4 KiB: far above any
/// real ticket, far below a URL limit).
inline constexpr size_t kTicketMaxChars = 4096;

/// What a ticket grants: `principal` may open `resource` in `workspace_id`
/// until `expires_at`.
struct Ticket {
  std::string workspace_id;  ///< the workspace the ticket acts in
  std::string principal;     ///< "user:<id>" or "key:<id>"
  std::string resource;      ///< a path, e.g. "/api/realtime" or "/api/calls/abc/recording" (no query)
  int64_t expires_at = 0;    ///< unix seconds; valid while now < expires_at

  friend bool operator==(const Ticket&, const Ticket&) = default;
};

/// A 32-byte subkey of `master` for one purpose: keyed BLAKE2b-256 (libsodium
/// crypto_generichash, key = master) of `context`. Different contexts give
/// independent keys; the master (the server's secret key, SecretBox) is never
/// used directly for two purposes.
std::array<unsigned char, 32> derive_key(const std::array<unsigned char, 32>& master, std::string_view context);

/// Issues and verifies tickets with one 32-byte HMAC key.
class TicketSigner {
 public:
  using Key = std::array<unsigned char, 32>;
  /// `key`: the ticket key, i.e. derive_key(server secret, kTicketKeyContext).
  explicit TicketSigner(const Key& key) : key_(key) {}

  /// The token for `ticket`. Error invalid_argument naming the field
  /// ("workspaceId", "principal", "resource") when a field is empty or
  /// contains a line feed (the payload separator), or when the token would
  /// exceed kTicketMaxChars.
  [[nodiscard]] Result<std::string> issue(const Ticket& ticket) const;

  /// The ticket in `token` when its tag is ours (constant-time check,
  /// crypto_auth_hmacsha256_verify), it grants exactly `resource` (byte-equal
  /// path, no prefix matching) and `now_unix_s` < expires_at. Every failure
  /// is Error::unauthorized: "ticket is malformed", "ticket signature is
  /// invalid", "ticket has expired", "ticket is for another resource". The
  /// tag is checked before the payload is parsed, so a forged payload is
  /// never interpreted.
  [[nodiscard]] Result<Ticket> verify(std::string_view token, std::string_view resource, int64_t now_unix_s) const;

 private:
  Key key_;
};

}  // namespace voqo::access
