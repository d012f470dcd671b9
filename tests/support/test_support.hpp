#pragma once
/// Helpers shared by tests: temporary directories, fixture paths, a running
/// `voqo serve` child process and a tiny blocking HTTP client (loopback only).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace voqo::test {

/// ../shared/fixtures (absolute).
std::filesystem::path fixtures();

/// A listening TCP socket (close-on-exec, SO_REUSEADDR, backlog 16) on
/// 127.0.0.1:`port` (0 = any free port); `bound` receives the port. Throws
/// std::runtime_error naming `who` when it cannot listen.
int listen_loopback(uint16_t port, uint16_t& bound, const std::string& who);

/// A fresh directory under /tmp, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
 private:
  std::filesystem::path path_;
};

/// `levels` nested JSON arrays ("[[1]]" for 2) or objects ({"a":{"a":1}}):
/// input for the JSON depth limit.
std::string deep_json(std::size_t levels, bool objects);

/// Sets the process umask for one scope (children started meanwhile inherit it).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

/// Reads a whole file (tests only).
std::string read_file(const std::filesystem::path& p);
/// Writes a whole file (tests only).
void write_file(const std::filesystem::path& p, std::string_view content);

}  // namespace voqo::test
