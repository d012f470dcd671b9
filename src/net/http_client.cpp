// libcurl-backed implementation of net/http_client.hpp.
//
// One easy handle per request, driven by a private multi handle so that a
// stop request wakes the transfer at once (curl_multi_wakeup from a
// std::stop_callback) instead of waiting for libcurl's ~1 s progress tick.
// AddressGuard::public_only sits in CURLOPT_OPENSOCKETFUNCTION: it sees the
// exact address libcurl is about to connect to, after DNS resolution, so a
// name that resolves to 127.0.0.1 (or re-resolves to it) is refused without a
// single packet sent. Guarded requests (public_only and private_allowed) also
// turn proxies off (CURLOPT_PROXY "" and CURLOPT_NOPROXY "*"): with a proxy
// from the environment, the socket would go to the proxy and the target's
// address would never be seen. No request follows redirects.
#include "net/http_client.hpp"

#include "core/call_usage.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

namespace voqo::net {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// curl_global_init is not thread-safe in libcurl < 7.84 builds without
// thread-safe init; call it exactly once, before any handle exists.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const BodySink* sink = nullptr;
  HttpResponse response;
  bool sink_aborted = false;
  bool public_only = false;
  std::string refused_address;  // set by the socket guard
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response head (after 100 Continue or a proxy CONNECT): restart.
    t->response.headers.clear();
    t->response.reason.clear();
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) {
      int status = 0;
      std::size_t i = sp + 1;
      for (; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
        status = status * 10 + (line[i] - '0');
      t->response.status = status;
      // reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4):
      // kept as printable ASCII, bounded, for messages and logs.
      for (char c : trim(line.substr(std::min(i + 1, line.size())))) {
        if (t->response.reason.size() >= 64) break;
        if (c == '\t') c = ' ';
        if (c >= 0x20 && c < 0x7f) t->response.reason += c;
      }
    }
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                     std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view chunk(data, size * count);
  if (t->sink != nullptr && *t->sink) {
    if (!(*t->sink)(chunk)) {
      t->sink_aborted = true;
      return 0;  // CURLE_WRITE_ERROR
    }
  } else {
    t->response.body.append(chunk);
  }
  return size * count;
}

curl_socket_t on_open_socket(void* user, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  (void)purpose;  // every socket is checked (only IPCXN exists for http/https)
  if (t->public_only) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const char* ok = nullptr;
    if (address->family == AF_INET) {
      sockaddr_in in{};
      std::memcpy(&in, &address->addr, sizeof in);
      ok = inet_ntop(AF_INET, &in.sin_addr, text.data(), text.size());
    } else if (address->family == AF_INET6) {
      sockaddr_in6 in6{};
      std::memcpy(&in6, &address->addr, sizeof in6);
      ok = inet_ntop(AF_INET6, &in6.sin6_addr, text.data(), text.size());
    }
    // Unknown families (and unprintable addresses) are refused too.
    if (ok == nullptr || is_private_address(text.data())) {
      t->refused_address = ok != nullptr ? text.data() : "(unknown address family)";
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// CURL and CURLM are both `void` in libcurl's public headers: one deleter each.
struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

Error io_error(std::string message) { return Error{ErrorCode::io, std::move(message), {}}; }

}  // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::string HttpResponse::status_line() const {
  std::string out = "HTTP " + std::to_string(status);
  if (!reason.empty()) out += " " + reason;
  return out;
}

Result<HttpResponse> perform(const HttpRequest& request, const BodySink& on_body, std::stop_token stop) {
  global_init();
  {
    const std::string url = lower(request.url.substr(0, 8));
    if (!url.starts_with("http://") && !url.starts_with("https://"))
      return std::unexpected(Error::invalid("url", "URL must be absolute http:// or https://: " + request.url));
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
    if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, request.url.c_str(), 0) != CURLUE_OK)
      return std::unexpected(Error::invalid("url", "malformed URL: " + request.url));
  }
  if (stop.stop_requested()) return std::unexpected(io_error("aborted"));
  count_api_call();  // for the call whose work this is, if any (core/call_usage.hpp)

  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!easy || !multi) return std::unexpected(Error{ErrorCode::internal, "curl init failed", {}});
  CURL* h = easy.get();

  Transfer t;
  t.sink = on_body ? &on_body : nullptr;
  t.public_only = request.guard == AddressGuard::public_only;
  std::array<char, CURL_ERROR_SIZE> errbuf{};

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;  // the old list is intact
    (void)headers.release();
    headers.reset(next);
    return true;
  };
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (lower(name) == "expect") has_expect = true;
    // "Name;" is libcurl's spelling of a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value))
      return std::unexpected(Error{ErrorCode::internal, "out of memory", {}});
  }
  // No 100-continue round trip for large bodies.
  if (!has_expect && !append("Expect:")) return std::unexpected(Error{ErrorCode::internal, "out of memory", {}});

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a 3xx is returned as it is
  if (request.guard != AddressGuard::none) {
    // Direct connections only, whatever http_proxy / HTTPS_PROXY / ALL_PROXY say.
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  }
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf.data());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &on_open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
  curl_easy_setopt(h, CURLOPT_USERAGENT, "voqo/1");

  const std::string method = [&] {
    std::string m = request.method;
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return m;
  }();
  if (method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST" || !request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  if (curl_multi_add_handle(multi.get(), h) != CURLM_OK)
    return std::unexpected(Error{ErrorCode::internal, "curl_multi_add_handle failed", {}});
  // Wake the poll below as soon as a stop is requested.
  std::atomic<bool> stopped{false};
  std::stop_callback wake(stop, [&] {
    stopped.store(true);
    curl_multi_wakeup(multi.get());
  });

  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(multi.get(), &running); mc != CURLM_OK) {
      curl_multi_remove_handle(multi.get(), h);
      return std::unexpected(io_error(std::string("curl: ") + curl_multi_strerror(mc)));
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        result = msg->data.result;
        done = true;
      }
    }
    if (done) break;
    if (stopped.load()) break;
    // The wakeup makes this return early; 100 ms bounds any missed wakeup.
    curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
    if (stopped.load()) break;
  }
  curl_multi_remove_handle(multi.get(), h);

  if (!done || stopped.load()) return std::unexpected(io_error("aborted"));
  if (result == CURLE_OK) return std::move(t.response);
  if (t.sink_aborted) return std::unexpected(io_error("aborted"));
  if (!t.refused_address.empty())
    return std::unexpected(Error::invalid(
        "url", "refused to connect to private address " + t.refused_address + " (" + request.url + ")"));
  std::string detail = errbuf[0] != '\0' ? std::string(errbuf.data()) : curl_easy_strerror(result);
  switch (result) {
    case CURLE_OPERATION_TIMEDOUT: return std::unexpected(io_error("timeout: " + detail));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return std::unexpected(io_error("DNS: " + detail));
    case CURLE_COULDNT_CONNECT: return std::unexpected(io_error("connect: " + detail));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: return std::unexpected(io_error("TLS: " + detail));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return std::unexpected(Error::invalid("url", detail));
    default: return std::unexpected(io_error("HTTP: " + detail));
  }
}

bool is_private_address(std::string_view address) {
  std::string text(address);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (auto pct = text.find('%'); pct != std::string::npos) text.resize(pct);  // IPv6 zone id

  auto v4_private = [](const unsigned char* b) {
    const uint32_t a = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
    // IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates).
    return in(0x00000000, 8) ||    // "this network" (RFC 791), incl. 0.0.0.0
           in(0x0A000000, 8) ||    // 10/8 private (RFC 1918)
           in(0x64400000, 10) ||   // 100.64/10 shared address space (RFC 6598)
           in(0x7F000000, 8) ||    // 127/8 loopback (RFC 1122)
           in(0xA9FE0000, 16) ||   // 169.254/16 link-local (RFC 3927)
           in(0xAC100000, 12) ||   // 172.16/12 private (RFC 1918)
           in(0xC0000000, 24) ||   // 192.0.0/24 IETF protocol assignments (RFC 6890)
           in(0xC0000200, 24) ||   // 192.0.2/24 TEST-NET-1 (RFC 5737)
           in(0xC0A80000, 16) ||   // 192.168/16 private (RFC 1918)
           in(0xC6120000, 15) ||   // 198.18/15 benchmarking (RFC 2544)
           in(0xC6336400, 24) ||   // 198.51.100/24 TEST-NET-2 (RFC 5737)
           in(0xCB007100, 24) ||   // 203.0.113/24 TEST-NET-3 (RFC 5737)
           in(0xE0000000, 4) ||    // 224/4 multicast (RFC 5771)
           in(0xF0000000, 4);      // 240/4 reserved (RFC 1112), incl. broadcast
  };

  unsigned char b[16];
  if (inet_pton(AF_INET, text.c_str(), b) == 1) return v4_private(b);
  if (inet_pton(AF_INET6, text.c_str(), b) != 1) return true;  // not an address: refuse
  // IANA IPv6 Special-Purpose Address Registry (RFC 6890, RFC 4291).
  static constexpr unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) return v4_private(b + 12);  // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2)
  if (std::memcmp(b, kZero, 12) == 0) return true;                  // deprecated IPv4-compatible ::a.b.c.d
  static constexpr unsigned char kTranslated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  if (std::memcmp(b, kTranslated, 12) == 0) return v4_private(b + 12);  // ::ffff:0:a.b.c.d (RFC 2765 §2.1)
  static constexpr unsigned char kNat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return v4_private(b + 12);   // 64:ff9b::/96 (RFC 6052)
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
    return true;                                                    // 64:ff9b:1::/48 local-use NAT64 (RFC 8215)
  if (b[0] == 0x20 && b[1] == 0x02) return v4_private(b + 2);       // 2002::/16 6to4 (RFC 3056)
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return true;  // 2001::/32 Teredo (RFC 4380)
  if ((b[0] & 0xfe) == 0xfc) return true;                           // fc00::/7 unique local (RFC 4193)
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;           // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;           // fec0::/10 site-local (deprecated, RFC 3879)
  if (b[0] == 0xff) return true;                                    // ff00::/8 multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // 2001:db8::/32 documentation (RFC 3849)
  if (b[0] == 0x01 && b[1] == 0x00 && std::memcmp(b + 2, kZero, 6) == 0) return true;  // 100::/64 discard (RFC 6666)
  return false;
}

}  // namespace voqo::net
