#pragma once
/// PCM16 audio containers and the two file formats the speech engines and
/// their fixtures use: RIFF/WAVE (PCM16, mono or stereo) and headerless
/// signed 16-bit little-endian ".raw" (the CMU Sphinx test-set format).
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace voqo::speech {

/// Sample rate (Hz) and channel count of interleaved PCM16 audio.
struct AudioFormat {
  int sample_rate_hz = 16000;
  int channels = 1;
  friend bool operator==(const AudioFormat&, const AudioFormat&) = default;
};

/// The format every embedded STT engine takes: 16 kHz mono (DESIGN.md: narrowband
/// 8 kHz calls must be resampled by the caller, or negotiated as G.722).
inline constexpr AudioFormat kWideband{16000, 1};

/// Interleaved signed 16-bit samples (frames × channels) in `format`.
struct PcmAudio {
  AudioFormat format;
  std::vector<int16_t> samples;

  /// Number of frames (samples per channel).
  [[nodiscard]] std::size_t frames() const {
    return format.channels > 0 ? samples.size() / static_cast<std::size_t>(format.channels) : 0;
  }
  /// Duration in milliseconds (frames / rate × 1000).
  [[nodiscard]] double duration_ms() const {
    return format.sample_rate_hz > 0 ? 1000.0 * static_cast<double>(frames()) / format.sample_rate_hz : 0.0;
  }
};

/// Parses a RIFF/WAVE image held in memory. Accepts WAVE_FORMAT_PCM (1) and
/// WAVE_FORMAT_EXTENSIBLE (0xFFFE) with 16 bits per sample, 1 or 2 channels;
/// skips chunks other than `fmt ` and `data` (LIST, fact, cue, ...; odd sizes
/// padded to even as RIFF requires); a data chunk that claims more bytes than
/// the file holds (streamed writers leave 0 or 0xFFFFFFFF) is read to the end.
/// Errors: ErrorCode::bad_request for a malformed image (no RIFF/WAVE tag, no
/// fmt or data chunk, truncated fmt), ErrorCode::unsupported for another
/// encoding, bit depth or channel count.
Result<PcmAudio> decode_wav(std::span<const std::byte> bytes);

/// Reads and parses a WAV file (see decode_wav). Errors: ErrorCode::io when
/// the file cannot be read, otherwise those of decode_wav.
Result<PcmAudio> read_wav(const std::filesystem::path& path);

/// Encodes `audio` as a canonical 44-byte-header PCM16 WAV image.
/// Errors: ErrorCode::invalid_argument for channels ∉ {1,2}, a non-positive
/// rate or a sample count that is not a whole number of frames.
Result<std::string> encode_wav(const PcmAudio& audio);

/// Writes encode_wav(audio) to `path`. Errors: those of encode_wav, ErrorCode::io.
Result<void> write_wav(const std::filesystem::path& path, const PcmAudio& audio);

/// Reads a headerless s16le file; the format is not in the file, so it is
/// given (default 16 kHz mono, as the CMU Sphinx .raw test files are).
/// A trailing odd byte is ignored. Errors: ErrorCode::io.
Result<PcmAudio> read_raw_s16le(const std::filesystem::path& path, AudioFormat format = kWideband);

}  // namespace voqo::speech
