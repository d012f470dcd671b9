#pragma once
/// Streaming CSV reader on top of libcsv (https://github.com/rgamble/libcsv),
/// for contact import (issue 2, "Contact import").
///
/// What it reads (RFC 4180, "Common Format and MIME Type for CSV Files", made
/// lenient the way spreadsheet exports need):
///  - fields separated by one delimiter, sniffed among `,` `;` TAB `|` from the
///    first records (see CsvReader::delimiter()), or given;
///  - quoted fields ("…") holding delimiters, doubled quotes ("" → ") and line
///    breaks, which are kept exactly as in the file (\r\n or \n);
///  - records ended by CRLF, LF or a lone CR; the last one may lack it;
///  - blank lines (and lines of only spaces) are skipped, not records;
///  - spaces and tabs around an unquoted field are trimmed (libcsv's rule),
///    inside quotes they are kept; a stray quote inside an unquoted field is
///    kept as a character (libcsv without CSV_STRICT);
///  - UTF-8 with or without a byte-order mark (the BOM is dropped); a field
///    that is not valid UTF-8 is read as Windows-1252 (WHATWG Encoding
///    Standard's windows-1252, a superset of ISO-8859-1) and converted to UTF-8,
///    and the record says so (CsvRecord::transcoded_field).
///
/// Memory is bounded: the reader holds one buffer (256 KiB), libcsv's field
/// buffer (at most CsvOptions::hard_field_bytes + 64 KiB) and the fields of
/// the current record (at most CsvOptions::max_fields of them).
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace voqo::campaign {

struct CsvOptions {
  /// The delimiter, or 0 to sniff it among `,` `;` TAB `|`.
  char delimiter = 0;
  /// A field longer than this (bytes as read, after unquoting) is not
  /// stored: the record reports it in CsvRecord::oversized_field and reading
  /// goes on. A field read as Windows-1252 is stored as UTF-8, which may take
  /// up to 3 bytes per byte read (e.g. 0x80 → U+20AC, 3 bytes).
  size_t max_field_bytes = 64 * 1024;
  /// A field longer than this (bytes) stops reading with an error; this is
  /// what an unclosed quote that swallows the rest of a big file looks like.
  size_t hard_field_bytes = 1024 * 1024;
  /// Fields stored per record; further fields are counted (field_count) but
  /// not kept, so a 10,000-column row costs no more than a 1,000-column one.
  size_t max_fields = 1000;
};

/// One record. Reused from call to call (CsvReader::next), so its strings keep
/// their capacity.
struct CsvRecord {
  /// 1-based physical line of the file where the record starts (lines end
  /// with CRLF, LF or a lone CR; line breaks inside quoted fields count).
  uint64_t line = 0;
  /// The first min(field_count, max_fields) fields, UTF-8.
  std::vector<std::string> fields;
  /// How many fields the record has (including those not stored).
  size_t field_count = 0;
  /// 1 + the index of the last non-empty field; 0 when every field is empty.
  /// Lets callers tell real extra fields from trailing empty ones.
  size_t used_count = 0;
  /// Index of the first field that contains a NUL byte (stored as read).
  std::optional<size_t> nul_field;
  /// Index of the first field longer than max_field_bytes (stored as "").
  std::optional<size_t> oversized_field;
  /// Length in bytes of that field.
  size_t oversized_bytes = 0;
  /// Index of the first field that was not valid UTF-8 and was read as
  /// Windows-1252.
  std::optional<size_t> transcoded_field;
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  /// Reads the next record into `record`. Returns true when one was read,
  /// false at the end of the input. Errors (after one, every later call
  /// returns it again):
  ///  - ErrorCode::too_large "field longer than N bytes starting at line L
  ///    (unclosed quote?)" when a field exceeds hard_field_bytes;
  ///  - ErrorCode::bad_request "unclosed quote in the field starting at line L"
  ///    when the input ends inside a quoted field;
  ///  - ErrorCode::unsupported when the file starts with a UTF-16 or UTF-32
  ///    byte-order mark;
  ///  - ErrorCode::io when the stream fails.
  Result<bool> next(CsvRecord& record);

  /// The delimiter in use: the given one, or the sniffed one once next() has
  /// been called. Sniffing looks at up to 50 records of the first 256 KiB,
  /// counting each candidate outside quotes; the candidate that appears in the
  /// first record and has that same count in the most following records wins
  /// (ties: the higher count, then the order `,` `;` TAB `|`); none → `,`.
  char delimiter() const;
  /// True when the input started with a UTF-8 byte-order mark.
  bool had_bom() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Exposed for tests: converts Windows-1252 bytes to UTF-8 (WHATWG Encoding
/// Standard mapping; 0x81 0x8D 0x8F 0x90 0x9D map to the C1 controls with the
/// same code). Appends to `out`.
void windows1252_to_utf8(std::string_view bytes, std::string& out);

}  // namespace voqo::campaign
