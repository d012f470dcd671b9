#include "core/json_parse.hpp"

#include <string>
#include <vector>

namespace voqo {

namespace {

using nlohmann::json;

std::vector<FieldError> field_list(std::string field, const std::string& message) {
  if (field.empty()) return {};
  return {{std::move(field), message}};
}

/// Where the parser is: one frame per open array or object, to name the
/// member a number that overflows belongs to.
struct Frame {
  bool array = false;
  std::string key;        ///< the current member's name (objects)
  std::size_t index = 0;  ///< the current element's index (arrays)
};

std::string path_of(std::string_view field, const std::vector<Frame>& frames) {
  std::string out(field);
  for (const auto& f : frames) {
    if (f.array) {
      out += '[';
      out += std::to_string(f.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += f.key;
    }
  }
  return out;
}

}  // namespace

std::string json_depth_message(int max_depth) {
  return "JSON nesting deeper than " + std::to_string(max_depth) + " levels";
}

Result<void> check_json_depth(std::string_view text, std::string_view field, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character, whatever it is
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          std::string message = json_depth_message(max_depth) + " (at byte " + std::to_string(i) + ")";
          auto fields = field_list(std::string(field), message);
          return std::unexpected(Error{ErrorCode::bad_request, std::move(message), std::move(fields)});
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return {};
}

Result<json> parse_json(std::string_view text, std::string_view field, int max_depth) {
  if (auto deep = check_json_depth(text, field, max_depth); !deep) return std::unexpected(std::move(deep.error()));
  // The parser is iterative; the callback only follows where it is, so that
  // a number that overflows can be named by its member's path.
  std::vector<Frame> frames;
  const json::parser_callback_t track = [&frames](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: frames.push_back({false, {}, 0}); break;
      case json::parse_event_t::array_start: frames.push_back({true, {}, 0}); break;
      case json::parse_event_t::key:
        if (!frames.empty() && parsed.is_string()) frames.back().key = parsed.get_ref<const std::string&>();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        [[fallthrough]];
      case json::parse_event_t::value:
        if (!frames.empty() && frames.back().array) ++frames.back().index;
        break;
    }
    return true;
  };
  try {
    return json::parse(text, track, /*allow_exceptions=*/true);
  } catch (const json::parse_error& e) {
    std::string message = "not valid JSON: error at byte " + std::to_string(e.byte);
    auto fields = field_list(std::string(field), message);
    return std::unexpected(Error{ErrorCode::bad_request, std::move(message), std::move(fields)});
  } catch (const json::out_of_range& e) {
    // 406: a number that does not fit a double (RFC 8259 §6 lets parsers
    // limit the range). nlohmann says "number overflow parsing '1e400'".
    std::string what = e.what();
    std::string number;
    if (const auto open = what.find('\''), close = what.rfind('\'');
        open != std::string::npos && close != std::string::npos && close > open)
      number = what.substr(open + 1, close - open - 1);
    std::string message = "number out of range" + (number.empty() ? std::string() : ": " + number);
    auto fields = field_list(path_of(field, frames), message);
    return std::unexpected(Error{ErrorCode::bad_request, std::move(message), std::move(fields)});
  } catch (const json::exception& e) {
    std::string message = std::string("not valid JSON: ") + e.what();
    auto fields = field_list(std::string(field), message);
    return std::unexpected(Error{ErrorCode::bad_request, std::move(message), std::move(fields)});
  }
}

json parse_json_or_discarded(std::string_view text, int max_depth) {
  if (!check_json_depth(text, {}, max_depth)) return json(json::value_t::discarded);
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace voqo
