// WebhookReceiver: POSIX sockets, one thread, one request per connection.
#include "support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "support/test_support.hpp"

namespace voqo::test {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

bool recv_more(int fd, std::string& buffer) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) <= 0) return false;
  char tmp[8192];
  ssize_t got = ::recv(fd, tmp, sizeof tmp, 0);
  if (got <= 0) return false;
  buffer.append(tmp, static_cast<std::size_t>(got));
  return true;
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t put = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (put <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(put));
  }
}

}  // namespace

std::string ReceivedHook::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return {};
}

WebhookReceiver::WebhookReceiver(int status) : status_(status) {
  listen_on(0);
}

WebhookReceiver::~WebhookReceiver() { close_port(); }

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::set_status(int status) {
  std::lock_guard lock(mutex_);
  status_ = status;
}

std::vector<ReceivedHook> WebhookReceiver::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void WebhookReceiver::listen_on(uint16_t port) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("WebhookReceiver: pipe failed");
  wake_read_ = pipe_fds[0];
  wake_write_ = pipe_fds[1];
  listen_fd_ = listen_loopback(port, port_, "WebhookReceiver");
  thread_ = std::thread([this] { serve(); });
}

void WebhookReceiver::close_port() {
  if (listen_fd_ < 0) return;
  char byte = 1;
  (void)!::write(wake_write_, &byte, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
  listen_fd_ = wake_read_ = wake_write_ = -1;
}

void WebhookReceiver::open_port() {
  if (listen_fd_ >= 0) return;
  listen_on(port_);
}

void WebhookReceiver::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents & POLLIN) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string buffer;
    std::size_t head_end;
    bool ok = true;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos)
      if (!(ok = recv_more(fd, buffer))) break;
    if (!ok) {
      ::close(fd);
      continue;
    }
    ReceivedHook hook;
    std::string_view head(buffer.data(), head_end);
    auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    if (auto sp1 = line.find(' '); sp1 != std::string_view::npos)
      hook.target = std::string(line.substr(sp1 + 1, line.find(' ', sp1 + 1) - sp1 - 1));
    for (std::size_t pos = eol == std::string_view::npos ? head.size() : eol + 2; pos < head.size();) {
      auto next = head.find("\r\n", pos);
      if (next == std::string_view::npos) next = head.size();
      auto field = head.substr(pos, next - pos);
      if (auto colon = field.find(':'); colon != std::string_view::npos)
        hook.headers.emplace_back(lower(trim(field.substr(0, colon))), trim(field.substr(colon + 1)));
      pos = next + 2;
    }
    if (lower(hook.header("expect")) == "100-continue") send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    const std::size_t length = std::strtoull(hook.header("content-length").c_str(), nullptr, 10);
    buffer.erase(0, head_end + 4);
    while (buffer.size() < length)
      if (!(ok = recv_more(fd, buffer))) break;
    if (!ok) {
      ::close(fd);
      continue;
    }
    hook.body = buffer.substr(0, length);
    {
      std::lock_guard lock(mutex_);
      hook.answered = status_;
      received_.push_back(hook);
    }
    const std::string reply = hook.answered / 100 == 2 ? "{\"ok\":true}" : "{\"error\":\"unavailable\"}";
    send_all(fd, "HTTP/1.1 " + std::to_string(hook.answered) + " Status\r\nContent-Type: application/json\r\n"
                 "Content-Length: " + std::to_string(reply.size()) + "\r\nConnection: close\r\n\r\n" + reply);
    ::close(fd);
  }
}

}  // namespace voqo::test
