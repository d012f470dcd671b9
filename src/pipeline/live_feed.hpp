#pragma once
/// The live stage of a call: PipelineHooks (transcript lines, interims,
/// events, levels, the brain's turns) run on one serial queue, one at a
/// time, in the order the pipeline produced them, never on the media
/// thread and never after close(). Frames from the media thread (BargeIn,
/// AmdResult, Levels) are described here, on the live stage, so the media
/// thread formats no text.
///
/// Threads: any (posting is thread-safe); close() from the thread that ends the call.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/call_pipeline.hpp"
#include "pipeline/frames.hpp"
#include "pipeline/stage_executor.hpp"

namespace voqo::pipeline {

class LiveFeed {
 public:
  LiveFeed(std::shared_ptr<StageQueue> queue, PipelineHooks hooks);
  /// on_event(name, detail).
  void event(std::string name, std::string detail);
  /// on_live_line.
  void line(model::TranscriptLine line);
  /// A final transcript line: on_transcript, then on_live_line (is_final) with `entry_id`.
  void transcript(const model::TranscriptLine& line);
  /// An utterance whose interims were shown gives no line: a final "" for "caller-<utterance>".
  void retract(int64_t utterance, int64_t start_frame, int64_t end_frame);
  /// on_turn.
  void turn(const brain::Reply& reply);
  /// What a reply tells the live view: on_event "phase" and "intent" when
  /// set, then on_turn when it is the brain's turn (`brain_turn`; not a
  /// fixed prompt or goodbye).
  void reply(const brain::Reply& reply, bool brain_turn);
  /// Media-thread frames: BargeIn and AmdResult → on_event ("barge_in",
  /// "supervisor", "amd"); Levels → on_levels; InterimTranscript → on_live_line.
  void report(const BargeIn& b);
  void report(const AmdResult& a);
  void report(const Levels& l);
  void report(const InterimTranscript& t);
  /// Runs what is queued, then nothing more is reported (blocks).
  void close();

 private:
  struct Channel {
    std::shared_ptr<StageQueue> queue;
    PipelineHooks hooks;
    std::atomic<bool> closed{false};
  };
  void post(std::function<void(const PipelineHooks&)> fn);
  std::shared_ptr<Channel> ch_;  // tasks hold the channel, not the pipeline: a late task is harmless
};

}  // namespace voqo::pipeline
