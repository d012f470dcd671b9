#include "access/api_key.hpp"

#include <sodium.h>

#include <array>

#include "access/token.hpp"

namespace voqo::access {

namespace {

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/// The big-endian number in `bytes` in base62, left-padded with '0' to
/// `width` digits (the number must fit: the callers size width for it).
template <size_t N>
std::string base62_fixed(std::array<unsigned char, N> bytes, size_t width) {
  std::string digits(width, '0');
  for (size_t pos = width; pos-- > 0;) {
    // One long division of the whole number by 62; the remainder is the digit.
    unsigned rem = 0;
    for (auto& b : bytes) {
      const unsigned cur = (rem << 8) | b;
      b = static_cast<unsigned char>(cur / 62);
      rem = cur % 62;
    }
    digits[pos] = kBase62[rem];
  }
  return digits;
}

std::string checksum_of(std::string_view head) {
  const uint32_t crc = crc32(head);
  return base62_fixed(std::array<unsigned char, 4>{static_cast<unsigned char>(crc >> 24),
                                                   static_cast<unsigned char>(crc >> 16),
                                                   static_cast<unsigned char>(crc >> 8),
                                                   static_cast<unsigned char>(crc)},
                      kApiKeyChecksumChars);
}

}  // namespace

uint32_t crc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

NewApiKey generate_api_key() {
  ensure_sodium();
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string secret(kApiKeyPrefix);
  secret += base62_fixed(raw, kApiKeyRandomChars);
  sodium_memzero(raw.data(), raw.size());
  secret += checksum_of(secret);
  NewApiKey key;
  key.prefix = api_key_prefix(secret);
  key.hash = api_key_hash(secret);
  key.secret = std::move(secret);
  return key;
}

bool api_key_checksum_ok(std::string_view secret) {
  if (secret.size() != kApiKeyLength || !secret.starts_with(kApiKeyPrefix)) return false;
  for (char c : secret.substr(kApiKeyPrefix.size()))
    if (!is_base62(c)) return false;
  const auto head = secret.substr(0, kApiKeyPrefix.size() + kApiKeyRandomChars);
  return checksum_of(head) == secret.substr(head.size());
}

std::string api_key_prefix(std::string_view secret) { return std::string(secret.substr(0, kApiKeyDisplayChars)); }

std::string api_key_hash(std::string_view secret) { return token_hash(secret); }

}  // namespace voqo::access
