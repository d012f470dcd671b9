#pragma once
/// API key secrets (issue 16 item 4): their format, offline recognition, the
/// part shown in the dashboard and the stored hash.
///
/// Format (52 ASCII characters), after GitHub's token format (2021):
///
///   ak_ RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR CCCCCC
///   3   43: 32 random bytes in base62             6: base62 CRC32
///
///  * base62 alphabet "0-9A-Za-z" (digit values 0..61 in that order); the 32
///    random bytes (randombytes_buf) are read as one big-endian 256-bit number
///    and written in base62, left-padded with '0' to exactly 43 digits
///    (62^43 > 2^256, so 43 always suffice).
///  * checksum: CRC-32 (IEEE 802.3 / zlib polynomial 0xEDB88320, the value
///    zlib's crc32() gives) of the first 46 characters ("ak_" + random part),
///    as a base62 number left-padded with '0' to 6 digits (62^6 > 2^32).
///    It lets a secret scanner (or voqo itself, before any database lookup)
///    tell a real key from a random string offline; it is not a MAC: anyone
///    can compute it.
///
/// Storage: only api_key_hash(secret) (SHA-256 hex, token_hash) and the
/// displayed prefix are stored; the secret is shown once, at creation. A fast
/// unsalted hash is enough because the secret carries 256 random bits: no
/// dictionary or precomputed table reaches it, and a fast hash keeps the
/// per-request check at a few µs (bench/access_bench.cpp). A key is verified
/// by hashing the presented secret and looking the hash up (an index on the
/// hash column): the lookup itself compares hashes, not secrets, so it leaks
/// nothing about the secret through timing.
///
/// Threads: every function is safe from any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace voqo::access {

inline constexpr std::string_view kApiKeyPrefix = "ak_";
inline constexpr size_t kApiKeyRandomChars = 43;
inline constexpr size_t kApiKeyChecksumChars = 6;
inline constexpr size_t kApiKeyLength = 3 + kApiKeyRandomChars + kApiKeyChecksumChars;  // 52
inline constexpr size_t kApiKeyDisplayChars = 8;

/// A freshly generated key: `secret` is returned to the client once and never
/// stored; `prefix` (first 8 characters, e.g. "ak_4ZxQ9") is stored and shown
/// in lists; `hash` is what the store keeps and looks keys up by.
struct NewApiKey {
  std::string secret;  ///< 52 characters, see the format above
  std::string prefix;  ///< api_key_prefix(secret)
  std::string hash;    ///< api_key_hash(secret): 64 lowercase hex characters
};

/// A new key from 32 fresh random bytes. Never fails.
NewApiKey generate_api_key();

/// True when `secret` has the exact format: 52 characters, "ak_", 43 base62
/// digits, and a checksum matching them. Offline: no database, no secret.
/// A key that fails this is refused without a lookup.
bool api_key_checksum_ok(std::string_view secret);

/// The first 8 characters of `secret` (fewer if it is shorter): what the
/// dashboard and the API show of a key.
std::string api_key_prefix(std::string_view secret);

/// The stored form of a key: lowercase hex SHA-256 of the whole secret
/// (the same function as token_hash).
std::string api_key_hash(std::string_view secret);

/// CRC-32 (IEEE, reflected polynomial 0xEDB88320, initial and final XOR
/// 0xFFFFFFFF) of `bytes`: crc32("123456789") = 0xCBF43926.
uint32_t crc32(std::string_view bytes);

}  // namespace voqo::access
