#include "speech/providers/provider_common.hpp"

#include <nlohmann/json.hpp>

#include "core/json_parse.hpp"
#include "speech/wer.hpp"

namespace voqo::speech::providers {

std::string normalize_transcript(std::string_view text) {
  std::string out;
  for (const auto& word : normalized_words(text)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
        u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string out(base);
  if (!path.empty() && path.front() != '/') out += '/';
  out += path;
  return out;
}

Error http_status_error(std::string_view who, int status, std::string_view body) {
  std::string detail;
  const auto json = parse_json_or_discarded(body);
  auto str = [](const nlohmann::json& j, const char* key) -> std::string {
    if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
    return {};
  };
  if (json.is_object()) {
    if (json.contains("error") && json["error"].is_object()) detail = str(json["error"], "message");
    if (detail.empty() && json.contains("detail")) {
      detail = json["detail"].is_string() ? json["detail"].get<std::string>() : str(json["detail"], "message");
    }
    if (detail.empty()) detail = str(json, "err_msg");
    if (detail.empty()) detail = str(json, "message");
  }
  if (detail.empty()) detail = std::string(body.substr(0, 200));
  return Error{ErrorCode::internal, std::string(who) + ": HTTP " + std::to_string(status) + ": " + detail, {}};
}

}  // namespace voqo::speech::providers
