// The call's logic on the stage harness: fake engines, virtual time, the
// stages drained on the test's thread — turn-taking, the response delay,
// barge-in (and a caller who goes on while the agent thinks), silence
// prompts ("Are you still there?" then goodbye), the maximum duration,
// voicemail after the beep, and the supervisor's whisper, take-over, voice
// and end-call. The last test is a ten-turn conversation with a barge-in
// and a whisper; it prints its wall time (not asserted: bench/ has figures).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "support/stage_harness.hpp"

namespace voqo::test {
namespace {

using namespace std::chrono_literals;
using audio::operator+;

PipelineHarness::Setup setup(std::vector<FakeBrain::Reply> replies = {}, std::vector<ScriptedTranscript> transcripts = {}) {
  PipelineHarness::Setup s;
  s.config = PipelineHarness::default_config();
  s.replies = std::move(replies);
  s.transcripts = std::move(transcripts);
  return s;
}

bool silent_between(const PipelineHarness& h, int64_t from, int64_t to) {
  for (auto f = from; f < to && f < static_cast<int64_t>(h.agent_dbfs.size()); ++f)
    if (h.agent_dbfs[static_cast<std::size_t>(f)] > -90) return false;
  return true;
}

TEST(PipelineLogic, TheCallersTurnEndsAfterTheSilenceThresholdAndTheReplyGoesOutTheNextFrame) {
  PipelineHarness h(setup({{"We can help with that."}}, {{"i need help with rent"}}));
  h.answer();
  h.silence(1500);  // the greeting: 19 characters, 1.14 s
  ASSERT_EQ(h.agent_lines().size(), 1u);
  EXPECT_EQ(h.agent_lines()[0].text, "Hello, this is Ava.");
  const int64_t spoke_at = h.frames();
  h.play(audio::vowel(800));
  h.silence(3000);
  ASSERT_EQ(h.brain->heard, std::vector<std::string>{"i need help with rent"});
  const auto result = h.finish();
  ASSERT_EQ(result.transcript.size(), 3u);
  EXPECT_EQ(result.transcript[1].speaker, "caller");
  EXPECT_NEAR(static_cast<double>(result.transcript[1].start_ms), static_cast<double>(spoke_at * 20), 60);
  EXPECT_NEAR(static_cast<double>(result.transcript[1].end_ms), static_cast<double>(spoke_at * 20 + 800), 60);
  EXPECT_EQ(result.transcript[2].text, "We can help with that.");
  EXPECT_TRUE(result.caller_spoke);
  ASSERT_EQ(result.turns.size(), 1u);
  const auto& t = result.turns[0];
  EXPECT_EQ(t.end_of_turn_us - t.last_caller_audio_us, 500000) << "the silence threshold";
  EXPECT_EQ(t.first_packet_us - t.end_of_turn_us, 20000) << "instant engines: the next frame carries the reply";
  EXPECT_EQ(pipeline::own_overhead_us(t, 500), 20000);
  // The caller's final line came after nothing else than the greeting, and the live lines match.
  EXPECT_EQ(h.transcript.size(), 3u);
}

TEST(PipelineLogic, TheReplyWaitsForTheResponseDelayAfterTheEndOfTurn) {
  auto s = setup({{"Sure."}}, {{"hello"}});
  s.config.response_delay_ms = 400;
  PipelineHarness h(std::move(s));
  h.answer();
  h.silence(2000);
  h.play(audio::vowel(600));
  h.silence(2000);
  const auto result = h.finish();
  ASSERT_EQ(result.turns.size(), 1u);
  EXPECT_EQ(result.turns[0].first_packet_us - result.turns[0].end_of_turn_us, 400000);
  EXPECT_EQ(result.turns[0].response_delay_ms, 400);
}

TEST(PipelineLogic, ACallerWhoTalksOverTheAgentCutsItWithinTheFrameAndTheLineKeepsWhatWasHeard) {
  PipelineHarness h(setup({{"Let me tell you about our service. It handles rent collection. It also tracks maintenance."}, {"Of course."}},
                          {{"tell me more"}, {"how much is it"}}));
  h.answer();
  h.silence(1500);
  h.play(audio::vowel(700));
  h.silence(1500);  // 500 ms to the end of turn, then 1 s of the reply
  ASSERT_TRUE(h.pipeline);
  h.play(audio::vowel(1200));
  h.silence(2000);
  ASSERT_TRUE(h.saw("barge_in: speech")) << "no barge-in";
  const auto result = h.finish();
  const auto agent = h.agent_lines();
  ASSERT_GE(agent.size(), 3u);
  const auto& cut = agent[1];
  EXPECT_TRUE(cut.interrupted);
  EXPECT_FALSE(cut.text.empty());
  EXPECT_EQ(std::string("Let me tell you about our service. It handles rent collection.").rfind(cut.text, 0), 0u)
      << "a prefix of the reply: " << cut.text;
  ASSERT_EQ(h.brain->interruptions.size(), 1u);
  EXPECT_EQ(h.brain->interruptions[0], cut.text);
  const int64_t cut_frame = cut.end_ms / 20;
  EXPECT_GT(h.agent_dbfs[static_cast<std::size_t>(cut_frame - 1)], -40) << "speaking until the cut";
  EXPECT_TRUE(silent_between(h, cut_frame + 1, cut_frame + 30)) << "silent from the next frame";
  EXPECT_EQ(h.brain->heard, (std::vector<std::string>{"tell me more", "how much is it"})) << "the interruption is answered";
  EXPECT_EQ(agent[2].text, "Of course.");
}

TEST(PipelineLogic, ACallerWhoGoesOnWhileTheAgentThinksKeepsTheTurnAndTheirWords) {
  PipelineHarness h(setup({{"Slow answer.", 1500ms}, {"Quick answer."}}, {{"first part"}, {"second part"}}));
  h.answer();
  h.silence(1500);
  h.play(audio::vowel(600) + audio::silence(700) + audio::vowel(900));  // a pause past the threshold, then more
  h.silence(2500);
  const auto result = h.finish();
  EXPECT_EQ(h.brain->heard, (std::vector<std::string>{"first part", "second part"}));
  for (const auto& e : h.agent_lines()) EXPECT_NE(e.text, "Slow answer.") << "the slow reply was never said";
  EXPECT_EQ(h.agent_lines().back().text, "Quick answer.");
  int caller_lines = 0;
  for (const auto& e : result.transcript) caller_lines += e.speaker == "caller";
  EXPECT_EQ(caller_lines, 2);
}

TEST(PipelineLogic, LongSilenceGetsOnePromptThenAGoodbyeAndAHangUp) {
  auto s = setup();
  s.config.no_input_timeout_ms = 3000;
  PipelineHarness h(std::move(s));
  h.answer();
  ASSERT_TRUE(h.wait_until([&] { return h.hung_up; }, 30000));
  const auto result = h.finish();
  const auto agent = h.agent_lines();
  ASSERT_EQ(agent.size(), 3u);
  EXPECT_EQ(agent[1].text, "Are you still there?");
  EXPECT_EQ(agent[2].text, "I'll let you go for now. Goodbye!");
  EXPECT_NEAR(static_cast<double>(agent[1].start_ms - agent[0].end_ms), 3000, 60) << "no_input_timeout_ms after the greeting";
  EXPECT_NEAR(static_cast<double>(agent[2].start_ms - agent[1].end_ms), 3000, 60);
  EXPECT_GE(h.hung_up_frame * 20, agent[2].end_ms) << "hung up once the goodbye was played";
  EXPECT_EQ(result.end_reason, "no input");
}

TEST(PipelineLogic, ACallerWhoAnswersThePromptIsNotToldGoodbye) {
  auto s = setup({{"Great, let's go on."}}, {{"yes i am here"}});
  s.config.no_input_timeout_ms = 3000;
  PipelineHarness h(std::move(s));
  h.answer();
  ASSERT_TRUE(h.wait_until([&] { return h.agent_lines().size() == 2; }, 10000));
  h.silence(1500);
  h.play(audio::vowel(700));
  h.silence(2500);
  EXPECT_FALSE(h.hung_up);
  EXPECT_EQ(h.agent_lines().back().text, "Great, let's go on.");
  EXPECT_EQ(h.count("hangup"), 0);
}

TEST(PipelineLogic, AtTheMaximumDurationTheAgentStopsSaysGoodbyeAndHangsUp) {
  auto s = setup({{std::string(400, 'a') + "."}}, {{"tell me everything"}});  // a 24 s reply
  s.config.max_call_duration_min = 1;
  s.config.no_input_timeout_ms = 600000;
  PipelineHarness h(std::move(s));
  h.answer();
  h.silence(40000);
  h.play(audio::vowel(800));  // at 40 s: the long reply runs past 60 s
  ASSERT_TRUE(h.wait_until([&] { return h.hung_up; }, 40000));
  const auto result = h.finish();
  const auto agent = h.agent_lines();
  ASSERT_GE(agent.size(), 3u);
  EXPECT_TRUE(agent[1].interrupted) << "the reply is cut at 60 s";
  EXPECT_NEAR(static_cast<double>(agent[1].end_ms), 60000, 40);
  EXPECT_EQ(agent.back().text, "I'm sorry, we're out of time for today. Thank you for your time, goodbye!");
  EXPECT_EQ(result.end_reason, "max call duration");
}

TEST(PipelineLogic, AnAnsweringMachineGetsTheVoicemailMessageAfterItsBeepAndIsNotGreeted) {
  auto s = setup();
  s.config.outbound = true;
  s.config.detect_answering_machine = true;
  s.config.voicemail_message = "Hi, this is Ava. Please call us back.";
  PipelineHarness h(std::move(s));
  h.answer();
  std::vector<int16_t> greeting = audio::silence(300);  // a recorded greeting: eight words in 3.6 s
  for (int w = 0; w < 8; ++w) greeting = greeting + audio::vowel(350) + audio::silence(100);
  h.play(greeting + audio::silence(600) + audio::tone(400, 1000) + audio::silence(200));
  const bool hung_up = h.wait_until([&] { return h.hung_up; }, 10000);
  ASSERT_TRUE(hung_up);
  const auto result = h.finish();
  EXPECT_TRUE(h.saw("amd: machine"));
  EXPECT_TRUE(h.saw("amd: ready for message: beep"));
  const auto agent = h.agent_lines();
  ASSERT_EQ(agent.size(), 1u) << "no greeting to a machine";
  EXPECT_EQ(agent[0].text, "Hi, this is Ava. Please call us back.");
  EXPECT_EQ(result.amd_verdict, "machine");
  EXPECT_EQ(result.end_reason, "answering machine");
  EXPECT_EQ(result.result.outcome, brain::Outcome::voicemail);
  EXPECT_EQ(result.result.summary, "Reached an answering machine; left the voicemail message after the beep.");
}

TEST(PipelineLogic, APersonWhoSaysHelloIsGreetedOnAnOutboundCallWithDetection) {
  auto s = setup();
  s.config.outbound = true;
  s.config.detect_answering_machine = true;
  PipelineHarness h(std::move(s));
  h.answer();
  h.play(audio::silence(400) + audio::vowel(700));
  h.silence(3000);
  const auto result = h.finish();
  EXPECT_TRUE(h.saw("amd: human"));
  EXPECT_EQ(result.amd_verdict, "human");
  ASSERT_FALSE(h.agent_lines().empty());
  EXPECT_EQ(h.agent_lines()[0].text, "Hello, this is Ava.");
}

TEST(PipelineLogic, AWhisperReachesTheBrainForItsNextTurnAndIsNotSpokenAtOnce) {
  PipelineHarness h(setup({{"First answer."}, {"Second answer."}}, {{"one"}, {"two"}}));
  h.answer();
  h.silence(1500);
  h.pipeline->coach("Mention the discount.");
  h.silence(2000);
  EXPECT_TRUE(h.saw("supervisor: coach: Mention the discount."));
  EXPECT_EQ(h.agent_lines().size(), 1u) << "nothing said for the whisper itself";
  h.play(audio::vowel(700));
  h.silence(4000);
  EXPECT_EQ(h.brain->whispers, std::vector<std::string>{"Mention the discount."});
  ASSERT_GE(h.agent_lines().size(), 2u);
  EXPECT_EQ(h.agent_lines()[1].text, "Mention the discount. First answer.");
}

TEST(PipelineLogic, TakeOverSilencesTheAgentAndItsPromptsUntilReleased) {
  auto s = setup({{"A long answer that goes on and on and on."}, {"Back again."}}, {{"one"}, {"two"}, {"three"}});
  s.config.no_input_timeout_ms = 3000;
  PipelineHarness h(std::move(s));
  h.answer();
  h.silence(1500);
  h.play(audio::vowel(700));
  h.silence(1000);  // the reply is playing
  h.pipeline->take_over();
  const int64_t taken = h.frames();
  h.silence(200);
  EXPECT_TRUE(silent_between(h, taken + 1, h.frames())) << "silent from the next frame";
  h.play(audio::vowel(700));  // the caller talks to the supervisor
  h.silence(10000);           // no prompt while taken over
  EXPECT_EQ(h.brain->heard, std::vector<std::string>{"one"}) << "heard, not answered";
  EXPECT_EQ(h.count("supervisor: take_over"), 1);
  h.pipeline->release();
  h.play(audio::vowel(700));
  h.silence(2000);
  EXPECT_EQ(h.brain->heard, (std::vector<std::string>{"one", "three"}));
  const auto result = h.finish();
  int caller_lines = 0;
  for (const auto& e : result.transcript) caller_lines += e.speaker == "caller";
  EXPECT_EQ(caller_lines, 3) << "every caller line is transcribed";
  EXPECT_TRUE(h.agent_lines()[1].interrupted);
  for (const auto& a : h.agent_lines()) EXPECT_NE(a.text, "Are you still there?");
}

TEST(PipelineLogic, ASupervisorsVoiceStopsTheAgentAndIsMixedIntoTheCall) {
  PipelineHarness h(setup({{"A long answer that goes on and on and on and on."}}, {{"one"}}));
  h.answer();
  h.silence(1500);
  h.play(audio::vowel(700));
  h.silence(1000);
  auto leg = h.pipeline->join();
  ASSERT_TRUE(leg);
  std::vector<int16_t> heard;
  (*leg)->set_listener([&](std::span<const int16_t> f) { heard.insert(heard.end(), f.begin(), f.end()); });
  (*leg)->speak(audio::vowel(500, -25));
  h.silence(1000);
  EXPECT_TRUE(h.saw("supervisor: the agent stopped for the supervisor's voice"));
  EXPECT_TRUE(h.agent_lines().back().interrupted);
  EXPECT_EQ(heard.size(), 50u * 320) << "the listener hears every frame";
  (*leg)->leave();
  h.executor.run_until_idle();  // the live stage reports it
  EXPECT_TRUE(h.saw("supervisor: left the call's audio"));
}

TEST(PipelineLogic, EndCallSaysTheClosingLineUninterruptedThenHangsUp) {
  PipelineHarness h(setup({{"A long answer that goes on and on and on."}}, {{"one"}, {"two"}}));
  h.answer();
  h.silence(1500);
  h.play(audio::vowel(700));
  h.silence(1000);
  h.pipeline->end_call("Thanks, goodbye.");
  h.play(audio::vowel(1500));  // the caller talks over the closing line: it is not cut
  ASSERT_TRUE(h.wait_until([&] { return h.hung_up; }, 5000));
  const auto result = h.finish();
  const auto agent = h.agent_lines();
  ASSERT_GE(agent.size(), 3u);
  EXPECT_TRUE(agent[1].interrupted);
  EXPECT_EQ(agent.back().text, "Thanks, goodbye.");
  EXPECT_FALSE(agent.back().interrupted);
  EXPECT_EQ(result.end_reason, "ended by a supervisor");
  EXPECT_EQ(h.count("barge_in"), 0);
}

TEST(PipelineLogic, TenTurnsWithABargeInAndAWhisperRunInTheHarness) {
  const auto wall0 = std::chrono::steady_clock::now();
  std::vector<FakeBrain::Reply> replies;
  std::vector<ScriptedTranscript> heard;
  for (int i = 1; i <= 10; ++i) {
    replies.push_back({i == 4 ? "This is a long answer. It goes on for quite a while. Nobody waits for all of it." : "Answer " + std::to_string(i) + ".",
                       std::chrono::milliseconds(100 * (i % 3))});
    heard.push_back({"question " + std::to_string(i), 0.9, std::chrono::milliseconds(50)});
  }
  heard.push_back({"sorry to cut in"});
  PipelineHarness h(setup(replies, heard));
  h.answer();
  h.silence(1500);
  std::size_t utterances = 0;
  for (int turn = 1; turn <= 10; ++turn) {
    if (turn == 7) h.pipeline->coach("Offer a callback.");
    h.play(audio::vowel(600 + 100 * (turn % 4)));
    ++utterances;
    if (turn == 4) {
      h.silence(1500);  // 500 ms to the end of turn, then 1 s of the long answer
      h.play(audio::vowel(900));
      ++utterances;
    }
    // Each utterance answered and the answer played out (a cut one counts as said).
    ASSERT_TRUE(h.wait_until([&] { return h.brain->heard.size() >= utterances && h.agent_lines().size() >= utterances + 1; }, 8000))
        << "turn " << turn;
    h.silence(300);
  }
  const auto result = h.finish();
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("[ harness ] 10 turns, %.1f s of call audio in %.1f ms of wall time\n", static_cast<double>(h.frames()) * 0.02, wall_ms);
  EXPECT_EQ(h.count("barge_in"), 1);
  EXPECT_EQ(h.brain->whispers, std::vector<std::string>{"Offer a callback."});
  EXPECT_EQ(h.brain->heard.size(), 11u) << "ten questions and the interruption";
  int interrupted = 0, caller = 0;
  for (const auto& e : result.transcript) {
    interrupted += e.interrupted;
    caller += e.speaker == "caller";
  }
  EXPECT_EQ(interrupted, 1);
  EXPECT_EQ(caller, 11);
  bool whispered = false;
  for (const auto& a : h.agent_lines()) whispered = whispered || a.text.rfind("Offer a callback.", 0) == 0;
  EXPECT_TRUE(whispered) << "the whisper shaped a later reply";
  EXPECT_GE(result.turns.size(), 10u);
}

}  // namespace
}  // namespace voqo::test
