#include "core/error.hpp"

namespace voqo {

Error Error::invalid(std::string field, std::string message) {
  Error e{ErrorCode::invalid_argument, message, {}};
  e.fields.push_back({std::move(field), std::move(message)});
  return e;
}

Error Error::not_found(std::string message) { return {ErrorCode::not_found, std::move(message), {}}; }

Error Error::conflict(std::string field, std::string message) {
  Error e{ErrorCode::conflict, message, {}};
  if (!field.empty()) e.fields.push_back({std::move(field), std::move(message)});
  return e;
}

Error Error::bad_request(std::string message) { return {ErrorCode::bad_request, std::move(message), {}}; }

Error Error::unauthorized(std::string message) { return {ErrorCode::unauthorized, std::move(message), {}}; }

Error Error::forbidden(std::string field, std::string message) {
  Error e{ErrorCode::forbidden, message, {}};
  if (!field.empty()) e.fields.push_back({std::move(field), std::move(message)});
  return e;
}

Error Error::database(std::string message) { return {ErrorCode::database, std::move(message), {}}; }

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::database: return "database";
    case ErrorCode::io: return "io";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

}  // namespace voqo
