#pragma once
/// The record a call leaves (PipelineResult): its transcript, turn timings,
/// AMD verdict, whether the caller spoke and why the pipeline ended it.
/// Every final transcript line goes to the record and to the live feed
/// (on_transcript, on_live_line) in the same order. close() asks the brain
/// for the outcome, summary and memories of the transcript; a call that
/// reached an answering machine is summarised from its voicemail message
/// instead (voicemail.hpp).
///
/// Threads: any (a mutex; on the media thread only for a DTMF digit).
#include <mutex>
#include <string>
#include <string_view>

#include "brain/brain.hpp"
#include "speech/stt.hpp"
#include "pipeline/amd.hpp"
#include "pipeline/call_pipeline.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/live_feed.hpp"

namespace voqo::pipeline {

class CallLog {
 public:
  explicit CallLog(LiveFeed& live) : live_(live) {}
  /// A final line: kept, and reported live with `entry_id` ("caller-<n>", "agent-<n>", "dtmf-<n>").
  void line(model::TranscriptLine line);
  /// The caller's words of an utterance (a non-empty final transcript):
  /// the caller spoke, and the line "caller-<utterance>" from its first
  /// voiced frame to its end, with the recogniser's confidence.
  void caller_said(const speech::Transcript& words, const UtteranceEnded& utterance);
  /// A DTMF digit received at `frame`: on_event "dtmf" and the line
  /// "[DTMF <digit>]" ("dtmf-<frame>").
  void dtmf(char digit, int64_t frame);
  void caller_spoke();
  void end_reason(std::string reason);
  void amd_verdict(AmdVerdict verdict);
  /// A completed agent turn's timing.
  void turn(const TurnTiming& timing);
  /// The record so far.
  [[nodiscard]] PipelineResult result() const;
  /// Once the stages are drained: the brain's CallResult of the transcript
  /// (its error is logged and the result left empty), or the voicemail
  /// summary when AMD found a machine (`voicemail_message`: the configured
  /// message, "" = none). Returns the whole record.
  PipelineResult close(brain::Brain& brain, std::string_view voicemail_message);

 private:
  LiveFeed& live_;
  mutable std::mutex mutex_;
  PipelineResult result_;
};

}  // namespace voqo::pipeline
