#include "pipeline/call_log.hpp"

#include "core/log.hpp"
#include "pipeline/voicemail.hpp"

namespace voqo::pipeline {
namespace {
constexpr int64_t kFrameMs = 20;
}  // namespace

void CallLog::line(model::TranscriptLine line) {
  line.is_final = true;
  std::lock_guard lock(mutex_);  // held across the post: the live feed sees lines in the record's order
  live_.transcript(line);
  result_.transcript.push_back(std::move(line));
}

void CallLog::caller_said(const speech::Transcript& words, const UtteranceEnded& u) {
  caller_spoke();
  line({.entry_id = "caller-" + std::to_string(u.utterance), .speaker = "caller", .text = words.text,
        .start_ms = u.start_frame * kFrameMs, .end_ms = u.end_frame * kFrameMs, .confidence = words.confidence});
}

void CallLog::dtmf(char digit, int64_t frame) {
  live_.event("dtmf", std::string(1, digit));
  line({.entry_id = "dtmf-" + std::to_string(frame), .speaker = "caller", .text = std::string("[DTMF ") + digit + "]",
        .start_ms = frame * kFrameMs, .end_ms = frame * kFrameMs});
}

void CallLog::caller_spoke() {
  std::lock_guard lock(mutex_);
  result_.caller_spoke = true;
}

void CallLog::end_reason(std::string reason) {
  std::lock_guard lock(mutex_);
  result_.end_reason = std::move(reason);
}

void CallLog::amd_verdict(AmdVerdict verdict) {
  std::lock_guard lock(mutex_);
  result_.amd_verdict = to_string(verdict);
}

void CallLog::turn(const TurnTiming& timing) {
  std::lock_guard lock(mutex_);
  result_.turns.push_back(timing);
}

PipelineResult CallLog::result() const {
  std::lock_guard lock(mutex_);
  return result_;
}

PipelineResult CallLog::close(brain::Brain& brain, std::string_view voicemail_message) {
  const std::vector<model::TranscriptLine> transcript = result().transcript;
  auto r = brain.finish(transcript, {});
  std::lock_guard lock(mutex_);
  if (r) result_.result = *r;
  else spdlog::warn("brain finish: {}", r.error().message);
  if (result_.amd_verdict == "machine") {  // the brain saw no conversation: say what happened instead
    result_.result.outcome = brain::Outcome::voicemail;
    result_.result.summary = voicemail_summary(voicemail_message, transcript);
  }
  return result_;
}

}  // namespace voqo::pipeline
