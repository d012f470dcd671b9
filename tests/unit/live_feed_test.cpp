// The live stage on its own: hooks run on the stage's queue (not where the
// event was made), in the order they were made; a transcript line is
// on_transcript then its final live line; media-thread frames are described
// here; after close() nothing more is reported.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/live_feed.hpp"
#include "support/stage_harness.hpp"

namespace voqo::pipeline {
namespace {

struct Fixture {
  test::ManualExecutor executor;
  std::vector<std::string> seen;
  LiveFeed live{executor.make_queue(),
                PipelineHooks{
                    .on_transcript = [this](const model::TranscriptLine& e) { seen.push_back("transcript " + e.text); },
                    .on_event = [this](const std::string& name, const std::string& d) { seen.push_back(name + " " + d); },
                    .on_live_line =
                        [this](const model::TranscriptLine& l) {
                          seen.push_back("line " + l.entry_id + " " + l.text + (l.is_final ? " final" : " interim") + " " +
                                         std::to_string(l.start_ms) + "-" + std::to_string(l.end_ms));
                        },
                    .on_levels = [this](int a, int c, std::string_view who) {
                      seen.push_back("levels " + std::to_string(a) + " " + std::to_string(c) + " " + std::string(who));
                    },
                    .on_turn = [this](const brain::Reply& r) { seen.push_back("turn " + r.text); },
                }};
};

TEST(LiveFeed, HooksRunOnTheQueueInTheOrderMade) {
  Fixture f;
  f.live.report(InterimTranscript{2, 50, 60, "i need"});
  f.live.transcript({"caller-2", "caller", "i need a plumber", 1000, 1800, 0.9, true, false});
  f.live.report(Levels{40, 70, "caller"});
  brain::Reply r;
  r.text = "Sure.";
  r.phase = "booking";
  f.live.reply(r, true);
  EXPECT_TRUE(f.seen.empty()) << "nothing runs where the event was made";
  f.executor.run_until_idle();
  EXPECT_EQ(f.seen, (std::vector<std::string>{
                        "line caller-2 i need interim 1000-1200",
                        "transcript i need a plumber",
                        "line caller-2 i need a plumber final 1000-1800",
                        "levels 40 70 caller",
                        "phase booking",
                        "turn Sure.",
                    }));
}

TEST(LiveFeed, MediaFramesAreDescribedOnTheLiveStage) {
  Fixture f;
  f.live.report(BargeIn{100, false, "speech", 240, -30, -38});
  f.live.report(BargeIn{120, true, "supervisor", 0, 0, 0});
  f.live.report(AmdResult{AmdVerdict::machine, false, "long greeting"});
  f.live.report(AmdResult{AmdVerdict::machine, true, "beep"});
  f.live.retract(3, 10, 20);
  f.live.reply(brain::Reply{}, false);  // a fixed line: no phase, intent or turn
  f.executor.run_until_idle();
  EXPECT_EQ(f.seen, (std::vector<std::string>{
                        "barge_in speech after 240 ms of caller speech, at 2000 ms (level -30 dBFS, threshold -38)",
                        "supervisor the agent stopped for the supervisor's voice",
                        "amd machine: long greeting",
                        "amd ready for message: beep",
                        "line caller-3  final 200-400",
                    }));
}

TEST(LiveFeed, CloseRunsWhatIsQueuedThenReportsNothingMore) {
  Fixture f;
  f.live.event("dtmf", "5");
  f.live.close();
  EXPECT_EQ(f.seen, (std::vector<std::string>{"dtmf 5"}));
  f.live.event("hangup", "late");
  f.executor.run_until_idle();
  EXPECT_EQ(f.seen.size(), 1u);
}

}  // namespace
}  // namespace voqo::pipeline
