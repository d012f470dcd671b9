#pragma once
/// A call's recording file: RIFF/WAVE (the 44-byte canonical header: a
/// "fmt " chunk of 16 bytes, PCM format 1, then one "data" chunk), 16 kHz,
/// 2 channels of PCM16 little-endian — left the caller, right the agent.
///
/// The pipeline writes the header when it creates the file (claiming 0 data
/// bytes) and rewrites it with the real sizes when the call ends, so a file
/// cut short by a crash is still a WAV; repair_recording() sets its sizes
/// from the file's length at the next start (issue 15 §11). Recordings are
/// owner-only: 0600 files in a 0700 folder whatever the umask (issue 15 §8).
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "core/error.hpp"

namespace voqo::pipeline {

inline constexpr int kRecordingRateHz = 16000;
inline constexpr int kRecordingChannels = 2;
inline constexpr std::size_t kWavHeaderBytes = 44;
/// One sample frame: a PCM16 sample per channel.
inline constexpr std::size_t kRecordingFrameBytes = 2 * kRecordingChannels;

/// The header of a recording holding `data_bytes` of audio. RIFF sizes are
/// 32-bit: beyond 4 GiB − 40 bytes (18.6 hours) they stay at that maximum.
std::array<char, kWavHeaderBytes> recording_header(uint64_t data_bytes);

/// Creates (or truncates) the recording at `path`, mode 0600 whatever the
/// umask, its folder created 0700 when missing, and writes the header of an
/// empty recording. Returns the stream, positioned after the header (the
/// caller closes it). Errors: io naming the path.
Result<std::FILE*> create_recording(const std::filesystem::path& path);

/// Rewrites the header of the open recording `file` for `data_bytes` of
/// audio (seeks to the start; the caller closes the stream). Errors: io.
Result<void> write_recording_header(std::FILE* file, uint64_t data_bytes);

/// Completes a recording that a crash left open: the audio is what follows
/// the header (a trailing partial sample frame is cut off), and the header
/// is rewritten for it; the file is narrowed to 0600. Returns the bytes of
/// audio (0: a file of at most a header, left as it is; the caller decides
/// whether to keep it). Errors: not_found (no such file), io.
Result<uint64_t> repair_recording(const std::filesystem::path& path);

/// Whole seconds of audio in `data_bytes` of a recording.
constexpr int64_t recording_seconds(uint64_t data_bytes) {
  return static_cast<int64_t>(data_bytes / (kRecordingFrameBytes * kRecordingRateHz));
}

}  // namespace voqo::pipeline
