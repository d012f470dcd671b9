#pragma once
/// `voqo serve` as a child process on loopback, for end-to-end tests.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/subprocess.hpp"

namespace voqo::test {

/// Starts `voqo serve` on a free HTTP port with telephony (SIP and RTP on
/// 127.0.0.1, SIP on a free port), over `dir`/voqo.db with recordings in
/// `dir`/recordings, plus `extra` arguments (e.g. --trunk, --log-level), and
/// reads its HTTP port from the "listening on http://" banner (throws
/// std::runtime_error with its output when it does not start within 60 s).
/// The destructor sends SIGTERM and expects a clean exit (a test failure otherwise).
/// An admin key of the Default workspace of the database `db` (created, with
/// the database, by `voqo key create`): what a test sends to a `voqo serve`
/// it starts by hand. Throws when the command fails.
std::string create_admin_key(const std::filesystem::path& db);

class VoqoServe {
 public:
  explicit VoqoServe(const std::filesystem::path& dir, const std::vector<std::string>& extra = {});
  ~VoqoServe();
  VoqoServe(const VoqoServe&) = delete;
  VoqoServe& operator=(const VoqoServe&) = delete;
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] uint16_t sip_port() const { return sip_port_; }
  [[nodiscard]] pid_t pid() const { return process_->pid(); }
  /// Everything it printed so far (reading what is waiting first, so its pipe never fills).
  [[nodiscard]] const std::string& output();
  /// GET /api/health answers 200.
  [[nodiscard]] bool healthy() const;
  /// An admin key of the Default workspace, created with `voqo key create`
  /// before the server started (every /api route but health needs one).
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] std::pair<std::string, std::string> auth_header() const { return {"Authorization", "Bearer " + key_}; }

 private:
  std::unique_ptr<Subprocess> process_;
  std::string key_;
  uint16_t port_ = 0, sip_port_ = 0;
};

}  // namespace voqo::test
