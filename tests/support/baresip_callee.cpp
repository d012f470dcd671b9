#include "support/baresip_callee.hpp"

#include <signal.h>

#include <map>
#include <regex>
#include <stdexcept>

#include "net/local_port.hpp"
#include "support/test_support.hpp"

namespace voqo::test {
namespace {

namespace fs = std::filesystem;

/// Fills a template from ../shared/peers/baresip-callee.
std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) text = std::regex_replace(text, std::regex(key), value);
  return text;
}

}  // namespace

BaresipCallee::BaresipCallee(const fs::path& dir, const fs::path& voice) : dir_(dir), port_(0) {
  const fs::path peer = fixtures().parent_path() / "peers" / "baresip-callee";
  fs::create_directories(dir / "conf");
  fs::create_directories(dir / "rec");
  // baresip exits when its SIP or console port is taken ("SIP Transport
  // failed: Address already in use"); a parallel test can take a port between
  // free_loopback_port() and baresip's bind, so a failed start is retried on
  // fresh ports.
  std::string failures;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = net::free_loopback_port();
    const std::map<std::string, std::string> values = {{"@SIP_PORT@", std::to_string(port_)},
                                                       {"@VOICE_WAV@", voice.string()},
                                                       {"@CONSOLE_PORT@", std::to_string(net::free_loopback_port())},
                                                       {"@RECORD_DIR@", (dir / "rec").string()}};
    write_file(dir / "conf" / "config", fill(read_file(peer / "config"), values));
    write_file(dir / "conf" / "accounts", fill(read_file(peer / "accounts"), values));
    process_ = std::make_unique<Subprocess>(std::vector<std::string>{"/usr/bin/baresip", "-f", (dir / "conf").string()});
    if (process_->wait_for_line("baresip is ready", std::chrono::seconds(10))) return;
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(5));
    failures += "--- attempt " + std::to_string(attempt + 1) + " on port " + std::to_string(port_) + ":\n" +
                process_->output();
  }
  throw std::runtime_error("baresip did not start:\n" + failures);
}

BaresipCallee::~BaresipCallee() { process_->signal(SIGTERM); }

std::string BaresipCallee::uri() const { return "sip:callee@127.0.0.1:" + std::to_string(port_); }

std::optional<fs::path> BaresipCallee::heard() const {
  for (auto& e : fs::recursive_directory_iterator(dir_ / "rec"))
    if (e.path().string().ends_with("-dec.wav")) return e.path();
  return std::nullopt;
}

}  // namespace voqo::test

namespace voqo::test {

nlohmann::json baresip_agent() {
  return {{"name", "Ava"},
          {"systemPrompt", "You are Ava, calling about property management services."},
          {"template", "property_manager"},
          {"greetingMessage", "Hi, this is Ava from Harbor Property Management."},
          // flite's awb voice is the one pocketsphinx recognises best offline
          // (0.87 of words vs 0.75 for slt on these lines), so comparisons
          // measure the call path rather than the voice.
          {"voiceId", "awb"},
          {"responseDelayMs", 0},
          {"silenceThresholdMs", 800},
          {"interruptionSensitivity", 0.3}};
}

}  // namespace voqo::test
