#include "support/speech_fixtures.hpp"

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "speech/audio.hpp"
#include "speech/flite_tts.hpp"
#include "support/test_support.hpp"
#include "telephony/resampler.hpp"

namespace voqo::test {

std::filesystem::path speech_fixture(const std::string& name) { return fixtures() / "speech" / name; }

std::map<std::string, std::string> read_transcriptions() {
  std::map<std::string, std::string> out;
  std::ifstream in(speech_fixture("transcription"));
  const std::regex line_re(R"(^\s*<s>\s*(.*?)\s*</s>\s*\(([^)]+)\)\s*$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, line_re)) out[m[2].str()] = m[1].str();
  }
  return out;
}

Samples resample(const Samples& in, int from, int to) {
  if (from == to) return in;
  auto r = telephony::Resampler::create(from, to);
  EXPECT_TRUE(r.has_value());
  Samples out;
  out.reserve(r->max_output(in.size()));
  EXPECT_TRUE(r->process(in, out).has_value());
  return out;
}

Samples load_speech(const std::string& name, int rate) {
  const auto path = speech_fixture(name);
  auto audio = path.extension() == ".raw" ? speech::read_raw_s16le(path) : speech::read_wav(path);
  EXPECT_TRUE(audio.has_value()) << name;
  if (!audio) return {};
  return resample(audio->samples, audio->format.sample_rate_hz, rate);
}

Samples white_noise(std::size_t n, double dbfs, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> nd(0.0, 32768.0 * std::pow(10.0, dbfs / 20.0));
  Samples s(n);
  for (auto& x : s) x = static_cast<int16_t>(std::clamp(std::lround(nd(rng)), -32768L, 32767L));
  return s;
}

Samples synthesize(const std::string& text, const std::string& voice) {
  static speech::FliteTts tts;
  Samples out;
  auto r = tts.synthesize(text, speech::Voice{voice, 1.0, 1.0}, [&](std::span<const int16_t> chunk) {
    out.insert(out.end(), chunk.begin(), chunk.end());
    return true;
  });
  EXPECT_TRUE(r.has_value());
  return out;
}

}  // namespace voqo::test
