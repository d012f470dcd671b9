#pragma once
/// Random tokens and their stored form: session tokens, one-time sign-in and
/// set-password links (issue 16 items 3 and 9), and the encodings the other
/// access files share.
///
/// A token is 32 random bytes (256 bits, libsodium randombytes_buf, the OS
/// CSPRNG) in base64url without padding (RFC 4648 §5): 43 characters, safe in
/// a URL, a cookie and a header. The database keeps only token_hash(token),
/// the lowercase hex SHA-256, so a read of the database (a backup, a leaked
/// file) yields no usable token. A fast unsalted hash is enough here: the
/// input has 256 bits of entropy, so neither a dictionary nor a precomputed
/// table can invert it; slow password hashing is for low-entropy human input.
///
/// Threads: every function is safe from any thread. Never throws (except
/// std::bad_alloc).
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::access {

/// Calls sodium_init() once per process (thread-safe; later calls are free).
/// Every access function calls it, so callers need not. Aborts if libsodium
/// cannot initialise (no entropy source: nothing secure can be done).
void ensure_sodium();

/// `bytes` random bytes (default 32) in base64url without padding:
/// ceil(bytes·4/3) characters (43 for 32 bytes).
std::string random_token(size_t bytes = 32);

/// Lowercase hexadecimal SHA-256 (libsodium crypto_hash_sha256) of `token`:
/// 64 characters. The form a token or API key is stored and looked up in.
std::string token_hash(std::string_view token);

/// Constant-time equality of two byte strings (sodium_memcmp; different
/// lengths compare unequal at once, the length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

/// base64url without padding (RFC 4648 §5) of arbitrary bytes.
std::string base64url_encode(std::string_view bytes);

/// Decodes base64url without padding; an error (bad_request) for any other
/// character, padding, or a length no encoder produces.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace voqo::access
