#include "model/validation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/time.hpp"
#include "core/utf8.hpp"
#include "model/phone.hpp"

namespace voqo::model {
namespace {

std::string fold(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-' && c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string unknown_field_message(const EntitySpec& spec, std::string_view name) {
  const std::string folded = fold(name);
  for (const auto& f : spec.fields)
    if (fold(f.json) == folded) return "unknown field; did you mean '" + std::string(f.json) + "'?";
  return "unknown field";
}

std::string_view type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a number";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

std::string fmt_number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

bool matches(std::string_view s, bool allow_space) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || (allow_space && c == ' ');
  });
}

bool is_bcp47(std::string_view s) {
  // language (2–3 letters) then subtags of 2–8 alphanumerics (RFC 5646 §2.1, shape only).
  size_t start = 0, index = 0;
  while (start <= s.size()) {
    size_t end = s.find('-', start);
    if (end == std::string_view::npos) end = s.size();
    const auto part = s.substr(start, end - start);
    if (index == 0) {
      if (part.size() < 2 || part.size() > 3 ||
          !std::all_of(part.begin(), part.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
        return false;
    } else if (part.size() < 1 || part.size() > 8 || !matches(part, false) ||
               part.find('_') != std::string_view::npos) {
      return false;
    }
    ++index;
    if (end == s.size()) break;
    start = end + 1;
  }
  return index > 0;
}

}  // namespace

bool is_http_url(std::string_view url) {
  std::string_view rest;
  if (url.size() > 8 && (url.substr(0, 8) == "https://" || url.substr(0, 8) == "HTTPS://")) rest = url.substr(8);
  else if (url.size() > 7 && (url.substr(0, 7) == "http://" || url.substr(0, 7) == "HTTP://")) rest = url.substr(7);
  else return false;
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return false;
  const auto host_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, host_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = host.substr(0, close + 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return false;
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    const auto port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return false;
  }
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' || c == ']' || c == ':' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

std::expected<Value, std::string> validate_field(const FieldSpec& f, const nlohmann::json& v,
                                                 const ValidationContext& context) {
  using std::unexpected;
  if (v.is_null()) {
    if (f.has(kNullable)) return Value{};
    return unexpected("must not be null");
  }
  auto expected_type = [&](std::string_view want) {
    return unexpected("must be " + std::string(want) + ", got " + std::string(type_name(v)));
  };
  switch (f.type) {
    case FieldType::boolean:
      if (!v.is_boolean()) return expected_type("a boolean");
      return Value{static_cast<int64_t>(v.get<bool>() ? 1 : 0)};
    case FieldType::integer:
    case FieldType::real: {
      if (!v.is_number()) return expected_type(f.type == FieldType::integer ? "an integer" : "a number");
      const double d = v.get<double>();
      if (f.type == FieldType::integer && !v.is_number_integer() && !v.is_number_unsigned())
        return expected_type("an integer");
      if (!std::isfinite(d)) return unexpected("must be a finite number");
      if ((f.min && d < *f.min) || (f.max && d > *f.max)) {
        if (f.min && f.max)
          return unexpected("must be between " + fmt_number(*f.min) + " and " + fmt_number(*f.max) + ", got " +
                            fmt_number(d));
        if (f.min) return unexpected("must be at least " + fmt_number(*f.min) + ", got " + fmt_number(d));
        return unexpected("must be at most " + fmt_number(*f.max) + ", got " + fmt_number(d));
      }
      if (f.type == FieldType::integer) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
          return unexpected("is too large");
        return Value{v.get<int64_t>()};
      }
      return Value{d};
    }
    case FieldType::json_array:
      if (!v.is_array()) return expected_type("an array");
      if (f.json == "tags")
        for (const auto& item : v)
          if (!item.is_string()) return unexpected("must be an array of strings");
      return Value{v.dump()};
    case FieldType::json_object:
      if (!v.is_object()) return expected_type("an object");
      return Value{v.dump()};
    case FieldType::json_any:
      return Value{v.dump()};
    case FieldType::timestamp: {
      if (!v.is_string()) return expected_type("a string (ISO-8601 date-time)");
      auto tp = parse_iso8601(v.get_ref<const std::string&>());
      if (!tp) return unexpected("must be an ISO-8601 date-time such as 2026-11-23T09:30:00Z");
      return Value{to_iso8601(*tp)};
    }
    case FieldType::text: break;
  }
  if (!v.is_string()) return expected_type("a string");
  const auto& s = v.get_ref<const std::string&>();
  if (!is_valid_utf8(s)) return unexpected("must be valid UTF-8");
  if (s.find('\0') != std::string::npos) return unexpected("must not contain NUL characters");
  const size_t len = utf8_length(s);
  const size_t max_len = f.max_length ? f.max_length : (1u << 20);
  if (len > max_len)
    return unexpected("must be at most " + std::to_string(max_len) + " characters, got " + std::to_string(len));
  if (len < f.min_length) {
    if (len == 0 || f.min_length == 1) return unexpected("must not be empty");
    return unexpected("must be at least " + std::to_string(f.min_length) + " characters, got " + std::to_string(len));
  }
  if (!f.enum_values.empty() && std::find(f.enum_values.begin(), f.enum_values.end(), s) == f.enum_values.end()) {
    std::string allowed;
    for (auto e : f.enum_values) allowed += (allowed.empty() ? "" : ", ") + std::string(e);
    return unexpected("must be one of " + allowed + "; got '" + s + "'");
  }
  switch (f.format) {
    case Format::none: break;
    case Format::http_url:
      if (!is_http_url(s)) return unexpected("must be an http or https URL");
      break;
    case Format::e164: {
      auto parsed = normalize_phone(s, context.default_region);
      if (!parsed) return unexpected(parsed.error().message);
      return Value{parsed->e164};
    }
    case Format::bcp47:
      if (!is_bcp47(s)) return unexpected("must be a BCP-47 language tag such as en-US");
      break;
    case Format::agent_name:
      if (!matches(s, true) || s.find_first_not_of(' ') == std::string::npos)
        return unexpected("may contain only letters, digits, spaces, '-' and '_'");
      break;
    case Format::identifier:
      if (!matches(s, false)) return unexpected("may contain only letters, digits, '_' and '-'");
      break;
    case Format::region:
      if (!is_valid_region(s)) return unexpected("must be an ISO 3166-1 region code such as US");
      break;
  }
  return Value{s};
}

Result<std::vector<ColumnValue>> validate_input(const EntitySpec& spec, const nlohmann::json& body, Mode mode,
                                                const ValidationContext& context) {
  if (!body.is_object())
    return std::unexpected(Error::bad_request("request body must be a JSON object, got " +
                                              std::string(type_name(body))));
  Error error{ErrorCode::invalid_argument, "", {}};
  for (const auto& [key, value] : body.items()) {
    const FieldSpec* f = spec.by_json(key);
    if (!f) error.fields.push_back({key, unknown_field_message(spec, key)});
    else if (f->has(kReadOnly)) error.fields.push_back({key, "is read-only"});
    else if (mode == Mode::update && f->has(kImmutable)) error.fields.push_back({key, "cannot be changed after creation"});
  }
  std::vector<ColumnValue> out;
  for (const auto& f : spec.fields) {
    if (f.has(kReadOnly)) continue;
    auto it = body.find(std::string(f.json));
    if (it == body.end()) {
      if (mode == Mode::create && f.has(kRequired)) error.fields.push_back({std::string(f.json), "is required"});
      continue;
    }
    if (mode == Mode::update && f.has(kImmutable)) continue;
    auto v = validate_field(f, *it, context);
    if (!v) error.fields.push_back({std::string(f.json), v.error()});
    else out.push_back({&f, std::move(*v)});
  }
  if (!error.fields.empty()) {
    error.message = error.fields.size() == 1
                        ? "'" + error.fields[0].field + "' " + error.fields[0].message
                        : std::to_string(error.fields.size()) + " fields are invalid";
    return std::unexpected(std::move(error));
  }
  return out;
}

}  // namespace voqo::model
