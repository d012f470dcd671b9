#pragma once
/// Runs the voqo binary (or any program) as a child process for tests:
/// captures its stdout+stderr, reads lines as they come, sends signals.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace voqo::test {

class Subprocess {
 public:
  /// Starts `argv[0]` with `argv`; stdout and stderr go to one pipe.
  explicit Subprocess(std::vector<std::string> argv);
  ~Subprocess();  ///< SIGKILLs the child if it is still running
  Subprocess(const Subprocess&) = delete;

  /// Reads until a line containing `needle` arrives (returns that line) or
  /// the timeout / end of output (returns nullopt). Everything read is kept in output().
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Sends `sig` to the child.
  void signal(int sig);
  /// Waits for the child to exit (reading its remaining output); returns its
  /// exit status, or -1 on timeout, or 128+signal when a signal killed it.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
  size_t scanned_ = 0;
  std::optional<int> status_;
};

/// Runs a command to completion; returns {exit status, stdout+stderr}.
std::pair<int, std::string> run(std::vector<std::string> argv, std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace voqo::test
