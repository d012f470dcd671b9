// The call's record on its own: final lines reach the record and the live
// hooks in the same order; close() takes the brain's result for the
// transcript, or summarises a call that reached an answering machine from
// its voicemail message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/call_log.hpp"
#include "support/fake_engines.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

struct Fixture {
  test::ManualExecutor executor;
  std::vector<std::string> live_ids, live_texts, events;
  LiveFeed live{executor.make_queue(), PipelineHooks{
                                           .on_transcript = [this](const model::TranscriptLine& e) { live_texts.push_back(e.text); },
                                           .on_event = [this](const std::string& name, const std::string& detail) { events.push_back(name + ":" + detail); },
                                           .on_live_line = [this](const model::TranscriptLine& l) { live_ids.push_back(l.entry_id); },
                                       }};
  CallLog log{live};
  VirtualClock clock;
  test::FakeBrain brain{clock, "Hi.", {}};
};

TEST(CallLog, LinesGoToTheRecordAndLiveInOneOrder) {
  Fixture f;
  f.log.line({"agent-1", "agent", "Hi.", 0, 400, 1.0, true, false});
  f.log.line({"caller-1", "caller", "hello", 600, 900, 0.9, true, false});
  f.log.caller_spoke();
  f.log.end_reason("no input");
  f.log.turn(TurnTiming{.last_caller_audio_us = 900000, .first_packet_us = 1300000});
  f.executor.run_until_idle();
  const PipelineResult r = f.log.result();
  ASSERT_EQ(r.transcript.size(), 2u);
  EXPECT_EQ(r.transcript[1].text, "hello");
  EXPECT_TRUE(r.caller_spoke);
  EXPECT_EQ(r.end_reason, "no input");
  ASSERT_EQ(r.turns.size(), 1u);
  EXPECT_EQ(r.turns[0].first_packet_us, 1300000);
  EXPECT_EQ(f.live_texts, (std::vector<std::string>{"Hi.", "hello"}));
  EXPECT_EQ(f.live_ids, (std::vector<std::string>{"agent-1", "caller-1"}));
  EXPECT_EQ(r.amd_verdict, "") << "AMD did not run";
}

TEST(CallLog, TheCallersWordsAndDigitsAreLinesTimedOnTheMediaFrames) {
  Fixture f;
  f.log.caller_said({"I need a plumber", 0.8}, UtteranceEnded{.utterance = 3, .start_frame = 50, .end_frame = 120});
  f.log.dtmf('5', 200);
  f.executor.run_until_idle();
  const PipelineResult r = f.log.result();
  EXPECT_TRUE(r.caller_spoke);
  ASSERT_EQ(r.transcript.size(), 2u);
  EXPECT_EQ(r.transcript[0].speaker, "caller");
  EXPECT_EQ(r.transcript[0].start_ms, 1000);
  EXPECT_EQ(r.transcript[0].end_ms, 2400);
  EXPECT_DOUBLE_EQ(r.transcript[0].confidence, 0.8);
  EXPECT_EQ(r.transcript[1].text, "[DTMF 5]");
  EXPECT_EQ(r.transcript[1].start_ms, 4000);
  EXPECT_EQ(f.live_ids, (std::vector<std::string>{"caller-3", "dtmf-200"}));
  EXPECT_EQ(f.events, (std::vector<std::string>{"dtmf:5"}));
}

TEST(CallLog, CloseTakesTheBrainsResultForTheTranscript) {
  Fixture f;
  f.log.line({"caller-1", "caller", "hello", 0, 300, 0.9, true, false});
  f.log.amd_verdict(AmdVerdict::human);
  const PipelineResult r = f.log.close(f.brain, "Please call us back.");
  EXPECT_EQ(f.brain.finished_lines, 1u);
  EXPECT_EQ(r.result.summary, "fake");
  EXPECT_EQ(r.amd_verdict, "human");
}

TEST(CallLog, AMachineIsSummarisedFromItsVoicemailMessage) {
  Fixture f;
  f.log.amd_verdict(AmdVerdict::machine);
  f.log.line({"agent-1", "agent", "Please call us back.", 5000, 7000, 1.0, true, false});
  PipelineResult r = f.log.close(f.brain, "Please call us back.");
  EXPECT_EQ(r.result.outcome, brain::Outcome::voicemail);
  EXPECT_EQ(r.result.summary, "Reached an answering machine; left the voicemail message after the beep.");
  Fixture g;
  g.log.amd_verdict(AmdVerdict::machine);
  r = g.log.close(g.brain, "");
  EXPECT_EQ(r.result.summary, "Reached an answering machine; hung up without leaving a message.");
}

}  // namespace
}  // namespace voqo::pipeline
