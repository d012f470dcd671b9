#include "core/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace voqo {
namespace {
bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
    } else if (c < 0xC2) {
      return false;  // continuation byte or overlong 2-byte lead
    } else if (c < 0xE0) {
      if (i + 1 >= n || !is_cont(p[i + 1])) return false;
      i += 2;
    } else if (c < 0xF0) {
      if (i + 2 >= n || !is_cont(p[i + 2])) return false;
      const unsigned char c1 = p[i + 1];
      if (c == 0xE0 ? (c1 < 0xA0 || c1 > 0xBF) : c == 0xED ? (c1 < 0x80 || c1 > 0x9F) : !is_cont(c1)) return false;
      i += 3;
    } else if (c < 0xF5) {
      if (i + 3 >= n || !is_cont(p[i + 2]) || !is_cont(p[i + 3])) return false;
      const unsigned char c1 = p[i + 1];
      if (c == 0xF0 ? (c1 < 0x90 || c1 > 0xBF) : c == 0xF4 ? (c1 < 0x80 || c1 > 0x8F) : !is_cont(c1)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace voqo
