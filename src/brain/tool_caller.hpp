#pragma once
/// Custom functions (the `custom_functions` table) as LLM tools: the model's
/// arguments are validated against the function's JSON Schema (valijson),
/// then the function's HTTP endpoint is called and its response, mapped, goes
/// back to the model as a `tool` message. Every failure (invalid arguments,
/// refused private address, transport error, HTTP error status) also goes back
/// to the model, as `{"error": "..."}`, so it can recover in words.
///
/// Blocking (HTTP): run on a worker pool. Thread-compatible.
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/openai_chat.hpp"
#include "core/error.hpp"

namespace voqo::brain {

/// One row of `custom_functions`, auth already decrypted.
struct CustomFunction {
  std::string name;         ///< tool name the LLM sees ([a-zA-Z0-9_-], ≤ 64 chars, OpenAI's rule)
  std::string description;
  std::string endpoint;     ///< absolute http(s) URL
  std::string method = "POST";  ///< GET, POST, PUT, PATCH, DELETE
  nlohmann::json headers = nlohmann::json::object();  ///< {"Name": "value"} sent with every call
  /// "none" | "api_key" | "bearer" | "basic". auth_config by type:
  /// api_key {"headerName"?: "X-API-Key" (default), "key"} → `<headerName>: <key>`;
  /// bearer {"token"} → `Authorization: Bearer <token>`;
  /// basic {"username", "password"} → `Authorization: Basic base64(user:pass)` (RFC 7617).
  std::string auth_type = "none";
  nlohmann::json auth_config = nlohmann::json::object();
  /// JSON Schema (draft 7) of the arguments object.
  nlohmann::json parameters = {{"type", "object"}, {"properties", nlohmann::json::object()}};
  /// How to turn the endpoint's response into the tool result:
  ///  - {} / null: the whole body (JSON, or the text when not JSON);
  ///  - {"path": P}: the value at P;
  ///  - {"fields": {"out": P, ...}}: an object of the values at each P (null when absent),
  ///    taken from the value at "path" when both are given.
  /// P is a JSON Pointer (RFC 6901, "/data/items/0/name") or the dotted form
  /// "data.items.0.name". A "path" that is absent is an error for the model.
  nlohmann::json response_mapping = nlohmann::json::object();
  int timeout_seconds = 10;  ///< whole HTTP call, clamped to [1, 60]
  bool enabled = true;       ///< disabled functions are not offered
};

/// The result of one tool call, as sent back in the `tool` message.
struct ToolOutcome {
  bool ok = false;
  std::string content;  ///< the message content: the mapped result (JSON text or plain text) or {"error": ...}
};

/// Validates `arguments` against `schema` (JSON Schema draft 7, valijson).
/// Returns "" when valid, else every failure as "<JSON pointer>: <what failed>"
/// joined by "; " (e.g. "/unit: Failed to match against any enum values.").
/// An unusable schema is reported the same way ("schema: ...").
std::string validate_arguments(const nlohmann::json& schema, const nlohmann::json& arguments);

/// Applies a CustomFunction::response_mapping to `body`. Errors:
/// ErrorCode::not_found when "path" is absent from the body.
Result<nlohmann::json> map_response(const nlohmann::json& mapping, const nlohmann::json& body);

/// The URL for a GET/DELETE call: `endpoint` plus the arguments as a query
/// string (strings as is, other scalars as JSON text, arrays as repeated
/// keys, objects as JSON text; RFC 3986 percent-encoding).
std::string url_with_query(std::string_view endpoint, const nlohmann::json& arguments);

/// Calls custom functions for one call's LLM brain.
class ToolCaller {
 public:
  /// `allow_private_addresses`: whether endpoints on loopback/private
  /// networks may be called (the deployment's setting allow_private_tool_hosts;
  /// off by default: net::AddressGuard::public_only, the SSRF guard). Either
  /// way the call is direct (no proxy from the environment) and does not
  /// follow redirects (see net::AddressGuard).
  ToolCaller(std::vector<CustomFunction> functions, bool allow_private_addresses);
  ~ToolCaller();
  ToolCaller(ToolCaller&&) noexcept;
  ToolCaller& operator=(ToolCaller&&) noexcept;

  /// The enabled functions as tool specs for the request.
  [[nodiscard]] std::vector<ToolSpec> specs() const;
  /// Whether `name` is an enabled function.
  [[nodiscard]] bool has(std::string_view name) const;

  /// Validates and performs `call`. Never fails as a value: every failure is a
  /// ToolOutcome with ok = false and an {"error": "..."} content naming what
  /// went wrong (unknown function, invalid JSON, schema failures with their
  /// paths, refused private address, timeout, HTTP status). Results longer
  /// than 8000 bytes are cut.
  [[nodiscard]] ToolOutcome call(const ToolCall& call, std::stop_token stop = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::brain
