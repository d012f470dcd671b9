#include "support/sip_test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "net/local_port.hpp"
#include "support/workspace.hpp"

namespace voqo::test {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

uint16_t local_port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

bool readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

brain::Reply say(const std::string& text, const brain::TextSink& sink) {
  sink(text);
  brain::Reply r;
  r.text = text;
  return r;
}

}  // namespace

uint16_t free_loopback_port() { return net::free_loopback_port(); }

std::size_t count_dir(const char* path) {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(path)) ++n;
  return n;
}

std::string describe_fds() {
  std::string out;
  for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    out += e.path().filename().string() + "→" + std::filesystem::read_symlink(e.path(), ec).string() + " ";
  }
  return out;
}

Result<brain::Reply> RepeatBrain::greet(const brain::TextSink& sink, std::stop_token) {
  return say(ctx_.greeting, sink);
}

Result<brain::Reply> RepeatBrain::respond(std::string_view text, const brain::TextSink& sink, std::stop_token) {
  return say("You said " + std::string(text) + ".", sink);
}

UdpSocket::UdpSocket() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto a = loopback(0);
  ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  port_ = local_port_of(fd_);
}

UdpSocket::UdpSocket(const char* bind_ip) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto a = loopback(0);
  ::inet_pton(AF_INET, bind_ip, &a.sin_addr);
  ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  port_ = local_port_of(fd_);
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpSocket::send_to(uint16_t port, std::string_view data) const {
  auto a = loopback(port);
  return ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
         static_cast<ssize_t>(data.size());
}

std::optional<std::string> UdpSocket::receive(std::chrono::milliseconds timeout) const {
  if (!readable(fd_, timeout)) return std::nullopt;
  std::string buf(65536, '\0');
  const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

void UdpSocket::drain() const {
  while (receive(std::chrono::milliseconds(0))) {
  }
}

TcpConnection::TcpConnection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto a = loopback(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  local_port_ = local_port_of(fd_);
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool TcpConnection::send(std::string_view data) const {
  std::size_t off = 0;
  while (fd_ >= 0 && off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

std::string TcpConnection::receive(std::chrono::milliseconds timeout, bool* closed) const {
  std::string out;
  if (closed) *closed = false;
  if (fd_ < 0) return out;
  auto wait = timeout;
  char buf[65536];
  while (readable(fd_, wait)) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
    wait = std::chrono::milliseconds(200);
  }
  return out;
}

int sip_status(std::string_view msg) {
  if (msg.size() < 12 || msg.substr(0, 8) != "SIP/2.0 ") return 0;
  int code = 0;
  for (std::size_t i = 8; i < 11; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(msg[i]))) return 0;
    code = code * 10 + (msg[i] - '0');
  }
  return code;
}

std::string sip_header(std::string_view msg, std::string_view name) {
  std::size_t pos = 0;
  while (pos < msg.size()) {
    std::size_t eol = msg.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = msg.size();
    const auto line = msg.substr(pos, eol - pos);
    if (line.empty()) break;  // end of the headers
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      auto field = line.substr(0, colon);
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
      if (std::ranges::equal(field, name, [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                                      std::tolower(static_cast<unsigned char>(b)); })) {
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        return std::string(value);
      }
    }
    pos = eol + 2;
  }
  return "";
}

std::unique_ptr<store::Store> store_with_tester(const std::filesystem::path& dir) {
  auto st = store::Store::open(dir / "voqo.db");
  EXPECT_TRUE(st) << st.error().message;
  if (!st) return nullptr;
  auto agent = (*st)->agents().create(test::default_workspace(**st), {{"name", "Tester"},
                                       {"systemPrompt", "You are a test agent for SIP scenarios."},
                                       {"greetingMessage", "Hello, this is the voqo test agent."},
                                       {"responseDelayMs", 0}});
  EXPECT_TRUE(agent) << agent.error().message;
  return std::move(*st);
}

TempDir* SipSuite::dir_ = nullptr;
store::Store* SipSuite::store_ = nullptr;

void SipSuite::SetUpTestSuite() {
  dir_ = new TempDir();
  store_ = store_with_tester(dir_->path()).release();
  ASSERT_NE(store_, nullptr);
}

void SipSuite::TearDownTestSuite() {
  if (store_) store_->close();
  delete store_;
  delete dir_;
  store_ = nullptr;
  dir_ = nullptr;
}

calls::CallServiceConfig SipSuite::loopback_config() {
  calls::CallServiceConfig cfg;
  cfg.sip_listen_ip = "127.0.0.1";
  cfg.sip_port = 0;
  cfg.recordings_dir = *dir_ / "recordings";
  cfg.brain_factory = [](const brain::CallContext& c) { return std::make_unique<RepeatBrain>(c); };
  return cfg;
}

}  // namespace voqo::test
