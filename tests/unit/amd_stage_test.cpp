// Answering-machine detection as a stage: it publishes its verdict before it
// reports it, asks for the voicemail message once after a machine's beep,
// and hears nothing once it has decided on a person (or once the message
// is due); detached, it hears nothing and its verdict stays unknown.
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/amd_stage.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

struct Collect final : FrameSink {
  const AmdStage* stage = nullptr;
  std::vector<AmdResult> results;
  std::vector<AmdVerdict> published;  // the stage's verdict when each result was emitted
  void emit(Frame f) override {
    if (auto* a = std::get_if<AmdResult>(&f)) {
      results.push_back(*a);
      published.push_back(stage->verdict());
    }
  }
};

/// Plays `pcm` in 20 ms frames with the given VAD decision.
void play(AmdStage& s, Collect& out, const std::vector<int16_t>& pcm, bool voiced) {
  for (std::size_t i = 0; i + 320 <= pcm.size(); i += 320) s.process(std::span(pcm).subspan(i, 320), voiced, out);
}

TEST(AmdStage, AMachineIsPublishedThenReportedAndAsksForTheMessageOnceAfterItsBeep) {
  AmdStage s;
  auto d = AnsweringMachineDetector::create();
  ASSERT_TRUE(d);
  s.attach(std::move(*d));
  Collect out;
  out.stage = &s;
  EXPECT_EQ(s.verdict(), AmdVerdict::pending);
  EXPECT_TRUE(s.listening());
  play(s, out, test::audio::noise(4000, -30), true);  // a greeting longer than a person's hello
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].verdict, AmdVerdict::machine);
  EXPECT_FALSE(out.results[0].ready);
  EXPECT_EQ(out.published[0], AmdVerdict::machine);
  EXPECT_TRUE(s.listening()) << "words heard on a machine are not answered";
  play(s, out, test::audio::noise(600, -70), false);
  play(s, out, test::audio::tone(500, 1000, -12), false);
  play(s, out, test::audio::noise(2000, -70), false);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_TRUE(out.results[1].ready);
  EXPECT_EQ(out.results[1].reason, "beep");
  play(s, out, test::audio::tone(500, 1000, -12), false);  // a second beep: the message is already due
  play(s, out, test::audio::noise(6000, -70), false);
  EXPECT_EQ(out.results.size(), 2u);
}

TEST(AmdStage, APersonsHelloEndsDetection) {
  AmdStage s;
  auto d = AnsweringMachineDetector::create();
  ASSERT_TRUE(d);
  s.attach(std::move(*d));
  Collect out;
  out.stage = &s;
  play(s, out, test::audio::noise(500, -70), false);
  play(s, out, test::audio::vowel(500), true);
  play(s, out, test::audio::noise(2000, -70), false);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].verdict, AmdVerdict::human);
  EXPECT_FALSE(s.listening()) << "a person's words are answered";
  play(s, out, test::audio::noise(4000, -30), true);  // a long speech later is no greeting
  EXPECT_EQ(out.results.size(), 1u);
}

TEST(AmdStage, DetachedItHearsNothing) {
  AmdStage s;
  Collect out;
  out.stage = &s;
  EXPECT_FALSE(s.attached());
  play(s, out, test::audio::noise(4000, -30), true);
  EXPECT_TRUE(out.results.empty());
  EXPECT_EQ(s.verdict(), AmdVerdict::unknown);
  EXPECT_FALSE(s.listening());
}

}  // namespace
}  // namespace voqo::pipeline
