#include "core/json_text.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace voqo {

namespace {
/// Bytes that send a string to the careful path: control characters, '"',
/// '\\' and every non-ASCII byte (whose UTF-8 validity nlohmann checks).
constexpr auto kNeedsCare = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = t['\\'] = true;
  return t;
}();
}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (kNeedsCare[static_cast<unsigned char>(c)]) {
      out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out.push_back('"');
  out.append(value);
  out.push_back('"');
}

}  // namespace voqo
