// The CSV reader (src/campaign/csv_reader.hpp) on any uploaded file: contact
// imports are the largest input a user hands the server. Each input is read
// twice: with the defaults (delimiter sniffed) and with tiny limits and a
// delimiter chosen by the input, so the field-size, field-count and
// oversized-field paths are reached with small inputs.
// Properties: every stored field is valid UTF-8 and within the size limit
// (3 × for a field read as Windows-1252); lines only grow; a record
// stores min(field_count, max_fields) fields; used_count <= field_count;
// the reader ends (true/false/error) and an error repeats.
#include <cstdint>
#include <sstream>
#include <string>

#include "campaign/csv_reader.hpp"
#include "core/utf8.hpp"
#include "fuzz_check.hpp"

using namespace voqo::campaign;

namespace {

void read_all(const std::string& text, CsvOptions options) {
  std::istringstream in(text);
  CsvReader reader(in, options);
  CsvRecord record;
  uint64_t last_line = 0;
  for (int n = 0; n < 100000; ++n) {
    auto more = reader.next(record);
    if (!more) {
      auto again = reader.next(record);
      FUZZ_CHECK(!again && again.error().code == more.error().code);
      return;
    }
    if (!*more) return;
    FUZZ_CHECK(record.line > last_line);
    last_line = record.line;
    FUZZ_CHECK(record.fields.size() == std::min(record.field_count, options.max_fields));
    FUZZ_CHECK(record.used_count <= record.field_count);
    for (const auto& f : record.fields) {
      FUZZ_CHECK(voqo::is_valid_utf8(f));
      // The limit counts bytes as read; Windows-1252 → UTF-8 takes up to 3 per byte.
      FUZZ_CHECK(f.size() <= (record.transcoded_field ? 3 : 1) * options.max_field_bytes);
    }
    if (record.oversized_field) FUZZ_CHECK(record.oversized_bytes > options.max_field_bytes);
  }
  FUZZ_CHECK(!"more records than bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_all(text, {});
  CsvOptions tight;
  static constexpr char kDelimiters[] = {0, ',', ';', '\t', '|'};  // sniffed, or one the sniffer picks
  tight.delimiter = size ? kDelimiters[data[size - 1] % sizeof kDelimiters] : 0;
  tight.max_field_bytes = 8;
  tight.hard_field_bytes = 64;
  tight.max_fields = 3;
  read_all(text, tight);
  std::string utf8;
  windows1252_to_utf8(text, utf8);
  FUZZ_CHECK(voqo::is_valid_utf8(utf8));
  return 0;
}
