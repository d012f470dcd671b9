#pragma once
/// Writing JSON text directly (RFC 8259), for hot paths that serialize many
/// rows (list endpoints, import variables) without building a DOM first.
#include <string>
#include <string_view>

namespace voqo {

/// Appends `value` as a JSON string literal (quoted, escaped per RFC 8259
/// §7). Strings without characters that need escaping are copied as they
/// are; others are escaped by nlohmann::json, with invalid UTF-8 replaced by
/// U+FFFD.
void append_json_string(std::string& out, std::string_view value);

}  // namespace voqo
