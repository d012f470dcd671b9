#pragma once
/// Reading JSON text (RFC 8259) that comes from outside the process: HTTP
/// bodies, WebSocket messages, replies from LLM, speech and SMS providers,
/// tool arguments an LLM wrote. One nesting limit for all of them, so that no
/// recursive walk over a parsed value (copy, dump, comparison, redaction) can
/// run out of stack: nlohmann's parser itself is iterative, but copying or
/// dumping a value of 150,000 nested levels recurses 150,000 times.
///
/// RFC 8259 §9 lets a parser limit nesting depth; this one allows 64 levels.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

#include "core/error.hpp"

namespace voqo {

/// The deepest nesting of arrays and objects accepted from outside: `[[1]]`
/// has 2 levels, a scalar 0. Configuration, tool schemas and call variables
/// need a handful; 64 leaves room and keeps recursion over any value shallow.
inline constexpr int kMaxJsonDepth = 64;

/// The message of every depth error: "JSON nesting deeper than 64 levels".
std::string json_depth_message(int max_depth = kMaxJsonDepth);

/// Checks that `text` nests arrays and objects at most `max_depth` levels,
/// in one linear pass without recursion or allocation: '[' and '{' outside
/// string literals open a level, ']' and '}' close one; brackets inside
/// strings (escapes included) do not count. Says nothing about whether the
/// text is otherwise valid JSON. Errors: bad_request "JSON nesting deeper
/// than <max_depth> levels (at byte <offset>)", the offset being that of the
/// first bracket past the limit; its field is `field` when not empty.
Result<void> check_json_depth(std::string_view text, std::string_view field = {},
                              int max_depth = kMaxJsonDepth);

/// Parses `text` as one JSON value (RFC 8259; no comments, no trailing
/// bytes other than whitespace), nesting at most `max_depth` levels (checked
/// first by check_json_depth(), so a deep text costs one linear scan and no
/// allocation). `field` names the value in errors (e.g. "variables", or ""
/// for a whole request body); the errors' field is a path below it such as
/// "variables.plan[2]". Errors, all bad_request (HTTP 400):
///  - "JSON nesting deeper than 64 levels (at byte N)";
///  - "number out of range: 1e400" for a number a double cannot hold, with
///    the path of the member holding it as the field;
///  - "not valid JSON: <what the parser expected> at byte N" otherwise
///    (including invalid UTF-8 in strings).
Result<nlohmann::json> parse_json(std::string_view text, std::string_view field = {},
                                  int max_depth = kMaxJsonDepth);

/// parse_json() for a peer's reply where any error only means "not the JSON
/// expected" (an LLM's stream chunk, a provider's error body): the value, or
/// a discarded value (`is_discarded()`, which is neither object, array nor
/// string) when the text is not JSON or nests deeper than `max_depth`.
nlohmann::json parse_json_or_discarded(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace voqo
