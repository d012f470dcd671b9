#include "core/id.hpp"

#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace voqo {
namespace {
std::atomic<uint64_t> g_counter{0};

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}
}  // namespace

std::string new_id() {
  ensure_sodium();
  struct {
    unsigned char random[32];
    int64_t time_ns;
    uint64_t counter;
  } seed{};
  randombytes_buf(seed.random, sizeof seed.random);
  seed.time_ns = std::chrono::system_clock::now().time_since_epoch().count();
  seed.counter = g_counter.fetch_add(1, std::memory_order_relaxed);
  unsigned char hash[24];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(&seed), sizeof seed,
                     nullptr, 0);
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(24, '0');
  id[0] = static_cast<char>('a' + hash[0] % 26);
  for (size_t i = 1; i < id.size(); ++i) id[i] = kAlphabet[hash[i] % 36];
  return id;
}

bool looks_like_id(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
          c == '-'))
      return false;
  return true;
}

}  // namespace voqo
