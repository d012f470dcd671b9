#include "access/password.hpp"

#include <sodium.h>

#include <cstring>

#include "access/token.hpp"
#include "core/utf8.hpp"

namespace voqo::access {

namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr int kAlgorithm = crypto_pwhash_ALG_ARGON2ID13;

// crypto_pwhash_str* take a NUL-terminated copy of the stored string.
std::string terminated(std::string_view s) { return std::string(s); }

}  // namespace

Result<void> check_password_rules(std::string_view pw) {
  if (pw.size() < kPasswordMinBytes)
    return std::unexpected(Error::invalid("password", "must be at least 10 bytes"));
  if (pw.size() > kPasswordMaxBytes)
    return std::unexpected(Error::invalid("password", "must be at most 256 bytes"));
  if (!is_valid_utf8(pw)) return std::unexpected(Error::invalid("password", "must be valid UTF-8"));
  return ok();
}

Result<std::string> hash_password(std::string_view pw) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), kOpsLimit, kMemLimit, kAlgorithm) != 0)
    return std::unexpected(Error{ErrorCode::internal, "Argon2id hashing failed (out of memory?)", {}});
  return std::string(out);
}

bool verify_password(std::string_view stored_hash, std::string_view pw) {
  ensure_sodium();
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  const auto stored = terminated(stored_hash);
  return crypto_pwhash_str_verify(stored.c_str(), pw.data(), pw.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash) {
  ensure_sodium();
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  const auto stored = terminated(stored_hash);
  // 1 = other parameters, -1 = not an Argon2id string: both mean re-hash.
  return crypto_pwhash_str_needs_rehash(stored.c_str(), kOpsLimit, kMemLimit) != 0;
}

bool dummy_verify(std::string_view pw) {
  static const std::string dummy_hash = [] {
    auto h = hash_password(random_token(32));
    return h ? *h : std::string{};
  }();
  if (dummy_hash.empty()) return false;
  (void)verify_password(dummy_hash, pw);
  return false;
}

}  // namespace voqo::access
