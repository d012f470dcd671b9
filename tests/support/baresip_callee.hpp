#pragma once
/// A baresip process (../shared/peers/baresip-callee) that auto-answers SIP
/// calls on 127.0.0.1, speaks a WAV file and records what it hears — the
/// "human" at the far end of integration tests.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/subprocess.hpp"

namespace voqo::test {

class BaresipCallee {
 public:
  /// Writes baresip's configuration under `dir` (conf/, rec/), starts it and
  /// waits until it is ready, on fresh ports up to 5 times when baresip
  /// exits (its port taken meanwhile) or is not ready within 10 s; then throws
  /// std::runtime_error with baresip's output. `voice`: 16 kHz mono WAV.
  BaresipCallee(const std::filesystem::path& dir, const std::filesystem::path& voice);
  ~BaresipCallee();  ///< SIGTERM
  BaresipCallee(const BaresipCallee&) = delete;
  BaresipCallee& operator=(const BaresipCallee&) = delete;
  /// Where to call it: sip:callee@127.0.0.1:<port>.
  [[nodiscard]] std::string uri() const;
  /// baresip's recording of what it heard (the agent), once the call is over.
  [[nodiscard]] std::optional<std::filesystem::path> heard() const;
  [[nodiscard]] const std::string& output() const { return process_->output(); }

 private:
  std::filesystem::path dir_;
  uint16_t port_;
  std::unique_ptr<Subprocess> process_;
};

/// The agent the baresip tests call with ("Ava", property_manager script,
/// awb voice, quick turns): the API's agent fields.
nlohmann::json baresip_agent();

}  // namespace voqo::test
