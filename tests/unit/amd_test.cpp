// Answering-machine detection (src/pipeline/amd.hpp): a person's short
// greeting, recorded and synthesized machine greetings with and without a
// beep, beeps at 8 kHz, and every speech fixture (which must never beep).
// Frames go through the VAD first, as in the pipeline.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "pipeline/amd.hpp"
#include "pipeline/vad.hpp"
#include "speech/audio.hpp"
#include "speech/flite_tts.hpp"
#include "support/speech_fixtures.hpp"
#include "telephony/resampler.hpp"

namespace voqo::pipeline {
namespace {

using test::Samples;
using test::resample;
using test::white_noise;
using test::synthesize;
Samples load(const std::string& name, int rate = 16000) { return test::load_speech(name, rate); }

/// A sine of `ms` milliseconds at `hz` and `dbfs` peak, with 5 ms raised-cosine edges.
Samples tone(double hz, int ms, double dbfs, int rate = 16000, double hz2 = 0) {
  const std::size_t n = static_cast<std::size_t>(rate) * static_cast<std::size_t>(ms) / 1000;
  const double a = 32767.0 * std::pow(10.0, dbfs / 20.0) / (hz2 > 0 ? 2 : 1);
  const std::size_t edge = static_cast<std::size_t>(rate) / 200;
  Samples s(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    double env = 1.0;
    if (i < edge) env = 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(i) / edge);
    if (n - i < edge) env = 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(n - i) / edge);
    double v = std::sin(2 * std::numbers::pi * hz * t);
    if (hz2 > 0) v += std::sin(2 * std::numbers::pi * hz2 * t);
    s[i] = static_cast<int16_t>(std::lround(a * env * v));
  }
  return s;
}

Samples silence(int ms, int rate = 16000) { return Samples(static_cast<std::size_t>(rate) * static_cast<std::size_t>(ms) / 1000, 0); }

/// Line noise at -60 dBFS over the whole signal (a real line is never digital silence).
Samples with_line_noise(Samples s, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> nd(0.0, 32768.0 * std::pow(10.0, -60.0 / 20.0));
  for (auto& x : s) x = static_cast<int16_t>(std::clamp(x + std::lround(nd(rng)), -32768L, 32767L));
  return s;
}

Samples concat(std::initializer_list<Samples> parts) {
  Samples out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct AmdRun {
  AmdVerdict verdict = AmdVerdict::pending;
  std::string reason;
  int64_t decided_ms = -1;
  std::vector<AmdBeep> beeps;
  int64_t greeting_ended_ms = -1;
  int64_t ready_ms = -1;
  std::string ready_reason;
  int tonal_frames = 0;
};

AmdRun analyse(const Samples& s, int rate = 16000, AmdConfig cfg = {}) {
  cfg.sample_rate_hz = rate;
  auto amd = AnsweringMachineDetector::create(cfg);
  auto vad = VoiceActivityDetector::create(VadConfig{.sample_rate_hz = rate});
  EXPECT_TRUE(amd.has_value() && vad.has_value());
  AmdRun r;
  const std::size_t n = amd->frame_samples();
  for (std::size_t i = 0; i + n <= s.size(); i += n) {
    const auto frame = std::span<const int16_t>(s).subspan(i, n);
    const AmdUpdate u = amd->process(frame, vad->process(frame).voiced);
    if (u.decided) r.verdict = u.verdict, r.reason = std::string(u.reason), r.decided_ms = u.time_ms + 20;
    if (u.beep) r.beeps.push_back(*u.beep);
    if (u.greeting_ended) r.greeting_ended_ms = u.time_ms + 20;
    if (u.ready_for_message) r.ready_ms = u.time_ms + 20, r.ready_reason = std::string(u.ready_reason);
    r.tonal_frames += u.tonal;
  }
  return r;
}

const Samples& machine_greeting() {
  static const Samples g = synthesize(
      "Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone.");
  return g;
}

TEST(AnsweringMachineDetector, AShortHelloFollowedBySilenceIsAHuman) {
  const Samples s = with_line_noise(concat({load("goforward.raw"), silence(3000)}));
  const AmdRun r = analyse(s);
  std::printf("  goforward + silence: %s (%s) at %lld ms\n", std::string(to_string(r.verdict)).c_str(), r.reason.c_str(),
              static_cast<long long>(r.decided_ms));
  EXPECT_EQ(r.verdict, AmdVerdict::human);
  EXPECT_EQ(r.reason, "short_greeting");
  EXPECT_LE(r.decided_ms, 3500);  // the recording itself ends its speech at ~2.4 s
  EXPECT_TRUE(r.beeps.empty());
  EXPECT_LT(r.ready_ms, 0);
  // A quicker "hello" — the first word of another recording — is decided sooner.
  const Samples hello = load("sense_and_sensibility_01_austen_64kb-0930.wav");
  const AmdRun quick = analyse(with_line_noise(concat({silence(300), Samples(hello.begin(), hello.begin() + 16000 * 8 / 10), silence(2000)})));
  EXPECT_EQ(quick.verdict, AmdVerdict::human);
  EXPECT_LE(quick.decided_ms, 2200);
}

TEST(AnsweringMachineDetector, ASynthesizedVoicemailGreetingIsAMachineWithin3sThenItsBeepIsHeard) {
  const Samples s = with_line_noise(concat({silence(200), machine_greeting(), silence(400), tone(1000, 500, -12), silence(2000)}));
  const AmdRun r = analyse(s);
  const int64_t beep_end = static_cast<int64_t>(200 + machine_greeting().size() / 16 + 400 + 500);
  std::printf("  flite greeting (%zu ms): %s (%s) at %lld ms; beeps %zu", machine_greeting().size() / 16,
              std::string(to_string(r.verdict)).c_str(), r.reason.c_str(), static_cast<long long>(r.decided_ms), r.beeps.size());
  if (!r.beeps.empty()) std::printf(" (%.1f Hz, %d ms, ends %lld ms)", r.beeps[0].frequency_hz, r.beeps[0].duration_ms,
                                    static_cast<long long>(r.beeps[0].end_ms));
  std::printf("; ready (%s) at %lld ms\n", r.ready_reason.c_str(), static_cast<long long>(r.ready_ms));
  EXPECT_EQ(r.verdict, AmdVerdict::machine);
  EXPECT_LE(r.decided_ms, 3000);
  ASSERT_EQ(r.beeps.size(), 1u);
  EXPECT_NEAR(r.beeps[0].frequency_hz, 1000.0, 10.0);
  EXPECT_NEAR(r.beeps[0].duration_ms, 500, 40);
  EXPECT_NEAR(static_cast<double>(r.beeps[0].end_ms), static_cast<double>(beep_end), 40.0);
  EXPECT_EQ(r.ready_reason, "beep");
  EXPECT_NEAR(static_cast<double>(r.ready_ms), static_cast<double>(beep_end), 40.0);
}

TEST(AnsweringMachineDetector, ARecordedLongGreetingIsAMachineEvenAfterInitialSilence) {
  for (int lead : {100, 1500}) {
    const Samples s = with_line_noise(concat({silence(lead), load("sense_and_sensibility_01_austen_64kb-0880.wav"),
                                              load("sense_and_sensibility_01_austen_64kb-0930.wav"), tone(850, 300, -20), silence(1000)}));
    const AmdRun r = analyse(s);
    std::printf("  recorded sentences after %d ms: %s (%s) at %lld ms\n", lead, std::string(to_string(r.verdict)).c_str(),
                r.reason.c_str(), static_cast<long long>(r.decided_ms));
    EXPECT_EQ(r.verdict, AmdVerdict::machine) << lead;
    EXPECT_LE(r.decided_ms, lead + 3000) << lead;
    ASSERT_EQ(r.beeps.size(), 1u) << lead;
    EXPECT_NEAR(r.beeps[0].frequency_hz, 850.0, 10.0);
  }
}

TEST(AnsweringMachineDetector, AMachineWithoutABeepIsReadyFiveSecondsAfterItsGreetingEnds) {
  const Samples s = with_line_noise(concat({silence(200), machine_greeting(), silence(8000)}));
  const AmdRun r = analyse(s);
  EXPECT_EQ(r.verdict, AmdVerdict::machine);
  EXPECT_TRUE(r.beeps.empty());
  ASSERT_GT(r.greeting_ended_ms, 0);
  EXPECT_EQ(r.ready_reason, "no_beep");
  EXPECT_GE(r.ready_ms - r.greeting_ended_ms, 5000 - 1500 - 40);  // greeting_ended is reported after 1.5 s of silence
  const int64_t speech_end = 200 + static_cast<int64_t>(machine_greeting().size() / 16);
  EXPECT_NEAR(static_cast<double>(r.ready_ms), static_cast<double>(speech_end + 5000), 400.0);
}

TEST(AnsweringMachineDetector, SpeechNeverReportsABeep) {
  for (const char* name : {"001.wav", "chan3.wav", "leak-test.wav", "sense_and_sensibility_01_austen_64kb-0870.wav",
                           "sense_and_sensibility_01_austen_64kb-0880.wav", "sense_and_sensibility_01_austen_64kb-0890.wav",
                           "sense_and_sensibility_01_austen_64kb-0920.wav", "sense_and_sensibility_01_austen_64kb-0930.wav",
                           "goforward.raw", "numbers.raw", "something.raw"}) {
    const AmdRun r = analyse(load(name));
    EXPECT_TRUE(r.beeps.empty()) << name << ": " << r.beeps.size() << " beeps, first at " << (r.beeps.empty() ? 0 : r.beeps[0].start_ms);
    std::printf("  %-48s tonal frames %d, beeps %zu\n", name, r.tonal_frames, r.beeps.size());
  }
  const AmdRun tts = analyse(machine_greeting());
  EXPECT_TRUE(tts.beeps.empty());
}

TEST(AnsweringMachineDetector, DetectsBeepsAcrossTheBandAndNothingElse) {
  for (double hz : {425.0, 440.0, 950.0, 1000.0, 1400.0, 1777.0, 2000.0}) {
    const AmdRun r = analyse(with_line_noise(concat({silence(500), tone(hz, 200, -20), silence(500)})));
    ASSERT_EQ(r.beeps.size(), 1u) << hz;
    EXPECT_NEAR(r.beeps[0].frequency_hz, hz, 8.0);
    EXPECT_NEAR(r.beeps[0].duration_ms, 200, 40);
    EXPECT_EQ(r.verdict, AmdVerdict::machine);
    EXPECT_EQ(r.reason, "beep");
  }
  // Too short, out of band, too quiet, or two tones at once (ringback 440+480 Hz): no beep.
  EXPECT_TRUE(analyse(with_line_noise(concat({silence(500), tone(1000, 80, -20), silence(500)}))).beeps.empty());
  EXPECT_TRUE(analyse(with_line_noise(concat({silence(500), tone(300, 300, -20), silence(500)}))).beeps.empty());
  EXPECT_TRUE(analyse(with_line_noise(concat({silence(500), tone(3000, 300, -20), silence(500)}))).beeps.empty());
  EXPECT_TRUE(analyse(with_line_noise(concat({silence(500), tone(1000, 300, -55), silence(500)}))).beeps.empty());
  EXPECT_TRUE(analyse(with_line_noise(concat({silence(500), tone(440, 2000, -20, 16000, 480), silence(500)}))).beeps.empty());
}

TEST(AnsweringMachineDetector, HearsABeepInNarrowbandAudio) {
  // A beep from an 8 kHz (G.711) call, upsampled to 16 kHz as the pipeline does.
  const Samples narrow = with_line_noise(concat({silence(300, 8000), tone(1000, 250, -15, 8000), silence(600, 8000)}));
  const AmdRun up = analyse(resample(narrow, 8000, 16000));
  ASSERT_EQ(up.beeps.size(), 1u);
  EXPECT_NEAR(up.beeps[0].frequency_hz, 1000.0, 8.0);
  EXPECT_NEAR(up.beeps[0].duration_ms, 250, 40);
  // And the detector run at 8 kHz directly.
  const AmdRun direct = analyse(narrow, 8000);
  ASSERT_EQ(direct.beeps.size(), 1u);
  EXPECT_NEAR(direct.beeps[0].frequency_hz, 1000.0, 8.0);
}

TEST(AnsweringMachineDetector, SilenceFromAnswerIsUnknown) {
  const AmdRun r = analyse(with_line_noise(silence(6000)));
  EXPECT_EQ(r.verdict, AmdVerdict::unknown);
  EXPECT_EQ(r.reason, "initial_silence");
  EXPECT_EQ(r.decided_ms, 2500);
}

TEST(AnsweringMachineDetector, RejectsBadSettings) {
  AmdConfig bad;
  bad.sample_rate_hz = 11025;
  EXPECT_EQ(AnsweringMachineDetector::create(bad).error().field(), "sampleRateHz");
  bad = {};
  bad.sample_rate_hz = 8000;
  bad.beep_max_hz = 3950;
  EXPECT_EQ(AnsweringMachineDetector::create(bad).error().field(), "beepMaxHz");
}

}  // namespace
}  // namespace voqo::pipeline
