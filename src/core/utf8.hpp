#pragma once
/// UTF-8 checks (RFC 3629; Unicode 15 §3.9, Table 3-7).
#include <cstddef>
#include <string_view>

namespace voqo {

/// True when `bytes` is well-formed UTF-8: no overlongs, no surrogates,
/// nothing above U+10FFFF. ASCII runs are checked 8 bytes at a time.
bool is_valid_utf8(std::string_view bytes);

/// Number of Unicode code points in valid UTF-8 `s` (bytes that are not
/// continuation bytes).
size_t utf8_length(std::string_view s);

}  // namespace voqo
