#include "api/problem.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace voqo::api {

std::string_view problem_type(int status) {
  switch (status) {
    case 409: return "https://voqo.dev/problems/conflict";
    case 413: return "https://voqo.dev/problems/too-large";
    case 422: return "https://voqo.dev/problems/validation";
    default: return "about:blank";
  }
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

HttpResponse problem(int status, std::string_view title, std::string_view detail,
                     std::vector<voqo::FieldError> fields, std::string_view instance) {
  nlohmann::json j;
  j["type"] = problem_type(status);
  j["title"] = title.empty() ? reason_phrase(status) : title;
  j["status"] = status;
  if (!detail.empty()) j["detail"] = detail;
  if (!instance.empty()) j["instance"] = instance;
  if (!fields.empty()) j["field"] = fields.front().field;
  auto errors = nlohmann::json::array();
  for (auto& f : fields) {
    errors.push_back({{"field", std::move(f.field)}, {"message", std::move(f.message)}});
  }
  j["errors"] = std::move(errors);
  // Replace invalid UTF-8 rather than throwing: details may echo client input.
  return HttpResponse{status, "application/problem+json",
                      j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

int http_status(voqo::ErrorCode code) {
  switch (code) {
    case voqo::ErrorCode::invalid_argument: return 422;
    case voqo::ErrorCode::bad_request: return 400;
    case voqo::ErrorCode::unauthorized: return 401;
    case voqo::ErrorCode::forbidden: return 403;
    case voqo::ErrorCode::not_found: return 404;
    case voqo::ErrorCode::conflict: return 409;
    case voqo::ErrorCode::too_large: return 413;
    case voqo::ErrorCode::unsupported: return 415;
    case voqo::ErrorCode::database:
    case voqo::ErrorCode::io:
    case voqo::ErrorCode::internal: return 500;
  }
  return 500;
}

HttpResponse problem_from(const voqo::Error& error, std::string_view instance) {
  const int status = http_status(error.code);
  if (status >= 500) {
    spdlog::error("{} error{}{}: {}", voqo::to_string(error.code), instance.empty() ? "" : " at ",
                  instance, error.message);
    return problem(status, {}, "An internal error occurred; see the server log.", {}, instance);
  }
  std::string_view title;
  switch (error.code) {
    case voqo::ErrorCode::invalid_argument: title = "Validation failed"; break;
    default: break;  // the reason phrase
  }
  return problem(status, title, error.message, error.fields, instance);
}

}  // namespace voqo::api
