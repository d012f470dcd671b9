#include "pipeline/call_recorder.hpp"

#include "pipeline/recording.hpp"

namespace voqo::pipeline {
namespace {
constexpr std::size_t kBuffer = 32 * 1024;
constexpr std::size_t kFrame = 320;
}  // namespace

Result<std::unique_ptr<CallRecorder>> CallRecorder::open(std::filesystem::path path) {
  auto file = create_recording(path);
  if (!file) return std::unexpected(file.error());
  return std::unique_ptr<CallRecorder>(new CallRecorder(std::move(path), *file));
}

CallRecorder::CallRecorder(std::filesystem::path path, std::FILE* file)
    : path_(std::move(path)), file_(file), buffer_(std::make_unique<char[]>(kBuffer)) {
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBuffer);
}

CallRecorder::~CallRecorder() {
  if (file_) std::fclose(file_);
}

void CallRecorder::write(std::span<const int16_t> caller, std::span<const int16_t> agent) {
  std::lock_guard lock(mutex_);
  if (!file_) return;
  for (std::size_t i = 0; i < kFrame; ++i) {
    interleaved_[2 * i] = i < caller.size() ? caller[i] : 0;
    interleaved_[2 * i + 1] = i < agent.size() ? agent[i] : 0;
  }
  std::fwrite(interleaved_.data(), sizeof(int16_t), interleaved_.size(), file_);
  ++frames_;
}

Result<void> CallRecorder::close() {
  std::lock_guard lock(mutex_);
  if (!file_) return {};
  auto h = write_recording_header(file_, frames_ * kFrame * kRecordingFrameBytes);
  std::fclose(file_);
  file_ = nullptr;
  return h;
}

uint64_t CallRecorder::frames() const {
  std::lock_guard lock(mutex_);
  return frames_;
}

}  // namespace voqo::pipeline
