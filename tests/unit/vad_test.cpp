// Voice activity detection (src/pipeline/vad.hpp) on the real recordings of
// ../shared/fixtures/speech, generated noise, mixtures of both, and 8 kHz audio.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <random>
#include <vector>

#include "pipeline/audio_level.hpp"
#include "pipeline/vad.hpp"
#include "speech/audio.hpp"
#include "support/speech_fixtures.hpp"
#include "telephony/resampler.hpp"

// Counts C++ allocations (operator new) so the hot path can be shown to allocate nothing.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// noinline: keeps GCC from pairing the inlined free() with operator new (-Wmismatched-new-delete).
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace voqo::pipeline {
namespace {

using test::Samples;
using test::resample;
using test::white_noise;
using test::synthesize;
Samples load(const std::string& name, int rate = 16000) { return test::load_speech(name, rate); }
constexpr std::size_t kFrame = 320;

/// Pink (1/f) noise by Paul Kellet's filter of white noise, scaled to an RMS of `dbfs`.
Samples pink_noise(std::size_t n, double dbfs, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<double> v(n);
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, sum = 0;
  for (auto& y : v) {
    const double w = nd(rng);
    b0 = 0.99886 * b0 + w * 0.0555179; b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.96900 * b2 + w * 0.1538520; b3 = 0.86650 * b3 + w * 0.3104856;
    b4 = 0.55000 * b4 + w * 0.5329522; b5 = -0.7616 * b5 - w * 0.0168980;
    y = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
    sum += y * y;
  }
  const double gain = 32768.0 * std::pow(10.0, dbfs / 20.0) / std::sqrt(sum / static_cast<double>(n));
  Samples s(n);
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<int16_t>(std::lround(v[i] * gain));
  return s;
}

/// Level of each 20 ms frame.
std::vector<double> frame_levels(const Samples& s, std::size_t frame = kFrame) {
  std::vector<double> out;
  for (std::size_t i = 0; i + frame <= s.size(); i += frame)
    out.push_back(level_dbfs(std::span<const int16_t>(s).subspan(i, frame)));
  return out;
}

/// Reference "known speech" of a clean recording: frames within 15 dB of its
/// loudest frame (the stressed parts of every word; pauses and breath fall
/// far below on these recordings).
std::vector<bool> loud_frames(const Samples& s, std::size_t frame = kFrame, double below_peak_db = 15) {
  const auto levels = frame_levels(s, frame);
  const double peak = *std::max_element(levels.begin(), levels.end());
  std::vector<bool> out;
  for (double l : levels) out.push_back(l >= peak - below_peak_db);
  return out;
}

/// Active speech level: RMS over the loud frames.
double active_level(const Samples& s) {
  const auto loud = loud_frames(s);
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t f = 0; f < loud.size(); ++f)
    if (loud[f])
      for (std::size_t i = 0; i < kFrame; ++i, ++n) sum += std::pow(s[f * kFrame + i], 2.0);
  return 10.0 * std::log10(sum / static_cast<double>(n) / (32768.0 * 32768.0));
}

Samples scaled(const Samples& s, double gain_db) {
  const double g = std::pow(10.0, gain_db / 20.0);
  Samples out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    out[i] = static_cast<int16_t>(std::clamp(std::lround(s[i] * g), -32768L, 32767L));
  return out;
}

Samples mixed(const Samples& a, const Samples& b, std::size_t b_offset = 0) {
  Samples out(std::max(a.size(), b.size() + b_offset), 0);
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i];
  for (std::size_t i = 0; i < b.size(); ++i)
    out[i + b_offset] = static_cast<int16_t>(std::clamp(out[i + b_offset] + b[i], -32768, 32767));
  return out;
}

std::vector<VadFrame> run(const Samples& s, VadConfig cfg = {}) {
  auto vad = VoiceActivityDetector::create(cfg);
  EXPECT_TRUE(vad.has_value());
  std::vector<VadFrame> out;
  const std::size_t n = vad->frame_samples();
  for (std::size_t i = 0; i + n <= s.size(); i += n) out.push_back(vad->process(std::span<const int16_t>(s).subspan(i, n)));
  return out;
}

int count_voiced(const std::vector<VadFrame>& frames) {
  return static_cast<int>(std::count_if(frames.begin(), frames.end(), [](const VadFrame& f) { return f.voiced; }));
}

/// Share of the reference speech frames that the detector has in speech.
double coverage(const std::vector<VadFrame>& frames, const std::vector<bool>& truth, std::size_t offset_frames = 0) {
  int hit = 0, total = 0;
  for (std::size_t f = 0; f < truth.size() && f + offset_frames < frames.size(); ++f) {
    if (!truth[f]) continue;
    ++total;
    hit += frames[f + offset_frames].in_speech || frames[f + offset_frames].voiced;
  }
  return total ? static_cast<double>(hit) / total : 0;
}

const std::vector<std::string> kWidebandFixtures = {
    "001.wav", "goforward.raw", "numbers.raw", "something.raw",
    "sense_and_sensibility_01_austen_64kb-0870.wav", "sense_and_sensibility_01_austen_64kb-0880.wav",
    "sense_and_sensibility_01_austen_64kb-0890.wav", "sense_and_sensibility_01_austen_64kb-0920.wav",
    "sense_and_sensibility_01_austen_64kb-0930.wav"};

TEST(VoiceActivityDetector, CoversTheSpeechOfEveryRecordingAndNotItsLeadingSilence) {
  for (const auto& name : kWidebandFixtures) {
    const Samples s = load(name);
    const auto frames = run(s);
    const auto truth = loud_frames(s);
    const double cov = coverage(frames, truth);
    EXPECT_GE(cov, 0.97) << name;
    // Speech starts (back-dated) no later than the first loud frame, and not
    // more than 300 ms before it (the leading silence is not speech).
    const auto first_loud = static_cast<int64_t>(std::find(truth.begin(), truth.end(), true) - truth.begin());
    const auto started = std::find_if(frames.begin(), frames.end(), [](const VadFrame& f) { return f.speech_started; });
    ASSERT_NE(started, frames.end()) << name;
    EXPECT_LE(started->speech_start_ms, first_loud * 20) << name;
    EXPECT_GE(started->speech_start_ms, first_loud * 20 - 300) << name;
    int segments = 0;
    for (const auto& f : frames) segments += f.speech_started;
    std::printf("  %-48s coverage %.3f, first speech at %lld ms (loud from %lld ms), %d segments\n", name.c_str(), cov,
                static_cast<long long>(started->speech_start_ms), static_cast<long long>(first_loud * 20), segments);
  }
}

TEST(VoiceActivityDetector, GoForwardIsOneUtteranceWithinItsRecording) {
  // "go forward ten meters": one utterance, ~1.7 s, bounded by silence.
  const auto frames = run(load("goforward.raw"));
  int starts = 0, stops = 0;
  int64_t start_ms = -1, stop_ms = -1;
  for (const auto& f : frames) {
    if (f.speech_started && start_ms < 0) start_ms = f.speech_start_ms;
    if (f.speech_stopped) stop_ms = f.speech_stop_ms;
    starts += f.speech_started;
    stops += f.speech_stopped;
  }
  EXPECT_LE(starts, 2);
  EXPECT_EQ(starts, stops);  // ends in silence
  EXPECT_GT(stop_ms - start_ms, 1200);
  EXPECT_LT(stop_ms - start_ms, 2200);
}

TEST(VoiceActivityDetector, HysteresisBackDatesTheStartAndWaitsStopMsBeforeStopping) {
  const auto frames = run(load("sense_and_sensibility_01_austen_64kb-0890.wav"));
  ASSERT_GT(count_voiced(frames), 0);
  bool in_speech = false;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& f = frames[i];
    EXPECT_EQ(f.frame_index, i);
    if (f.speech_started) {
      ASSERT_FALSE(in_speech);
      // Reported after 60 ms (3 frames) of voiced frames, dated to the first of them.
      ASSERT_GE(i, 2u);
      EXPECT_TRUE(frames[i].voiced && frames[i - 1].voiced && frames[i - 2].voiced);
      EXPECT_EQ(f.speech_start_ms, static_cast<int64_t>(i - 2) * 20);
      if (i >= 3) {
        EXPECT_FALSE(frames[i - 3].voiced && !frames[i - 3].in_speech);
      }
      in_speech = true;
    }
    if (f.speech_stopped) {
      ASSERT_TRUE(in_speech);
      ASSERT_GE(i, 7u);
      for (std::size_t k = i - 7; k <= i; ++k) EXPECT_FALSE(frames[k].voiced);  // 160 ms unvoiced
      EXPECT_EQ(f.speech_stop_ms, static_cast<int64_t>(i - 7) * 20);
      in_speech = false;
    }
    EXPECT_EQ(f.in_speech, in_speech);
    if (f.voiced) {
      EXPECT_GE(f.probability, 0.25);
    } else {
      EXPECT_LT(f.probability, 0.5);
    }
  }
}

TEST(VoiceActivityDetector, DigitalSilenceAndNoiseAtMinus50DbfsAreNeverVoiced) {
  const std::size_t five_s = 5 * 16000;
  for (const auto& [what, s] : {std::pair{"silence", Samples(five_s, 0)},
                               std::pair{"white", white_noise(five_s, -50, 1)},
                               std::pair{"pink", pink_noise(five_s, -50, 2)},
                               std::pair{"white after silence", mixed(Samples(16000, 0), white_noise(five_s, -50, 3), 16000)},
                               std::pair{"pink after silence", mixed(Samples(16000, 0), pink_noise(five_s, -50, 4), 16000)}}) {
    const auto frames = run(s);
    EXPECT_EQ(count_voiced(frames), 0) << what;
    // The floor follows the noise (minimum statistics sit a little below the
    // mean level: ~0.5 dB for white noise, 3–5 dB for pink noise's slow swings).
    if (std::string(what) != "silence") {
      EXPECT_LE(frames.back().noise_floor_dbfs, -49.5) << what;
      EXPECT_GE(frames.back().noise_floor_dbfs, -56.0) << what;
    }
  }
}

TEST(VoiceActivityDetector, DetectsSpeechAtMinus30DbfsOverNoiseAtMinus50Dbfs) {
  const Samples speech = load("goforward.raw");
  const Samples at30 = scaled(speech, -30.0 - active_level(speech));
  const auto truth = loud_frames(speech);
  for (int kind = 0; kind < 2; ++kind) {
    const std::size_t lead = 16000;  // 1 s of noise alone first
    const Samples noise = kind == 0 ? white_noise(at30.size() + lead + 16000, -50, 7) : pink_noise(at30.size() + lead + 16000, -50, 8);
    const auto frames = run(mixed(noise, at30, lead));
    for (std::size_t f = 0; f < 50; ++f) EXPECT_FALSE(frames[f].voiced) << "noise lead, frame " << f << " kind " << kind;
    const double cov = coverage(frames, truth, lead / kFrame);
    EXPECT_GE(cov, 0.9) << "kind " << kind;
    std::printf("  speech -30 dBFS over %s noise -50 dBFS: coverage %.3f\n", kind == 0 ? "white" : "pink", cov);
  }
}

TEST(VoiceActivityDetector, SpeechAfterDigitalSilenceIsDetectedFromItsFirstWord) {
  const Samples speech = load("goforward.raw");
  const auto frames = run(mixed(Samples(16000, 0), speech, 16000));
  EXPECT_GE(coverage(frames, loud_frames(speech), 50), 0.97);
  for (std::size_t f = 0; f < 50; ++f) EXPECT_FALSE(frames[f].voiced);
}

TEST(VoiceActivityDetector, WorksOnNarrowband8kHzAudio) {
  VadConfig cfg;
  cfg.sample_rate_hz = 8000;
  for (const auto& name : {"goforward.raw", "sense_and_sensibility_01_austen_64kb-0930.wav"}) {
    const Samples s = load(name, 8000);
    const auto frames = run(s, cfg);
    EXPECT_GE(coverage(frames, loud_frames(s, 160)), 0.95) << name;
  }
  // The recording made at 8 kHz (leak-test.wav) is detected too.
  const Samples leak = load("leak-test.wav", 8000);
  EXPECT_GE(coverage(run(leak, cfg), loud_frames(leak, 160)), 0.95);
  EXPECT_EQ(count_voiced(run(white_noise(4 * 8000, -50, 9), cfg)), 0);
}

TEST(VoiceActivityDetector, ProcessAllocatesNothing) {
  const Samples s = mixed(white_noise(3 * 16000, -50, 11), load("goforward.raw"));
  auto vad = VoiceActivityDetector::create();
  ASSERT_TRUE(vad.has_value());
  vad->process(std::span<const int16_t>(s).first(kFrame));
  const long before = g_allocations.load();
  int voiced = 0;
  for (std::size_t i = kFrame; i + kFrame <= s.size(); i += kFrame) voiced += vad->process(std::span<const int16_t>(s).subspan(i, kFrame)).voiced;
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(voiced, 20);
}

TEST(VoiceActivityDetector, ResetStartsANewStream) {
  const Samples s = load("goforward.raw");
  auto vad = VoiceActivityDetector::create();
  ASSERT_TRUE(vad.has_value());
  std::vector<VadFrame> first, second;
  for (std::size_t i = 0; i + kFrame <= s.size(); i += kFrame) first.push_back(vad->process(std::span<const int16_t>(s).subspan(i, kFrame)));
  vad->reset();
  for (std::size_t i = 0; i + kFrame <= s.size(); i += kFrame) second.push_back(vad->process(std::span<const int16_t>(s).subspan(i, kFrame)));
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].voiced, second[i].voiced) << i;
    EXPECT_EQ(second[i].frame_index, i);
  }
}

TEST(VoiceActivityDetector, RejectsBadSettings) {
  VadConfig bad;
  bad.sample_rate_hz = 44100;
  EXPECT_EQ(VoiceActivityDetector::create(bad).error().field(), "sampleRateHz");
  bad = {};
  bad.start_ms = 0;
  EXPECT_EQ(VoiceActivityDetector::create(bad).error().field(), "startMs");
  bad = {};
  bad.stop_ms = -1;
  EXPECT_EQ(VoiceActivityDetector::create(bad).error().field(), "stopMs");
}

}  // namespace
}  // namespace voqo::pipeline
