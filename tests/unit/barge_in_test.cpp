// Echo cancellation and barge-in (src/pipeline/echo_canceller.hpp, barge_in.hpp)
// on a simulated call: the agent's flite speech is played out, the caller
// channel carries its echo (delayed, attenuated, with line noise) plus whatever
// the caller does (speaks a recorded sentence, coughs, says "uh huh").
// The chain per 20 ms tick is the pipeline's: EchoCanceller → VAD → BargeInDetector.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "pipeline/audio_level.hpp"
#include "pipeline/barge_in.hpp"
#include "pipeline/echo_canceller.hpp"
#include "pipeline/vad.hpp"
#include "speech/audio.hpp"
#include "speech/flite_tts.hpp"
#include "support/speech_fixtures.hpp"

namespace voqo::pipeline {
namespace {

using test::Samples;
using test::resample;
using test::white_noise;
using test::synthesize;
constexpr std::size_t kFrame = 320;
constexpr int kRate = 16000;

/// RMS level over the frames within 15 dB of the loudest (active speech level).
double active_level(const Samples& s) {
  double peak = -96;
  std::vector<double> levels;
  for (std::size_t i = 0; i + kFrame <= s.size(); i += kFrame) {
    levels.push_back(level_dbfs(std::span<const int16_t>(s).subspan(i, kFrame)));
    peak = std::max(peak, levels.back());
  }
  double sum = 0;
  int n = 0;
  for (double l : levels)
    if (l >= peak - 15) sum += std::pow(10.0, l / 10.0), ++n;
  return 10.0 * std::log10(sum / n);
}

Samples scaled(const Samples& s, double gain_db) {
  const double g = std::pow(10.0, gain_db / 20.0);
  Samples out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<int16_t>(std::clamp(std::lround(s[i] * g), -32768L, 32767L));
  return out;
}

/// Adds `b` into `a` from sample `at` (a grows as needed).
void add(Samples& a, const Samples& b, std::size_t at) {
  if (a.size() < at + b.size()) a.resize(at + b.size(), 0);
  for (std::size_t i = 0; i < b.size(); ++i) a[at + i] = static_cast<int16_t>(std::clamp(a[at + i] + b[i], -32768, 32767));
}

/// A cough-like burst: white noise under a 10 ms attack / exponential decay envelope.
Samples burst(std::size_t n, double peak_dbfs, unsigned seed) {
  Samples s = white_noise(n, peak_dbfs, seed);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / kRate;
    const double env = std::min(1.0, t / 0.010) * std::exp(-t / 0.06);
    s[i] = static_cast<int16_t>(s[i] * env);
  }
  return s;
}

/// The agent's reply, normalised to an active level of -20 dBFS.
const Samples& agent_audio() {
  static const Samples a = [] {
    Samples s = synthesize(
        "Thanks for taking my call. I'm calling from Acme Energy about the solar rebate program in your area. "
        "It only takes a minute, and most homeowners save around thirty percent on their monthly bill.",
        "slt");
    return scaled(s, -20.0 - active_level(s));
  }();
  return a;
}

/// The caller channel: the agent's echo (delayed, attenuated) + line noise at -50 dBFS.
Samples echo_channel(int delay_ms = 150, double attenuation_db = 12, unsigned seed = 5) {
  const Samples& agent = agent_audio();
  Samples ch = white_noise(agent.size() + 2 * kRate, -50, seed);
  add(ch, scaled(agent, -attenuation_db), static_cast<std::size_t>(delay_ms) * kRate / 1000);
  return ch;
}

struct Outcome {
  std::optional<BargeInDecision> decision;  // the interrupt, if any
  std::vector<EchoFrame> echo;
  std::vector<VadFrame> vad;
};

/// Runs the tick chain over `caller` while the agent plays agent_audio();
/// `texts` delivers interim STT text at given frame indices.
Outcome simulate(const Samples& caller, double sensitivity, const std::map<std::size_t, std::string>& texts = {}) {
  const Samples& agent = agent_audio();
  auto ec = EchoCanceller::create();
  auto vad = VoiceActivityDetector::create();
  EXPECT_TRUE(ec.has_value() && vad.has_value());
  BargeInDetector bi(BargeInConfig{.interruption_sensitivity = sensitivity});
  Outcome o;
  std::array<int16_t, kFrame> cleaned{};
  const std::size_t frames = std::min(caller.size(), agent.size()) / kFrame;
  for (std::size_t f = 0; f < frames; ++f) {
    const std::span<const int16_t> ref(agent.data() + f * kFrame, kFrame), near(caller.data() + f * kFrame, kFrame);
    const EchoFrame e = ec->process(ref, near, cleaned);
    const VadFrame v = vad->process(cleaned);
    if (auto it = texts.find(f); it != texts.end()) bi.on_interim_text(it->second);
    const BargeInDecision d = bi.process({.agent_speaking = true, .caller_voiced = v.voiced, .caller_level_dbfs = v.level_dbfs,
                                          .reference_level_dbfs = e.reference_level_dbfs, .echo_loss_db = e.echo_loss_db,
                                          .near_level_dbfs = e.near_level_dbfs});
    o.echo.push_back(e);
    o.vad.push_back(v);
    if (d.interrupt && !o.decision) o.decision = d;
  }
  return o;
}

const double kSensitivities[] = {0.0, 0.3, 0.5, 0.8, 1.0};

TEST(BargeInRule, RequiredSpeechFollowsTheDocumentedCurve) {
  EXPECT_EQ(BargeInDetector::required_speech_ms(1.0), 120);
  EXPECT_EQ(BargeInDetector::required_speech_ms(0.8), 180);
  EXPECT_EQ(BargeInDetector::required_speech_ms(0.5), 300);
  EXPECT_EQ(BargeInDetector::required_speech_ms(0.3), 420);
  EXPECT_EQ(BargeInDetector::required_speech_ms(0.0), 700);
  EXPECT_EQ(BargeInDetector::required_speech_ms(-3), 700);  // clamped
  EXPECT_EQ(BargeInDetector::required_speech_ms(7), 120);
  for (double s = 0; s < 1.0; s += 0.05) {
    EXPECT_GE(BargeInDetector::required_speech_ms(s), BargeInDetector::required_speech_ms(s + 0.05));
    EXPECT_GT(BargeInDetector::level_margin_db(s), BargeInDetector::level_margin_db(s + 0.05));
  }
}

TEST(BargeInRule, ClassifiesInterimTextIntoBackchannelsAndWords) {
  EXPECT_EQ(classify_interim_text(""), InterimKind::none);
  EXPECT_EQ(classify_interim_text(" ... "), InterimKind::none);
  for (const char* t : {"uh huh", "Uh-huh.", "mm-hmm", "Yeah!", "okay", "OK, right", "mhm yeah"})
    EXPECT_EQ(classify_interim_text(t), InterimKind::backchannel) << t;
  for (const char* t : {"wait", "hold on", "yeah but", "no", "stop please", "okay so what's the price"})
    EXPECT_EQ(classify_interim_text(t), InterimKind::words) << t;
}

TEST(EchoCanceller, RemovesTheAgentsDelayedEchoAndReportsItsEnhancement) {
  const Samples ch = echo_channel();
  const Outcome o = simulate(ch, 0.5);
  // After 2 s of adaptation: the cleaned output is far below the echo.
  double in = 0, out = 0;
  int n = 0;
  for (std::size_t f = 100; f < o.echo.size(); ++f)
    if (o.echo[f].near_level_dbfs > -40) in += o.echo[f].near_level_dbfs, out += o.echo[f].out_level_dbfs, ++n;
  ASSERT_GT(n, 50);
  const double reduction = (in - out) / n;
  const double erle = o.echo.back().erle_db, loss = o.echo.back().echo_loss_db;
  std::printf("  echo 150 ms / -12 dB: mean reduction %.1f dB over echo frames, ERLE %.1f dB, echo loss %.1f dB\n",
              reduction, erle, loss);
  EXPECT_GT(reduction, 15.0);
  EXPECT_GT(erle, 10.0);
  EXPECT_GT(loss, 12.0 + 10.0);  // the line's 12 dB plus the canceller's enhancement
  EXPECT_FALSE(o.echo.back().double_talk);
}

TEST(EchoCanceller, PassesTheCallersOwnSpeechThrough) {
  Samples ch = echo_channel();
  const auto speech = speech::read_wav(test::speech_fixture("sense_and_sensibility_01_austen_64kb-0880.wav"));
  ASSERT_TRUE(speech.has_value());
  const Samples caller = scaled(speech->samples, -26.0 - active_level(speech->samples));
  add(ch, caller, 3 * kRate);
  Samples caller_only(ch.size(), 0);
  add(caller_only, caller, 3 * kRate);
  const Outcome o = simulate(ch, 0.5);
  // Over the caller's loud frames, the cleaned output keeps the speech level (within 6 dB).
  double diff = 0;
  int n = 0;
  for (std::size_t f = 3 * 50; f < o.echo.size() && f < caller_only.size() / kFrame; ++f) {
    const double l = level_dbfs(std::span<const int16_t>(caller_only).subspan(f * kFrame, kFrame));
    if (l > -32) diff += l - o.echo[f].out_level_dbfs, ++n;
  }
  ASSERT_GT(n, 20);
  std::printf("  caller speech during echo: mean loss %.1f dB over %d frames\n", diff / n, n);
  EXPECT_LT(diff / n, 6.0);
}

TEST(EchoCanceller, RejectsBadSettings) {
  EchoCancellerConfig bad;
  bad.sample_rate_hz = 22050;
  EXPECT_EQ(EchoCanceller::create(bad).error().field(), "sampleRateHz");
  bad = {};
  bad.filter_ms = 5;
  EXPECT_EQ(EchoCanceller::create(bad).error().field(), "filterMs");
}

TEST(BargeIn, TheAgentsOwnEchoNeverInterruptsAtAnySensitivity) {
  // The brief's case (150 ms, -12 dB) at every sensitivity; a loud short path
  // (50 ms, -6 dB) and a long one (300 ms, beyond most of the filter's reach
  // while it converges) up to s = 0.8 (see the report for s = 1).
  for (const auto& [delay, atten] : {std::pair{150, 12.0}, std::pair{50, 6.0}, std::pair{300, 12.0}}) {
    const Samples ch = echo_channel(delay, atten, static_cast<unsigned>(delay));
    for (double s : kSensitivities) {
      const Outcome o = simulate(ch, s);
      if (delay != 150 && s > 0.8) {
        std::printf("  echo %d ms / -%.0f dB at s=%.1f: %s\n", delay, atten, s,
                    o.decision ? ("barge-in at frame " + std::to_string(o.decision->frame_index)).c_str() : "no barge-in");
        continue;
      }
      EXPECT_FALSE(o.decision.has_value()) << "delay " << delay << " ms, -" << atten << " dB, s=" << s << ": at frame "
                                           << o.decision->frame_index;
    }
  }
}

TEST(BargeIn, ACallerSpeakingOverTheAgentInterruptsAndTheLatencyFollowsSensitivity) {
  const auto speech = speech::read_wav(test::speech_fixture("sense_and_sensibility_01_austen_64kb-0880.wav"));
  ASSERT_TRUE(speech.has_value());
  // The caller at the agent's level (-20 dBFS active: both directions of a
  // line sit near the nominal level), 12 dB above the raw echo.
  const Samples caller = scaled(speech->samples, -20.0 - active_level(speech->samples));
  // Speech onset: where the VAD, run on the clean sentence alone, dates its start.
  auto clean_vad = VoiceActivityDetector::create();
  ASSERT_TRUE(clean_vad.has_value());
  std::size_t onset = 0;
  for (std::size_t f = 0; f + 1 < caller.size() / kFrame && onset == 0; ++f)
    if (const auto v = clean_vad->process(std::span<const int16_t>(caller).subspan(f * kFrame, kFrame)); v.speech_started)
      onset = static_cast<std::size_t>(v.speech_start_ms / 20);
  ASSERT_GT(onset, 0u);
  onset += 50;  // placed at 1 s
  Samples ch = echo_channel();
  add(ch, caller, kRate);
  int previous_latency = 1 << 30;
  for (double s : kSensitivities) {
    const Outcome o = simulate(ch, s);
    ASSERT_TRUE(o.decision.has_value()) << "s=" << s;
    const int latency = static_cast<int>(o.decision->frame_index) - static_cast<int>(onset);
    const int required = BargeInDetector::required_speech_ms(s) / 20;
    std::printf("  s=%.1f: barge-in %d frames (%d ms) after speech onset; required %d ms, reason %s\n", s, latency,
                latency * 20, required * 20, std::string(o.decision->reason).c_str());
    EXPECT_GE(latency + 1, required - 2) << "s=" << s;  // cannot decide before the required speech
    // Nor much later; at s = 0 the 700 ms must be one unbroken stretch (pauses
    // ≤ 120 ms), which this sentence first offers 1.6 s in: it must still come
    // before the sentence ends.
    if (s > 0) {
      EXPECT_LE(latency, required + 15) << "s=" << s;
    } else {
      EXPECT_LE(static_cast<std::size_t>(o.decision->frame_index), 50 + caller.size() / kFrame) << "s=" << s;
    }
    EXPECT_LE(latency, previous_latency) << "s=" << s;
    EXPECT_EQ(o.decision->reason, "speech");
    previous_latency = latency;
  }
}

TEST(BargeIn, AShortCoughDoesNotInterruptAtLowSensitivity) {
  for (double peak : {-30.0, -15.0}) {
    Samples ch = echo_channel();
    add(ch, burst(kRate * 150 / 1000, peak, 3), kRate);  // 150 ms at 1 s
    for (double s : {0.0, 0.3, 0.5}) {
      const Outcome o = simulate(ch, s);
      EXPECT_FALSE(o.decision.has_value()) << "peak " << peak << " s=" << s;
    }
  }
}

TEST(BargeIn, ABackchannelDoesNotInterruptAtLowSensitivityButWordsDo) {
  const Samples uh = synthesize("uh huh, yeah.", "rms");
  Samples ch = echo_channel();
  std::printf("  backchannel audio: %zu ms\n", uh.size() / 16);
  add(ch, scaled(uh, -20.0 - active_level(uh)), kRate);
  const std::size_t text_at = 50 + 12;  // interim text ~240 ms after it began (streaming STT latency)
  // Control: without text, this much speech interrupts at s=0.3 ...
  const Outcome bare = simulate(ch, 0.3);
  ASSERT_TRUE(bare.decision.has_value()) << "the backchannel audio is too short to test anything";
  EXPECT_EQ(bare.decision->reason, "speech");
  // ... with the interim text "uh huh" it does not ...
  EXPECT_FALSE(simulate(ch, 0.3, {{text_at, "uh huh"}}).decision.has_value());
  EXPECT_FALSE(simulate(ch, 0.5, {{text_at, "uh-huh"}, {text_at + 5, "uh huh yeah"}}).decision.has_value());
  // ... real words do, and at s ≥ 0.8 even a backchannel does.
  const Outcome words = simulate(ch, 0.3, {{text_at, "hold on"}});
  ASSERT_TRUE(words.decision.has_value());
  EXPECT_EQ(words.decision->reason, "words");
  EXPECT_TRUE(simulate(ch, 0.8, {{text_at, "uh huh"}}).decision.has_value());
}

TEST(BargeIn, DecidesOnlyWhileTheAgentSpeaksAndOncePerTurn) {
  BargeInDetector bi(BargeInConfig{.interruption_sensitivity = 1.0});
  BargeInInput loud{.agent_speaking = false, .caller_voiced = true, .caller_level_dbfs = -20,
                    .reference_level_dbfs = -96, .echo_loss_db = 30};
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(bi.process(loud).interrupt);
  loud.agent_speaking = true;
  int interrupts = 0;
  uint64_t at = 0;
  for (int i = 0; i < 40; ++i) {
    const auto d = bi.process(loud);
    if (d.interrupt) interrupts++, at = d.frame_index;
  }
  EXPECT_EQ(interrupts, 1);
  EXPECT_EQ(at, 20u + 6 - 1);  // 120 ms = the 6th speaking frame
  // Caller speech below the expected echo (reference -20 dBFS, loss 10 dB → -30, +4 dB margin) never counts.
  BargeInDetector quiet(BargeInConfig{.interruption_sensitivity = 1.0});
  for (int i = 0; i < 100; ++i)
    EXPECT_FALSE(quiet.process({.agent_speaking = true, .caller_voiced = true, .caller_level_dbfs = -27,
                                .reference_level_dbfs = -20, .echo_loss_db = 10}).interrupt);
}

}  // namespace
}  // namespace voqo::pipeline
