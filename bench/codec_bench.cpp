// Media-plane cost per call: nanoseconds per 20 ms frame for encode and decode
// of each RTP codec (PCMU, PCMA, G722) and for the speexdsp resampler
// (8 → 16 kHz for narrowband caller audio to STT, 16 → 8 kHz for TTS to the
// caller, 22050 → 16000 / 8000 for espeak-ng output), over real recorded speech.
// One call direction needs one decode (+ one upsample on PCMU/PCMA) every 20 ms,
// the other one encode (+ downsample); the figures say how many calls a core holds.
// Prints figures; asserts nothing.
//
// Usage: bench_codec [fixtures dir] [frames]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "speech/audio.hpp"
#include "telephony/codec.hpp"
#include "telephony/resampler.hpp"

using namespace voqo;
using namespace voqo::telephony;
using Clock = std::chrono::steady_clock;

namespace {

/// Repeats `speech` until it holds `n` samples.
std::vector<int16_t> tile(const std::vector<int16_t>& speech, std::size_t n) {
  std::vector<int16_t> out;
  out.reserve(n);
  while (out.size() < n) out.insert(out.end(), speech.begin(), speech.begin() + static_cast<std::ptrdiff_t>(std::min(speech.size(), n - out.size())));
  return out;
}

double ns_per(Clock::time_point t0, std::size_t frames) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(frames);
}

volatile int64_t g_sink = 0;

void bench_codec(std::string_view name, const std::vector<int16_t>& speech16k, const std::vector<int16_t>& speech8k,
                 std::size_t frames) {
  auto enc = make_codec(name);
  auto dec = make_codec(name);
  if (!enc || !dec) {
    std::printf("%.*s: %s\n", static_cast<int>(name.size()), name.data(), enc ? dec.error().message.c_str() : enc.error().message.c_str());
    return;
  }
  const auto& pcm = (*enc)->sample_rate_hz() == 16000 ? speech16k : speech8k;
  const auto frame = static_cast<std::size_t>((*enc)->samples_per_frame(20));
  const std::size_t usable = pcm.size() / frame;
  // Pre-encode every frame so decode is measured on real payloads.
  std::vector<std::string> payloads(usable);
  for (std::size_t i = 0; i < usable; ++i) {
    payloads[i].reserve(frame);
    (void)(*enc)->encode(std::span(pcm).subspan(i * frame, frame), payloads[i]);
  }
  (*enc)->reset();
  std::string out;
  out.reserve(frame);
  auto t0 = Clock::now();
  for (std::size_t f = 0; f < frames; ++f) {
    out.clear();
    (void)(*enc)->encode(std::span(pcm).subspan((f % usable) * frame, frame), out);
    g_sink = g_sink + out[0];
  }
  const double enc_ns = ns_per(t0, frames);
  std::vector<int16_t> samples;
  samples.reserve(frame);
  t0 = Clock::now();
  for (std::size_t f = 0; f < frames; ++f) {
    samples.clear();
    const auto& p = payloads[f % usable];
    (void)(*dec)->decode({reinterpret_cast<const uint8_t*>(p.data()), p.size()}, samples);
    g_sink = g_sink + samples[0];
  }
  const double dec_ns = ns_per(t0, frames);
  std::printf("%-5.*s 20 ms = %3zu samples @ %5d Hz: encode %8.0f ns/frame, decode %8.0f ns/frame\n",
              static_cast<int>(name.size()), name.data(), frame, (*enc)->sample_rate_hz(), enc_ns, dec_ns);
}

void bench_resampler(int from, int to, const std::vector<int16_t>& input, std::size_t frames) {
  auto r = Resampler::create(from, to);
  if (!r) {
    std::printf("resampler %d → %d: %s\n", from, to, r.error().message.c_str());
    return;
  }
  const auto frame = static_cast<std::size_t>(from / 50);  // 20 ms
  const std::size_t usable = input.size() / frame;
  std::vector<int16_t> out;
  out.reserve(r->max_output(frame));
  const auto t0 = Clock::now();
  for (std::size_t f = 0; f < frames; ++f) {
    out.clear();
    (void)r->process(std::span(input).subspan((f % usable) * frame, frame), out);
    g_sink = g_sink + out.size();
  }
  std::printf("resample %5d → %5d Hz, 20 ms = %3zu samples in (quality 5, latency %d out samples): %8.0f ns/frame\n",
              from, to, frame, r->latency_samples(), ns_per(t0, frames));
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path fixtures = argc > 1 ? argv[1] : VOQO_BENCH_FIXTURES;
  const std::size_t frames = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200000;
  std::vector<int16_t> speech;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures / "speech")) {
    if (entry.path().extension() != ".wav") continue;
    auto a = speech::read_wav(entry.path());
    if (a && a->format == speech::kWideband) speech.insert(speech.end(), a->samples.begin(), a->samples.end());
  }
  if (speech.empty()) {
    std::printf("no 16 kHz mono WAV fixtures under %s\n", (fixtures / "speech").c_str());
    return 1;
  }
  const auto speech16k = tile(speech, 16000 * 10);
  std::vector<int16_t> speech8k;
  {
    auto down = Resampler::create(16000, 8000);
    (void)down->process(speech16k, speech8k);
  }
  std::vector<int16_t> speech22k;
  {
    auto up = Resampler::create(16000, 22050);
    (void)up->process(speech16k, speech22k);
  }
  std::printf("%zu frames of 20 ms each, real speech (%.1f s of fixtures, tiled)\n", frames,
              static_cast<double>(speech.size()) / 16000.0);
  for (std::string_view name : {"PCMU", "PCMA", "G722"}) bench_codec(name, speech16k, speech8k, frames);
  bench_resampler(8000, 16000, speech8k, frames);
  bench_resampler(16000, 8000, speech16k, frames);
  bench_resampler(22050, 16000, speech22k, frames / 4);
  bench_resampler(22050, 8000, speech22k, frames / 4);
  return 0;
}
