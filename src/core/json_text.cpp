#include "core/json_text.hpp"

#include <nlohmann/json.hpp>

namespace voqo {

void append_json_string(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || static_cast<unsigned char>(c) >= 0x80) {
      out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out.push_back('"');
  out.append(value);
  out.push_back('"');
}

}  // namespace voqo
