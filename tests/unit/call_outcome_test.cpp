// calls::CallOutcome (issue 17 §3): a stored call record read back as the
// typed outcome (what crash recovery and the outcome loop's recover() see),
// the status labels, and which SIP failures mean the number is bad.
#include <gtest/gtest.h>

#include "calls/call_outcome.hpp"
#include "core/time.hpp"

namespace voqo::calls {
namespace {

using nlohmann::json;

/// A record as GET /api/calls/{id} shows one the call service wrote (calls/call_service.cpp finalize).
json answered_record() {
  return {{"id", "call-1"},
          {"workspaceId", "ws-1"},
          {"agentId", "agent-1"},
          {"contactId", "contact-1"},
          {"direction", "outbound"},
          {"status", "completed"},
          {"fromPhone", "+15550001111"},
          {"toPhone", "+14155550123"},
          {"summary", "Asked to be called back on Tuesday."},
          {"duration", 42},
          {"startedAt", "2026-12-01T10:00:00.000Z"},
          {"endedAt", "2026-12-01T10:00:42.000Z"},
          {"createdAt", "2026-12-01T10:00:42.100Z"},
          {"outcome", "Call Back Later"},
          {"errorMessage", "BYE from peer"},
          {"sipCode", nullptr},
          {"jobId", "job-1"},
          {"jobCallId", "jc-1"},
          {"systemInfo",
           {{"codec", "G722"},
            {"remoteHangup", true},
            {"callerSpoke", true},
            {"callbackAt", "2026-12-08T19:00:00.000Z"},
            {"memories", {"Callback requested for Tuesday 2 PM", "Has three rentals"}}}},
          {"turnMetrics",
           {{{"lastCallerAudioUs", 4'000'000}, {"firstPacketUs", 5'400'000}, {"responseDelayMs", 300}, {"silenceThresholdMs", 1000},
             {"sttComputeUs", 20'000}}}}};
}

TEST(CallOutcome, AStoredRecordReadsBackAsTheTypedOutcome) {
  auto o = call_outcome_from_record(answered_record());
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->call_id, "call-1");
  EXPECT_EQ(o->workspace, WorkspaceId("ws-1"));
  EXPECT_EQ(o->agent_id, "agent-1");
  EXPECT_EQ(o->contact_id, "contact-1");
  EXPECT_EQ(o->job_id, "job-1");
  EXPECT_EQ(o->job_call_id, "jc-1");
  EXPECT_EQ(o->direction, "outbound");
  EXPECT_EQ(o->to_phone, "+14155550123");
  EXPECT_EQ(o->status, CallStatus::completed);
  EXPECT_FALSE(o->sip_code.has_value());
  EXPECT_EQ(o->end_reason, "BYE from peer");
  EXPECT_TRUE(o->remote_hangup);
  EXPECT_FALSE(o->invalid_number);
  EXPECT_EQ(o->outcome, brain::Outcome::call_back_later);
  EXPECT_EQ(o->summary, "Asked to be called back on Tuesday.");
  ASSERT_TRUE(o->callback_at.has_value());
  EXPECT_EQ(to_iso8601(*o->callback_at), "2026-12-08T19:00:00.000Z");
  EXPECT_FALSE(o->do_not_call);
  EXPECT_EQ(o->memories, (std::vector<std::string>{"Callback requested for Tuesday 2 PM", "Has three rentals"}));
  EXPECT_TRUE(o->caller_spoke);
  ASSERT_TRUE(o->started_at.has_value());
  EXPECT_EQ(to_iso8601(*o->started_at), "2026-12-01T10:00:00.000Z");
  EXPECT_EQ(to_iso8601(o->ended_at), "2026-12-01T10:00:42.000Z");
  EXPECT_EQ(o->duration_s, 42);
  ASSERT_EQ(o->turns.size(), 1u);
  EXPECT_EQ(o->turns[0].last_caller_audio_us, 4'000'000);
  EXPECT_EQ(o->turns[0].first_packet_us, 5'400'000);
  EXPECT_EQ(o->turns[0].response_delay_ms, 300);
  EXPECT_EQ(o->turns[0].stt_compute_us, 20'000);
  EXPECT_EQ(o->silence_threshold_ms, 1000);
  EXPECT_EQ(o->amd_verdict, "") << "a record does not keep the AMD verdict";
}

TEST(CallOutcome, EveryTurnTimingWrittenToTheRecordReadsBackTheSame) {
  pipeline::TurnTiming t;
  t.last_caller_audio_us = 1;
  t.end_of_turn_us = 2;
  t.final_transcript_us = 3;
  t.brain_first_text_us = 4;
  t.first_audio_us = 5;
  t.first_packet_us = 6;
  t.stt_compute_us = 7;
  t.brain_compute_us = 8;
  t.tts_compute_us = 9;
  t.response_delay_ms = 10;
  const json entry = turn_metrics_entry(t, 700);
  EXPECT_EQ(entry.at("silenceThresholdMs"), 700);
  EXPECT_EQ(entry.at("ownOverheadUs"), pipeline::own_overhead_us(t, 700));
  EXPECT_EQ(entry.at("ttsComputeUs"), 9);
  json record = answered_record();
  record["turnMetrics"] = json::array({entry});
  auto o = call_outcome_from_record(record);
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_EQ(o->turns.size(), 1u);
  const pipeline::TurnTiming& back = o->turns[0];
  EXPECT_EQ(back.last_caller_audio_us, 1);
  EXPECT_EQ(back.end_of_turn_us, 2);
  EXPECT_EQ(back.final_transcript_us, 3);
  EXPECT_EQ(back.brain_first_text_us, 4);
  EXPECT_EQ(back.first_audio_us, 5);
  EXPECT_EQ(back.first_packet_us, 6);
  EXPECT_EQ(back.stt_compute_us, 7);
  EXPECT_EQ(back.brain_compute_us, 8);
  EXPECT_EQ(back.tts_compute_us, 9);
  EXPECT_EQ(back.response_delay_ms, 10);
  EXPECT_EQ(o->silence_threshold_ms, 700);
}

TEST(CallOutcome, AnUnansweredRecordEndsWhenItWasWrittenAndKeepsItsSipFailure) {
  json r = {{"id", "call-2"}, {"workspaceId", "ws-1"}, {"status", "failed"}, {"sipCode", 404},
            {"errorMessage", "SIP 404 Not Found"}, {"createdAt", "2026-12-01T11:00:00.000Z"},
            {"startedAt", nullptr}, {"endedAt", nullptr}, {"outcome", nullptr}, {"systemInfo", json::object()}};
  auto o = call_outcome_from_record(r);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->status, CallStatus::failed);
  EXPECT_EQ(o->sip_code, 404);
  EXPECT_TRUE(o->invalid_number) << "404: the number does not exist at the trunk";
  EXPECT_FALSE(o->outcome.has_value());
  EXPECT_FALSE(o->started_at.has_value());
  EXPECT_EQ(to_iso8601(o->ended_at), "2026-12-01T11:00:00.000Z");
  EXPECT_TRUE(o->caller_spoke) << "unknown counts as spoken (the SMS rule's old default)";
  EXPECT_TRUE(o->turns.empty());
  // A do-not-call request and a silent caller are read too.
  r["systemInfo"] = {{"doNotCall", true}, {"callerSpoke", false}};
  o = call_outcome_from_record(r);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->do_not_call);
  EXPECT_FALSE(o->caller_spoke);
}

TEST(CallOutcome, ARecordWithoutIdOrWorkspaceIsRefused) {
  auto no_id = call_outcome_from_record({{"workspaceId", "ws-1"}});
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().field(), "id");
  auto no_ws = call_outcome_from_record({{"id", "call-3"}});
  ASSERT_FALSE(no_ws);
  EXPECT_EQ(no_ws.error().field(), "workspaceId");
  EXPECT_FALSE(call_outcome_from_record(json::array()));
}

TEST(CallOutcome, StatusLabelsAreTheDataModelsAndSipCodesNameBadNumbers) {
  for (CallStatus s : {CallStatus::completed, CallStatus::failed, CallStatus::no_answer, CallStatus::busy, CallStatus::cancelled})
    EXPECT_EQ(parse_call_status(call_status_label(s)), s) << call_status_label(s);
  EXPECT_EQ(call_status_label(CallStatus::no_answer), "no_answer");
  EXPECT_EQ(parse_call_status("interrupted"), CallStatus::failed);
  EXPECT_EQ(parse_call_status(""), CallStatus::failed);
  for (int bad : {404, 410, 484, 604}) EXPECT_TRUE(sip_code_means_invalid_number(bad)) << bad;
  for (int other : {0, 408, 480, 486, 487, 500, 503, 603}) EXPECT_FALSE(sip_code_means_invalid_number(other)) << other;
}

}  // namespace
}  // namespace voqo::calls
