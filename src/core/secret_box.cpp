#include "core/secret_box.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "core/private_files.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace voqo {

SecretBox SecretBox::load_or_create(const std::filesystem::path& key_file) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  Key key{};
  if (const char* hex = std::getenv("VOQO_SECRET_KEY"); hex && *hex) {
    size_t len = 0;
    if (sodium_hex2bin(key.data(), key.size(), hex, std::strlen(hex), nullptr, &len, nullptr) != 0 ||
        len != key.size())
      throw std::runtime_error("VOQO_SECRET_KEY must be 64 hexadecimal characters");
    return SecretBox(key);
  }
  if (std::ifstream in{key_file, std::ios::binary}) {
    in.read(reinterpret_cast<char*>(key.data()), key.size());
    if (in.gcount() != static_cast<std::streamsize>(key.size()))
      throw std::runtime_error("secret key file " + key_file.string() + " is not 32 bytes");
    return SecretBox(key);
  }
  randombytes_buf(key.data(), key.size());
  // Created 0600 (O_EXCL: never over a key another process just wrote), so
  // the key is never readable by others, not even for a moment.
  auto fd = open_private_file(key_file, O_WRONLY | O_EXCL);
  if (!fd) throw std::runtime_error("cannot create secret key file " + key_file.string() + ": " + fd.error().message);
  const bool written = ::write(*fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(*fd);
  if (!written) throw std::runtime_error("cannot write secret key file " + key_file.string());
  return SecretBox(key);
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string raw(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return "sb1:" + out;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (!sealed.starts_with("sb1:")) return std::unexpected(Error::bad_request("not a sealed secret"));
  sealed.remove_prefix(4);
  std::string raw(sealed.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), sealed.data(),
                        sealed.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::unexpected(Error::bad_request("sealed secret is malformed"));
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  const auto* box = nonce + crypto_secretbox_NONCEBYTES;
  const size_t box_len = len - crypto_secretbox_NONCEBYTES;
  std::string plain(box_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), box, box_len, nonce,
                                 key_.data()) != 0)
    return std::unexpected(Error::bad_request("sealed secret failed authentication"));
  return plain;
}

}  // namespace voqo
