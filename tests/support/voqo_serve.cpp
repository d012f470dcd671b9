#include "support/voqo_serve.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <stdexcept>

#include "net/local_port.hpp"
#include "support/http_client.hpp"

namespace voqo::test {

std::string create_admin_key(const std::filesystem::path& db) {
  Subprocess create({VOQO_BINARY, "key", "create", "--db", db.string(), "--workspace", "Default", "--scopes", "admin",
                     "--name", "test"});
  auto line = create.wait_for_line("ak_", std::chrono::seconds(60));
  if (!line || create.wait(std::chrono::seconds(30)) != 0)
    throw std::runtime_error("voqo key create failed: " + create.output());
  std::string key = line->substr(line->find("ak_"));
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
  return key;
}

VoqoServe::VoqoServe(const std::filesystem::path& dir, const std::vector<std::string>& extra) {
  key_ = create_admin_key(dir / "voqo.db");
  sip_port_ = net::free_loopback_port();
  std::vector<std::string> argv{VOQO_BINARY,  "serve", "--port", "0", "--sip-ip", "127.0.0.1", "--sip-port",
                                std::to_string(sip_port_), "--db", (dir / "voqo.db").string(), "--recordings",
                                (dir / "recordings").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<Subprocess>(argv);
  auto line = process_->wait_for_line("listening on http://", std::chrono::seconds(60));
  if (!line) throw std::runtime_error("voqo serve did not start: " + process_->output());
  const auto colon = line->rfind(':', line->find("  ("));
  port_ = static_cast<uint16_t>(std::stoi(line->substr(colon + 1)));
}

VoqoServe::~VoqoServe() {
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(std::chrono::seconds(30)), 0) << "voqo serve did not stop cleanly:\n" << process_->output();
}

const std::string& VoqoServe::output() {
  (void)process_->wait_for_line("\x01 no such line \x01", std::chrono::milliseconds(1));
  return process_->output();
}

bool VoqoServe::healthy() const { return http_request(port_, "GET", "/api/health").status == 200; }

}  // namespace voqo::test
