#include "telephony/codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>

// spandsp's headers are C and expect telephony.h (SPAN_DECLARE) and
// bit_operations.h (top_bit, used by the inline G.711 helpers) first.
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/g722.h>

namespace voqo::telephony {

int AudioCodec::samples_per_frame(int ptime_ms) const {
  if (ptime_ms <= 0) return 0;
  return sample_rate_hz() / 1000 * ptime_ms;
}

namespace {

constexpr std::array<std::string_view, 3> kSupported{"G722", "PCMU", "PCMA"};

/// Appends `n` elements' worth of room to a container and returns a pointer to
/// the first new element; allocation-free within capacity.
template <class C>
auto* grow(C& c, std::size_t n) {
  const std::size_t old = c.size();
  c.resize(old + n);
  return c.data() + old;
}

/// G.711 (ITU-T G.711, 1988) with spandsp's inline table-free converters, which
/// take and return 16-bit linear samples (the 14-bit µ-law / 13-bit A-law
/// ranges scaled to 16 bits). Stateless per sample; the "state" is nothing.
template <bool Ulaw>
class G711Codec final : public AudioCodec {
 public:
  std::string_view name() const override { return Ulaw ? "PCMU" : "PCMA"; }
  int payload_type() const override { return Ulaw ? 0 : 8; }
  int sample_rate_hz() const override { return 8000; }
  int rtp_clock_rate_hz() const override { return 8000; }
  std::size_t encoded_bytes(std::size_t samples) const override { return samples; }
  std::size_t decoded_samples(std::size_t bytes) const override { return bytes; }

  Result<void> encode(std::span<const int16_t> pcm, std::string& out) override {
    char* dst = grow(out, pcm.size());
    for (int16_t s : pcm) *dst++ = static_cast<char>(Ulaw ? linear_to_ulaw(s) : linear_to_alaw(s));
    return ok();
  }

  Result<void> decode(std::span<const uint8_t> payload, std::vector<int16_t>& out) override {
    int16_t* dst = grow(out, payload.size());
    for (uint8_t b : payload) *dst++ = Ulaw ? ulaw_to_linear(b) : alaw_to_linear(b);
    return ok();
  }

  void reset() override {}
};

/// G.722 (ITU-T G.722, 64 kbit/s mode 1) with spandsp's bit-exact encoder and
/// decoder, linear audio at 16 kHz (no G722_SAMPLE_RATE_8000, no G722_PACKED).
/// Holds one encoder and one decoder state; a call direction uses one of them.
class G722Codec final : public AudioCodec {
 public:
  ~G722Codec() override {
    if (enc_) g722_encode_free(enc_);
    if (dec_) g722_decode_free(dec_);
  }

  static Result<std::unique_ptr<AudioCodec>> create() {
    auto c = std::unique_ptr<G722Codec>(new G722Codec);
    c->enc_ = g722_encode_init(nullptr, kBitRate, 0);
    c->dec_ = g722_decode_init(nullptr, kBitRate, 0);
    if (!c->enc_ || !c->dec_) return std::unexpected(Error{ErrorCode::internal, "spandsp: G.722 initialisation failed", {}});
    return std::unique_ptr<AudioCodec>(std::move(c));
  }

  std::string_view name() const override { return "G722"; }
  int payload_type() const override { return 9; }
  int sample_rate_hz() const override { return 16000; }
  int rtp_clock_rate_hz() const override { return 8000; }  // RFC 3551 §4.5.2
  std::size_t encoded_bytes(std::size_t samples) const override { return samples / 2; }
  std::size_t decoded_samples(std::size_t bytes) const override { return bytes * 2; }

  Result<void> encode(std::span<const int16_t> pcm, std::string& out) override {
    if (pcm.size() % 2 != 0)
      return std::unexpected(Error::invalid(
          "pcm", "G.722 encodes pairs of 16 kHz samples; got an odd count (" + std::to_string(pcm.size()) + ")"));
    if (pcm.empty()) return ok();
    auto* dst = reinterpret_cast<uint8_t*>(grow(out, pcm.size() / 2));
    // spandsp takes int lengths; a 20 ms frame is 320 samples, so chunk only
    // for absurd spans.
    constexpr std::size_t kChunk = 1u << 30;
    for (std::size_t i = 0; i < pcm.size(); i += kChunk) {
      const std::size_t n = std::min(kChunk, pcm.size() - i);
      dst += g722_encode(enc_, dst, pcm.data() + i, static_cast<int>(n));
    }
    return ok();
  }

  Result<void> decode(std::span<const uint8_t> payload, std::vector<int16_t>& out) override {
    if (payload.empty()) return ok();
    int16_t* dst = grow(out, payload.size() * 2);
    constexpr std::size_t kChunk = 1u << 29;
    for (std::size_t i = 0; i < payload.size(); i += kChunk) {
      const std::size_t n = std::min(kChunk, payload.size() - i);
      dst += g722_decode(dec_, dst, payload.data() + i, static_cast<int>(n));
    }
    return ok();
  }

  void reset() override {
    g722_encode_init(enc_, kBitRate, 0);
    g722_decode_init(dec_, kBitRate, 0);
  }

 private:
  static constexpr int kBitRate = 64000;
  G722Codec() = default;
  g722_encode_state_t* enc_ = nullptr;
  g722_decode_state_t* dec_ = nullptr;
};

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::span<const std::string_view> supported_codecs() { return kSupported; }

Result<std::unique_ptr<AudioCodec>> make_codec(std::string_view sdp_name) {
  if (iequals(sdp_name, "PCMU")) return std::unique_ptr<AudioCodec>(new G711Codec<true>);
  if (iequals(sdp_name, "PCMA")) return std::unique_ptr<AudioCodec>(new G711Codec<false>);
  if (iequals(sdp_name, "G722")) return G722Codec::create();
  std::string message = "unsupported audio codec \"" + std::string(sdp_name) + "\"; supported:";
  for (auto n : kSupported) (message += ' ') += n;
  return std::unexpected(Error{ErrorCode::unsupported, std::move(message), {}});
}

}  // namespace voqo::telephony
