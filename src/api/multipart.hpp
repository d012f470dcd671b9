#pragma once
/// Streaming extraction of the uploaded file from a multipart/form-data body
/// (RFC 7578, whose syntax is RFC 2046 §5.1). The body has been spooled to a
/// file by the HTTP server (RouteOptions::spool_body) and may be hundreds of
/// megabytes: it is scanned in bounded chunks and never loaded whole; the
/// caller reads the file part in place via its byte range.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace voqo::api {

/// The file part of a multipart body: bytes [offset, offset + length) of the
/// spooled body file, plus what its part headers said.
struct MultipartFile {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string field_name;    ///< Content-Disposition `name`, e.g. "file"
  std::string filename;      ///< Content-Disposition `filename`, directories stripped; may be ""
  std::string content_type;  ///< the part's Content-Type; "text/plain" when absent (RFC 7578 §4.4)
};

/// The `boundary` parameter of a `multipart/form-data` Content-Type header
/// (quoted or not; RFC 2046 §5.1.1: 1–70 characters). Errors: unsupported
/// when the media type is not multipart/form-data; bad_request
/// "multipart body has no boundary" when the parameter is missing or invalid.
voqo::Result<std::string> multipart_boundary(std::string_view content_type);

/// Finds the first part that carries a `filename` parameter or is named
/// "file" (Content-Disposition, RFC 7578 §4.2), in the multipart body stored in `body_file`,
/// with `content_type` the request's Content-Type header. Reads at most a
/// bounded window (≈256 KiB) at a time. Errors (all bad_request unless
/// noted): "multipart body has no boundary", "no file part" (no such part
/// before the closing delimiter), "unterminated part" (the body ends inside a
/// part or before the closing delimiter), "part headers too large" (over
/// 16 KiB), io when the file cannot be read, unsupported when the content
/// type is not multipart/form-data.
voqo::Result<MultipartFile> find_file_part(const std::filesystem::path& body_file,
                                           std::string_view content_type);

/// The rule for the name an upload is stored under, whether it comes from
/// `?filename=` or from a multipart part's `filename` (after directories are
/// stripped): 1 to 255 bytes, none of them a control character (U+0000–
/// U+001F, U+007F; a NUL would cut the name short in C APIs and logs).
/// Error: invalid_argument naming "filename".
voqo::Result<void> check_upload_filename(std::string_view name);

}  // namespace voqo::api
