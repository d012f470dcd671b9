#pragma once
/// A call's recording (recording.hpp has the file format): stereo 16 kHz
/// PCM16 WAV, left the caller, right what the caller heard (the agent and
/// any supervisor), one 20 ms frame per media frame. The header claims
/// nothing until close() writes the sizes; a crash leaves a WAV that
/// repair_recording() fixes.
///
/// stdio buffers 32 KB (0.26 s of audio) instead of the 4 KB default, so
/// the media thread makes one write(2) a quarter second per call, not one
/// every 32 ms (8 % of its time at 500 calls went to write(2)); a crash
/// loses at most that much of the tail.
///
/// Threads: write() on the media thread, close() from any thread (a mutex
/// the media thread holds only while writing a frame). Allocation-free after open().
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>

#include "core/error.hpp"

namespace voqo::pipeline {

class CallRecorder {
 public:
  /// Creates the file (0600 in a 0700 folder) with an empty recording's
  /// header. Errors: those of create_recording (io).
  static Result<std::unique_ptr<CallRecorder>> open(std::filesystem::path path);
  /// Closes without writing the sizes when close() was not called.
  ~CallRecorder();
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  /// Appends one frame: `caller` and `agent` of 320 samples each (no-op once closed).
  void write(std::span<const int16_t> caller, std::span<const int16_t> agent);
  /// Writes the header's sizes and closes (idempotent). Errors: io.
  Result<void> close();
  /// Frames written so far.
  [[nodiscard]] uint64_t frames() const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  CallRecorder(std::filesystem::path path, std::FILE* file);
  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  uint64_t frames_ = 0;
  std::array<int16_t, 640> interleaved_{};
};

}  // namespace voqo::pipeline
