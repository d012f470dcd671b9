#include "api/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "api/http.hpp"

namespace voqo::api {

namespace {

constexpr std::size_t kChunk = 256 * 1024;        // read window
constexpr std::size_t kMaxPartHeaders = 16 * 1024;  // per part

voqo::Error bad(std::string message) { return voqo::Error::bad_request(std::move(message)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

using Params = std::vector<std::pair<std::string, std::string>>;

/// Parses `; name=value; name="quoted"` (RFC 9110 §5.6.6 parameters, names
/// lower-cased). In quoted strings only `\"` and `\\` are unescaped: browsers
/// do not escape backslashes in file names (HTML's multipart encoding), so a
/// lone backslash is kept as is.
Params parse_params(std::string_view s) {
  Params out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ';' || s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    std::string name = lower(trim(s.substr(name_start, i - name_start)));
    std::string value;
    if (i < s.size() && s[i] == '=') {
      ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
          value.push_back(s[i++]);
        }
        if (i < s.size()) ++i;  // closing quote
        while (i < s.size() && s[i] != ';') ++i;
      } else {
        std::size_t v_start = i;
        while (i < s.size() && s[i] != ';') ++i;
        value = std::string(trim(s.substr(v_start, i - v_start)));
      }
    }
    if (!name.empty()) out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

const std::string* find_param(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

/// A bounded window over a file, read forwards only.
class Scanner {
 public:
  explicit Scanner(std::FILE* f) : f_(f) { buf_.resize(kChunk); }

  [[nodiscard]] std::string_view avail() const { return {buf_.data() + cur_, len_ - cur_}; }
  [[nodiscard]] std::uint64_t pos() const { return base_ + cur_; }
  [[nodiscard]] bool failed() const { return error_; }
  void advance(std::size_t n) { cur_ += std::min(n, len_ - cur_); }

  /// Ensures at least `n` bytes are available; false when the file ends first.
  bool fill(std::size_t n) {
    while (len_ - cur_ < n) {
      if (eof_) return false;
      compact();
      if (buf_.size() < n) buf_.resize(n);
      read_more();
    }
    return true;
  }

  /// Moves to the next occurrence of `pat` (false at end of file, then the
  /// window is empty). Memory stays at one chunk.
  bool seek(std::string_view pat) {
    for (;;) {
      std::string_view v = avail();
      std::size_t i = v.find(pat);
      if (i != std::string_view::npos) {
        cur_ += i;
        return true;
      }
      std::size_t keep = std::min(v.size(), pat.size() - 1);
      if (eof_) {
        cur_ = len_;
        return false;
      }
      cur_ = len_ - keep;
      compact();
      read_more();
    }
  }

 private:
  void compact() {
    if (cur_ == 0) return;
    std::memmove(buf_.data(), buf_.data() + cur_, len_ - cur_);
    base_ += cur_;
    len_ -= cur_;
    cur_ = 0;
  }
  void read_more() {
    if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);
    std::size_t got = std::fread(buf_.data() + len_, 1, buf_.size() - len_, f_);
    len_ += got;
    if (got == 0) {
      eof_ = true;
      if (std::ferror(f_)) error_ = true;
    }
  }

  std::FILE* f_;
  std::vector<char> buf_;
  std::uint64_t base_ = 0;  // file offset of buf_[0]
  std::size_t cur_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
  bool error_ = false;
};

struct PartHeaders {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
};

std::string strip_directories(std::string_view name) {
  std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  return std::string(name);
}

PartHeaders parse_part_headers(std::string_view block) {
  PartHeaders h;
  while (!block.empty()) {
    std::size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-disposition")) {
      std::size_t semi = value.find(';');
      Params params = parse_params(semi == std::string_view::npos ? std::string_view{} : value.substr(semi));
      if (const auto* n = find_param(params, "name")) h.name = *n;
      if (const auto* f = find_param(params, "filename")) {
        h.filename = strip_directories(*f);
      } else if (const auto* fx = find_param(params, "filename*")) {
        // RFC 8187 ext-value: charset'language'pct-encoded.
        std::string_view v = *fx;
        std::size_t q2 = v.find('\'', v.find('\'') + 1);
        if (q2 != std::string_view::npos) {
          if (auto decoded = percent_decode(v.substr(q2 + 1), false)) h.filename = strip_directories(*decoded);
        }
      }
    } else if (iequals(name, "content-type")) {
      h.content_type = std::string(value);
    }
  }
  if (h.content_type.empty()) h.content_type = "text/plain";
  return h;
}

}  // namespace

voqo::Result<std::string> multipart_boundary(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  std::string_view media = trim(content_type.substr(0, semi));
  if (!iequals(media, "multipart/form-data")) {
    return std::unexpected(voqo::Error{voqo::ErrorCode::unsupported,
                                       "expected multipart/form-data, got \"" + std::string(media) + "\"",
                                       {}});
  }
  if (semi == std::string_view::npos) return std::unexpected(bad("multipart body has no boundary"));
  Params params = parse_params(content_type.substr(semi));
  const std::string* b = find_param(params, "boundary");
  // RFC 2046 §5.1.1: 1 to 70 characters, no trailing space, no line breaks.
  if (!b || b->empty() || b->size() > 70 || b->back() == ' ' ||
      b->find_first_of("\r\n") != std::string::npos) {
    return std::unexpected(bad("multipart body has no boundary"));
  }
  return *b;
}

voqo::Result<MultipartFile> find_file_part(const std::filesystem::path& body_file,
                                           std::string_view content_type) {
  auto boundary = multipart_boundary(content_type);
  if (!boundary) return std::unexpected(std::move(boundary.error()));
  const std::string dash = "--" + *boundary;
  const std::string delim = "\r\n" + dash;

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(body_file.c_str(), "rb"), &std::fclose);
  if (!f) {
    return std::unexpected(voqo::Error{voqo::ErrorCode::io, "cannot open " + body_file.string(), {}});
  }
  Scanner s(f.get());
  auto io_or = [&](std::string message) -> voqo::Error {
    if (s.failed()) return voqo::Error{voqo::ErrorCode::io, "cannot read " + body_file.string(), {}};
    return bad(std::move(message));
  };

  // The first delimiter may open the body or follow a preamble (RFC 2046 §5.1.1).
  if (s.fill(dash.size()) && s.avail().starts_with(dash)) {
    s.advance(dash.size());
  } else {
    if (!s.seek(delim)) return std::unexpected(io_or("no file part"));
    s.advance(delim.size());
  }

  for (;;) {
    // Right after a delimiter: "--" closes the body, else optional padding and CRLF.
    if (!s.fill(2)) return std::unexpected(io_or("unterminated part"));
    if (s.avail().starts_with("--")) return std::unexpected(bad("no file part"));
    while (s.fill(1) && (s.avail().front() == ' ' || s.avail().front() == '\t')) s.advance(1);
    if (!s.fill(2)) return std::unexpected(io_or("unterminated part"));
    if (!s.avail().starts_with("\r\n")) return std::unexpected(bad("malformed multipart delimiter line"));
    s.advance(2);

    // Part headers, up to the empty line.
    std::string headers;
    if (!s.fill(2)) return std::unexpected(io_or("unterminated part"));
    if (s.avail().starts_with("\r\n")) {
      s.advance(2);  // no headers at all
    } else {
      for (;;) {
        std::string_view v = s.avail();
        std::size_t end = v.find("\r\n\r\n");
        if (end != std::string_view::npos) {
          if (end > kMaxPartHeaders) return std::unexpected(bad("part headers too large"));
          headers.assign(v.substr(0, end));
          s.advance(end + 4);
          break;
        }
        if (v.size() > kMaxPartHeaders + 4) return std::unexpected(bad("part headers too large"));
        if (!s.fill(v.size() + 1)) return std::unexpected(io_or("unterminated part"));
      }
    }

    const std::uint64_t start = s.pos();
    if (!s.seek(delim)) return std::unexpected(io_or("unterminated part"));
    const std::uint64_t end = s.pos();

    PartHeaders h = parse_part_headers(headers);
    if (h.filename || h.name == "file") {
      MultipartFile out;
      out.offset = start;
      out.length = end - start;
      out.field_name = std::move(h.name);
      out.filename = h.filename.value_or(std::string{});
      out.content_type = std::move(h.content_type);
      return out;
    }
    s.advance(delim.size());
  }
}

voqo::Result<void> check_upload_filename(std::string_view name) {
  const bool control = std::ranges::any_of(name, [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
  if (name.empty() || name.size() > 255 || control)
    return std::unexpected(voqo::Error::invalid("filename", "must be 1–255 characters, without control characters"));
  return {};
}

}  // namespace voqo::api
