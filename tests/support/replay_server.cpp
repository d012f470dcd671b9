// ReplayServer: plain POSIX sockets, one connection at a time, one exchange
// per connection (the server closes after each response, so a recorded
// response without Content-Length is still delimited, RFC 9112 §6.3 rule 8).
#include "support/replay_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "support/test_support.hpp"

namespace voqo::test {
namespace {

constexpr int kReadTimeoutMs = 10000;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Waits until `fd` is readable or the wake pipe fires. Returns false on wake
// (server stopping) or timeout.
bool wait_readable(int fd, int wake_fd, int timeout_ms) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  int n = ::poll(fds, 2, timeout_ms);
  return n > 0 && (fds[1].revents & POLLIN) == 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

// A buffered reader over a connected socket.
class Conn {
 public:
  Conn(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}
  // Reads until `buffer_` holds at least `n` bytes. False on EOF/timeout/stop.
  bool fill(std::size_t n) {
    while (buffer_.size() < n) {
      if (!wait_readable(fd_, wake_fd_, kReadTimeoutMs)) return false;
      char tmp[16384];
      ssize_t got = ::recv(fd_, tmp, sizeof tmp, 0);
      if (got <= 0) return false;
      buffer_.append(tmp, static_cast<std::size_t>(got));
    }
    return true;
  }
  // Reads up to and including `delim`; returns the text before it.
  std::optional<std::string> read_until(std::string_view delim) {
    for (;;) {
      if (auto pos = buffer_.find(delim); pos != std::string::npos) {
        std::string out = buffer_.substr(0, pos);
        buffer_.erase(0, pos + delim.size());
        return out;
      }
      if (buffer_.size() > (1u << 20) || !fill(buffer_.size() + 1)) return std::nullopt;
    }
  }
  std::optional<std::string> read_exact(std::size_t n) {
    if (!fill(n)) return std::nullopt;
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
  }
  bool write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t put = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (put <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(put));
    }
    return true;
  }

 private:
  int fd_;
  int wake_fd_;
  std::string buffer_;
};

// Reads one request (RFC 9112: request line, fields, body by Content-Length
// or chunked transfer coding). nullopt when the peer closed or sent garbage.
std::optional<RecordedRequest> read_request(Conn& conn) {
  auto head = conn.read_until("\r\n\r\n");
  if (!head) return std::nullopt;
  RecordedRequest req;
  std::string_view rest = *head;
  auto eol = rest.find("\r\n");
  std::string_view line = rest.substr(0, eol);
  rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
  auto sp1 = line.find(' ');
  auto sp2 = line.find(' ', sp1 == std::string_view::npos ? 0 : sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return std::nullopt;
  req.method = line.substr(0, sp1);
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  if (lower(req.header("expect")) == "100-continue" && !conn.write_all("HTTP/1.1 100 Continue\r\n\r\n"))
    return std::nullopt;
  if (lower(req.header("transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      auto size_line = conn.read_until("\r\n");
      if (!size_line) return std::nullopt;
      std::size_t size = std::strtoull(size_line->c_str(), nullptr, 16);  // ignores ;extensions
      if (size == 0) {
        // Trailer fields up to the empty line.
        for (;;) {
          auto trailer = conn.read_until("\r\n");
          if (!trailer) return std::nullopt;
          if (trailer->empty()) break;
        }
        break;
      }
      auto data = conn.read_exact(size);
      if (!data || !conn.read_until("\r\n")) return std::nullopt;
      req.body += *data;
    }
  } else if (auto cl = req.header("content-length"); !cl.empty()) {
    auto data = conn.read_exact(std::strtoull(cl.c_str(), nullptr, 10));
    if (!data) return std::nullopt;
    req.body = std::move(*data);
  }
  return req;
}

}  // namespace

std::string RecordedRequest::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return {};
}

ReplayServer::ReplayServer(std::vector<ReplayExchange> exchanges) : exchanges_(std::move(exchanges)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("ReplayServer: pipe failed");
  wake_read_ = pipe_fds[0];
  wake_write_ = pipe_fds[1];
  listen_fd_ = listen_loopback(0, port_, "ReplayServer");
  thread_ = std::thread([this] { serve(); });
}

ReplayServer::~ReplayServer() {
  char byte = 1;
  (void)!::write(wake_write_, &byte, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

std::string ReplayServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<RecordedRequest> ReplayServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ReplayServer::serve() {
  std::size_t next = 0;
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents & POLLIN) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Conn conn(fd, wake_read_);
    if (auto req = read_request(conn)) {
      const ReplayExchange* ex = nullptr;
      if (next < exchanges_.size() && exchanges_[next].method == req->method &&
          exchanges_[next].path == req->target)
        ex = &exchanges_[next++];
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(*req));
      }
      if (ex == nullptr) {
        conn.write_all("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n"
                       "Connection: close\r\n\r\nno matching exchange...\n");
      } else if (ex->chunks.empty()) {
        conn.write_all(ex->raw);
      } else {
        for (std::size_t i = 0; i < ex->chunks.size(); ++i) {
          if (i > 0 && ex->chunk_delay.count() > 0) {
            // Sleep, but wake at once when the server is stopping.
            pollfd w{wake_read_, POLLIN, 0};
            if (::poll(&w, 1, static_cast<int>(ex->chunk_delay.count())) > 0) break;
          }
          if (!conn.write_all(ex->chunks[i])) break;  // the client went away
        }
      }
    }
    // The whole request was read, so this close is a clean FIN, not a reset.
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
}

}  // namespace voqo::test
