#include "brain/tool_caller.hpp"

// valijson reports an unusable schema by calling throwRuntimeError, which
// aborts the process unless exceptions are enabled; schemas here come from
// users, so they must throw (and are caught below).
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>

#include "core/json_parse.hpp"
#include "net/http_client.hpp"

namespace voqo::brain {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResultBytes = 8000;

// Dumps never throw on invalid UTF-8 (a cut or non-UTF-8 body): U+FFFD instead.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_content(std::string_view message) { return dump(json{{"error", message}}); }

// RFC 4648 §4 base64, for HTTP Basic credentials (RFC 7617).
std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// RFC 3986 §2.3: everything but unreserved characters is percent-encoded.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string scalar_text(const json& v) { return v.is_string() ? v.get<std::string>() : dump(v); }

// valijson's context ["<root>", "[a]", "[0]"] as a JSON Pointer "/a/0".
std::string context_pointer(const std::vector<std::string>& context) {
  std::string out;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string token = part.size() >= 2 && part.front() == '[' && part.back() == ']'
                            ? part.substr(1, part.size() - 2) : part;
    std::string escaped;
    for (char c : token) escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    out += "/" + escaped;
  }
  return out.empty() ? "(root)" : out;
}

// Parses a JSON Schema; "" or the reason it is unusable.
std::string parse_schema(const json& schema_json, valijson::Schema& schema) {
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema_json);
    parser.populateSchema(adapter, schema);
    return {};
  } catch (const std::exception& e) {
    return std::string("schema: ") + e.what();
  }
}

std::string validate_with(const valijson::Schema& schema, const json& arguments) {
  valijson::ValidationResults results;
  try {
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter target(arguments);
    if (validator.validate(schema, target, &results)) return {};
  } catch (const std::exception& e) {
    return std::string("schema: ") + e.what();
  }
  std::vector<std::string> lines;
  valijson::ValidationResults::Error error;
  while (results.popError(error) && lines.size() < 6) {
    std::string line = context_pointer(error.context) + ": " + error.description;
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(std::move(line));
  }
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out.empty() ? "(root): does not match the schema" : out;
}

// "data.items.0" or "/data/items/0" → a JSON pointer; nullopt when malformed.
std::optional<json::json_pointer> to_pointer(const json& path) {
  if (!path.is_string()) return std::nullopt;
  std::string p = path.get<std::string>();
  if (p.empty() || p == "/") return json::json_pointer("");
  if (p.front() != '/') {
    std::string converted;
    for (char c : p) converted += c == '.' ? std::string("/") : c == '~' ? std::string("~0") : std::string(1, c);
    p = "/" + converted;
  }
  try {
    return json::json_pointer(p);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

const json* at_pointer(const json& body, const json& path) {
  auto ptr = to_pointer(path);
  if (!ptr) return nullptr;
  try {
    return body.contains(*ptr) ? &body.at(*ptr) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

struct Entry {
  CustomFunction function;
  std::unique_ptr<valijson::Schema> schema = std::make_unique<valijson::Schema>();  // not movable itself
  std::string schema_error;  // "" when the schema parsed
};

}  // namespace

std::string validate_arguments(const json& schema_json, const json& arguments) {
  valijson::Schema schema;
  if (std::string err = parse_schema(schema_json, schema); !err.empty()) return err;
  return validate_with(schema, arguments);
}

Result<json> map_response(const json& mapping, const json& body) {
  if (!mapping.is_object() || mapping.empty()) return body;
  const json* base = &body;
  if (auto it = mapping.find("path"); it != mapping.end()) {
    base = at_pointer(body, *it);
    if (base == nullptr)
      return std::unexpected(Error::not_found("response_mapping path " + dump(*it) + " is not in the response"));
  }
  auto fields = mapping.find("fields");
  if (fields == mapping.end() || !fields->is_object()) return *base;
  json out = json::object();
  for (const auto& [name, path] : fields->items()) {
    const json* v = at_pointer(*base, path);
    out[name] = v != nullptr ? *v : json(nullptr);
  }
  return out;
}

std::string url_with_query(std::string_view endpoint, const json& arguments) {
  std::string query;
  auto add = [&query](const std::string& key, const std::string& value) {
    query += (query.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(value);
  };
  if (arguments.is_object()) {
    for (const auto& [key, value] : arguments.items()) {
      if (value.is_null()) continue;
      if (value.is_array()) {
        for (const json& item : value) add(key, scalar_text(item));
      } else {
        add(key, scalar_text(value));
      }
    }
  }
  std::string url(endpoint);
  if (query.empty()) return url;
  std::string fragment;
  if (auto hash = url.find('#'); hash != std::string::npos) {
    fragment = url.substr(hash);
    url.resize(hash);
  }
  url += (url.find('?') == std::string::npos ? "?" : (url.back() == '?' || url.back() == '&' ? "" : "&"));
  return url + query + fragment;
}

struct ToolCaller::Impl {
  std::vector<Entry> entries;
  bool allow_private = false;
};

ToolCaller::ToolCaller(std::vector<CustomFunction> functions, bool allow_private_addresses)
    : impl_(std::make_unique<Impl>()) {
  impl_->allow_private = allow_private_addresses;
  impl_->entries.reserve(functions.size());
  for (CustomFunction& f : functions) {
    if (!f.enabled) continue;
    Entry& e = impl_->entries.emplace_back();
    e.function = std::move(f);
    e.schema_error = parse_schema(e.function.parameters, *e.schema);
  }
}

ToolCaller::~ToolCaller() = default;
ToolCaller::ToolCaller(ToolCaller&&) noexcept = default;
ToolCaller& ToolCaller::operator=(ToolCaller&&) noexcept = default;

std::vector<ToolSpec> ToolCaller::specs() const {
  std::vector<ToolSpec> out;
  for (const Entry& e : impl_->entries)
    out.push_back({e.function.name, e.function.description, e.function.parameters});
  return out;
}

bool ToolCaller::has(std::string_view name) const {
  return std::any_of(impl_->entries.begin(), impl_->entries.end(),
                     [&](const Entry& e) { return e.function.name == name; });
}

ToolOutcome ToolCaller::call(const ToolCall& call, std::stop_token stop) const {
  auto entry = std::find_if(impl_->entries.begin(), impl_->entries.end(),
                            [&](const Entry& e) { return e.function.name == call.name; });
  if (entry == impl_->entries.end()) return {false, error_content("unknown function: " + call.name)};
  const CustomFunction& fn = entry->function;

  auto parsed = call.arguments.empty() ? Result<json>(json::object()) : parse_json(call.arguments);
  if (!parsed) return {false, error_content("invalid arguments for " + fn.name + ": " + parsed.error().message)};
  json args = std::move(*parsed);
  if (!args.is_object())
    return {false, error_content("invalid arguments for " + fn.name + ": (root): must be a JSON object")};
  if (!entry->schema_error.empty())
    return {false, error_content("function " + fn.name + " is misconfigured: " + entry->schema_error)};
  if (std::string problems = validate_with(*entry->schema, args); !problems.empty())
    return {false, error_content("invalid arguments for " + fn.name + ": " + problems)};

  net::HttpRequest req;
  req.method = fn.method;
  std::transform(req.method.begin(), req.method.end(), req.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static constexpr std::array<std::string_view, 5> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (std::find(kMethods.begin(), kMethods.end(), req.method) == kMethods.end())
    return {false, error_content("function " + fn.name + " has an unsupported method " + fn.method)};
  const bool query_args = req.method == "GET" || req.method == "DELETE";
  req.url = query_args ? url_with_query(fn.endpoint, args) : fn.endpoint;
  req.timeout = std::chrono::seconds(std::clamp(fn.timeout_seconds, 1, 60));
  req.connect_timeout = std::min<std::chrono::milliseconds>(req.timeout, std::chrono::seconds(5));
  req.guard = net::user_target_guard(impl_->allow_private);
  req.headers.emplace_back("Accept", "application/json");
  if (!query_args) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = dump(args);
  }
  if (fn.headers.is_object())
    for (const auto& [name, value] : fn.headers.items()) req.headers.emplace_back(name, scalar_text(value));
  const json& auth = fn.auth_config.is_object() ? fn.auth_config : json::object();
  auto auth_string = [&auth](const char* key) {
    auto it = auth.find(key);
    return it != auth.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  if (fn.auth_type == "api_key") {
    std::string header = auth_string("headerName");
    req.headers.emplace_back(header.empty() ? "X-API-Key" : header, auth_string("key"));
  } else if (fn.auth_type == "bearer") {
    req.headers.emplace_back("Authorization", "Bearer " + auth_string("token"));
  } else if (fn.auth_type == "basic") {
    req.headers.emplace_back("Authorization", "Basic " + base64(auth_string("username") + ":" + auth_string("password")));
  }

  auto res = net::perform(req, {}, stop);
  if (!res) {
    const std::string& why = res.error().message;
    if (res.error().code == ErrorCode::invalid_argument)
      return {false, error_content("refused to call " + fn.name + ": " + why)};
    return {false, error_content("calling " + fn.name + " failed: " + why)};
  }
  if (res->status < 200 || res->status >= 300)
    return {false, error_content(fn.name + " returned HTTP " + std::to_string(res->status) + ": " +
                                 res->body.substr(0, 300))};
  json body = parse_json_or_discarded(res->body);
  if (body.is_discarded()) body = res->body;  // a plain-text answer
  auto mapped = map_response(fn.response_mapping, body);
  if (!mapped) return {false, error_content(fn.name + ": " + mapped.error().message)};
  std::string content = mapped->is_string() ? mapped->get<std::string>() : dump(*mapped);
  if (content.size() > kMaxResultBytes) content = content.substr(0, kMaxResultBytes) + "...(truncated)";
  return {true, std::move(content)};
}

}  // namespace voqo::brain
