#pragma once
/// Errors as values (DESIGN.md: `std::expected<T, Error>` on hot paths).
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace voqo {

/// What went wrong, coarse enough to map onto an HTTP status (see api/problem.hpp).
enum class ErrorCode {
  invalid_argument,  ///< input failed validation (HTTP 422); `field` names it
  bad_request,       ///< input could not be parsed at all (HTTP 400)
  unauthorized,      ///< no, or no valid, credential: key, session or ticket (HTTP 401)
  forbidden,         ///< authenticated but not allowed: scope, role or tier limit (HTTP 403); `field` names the limit
  not_found,         ///< the addressed entity does not exist (HTTP 404)
  conflict,          ///< a uniqueness or state rule was violated (HTTP 409)
  too_large,         ///< input exceeded a configured limit (HTTP 413)
  unsupported,       ///< media type or operation not supported (HTTP 415)
  database,          ///< the store failed (HTTP 500)
  io,                ///< a file or socket failed (HTTP 500)
  internal,          ///< a bug (HTTP 500)
};

/// One problem with one input field. `field` is the API's camelCase name
/// (or a JSON-pointer-like path such as `retry.maxAttempts`).
struct FieldError {
  std::string field;
  std::string message;
};

/// An error value: a code, a human-readable message and, for validation
/// errors, every offending field.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::vector<FieldError> fields;

  /// The first offending field's name, or "" when the error is not about a field.
  [[nodiscard]] std::string_view field() const {
    return fields.empty() ? std::string_view{} : std::string_view{fields.front().field};
  }

  static Error invalid(std::string field, std::string message);
  static Error not_found(std::string message);
  static Error conflict(std::string field, std::string message);
  static Error bad_request(std::string message);
  /// 401: the credential is missing, unknown, expired, revoked or forged. The
  /// message is for logs and the client alike, so it never echoes a secret.
  static Error unauthorized(std::string message);
  /// 403: the caller is known but may not do this. `field` names what refused
  /// it when that helps the client (a tier limit: "agents", "premiumVoices"),
  /// or is empty (a missing scope or role).
  static Error forbidden(std::string field, std::string message);
  static Error database(std::string message);
};

template <class T>
using Result = std::expected<T, Error>;

/// `Result<void>` success value.
inline std::expected<void, Error> ok() { return {}; }

/// Name of an ErrorCode, e.g. "not_found".
std::string_view to_string(ErrorCode code);

}  // namespace voqo
