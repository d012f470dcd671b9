#pragma once
/// RFC 7807 (now RFC 9457) "problem details" responses: every error the API
/// returns is `application/problem+json` of this shape:
///
///   {"type": "about:blank" | "https://voqo.dev/problems/<kind>",
///    "title": "...", "status": 422, "detail": "...",
///    "instance": "/api/agents/…"            (when known),
///    "field": "name"                         (first offending field, when any),
///    "errors": [{"field": "name", "message": "..."}]}
#include <string_view>
#include <vector>

#include "api/http.hpp"
#include "core/error.hpp"

namespace voqo::api {

/// The problem `type` URI for an HTTP status: "https://voqo.dev/problems/validation"
/// for 422, ".../conflict" for 409, ".../too-large" for 413, otherwise
/// "about:blank" (RFC 7807 §4.2: the title is then the status's reason phrase).
std::string_view problem_type(int status);

/// The standard reason phrase for `status` (RFC 9110 §15), e.g. "Not Found";
/// "Error" for codes it does not know.
std::string_view reason_phrase(int status);

/// Builds a problem+json response. `title` empty → the reason phrase;
/// `detail` and `instance` are omitted when empty; `fields` become "errors"
/// (always present, possibly empty) and the first one's name is "field".
HttpResponse problem(int status, std::string_view title, std::string_view detail,
                     std::vector<voqo::FieldError> fields = {}, std::string_view instance = {});

/// The HTTP status for an error code: invalid_argument 422, bad_request 400,
/// unauthorized 401, forbidden 403, not_found 404, conflict 409, too_large 413, unsupported 415, everything
/// else (database, io, internal) 500.
int http_status(voqo::ErrorCode code);

/// A problem response for an error value (status from http_status()). For
/// 500s the message is logged with spdlog (error level, with `instance`) and
/// the client only sees a generic detail, so internals do not leak.
HttpResponse problem_from(const voqo::Error& error, std::string_view instance);

}  // namespace voqo::api
