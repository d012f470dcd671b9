#include "campaign/csv_reader.hpp"

#include <csv.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace voqo::campaign {
namespace {

constexpr size_t kBufferBytes = 256 * 1024;
/// Input is fed to libcsv in pieces that end at a line break or are at most
/// this long; the field-length check runs after each piece, so libcsv's field
/// buffer never grows more than this past CsvOptions::hard_field_bytes.
constexpr size_t kMaxPiece = 64 * 1024;
/// libcsv grows its field buffer by this much at a time (default 128 bytes,
/// which would make a 1 MiB field cost 8,192 reallocations).
constexpr size_t kLibcsvBlock = 16 * 1024;
/// libcsv's parser states (libcsv.c: ROW_NOT_BEGUN, FIELD_BEGUN).
constexpr int kRowNotBegun = 0;
constexpr int kFieldBegun = 2;
constexpr size_t kSniffRecords = 50;

/// Windows-1252 0x80–0x9F (WHATWG index-windows-1252; unassigned bytes map to
/// the C1 control with the same number).
constexpr std::array<uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}


/// Picks the delimiter from the first records of `sample` (see
/// CsvReader::delimiter()). `complete`: the sample is the whole input.
char sniff_delimiter(std::string_view sample, bool complete) {
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  std::vector<std::array<uint32_t, 4>> records;
  std::array<uint32_t, 4> current{};
  bool in_quotes = false;
  bool has_content = false;
  for (size_t i = 0; i < sample.size() && records.size() < kSniffRecords; ++i) {
    const char c = sample[i];
    if (c == '"') {
      in_quotes = !in_quotes;
      has_content = true;
    } else if (in_quotes) {
      continue;
    } else if (c == '\n' || c == '\r') {
      if (has_content) records.push_back(current);
      current = {};
      has_content = false;
    } else {
      if (c != ' ') has_content = true;
      for (size_t k = 0; k < kCandidates.size(); ++k)
        if (c == kCandidates[k]) ++current[k];
    }
  }
  if (complete && has_content && records.size() < kSniffRecords) records.push_back(current);
  if (records.empty()) return ',';

  int best = -1;
  size_t best_consistent = 0;
  uint32_t best_count = 0;
  for (size_t k = 0; k < kCandidates.size(); ++k) {
    const uint32_t in_header = records[0][k];
    if (in_header == 0) continue;
    size_t consistent = 0;
    for (size_t r = 1; r < records.size(); ++r)
      if (records[r][k] == in_header) ++consistent;
    if (best < 0 || consistent > best_consistent || (consistent == best_consistent && in_header > best_count)) {
      best = static_cast<int>(k);
      best_consistent = consistent;
      best_count = in_header;
    }
  }
  return best < 0 ? ',' : kCandidates[static_cast<size_t>(best)];
}

}  // namespace

void windows1252_to_utf8(std::string_view bytes, std::string& out) {
  out.reserve(out.size() + bytes.size() * 2);
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) out.push_back(ch);
    else if (b < 0xA0) append_utf8(kCp1252High[b - 0x80], out);
    else append_utf8(b, out);
  }
}

struct CsvReader::Impl {
  std::istream& in;
  CsvOptions opt;
  csv_parser parser{};
  bool parser_ready = false;

  std::unique_ptr<char[]> buf{new char[kBufferBytes]};
  size_t pos = 0;
  size_t end = 0;
  bool eof = false;
  bool started = false;
  bool finished = false;
  std::optional<Error> error;

  char delim = ',';
  bool bom = false;

  uint64_t line = 1;         ///< line of the piece being fed
  uint64_t record_line = 1;  ///< line where the current record started
  uint64_t field_line = 0;   ///< line where the current field started (0: record_line)

  CsvRecord* rec = nullptr;
  bool record_done = false;
  size_t overflow_bytes = 0;  ///< a field passed to us was over hard_field_bytes
  uint64_t overflow_line = 0;

  Impl(std::istream& s, CsvOptions o) : in(s), opt(o) {}
  ~Impl() {
    if (parser_ready) csv_free(&parser);
  }

  Error fail(ErrorCode code, std::string message) {
    error = Error{code, std::move(message), {}};
    return *error;
  }

  Error too_long(uint64_t at_line) {
    return fail(ErrorCode::too_large, "field longer than " + std::to_string(opt.hard_field_bytes) +
                                          " bytes starting at line " + std::to_string(at_line) +
                                          " (unclosed quote?)");
  }

  uint64_t current_field_line() const { return field_line ? field_line : record_line; }

  /// Moves the unread bytes to the front and reads more. False on I/O error.
  bool refill() {
    if (pos > 0) {
      std::memmove(buf.get(), buf.get() + pos, end - pos);
      end -= pos;
      pos = 0;
    }
    if (eof) return true;
    in.read(buf.get() + end, static_cast<std::streamsize>(kBufferBytes - end));
    const auto got = static_cast<size_t>(in.gcount());
    end += got;
    if (in.bad()) {
      fail(ErrorCode::io, "reading the CSV input failed");
      return false;
    }
    if (!in) eof = true;  // short read: end of input
    return true;
  }

  /// Length of the next piece at `pos` (ends after a line break, or is
  /// kMaxPiece long, or is the rest of the input); 0 at the end of input.
  size_t next_piece() {
    for (;;) {
      const char* b = buf.get() + pos;
      const size_t n = end - pos;
      if (n > 0) {
        const size_t lim = std::min(n, kMaxPiece);
        const auto* nl = static_cast<const char*>(std::memchr(b, '\n', lim));
        const size_t scan = nl ? static_cast<size_t>(nl - b) : lim;
        const auto* cr = static_cast<const char*>(std::memchr(b, '\r', scan));
        if (cr) {
          const auto i = static_cast<size_t>(cr - b);
          if (i + 1 < n) return b[i + 1] == '\n' ? i + 2 : i + 1;
          if (eof) return i + 1;
        } else if (nl) {
          return scan + 1;
        } else if (lim == kMaxPiece) {
          return lim;
        } else if (eof) {
          return n;
        }
      } else if (eof) {
        return 0;
      }
      if (!refill()) return 0;
    }
  }

  Result<void> start() {
    started = true;
    if (!refill()) return std::unexpected(*error);
    const auto* u = reinterpret_cast<const unsigned char*>(buf.get());
    const size_t n = end;
    if ((n >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) ||
        (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF))
      return std::unexpected(fail(ErrorCode::unsupported, "the file is UTF-32; save it as CSV UTF-8"));
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
      return std::unexpected(fail(ErrorCode::unsupported, "the file is UTF-16; save it as CSV UTF-8"));
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
      bom = true;
      pos = 3;
    }
    delim = opt.delimiter ? opt.delimiter : sniff_delimiter({buf.get() + pos, end - pos}, eof);
    if (csv_init(&parser, 0) != 0) return std::unexpected(fail(ErrorCode::internal, "libcsv: csv_init failed"));
    parser_ready = true;
    csv_set_delim(&parser, static_cast<unsigned char>(delim));
    csv_set_blk_size(&parser, kLibcsvBlock);
    return {};
  }

  std::string* slot(size_t index) {
    auto& fields = rec->fields;
    if (index < fields.size()) return &fields[index];
    return &fields.emplace_back();
  }

  void on_field(const char* data, size_t len) {
    CsvRecord& r = *rec;
    const size_t index = r.field_count++;
    if (index == 0) r.line = record_line;
    if (len > opt.hard_field_bytes && overflow_bytes == 0) {
      overflow_bytes = len;
      overflow_line = current_field_line();
    }
    field_line = line;  // the next field starts after this delimiter, on this line
    if (len == 0) {
      if (index < opt.max_fields) slot(index)->clear();
      return;
    }
    r.used_count = index + 1;
    const std::string_view value(data, len);
    if (!r.nul_field && std::memchr(data, '\0', len) != nullptr) r.nul_field = index;
    if (index >= opt.max_fields) return;
    std::string& out = *slot(index);
    if (len > opt.max_field_bytes) {
      if (!r.oversized_field) {
        r.oversized_field = index;
        r.oversized_bytes = len;
      }
      out.clear();
    } else if (is_valid_utf8(value)) {
      out.assign(value);
    } else {
      out.clear();
      windows1252_to_utf8(value, out);
      if (!r.transcoded_field) r.transcoded_field = index;
    }
  }

  void on_record() {
    record_done = true;
    field_line = 0;
    rec->fields.resize(std::min(rec->field_count, opt.max_fields));
  }

  static void field_cb(void* data, size_t len, void* self) {
    static_cast<Impl*>(self)->on_field(static_cast<const char*>(data), data ? len : 0);
  }
  static void record_cb(int, void* self) { static_cast<Impl*>(self)->on_record(); }

  Result<bool> next(CsvRecord& record) {
    if (error) return std::unexpected(*error);
    if (finished) return false;
    if (!started) {
      if (auto s = start(); !s) return std::unexpected(s.error());
    }
    record.line = 0;
    record.field_count = 0;
    record.used_count = 0;
    record.nul_field.reset();
    record.oversized_field.reset();
    record.oversized_bytes = 0;
    record.transcoded_field.reset();
    rec = &record;
    record_done = false;

    while (!record_done) {
      const size_t piece = next_piece();
      if (error) return std::unexpected(*error);
      if (piece == 0) {
        if (parser.pstate == kFieldBegun && parser.quoted)
          return std::unexpected(fail(ErrorCode::bad_request, "unclosed quote in the field starting at line " +
                                                                  std::to_string(current_field_line())));
        csv_fini(&parser, field_cb, record_cb, this);
        finished = true;
        if (overflow_bytes) return std::unexpected(too_long(overflow_line));
        return record_done;
      }
      if (parser.pstate == kRowNotBegun) record_line = line;
      const char* p = buf.get() + pos;
      const size_t used = csv_parse(&parser, p, piece, field_cb, record_cb, this);
      if (used != piece)
        return std::unexpected(fail(ErrorCode::internal, std::string("libcsv: ") + csv_strerror(csv_error(&parser))));
      pos += piece;
      if (p[piece - 1] == '\n' || p[piece - 1] == '\r') ++line;
      if (overflow_bytes) return std::unexpected(too_long(overflow_line));
      if (parser.entry_pos > opt.hard_field_bytes)
        return std::unexpected(too_long(current_field_line()));
    }
    return true;
  }
};

CsvReader::CsvReader(std::istream& in, CsvOptions options) : impl_(std::make_unique<Impl>(in, options)) {}
CsvReader::~CsvReader() = default;

Result<bool> CsvReader::next(CsvRecord& record) { return impl_->next(record); }
char CsvReader::delimiter() const { return impl_->opt.delimiter ? impl_->opt.delimiter : impl_->delim; }
bool CsvReader::had_bom() const { return impl_->bom; }

}  // namespace voqo::campaign
