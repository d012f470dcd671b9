#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace voqo::test {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::runtime_error sys_error(const char* what) {
  return std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

std::string HttpResult::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

HttpConnection::HttpConnection(uint16_t port, std::string host) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("bad host " + host);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    auto e = sys_error("connect");
    ::close(fd_);
    throw e;
  }
  set_timeout(std::chrono::seconds(10));
  host_header_ = host + ":" + std::to_string(port);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void HttpConnection::set_timeout(std::chrono::seconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConnection::send_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("send");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

uint64_t HttpConnection::send_body_until_response(uint64_t total, bool chunked) {
  std::string chunk(64 * 1024, 'x');
  uint64_t sent = 0;
  std::string pending;  // bytes of the current frame not yet written
  while (sent < total || !pending.empty()) {
    if (pending.empty()) {
      std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), total - sent));
      if (chunked) {
        char size_line[32];
        std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
        pending = size_line;
        pending.append(chunk.data(), n);
        pending += "\r\n";
      } else {
        pending.assign(chunk.data(), n);
      }
      sent += n;
    }
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 10000) <= 0) throw std::runtime_error("poll timed out while uploading");
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) return sent - (chunked ? 0 : pending.size());
    ssize_t w = ::send(fd_, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return sent;  // EPIPE / ECONNRESET: the server gave up on us
    }
    pending.erase(0, static_cast<std::size_t>(w));
  }
  if (chunked) send_all("0\r\n\r\n");
  return sent;
}

bool HttpConnection::fill() {
  char tmp[64 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return false;
      throw sys_error("recv");
    }
    if (n == 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
}

std::string HttpConnection::read_line() {
  for (;;) {
    auto eol = buf_.find("\r\n");
    if (eol != std::string::npos) {
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      return line;
    }
    if (!fill()) throw std::runtime_error("connection closed before end of line");
  }
}

HttpResult HttpConnection::read_response(bool head) {
  HttpResult r;
  for (;;) {
    std::string status_line = read_line();
    // "HTTP/1.1 200 OK"
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) {
      throw std::runtime_error("bad status line: " + status_line);
    }
    r.status = std::stoi(status_line.substr(9, 3));
    r.reason = status_line.size() > 13 ? status_line.substr(13) : "";
    r.headers.clear();
    for (;;) {
      std::string line = read_line();
      if (line.empty()) break;
      auto colon = line.find(':');
      if (colon == std::string::npos) throw std::runtime_error("bad header line: " + line);
      r.headers.emplace_back(lower(line.substr(0, colon)), std::string(trim(std::string_view(line).substr(colon + 1))));
    }
    if (r.status / 100 != 1) break;  // skip 100 Continue
  }
  if (head || r.status == 204 || r.status == 304) return r;
  if (lower(r.header("transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      std::size_t size = std::stoul(read_line(), nullptr, 16);
      if (size == 0) {
        while (!read_line().empty()) {
        }
        break;
      }
      while (buf_.size() < size + 2) {
        if (!fill()) throw std::runtime_error("connection closed inside a chunk");
      }
      r.body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
    }
  } else if (std::string cl = r.header("content-length"); !cl.empty()) {
    std::size_t n = std::stoull(cl);
    while (buf_.size() < n) {
      if (!fill()) throw std::runtime_error("connection closed before end of body");
    }
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
  } else {
    while (fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
  }
  return r;
}

HttpResult HttpConnection::request(std::string_view method, std::string_view target, std::string_view body,
                                   const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req;
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  // Host names the port as a browser's does (RFC 9110 §7.2), unless the caller sets its own.
  bool has_ct = false, has_host = false;
  for (const auto& [k, v] : headers) {
    req.append(k).append(": ").append(v).append("\r\n");
    if (lower(k) == "content-type") has_ct = true;
    if (lower(k) == "host") has_host = true;
  }
  if (!has_host) req.append("Host: ").append(host_header_).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    if (!has_ct) req += "Content-Type: application/json\r\n";
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  req += "\r\n";
  req.append(body);
  send_all(req);
  return read_response(method == "HEAD");
}

bool HttpConnection::closed_by_peer(int timeout_ms) {
  if (!buf_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

HttpResult http_request(uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpConnection c(port);
  return c.request(method, target, body, headers);
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace voqo::test
