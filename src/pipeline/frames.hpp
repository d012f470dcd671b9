#pragma once
/// The events a call's stages hand to its orchestrator (CallPipeline), as
/// one small closed type (DESIGN.md "Events as a small closed type";
/// pipecat's frames). A stage returns or emits a Frame; the orchestrator
/// decides what follows (post to the control stage, report to the live
/// stage, flush the agent).
///
/// Allocation-free on the media thread: the alternatives made there
/// (marked "media thread") are trivially copyable — numbers, frame indices,
/// cumulative sample counts and string_views of static text — so making,
/// copying or capturing one allocates nothing and constructs no std::string
/// (static_asserts below). Text (transcripts, what the caller heard of a cut
/// reply) exists only in alternatives made off the media thread.
///
/// Units: frames are 20 ms media frames counted from the answer (frame × 20
/// = ms into the call and its recording); samples are 16 kHz agent samples
/// counted since the call began (ReplyPlayer's cumulative ring position);
/// SteadyTime is the pipeline Clock's.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "pipeline/amd.hpp"
#include "pipeline/clock.hpp"
#include "speech/stt.hpp"

namespace voqo::pipeline {

/// Media thread (TurnDetector): the caller started an utterance (60 ms of
/// voice); `start_frame` is its first voiced frame.
struct UtteranceStarted {
  int64_t utterance = 0;  ///< 1, 2, ... per call
  int64_t start_frame = 0;
};

/// Media thread (TurnDetector): endpointing closed the utterance (or the
/// call ended while it was open).
struct UtteranceEnded {
  int64_t utterance = 0;
  int64_t start_frame = 0;
  int64_t end_frame = 0;        ///< one past the last voiced frame
  SteadyTime last_voiced_at{};  ///< when the last voiced frame was processed
  SteadyTime ended_at{};        ///< when the turn was declared over
};

/// Media thread: the caller (BargeInDetector) or a supervisor's voice
/// (SupervisorMixer) interrupts the agent; the orchestrator flushes the
/// reply within this frame.
struct BargeIn {
  int64_t at_frame = 0;
  bool supervisor = false;  ///< a supervisor's voice, not the caller's
  std::string_view reason;  ///< BargeInDecision::reason (static text)
  int speech_ms = 0;        ///< caller speech that decided it
  int level_dbfs = 0, threshold_dbfs = 0;
};

/// Media thread: every sample of the reply has been played.
struct PlayoutDone {
  int reply = 0;
  int64_t end_frame = 0;
};

/// Any thread (ReplyPlayer::interrupt, a supervisor command): the reply was
/// stopped at `heard_at`; the control stage turns that into what was heard.
struct Interrupted {
  int reply = 0;
  uint64_t heard_at = 0;
  int64_t at_frame = 0;
};

/// Media thread: the answering-machine detector decided (`ready` false) or
/// the machine is ready for the voicemail message (`ready` true).
struct AmdResult {
  AmdVerdict verdict = AmdVerdict::pending;
  bool ready = false;
  std::string_view reason;  ///< the detector's reason or ready reason (static text)
};

/// Media thread (LevelMeter), every 200 ms: PipelineHooks::on_levels.
struct Levels {
  int agent_gain = 0, customer_gain = 0;  ///< 0–100, meter_percent of the window's RMS
  std::string_view speaker;               ///< "caller", "agent" or ""
};

/// Media thread (CallTimers): a timer of the call fired. `prompt` counts
/// the no-input prompts (1: "Are you still there?", 2: goodbye).
struct Timeout {
  enum class Kind : uint8_t { greeting, no_input, max_duration };
  Kind kind = Kind::greeting;
  int prompt = 0;
};

/// STT stage: an interim hypothesis of the open utterance (changed since the last).
struct InterimTranscript {
  int64_t utterance = 0;
  int64_t start_frame = 0, at_frame = 0;
  std::string text;
};

/// STT stage: the final transcript of an utterance, with its turn.
struct FinalTranscript {
  UtteranceEnded turn;
  Result<speech::Transcript> transcript = speech::Transcript{};  ///< the engine's error when it failed
  int64_t compute_us = 0;    ///< the ring's rest and end_utterance(), wall time on the Clock
  SteadyTime decoded_at{};
  bool backchannel = false;  ///< began under the agent's voice and never took the turn: not answered
  bool had_interim = false;  ///< interim lines were shown for it
};

/// Control stage (ReplyPlayer): a reply cut short, with the words heard.
struct ReplyCut {
  int reply = 0;
  std::string heard;         ///< whole sentences played, and the played share of the cut one
  int64_t start_frame = -1;  ///< its first packet (-1: none played)
  int64_t at_frame = 0;
};

using Frame = std::variant<UtteranceStarted, UtteranceEnded, BargeIn, PlayoutDone, Interrupted, AmdResult, Levels,
                           Timeout, InterimTranscript, FinalTranscript, ReplyCut>;

static_assert(std::is_trivially_copyable_v<UtteranceStarted> && std::is_trivially_copyable_v<UtteranceEnded> &&
                  std::is_trivially_copyable_v<BargeIn> && std::is_trivially_copyable_v<PlayoutDone> &&
                  std::is_trivially_copyable_v<Interrupted> && std::is_trivially_copyable_v<AmdResult> &&
                  std::is_trivially_copyable_v<Levels> && std::is_trivially_copyable_v<Timeout>,
              "media-thread frames must allocate nothing");

/// Receives frames as a stage makes them (called on the stage's thread).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void emit(Frame frame) = 0;
};

}  // namespace voqo::pipeline
