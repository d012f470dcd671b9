#pragma once
/// Encryption at rest for secrets such as custom functions' `auth_config`
/// (data model: "encrypted at rest with libsodium, never returned by the API").
#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo {

/// XSalsa20-Poly1305 (libsodium crypto_secretbox) with one 32-byte key.
/// Ciphertext text form: "sb1:" + base64(nonce ‖ MAC ‖ ciphertext).
class SecretBox {
 public:
  using Key = std::array<unsigned char, 32>;
  explicit SecretBox(const Key& key) : key_(key) {}

  /// Loads the key from env VOQO_SECRET_KEY (64 hex chars) if set, else from
  /// `key_file` (32 raw bytes), creating that file with mode 0600 and a fresh
  /// random key when it does not exist. Throws std::runtime_error on failure
  /// (start-up only).
  static SecretBox load_or_create(const std::filesystem::path& key_file);

  /// Encrypts `plaintext`; never fails.
  [[nodiscard]] std::string seal(std::string_view plaintext) const;
  /// Decrypts the output of seal(); an error if the text was tampered with or
  /// sealed under another key.
  [[nodiscard]] Result<std::string> open(std::string_view sealed) const;

  /// The server key itself, for deriving keys with another purpose (the
  /// ticket HMAC key, access::derive_key with its own context): never used
  /// directly for anything but sealing.
  [[nodiscard]] const Key& master_key() const { return key_; }

 private:
  Key key_;
};

}  // namespace voqo
