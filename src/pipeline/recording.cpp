#include "pipeline/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/private_files.hpp"

namespace voqo::pipeline {
namespace {

void put_u32(char* at, uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u16(char* at, uint16_t v) {
  at[0] = static_cast<char>(v & 0xff);
  at[1] = static_cast<char>(v >> 8);
}

}  // namespace

std::array<char, kWavHeaderBytes> recording_header(uint64_t data_bytes) {
  // The largest data size whose RIFF size (36 + data) fits 32 bits, in whole sample frames.
  constexpr uint64_t kMaxData = (UINT32_MAX - 36) / kRecordingFrameBytes * kRecordingFrameBytes;
  const auto data = static_cast<uint32_t>(std::min(data_bytes, kMaxData));
  std::array<char, kWavHeaderBytes> h{};
  std::memcpy(h.data(), "RIFF", 4);
  put_u32(h.data() + 4, 36 + data);
  std::memcpy(h.data() + 8, "WAVEfmt ", 8);
  put_u32(h.data() + 16, 16);  // fmt chunk size
  put_u16(h.data() + 20, 1);   // PCM
  put_u16(h.data() + 22, kRecordingChannels);
  put_u32(h.data() + 24, kRecordingRateHz);
  put_u32(h.data() + 28, kRecordingRateHz * kRecordingFrameBytes);  // byte rate
  put_u16(h.data() + 32, kRecordingFrameBytes);                      // block align
  put_u16(h.data() + 34, 16);                                        // bits per sample
  std::memcpy(h.data() + 36, "data", 4);
  put_u32(h.data() + 40, data);
  return h;
}

Result<std::FILE*> create_recording(const std::filesystem::path& path) {
  if (auto dir = create_private_directories(path.parent_path()); !dir) return std::unexpected(dir.error());
  auto fd = open_private_file(path, O_WRONLY | O_TRUNC);
  if (!fd) return std::unexpected(fd.error());
  std::FILE* f = ::fdopen(*fd, "wb");
  if (!f) {
    const int err = errno;
    ::close(*fd);
    return std::unexpected(file_error("cannot write recording", path, err));
  }
  const auto h = recording_header(0);
  if (std::fwrite(h.data(), 1, h.size(), f) != h.size()) {
    const int err = errno;
    std::fclose(f);
    return std::unexpected(file_error("cannot write recording", path, err));
  }
  return f;
}

Result<void> write_recording_header(std::FILE* file, uint64_t data_bytes) {
  const auto h = recording_header(data_bytes);
  if (std::fseek(file, 0, SEEK_SET) != 0 || std::fwrite(h.data(), 1, h.size(), file) != h.size())
    return std::unexpected(Error{ErrorCode::io, std::string("cannot rewrite the recording's header: ") + std::strerror(errno), {}});
  return {};
}

Result<uint64_t> repair_recording(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::unexpected(Error::not_found("no recording " + path.string()));
    return std::unexpected(file_error("cannot open recording", path, errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(file_error("cannot stat recording", path, errno));
  if ((st.st_mode & 07777) != kPrivateFileMode) (void)::fchmod(fd, kPrivateFileMode);
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size <= kWavHeaderBytes) return uint64_t{0};
  const uint64_t data = (size - kWavHeaderBytes) / kRecordingFrameBytes * kRecordingFrameBytes;
  if (kWavHeaderBytes + data != size && ::ftruncate(fd, static_cast<off_t>(kWavHeaderBytes + data)) != 0)
    return std::unexpected(file_error("cannot truncate recording", path, errno));
  const auto h = recording_header(data);
  if (::pwrite(fd, h.data(), h.size(), 0) != static_cast<ssize_t>(h.size()))
    return std::unexpected(file_error("cannot rewrite the header of recording", path, errno));
  return data;
}

}  // namespace voqo::pipeline
