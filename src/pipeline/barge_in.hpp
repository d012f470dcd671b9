#pragma once
/// Barge-in: deciding, frame by frame while the agent is speaking, that the
/// caller is interrupting (so the pipeline flushes the agent's audio and
/// cancels the reply). Runs on the media thread after echo cancellation and
/// VAD of the caller frame.
///
/// The rule (all of it per 20 ms frame; s = interruption_sensitivity ∈ [0,1],
/// the agent field, clamped):
///  * A frame is caller speech when the VAD calls the cleaned caller frame
///    voiced AND its level is at least 3 dB above the expected echo level
///      expected_echo = (loudest agent reference frame of the last 400 ms)
///                      − echo_loss_db (measured by the EchoCanceller)
///    The 400 ms window covers the echo delay (network + far-end path), so the
///    agent's own voice coming back, however delayed within that window, is
///    predicted from the reference it came from;
///    AND (when the caller frame's level before cancellation is given and the
///    agent was audible in the window) the canceller removed at most
///    `max_cancelled_db` (10 dB) from it: the canceller takes 15–30 dB off its
///    own converged echo but only a few dB off the caller's voice (measured in
///    tests/unit/barge_in_test.cpp), so frames it cut deeply are echo residue
///    even when they are loud enough (a double-talk test on the canceller's
///    own evidence, which needs no threshold on the echo path).
///  * Caller speech frames form a run; gaps of non-speech frames up to
///    `gap_tolerance_ms` (120 ms: stop closures and short pauses between
///    words) are bridged, a longer gap ends the run. The run's duration is the
///    time from its first speech frame to the current one. The run's level is
///    the power mean of its speech frames; it must reach expected_echo plus
///      margin_db(s) = 10 − 6·s   (10 dB at s=0, 7 dB at 0.5, 4 dB at 1)
///    (applied to the run, not to each frame: syllables of one utterance vary
///    by 10 dB and more, and a per-frame test would break the run at each
///    unstressed syllable).///  * Required run duration (continuous caller speech):
///      required_ms(s) = 700^(1−s) · 120^s, rounded up to whole 20 ms frames
///    (geometric interpolation: s=1 → 120 ms, 0.8 → 180, 0.5 → 290 → 300 ms,
///    0.3 → 412 → 420 ms, 0 → 700 ms). A cough or click shorter than this
///    never interrupts.
///  * At s ≥ 0.8 a run of the required length interrupts, whatever was said.
///    Below 0.8, interim STT text for the current run is consulted when there
///    is any: text made only of backchannel words ("uh-huh", "mm-hmm", "yeah",
///    "okay", "right", ...) holds the decision until the run reaches
///    `backchannel_max_ms` (1500 ms: longer than any acknowledgement); text
///    with any other word, or no text at all, interrupts at the required length.
///  * The decision is an edge: reported once (with the frame index at which it
///    was taken), then nothing until the agent stops speaking or reset().
///
/// Threads: process() and reset() on the media thread; on_interim_text() may
/// be called from any thread (it stores one atomic word: wait-free).
/// Allocation-free after construction; never throws.
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <string_view>

namespace voqo::pipeline {

/// Detector settings.
struct BargeInConfig {
  double interruption_sensitivity = 0.5;  ///< agents.interruption_sensitivity, 0–1 (clamped)
  int gap_tolerance_ms = 120;             ///< non-speech bridged inside a run
  double max_cancelled_db = 10;           ///< near − cleaned level above this = echo residue (far end active)
  int backchannel_max_ms = 1500;          ///< a backchannel-only run interrupts anyway past this
  int echo_window_ms = 400;               ///< window of the reference peak (≥ the echo delay), ≤ 2000
};

/// What the pipeline knows about one 20 ms frame.
struct BargeInInput {
  bool agent_speaking = false;          ///< agent audio is playing out this tick
  bool caller_voiced = false;           ///< VadFrame::voiced of the cleaned caller frame
  double caller_level_dbfs = -96;       ///< level of the cleaned caller frame
  double reference_level_dbfs = -96;    ///< level of the agent frame played this tick
  double echo_loss_db = 6;              ///< EchoFrame::echo_loss_db (reference → cleaned output)
  double near_level_dbfs = std::numeric_limits<double>::quiet_NaN();  ///< EchoFrame::near_level_dbfs; NaN = not known
};

/// The outcome of one frame.
struct BargeInDecision {
  bool interrupt = false;          ///< the caller is interrupting (edge: once per agent turn)
  uint64_t frame_index = 0;        ///< index of this frame (process() calls since creation)
  int speech_ms = 0;               ///< duration of the current run of caller speech (0 = none)
  double expected_echo_dbfs = -96; ///< reference peak − echo loss
  double threshold_dbfs = -96;     ///< expected echo + margin(s): what the run's level must reach
  double run_level_dbfs = -96;     ///< the run's level, when it reached the required duration
  std::string_view reason;         ///< when interrupt: "speech", "words" or "long_speech"; else "" or
                                   ///< "backchannel" while a backchannel holds the decision
};

/// What interim text says about the caller's current words.
enum class InterimKind : uint8_t { none, backchannel, words };

/// Classifies interim STT text: `none` for text without words, `backchannel`
/// when every word is an acknowledgement token (uh, huh, uhhuh, mm, mmm, hmm,
/// hm, mhm, mmhmm, um, ah, aha, oh, yeah, yep, yup, yes, ok, okay, right,
/// sure, alright, gotcha; case-insensitive, punctuation ignored, hyphens split
/// words so "uh-huh" = "uh huh"), otherwise `words`. Allocation-free.
InterimKind classify_interim_text(std::string_view text);

/// Per-call barge-in detector (see the file comment for the rule).
class BargeInDetector {
 public:
  explicit BargeInDetector(const BargeInConfig& config = {});

  /// The required continuous caller speech for sensitivity `s` (clamped to
  /// [0,1]), in ms, a multiple of 20 (see the file comment).
  static int required_speech_ms(double s);
  /// The level margin over the expected echo for sensitivity `s`, in dB.
  static double level_margin_db(double s);

  [[nodiscard]] int required_speech_ms() const { return required_frames_ * 20; }
  [[nodiscard]] const BargeInConfig& config() const { return config_; }

  /// One 20 ms frame (call every tick, speaking or not). Media thread.
  BargeInDecision process(const BargeInInput& in);

  /// The latest interim transcript of the caller's current utterance (the
  /// whole text so far, as streaming STT providers send it). Any thread.
  void on_interim_text(std::string_view words);

  /// Clears the run, the latch and the text (e.g. a new agent turn). Media thread.
  void reset();

 private:
  static constexpr std::size_t kMaxWindow = 100;
  BargeInConfig config_;
  int required_frames_ = 15;
  int gap_frames_ = 2;
  int backchannel_frames_ = 75;
  double margin_db_ = 7;
  std::size_t window_frames_ = 20;
  std::array<double, kMaxWindow> ref_levels_{};
  std::size_t ref_pos_ = 0;
  uint64_t frame_index_ = 0;
  int run_frames_ = 0;
  int run_speech_frames_ = 0;
  double run_power_ = 0;
  int gap_run_ = 0;
  bool latched_ = false;
  uint32_t run_text_generation_ = 0;  // interim text generation when the run began
  // (generation << 8) | kind, written by on_interim_text.
  std::atomic<uint64_t> text_{0};
};

}  // namespace voqo::pipeline
