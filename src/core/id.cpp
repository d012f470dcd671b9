#include "core/id.hpp"

#include <sodium.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

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
  // A per-thread secret key (32 bytes from the OS, drawn once) keys a BLAKE2b
  // hash of (time, thread counter, process counter): unpredictable without
  // the key and unique per input, with no system call per id.
  thread_local const auto key = [] {
    std::array<unsigned char, crypto_generichash_KEYBYTES> k{};
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  thread_local uint64_t thread_counter = 0;
  struct {
    int64_t time_ns;
    uint64_t thread_counter;
    uint64_t process_counter;
  } seed{};
  seed.time_ns = std::chrono::system_clock::now().time_since_epoch().count();
  seed.thread_counter = ++thread_counter;
  seed.process_counter = g_counter.fetch_add(1, std::memory_order_relaxed);
  unsigned char hash[24];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(&seed), sizeof seed, key.data(),
                     key.size());
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(24, '0');
  id[0] = static_cast<char>('a' + hash[0] % 26);
  for (size_t i = 1; i < id.size(); ++i) id[i] = kAlphabet[hash[i] % 36];
  return id;
}

namespace {
constexpr char kBase36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

void put_base36(std::string& out, size_t pos, size_t width, uint64_t v) {
  for (size_t i = 0; i < width; ++i, v /= 36) out[pos + width - 1 - i] = kBase36[v % 36];
}

std::string time_prefix() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::string p(9, '0');
  // 36^8 * 10 ≈ 2.8e13 ms (year 2891) is added so the first character is a letter.
  put_base36(p, 0, 9, static_cast<uint64_t>(ms) + 10ull * 2821109907456ull);
  return p;
}
}  // namespace

IdSequence::IdSequence() : prefix_(time_prefix()) {}

std::string IdSequence::next() {
  static constexpr uint32_t kCounterSpace = 36u * 36u * 36u * 36u;
  if (counter_ == kCounterSpace) {
    // Wait for the next millisecond so that order is kept across the wrap.
    std::string p;
    while ((p = time_prefix()) <= prefix_) std::this_thread::yield();
    prefix_ = std::move(p);
    counter_ = 0;
  }
  std::string id = new_id();  // its 24 characters supply the random tail
  id.replace(0, 9, prefix_);
  put_base36(id, 9, 4, counter_++);
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
