#include "speech/audio.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

namespace voqo::speech {
namespace {

static_assert(std::endian::native == std::endian::little, "PCM16 file I/O assumes a little-endian host");

Error make_error(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

uint32_t le32(const std::byte* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t le16(const std::byte* p) { return static_cast<uint16_t>(static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8)); }
bool tag_is(const std::byte* p, const char (&tag)[5]) { return std::memcmp(p, tag, 4) == 0; }

Result<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(make_error(ErrorCode::io, "cannot open " + path.string()));
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::unexpected(make_error(ErrorCode::io, "cannot read " + path.string()));
  return data;
}

void put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}

}  // namespace

Result<PcmAudio> decode_wav(std::span<const std::byte> bytes) {
  if (bytes.size() < 12 || !tag_is(bytes.data(), "RIFF") || !tag_is(bytes.data() + 8, "WAVE"))
    return std::unexpected(make_error(ErrorCode::bad_request, "not a RIFF/WAVE file"));
  bool have_fmt = false;
  AudioFormat format{};
  std::size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const std::byte* chunk = bytes.data() + pos;
    const std::size_t declared = le32(chunk + 4);
    const std::size_t body = pos + 8;
    const std::size_t available = bytes.size() - body;
    if (tag_is(chunk, "fmt ")) {
      if (declared < 16 || available < 16)
        return std::unexpected(make_error(ErrorCode::bad_request, "WAV fmt chunk is truncated"));
      const std::byte* f = chunk + 8;
      uint16_t encoding = le16(f);
      const uint16_t channels = le16(f + 2);
      const uint32_t rate = le32(f + 4);
      const uint16_t bits = le16(f + 14);
      if (encoding == 0xFFFE && declared >= 40 && available >= 40) encoding = le16(f + 24);  // SubFormat GUID's first 2 bytes
      if (encoding != 1)
        return std::unexpected(make_error(ErrorCode::unsupported, "WAV encoding " + std::to_string(encoding) +
                                                                      " is not supported (PCM only)"));
      if (bits != 16)
        return std::unexpected(make_error(ErrorCode::unsupported, "WAV with " + std::to_string(bits) +
                                                                      " bits per sample is not supported (16 only)"));
      if (channels != 1 && channels != 2)
        return std::unexpected(make_error(ErrorCode::unsupported, "WAV with " + std::to_string(channels) +
                                                                      " channels is not supported (mono or stereo)"));
      if (rate == 0 || rate > 384000)
        return std::unexpected(make_error(ErrorCode::bad_request, "WAV sample rate " + std::to_string(rate) + " is invalid"));
      format = AudioFormat{static_cast<int>(rate), channels};
      have_fmt = true;
    } else if (tag_is(chunk, "data")) {
      if (!have_fmt) return std::unexpected(make_error(ErrorCode::bad_request, "WAV data chunk before fmt chunk"));
      std::size_t n = declared <= available ? declared : available;  // streamed writers leave a bogus size
      const std::size_t frame_bytes = 2 * static_cast<std::size_t>(format.channels);
      n -= n % frame_bytes;
      PcmAudio audio{format, std::vector<int16_t>(n / 2)};
      if (n > 0) std::memcpy(audio.samples.data(), chunk + 8, n);  // an empty data chunk: no copy (memcpy from null is UB)
      return audio;
    }
    if (declared > available) break;
    pos = body + declared + (declared & 1U);
  }
  return std::unexpected(make_error(ErrorCode::bad_request, have_fmt ? "WAV file has no data chunk" : "WAV file has no fmt chunk"));
}

Result<PcmAudio> read_wav(const std::filesystem::path& path) {
  auto data = slurp(path);
  if (!data) return std::unexpected(data.error());
  auto audio = decode_wav(std::as_bytes(std::span{data->data(), data->size()}));
  if (!audio) audio.error().message += " (" + path.string() + ")";
  return audio;
}

Result<std::string> encode_wav(const PcmAudio& audio) {
  const auto& f = audio.format;
  if (f.channels != 1 && f.channels != 2) return std::unexpected(Error::invalid("channels", "must be 1 or 2"));
  if (f.sample_rate_hz <= 0) return std::unexpected(Error::invalid("sampleRateHz", "must be positive"));
  if (audio.samples.size() % static_cast<std::size_t>(f.channels) != 0)
    return std::unexpected(Error::invalid("samples", "not a whole number of frames"));
  const uint64_t data_bytes = audio.samples.size() * 2ULL;
  if (data_bytes > 0xFFFFFFFFULL - 36) return std::unexpected(Error::invalid("samples", "too long for a WAV file"));
  std::string out;
  out.reserve(44 + data_bytes);
  out += "RIFF";
  put32(out, static_cast<uint32_t>(36 + data_bytes));
  out += "WAVEfmt ";
  put32(out, 16);
  put16(out, 1);
  put16(out, static_cast<uint16_t>(f.channels));
  put32(out, static_cast<uint32_t>(f.sample_rate_hz));
  put32(out, static_cast<uint32_t>(f.sample_rate_hz * f.channels * 2));
  put16(out, static_cast<uint16_t>(f.channels * 2));
  put16(out, 16);
  out += "data";
  put32(out, static_cast<uint32_t>(data_bytes));
  out.append(reinterpret_cast<const char*>(audio.samples.data()), data_bytes);
  return out;
}

Result<void> write_wav(const std::filesystem::path& path, const PcmAudio& audio) {
  auto image = encode_wav(audio);
  if (!image) return std::unexpected(image.error());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(image->data(), static_cast<std::streamsize>(image->size()));
  out.close();
  if (!out) return std::unexpected(make_error(ErrorCode::io, "cannot write " + path.string()));
  return ok();
}

Result<PcmAudio> read_raw_s16le(const std::filesystem::path& path, AudioFormat format) {
  auto data = slurp(path);
  if (!data) return std::unexpected(data.error());
  PcmAudio audio{format, std::vector<int16_t>(data->size() / 2)};
  std::memcpy(audio.samples.data(), data->data(), audio.samples.size() * 2);
  return audio;
}

}  // namespace voqo::speech
