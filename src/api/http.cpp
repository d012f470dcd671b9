#include "api/http.hpp"

#include <cctype>

namespace voqo::api {

namespace {

template <class Pairs>
const std::pair<std::string, std::string>* find_pair(const Pairs& pairs, std::string_view name) {
  for (const auto& p : pairs) {
    if (p.first == name) return &p;
  }
  return nullptr;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes `in` into `out` (appending). False on a bad escape.
bool decode_into(std::string_view in, bool plus_is_space, std::string& out) {
  out.reserve(out.size() + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view lower_name) const {
  const auto* p = find_pair(headers, lower_name);
  return p ? std::string_view{p->second} : std::string_view{};
}

std::optional<std::string_view> HttpRequest::query_param(std::string_view name) const {
  const auto* p = find_pair(query, name);
  if (!p) return std::nullopt;
  return std::string_view{p->second};
}

std::string_view HttpRequest::param(std::string_view name) const {
  const auto* p = find_pair(params, name);
  return p ? std::string_view{p->second} : std::string_view{};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  if (!decode_into(in, plus_is_space, out)) return std::nullopt;
  return out;
}

bool split_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query) {
  path.clear();
  query.clear();

  // absolute-form (RFC 9112 §3.2.2: a server MUST accept it): drop scheme and authority.
  bool empty_path = false;  // "http://host?x": the path is "/"
  if (!target.empty() && target.front() != '/') {
    std::size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return false;
    std::string_view scheme = target.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https" && scheme != "HTTP" && scheme != "HTTPS") return false;
    std::size_t path_start = target.find_first_of("/?", scheme_end + 3);
    if (path_start == std::string_view::npos) {
      target = "/";
    } else if (target[path_start] == '?') {
      empty_path = true;
      target = target.substr(path_start);
    } else {
      target = target.substr(path_start);
    }
  }
  if (target.empty()) return false;

  // A fragment is never sent by conforming clients; ignore one if present.
  if (std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);

  std::size_t qmark = target.find('?');
  std::string_view raw_path = target.substr(0, qmark);
  if (empty_path) {
    path.push_back('/');
  } else {
    if (raw_path.empty() || raw_path.front() != '/') return false;
    if (!decode_into(raw_path, false, path)) return false;
    // Reject NUL bytes and ".." segments: neither has a meaning in this API and
    // both are classic ways to confuse file-serving code further down.
    if (path.find('\0') != std::string::npos) return false;
    std::string_view p = path;
    std::size_t pos = 0;
    while (pos < p.size()) {
      std::size_t next = p.find('/', pos + 1);
      std::string_view seg = p.substr(pos + 1, (next == std::string_view::npos ? p.size() : next) - pos - 1);
      if (seg == "..") return false;
      if (next == std::string_view::npos) break;
      pos = next;
    }
  }

  if (qmark == std::string_view::npos) return true;
  std::string_view q = target.substr(qmark + 1);
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view piece = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    std::string_view k = piece.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    auto& kv = query.emplace_back();
    if (!decode_into(k, true, kv.first) || !decode_into(v, true, kv.second)) {
      query.clear();
      path.clear();
      return false;
    }
  }
  return true;
}

std::optional<FramingProblem> transfer_coding_problem(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::string> codings;  // lower-cased, in order, parameters dropped
  bool present = false;
  for (const auto& [name, value] : headers) {
    if (name != "transfer-encoding") continue;
    present = true;
    std::string_view list = value;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      std::string_view element = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      element = element.substr(0, element.find(';'));  // transfer-parameters (RFC 9112 §7)
      while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) element.remove_prefix(1);
      while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) element.remove_suffix(1);
      if (element.empty()) continue;  // empty list elements are allowed (RFC 9110 §5.6.1)
      std::string coding(element);
      for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      codings.push_back(std::move(coding));
    }
  }
  if (!present) return std::nullopt;
  if (codings.empty() || codings.back() != "chunked") {
    return FramingProblem{400, "Transfer-Encoding must end with chunked (RFC 9112 §6.3): the body's length "
                               "cannot be determined"};
  }
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (codings[i] == "chunked") return FramingProblem{400, "Transfer-Encoding applies chunked more than once"};
  }
  if (codings.size() > 1) {
    return FramingProblem{501, "Transfer-Encoding " + codings.front() +
                                   " is not implemented; send the body with chunked alone or with Content-Length"};
  }
  return std::nullopt;
}

}  // namespace voqo::api
