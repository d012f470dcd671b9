#pragma once
/// Answering-machine detection (AMD) for outbound calls: fed every caller
/// frame from the moment the call is answered, it says whether a person or a
/// machine picked up, then (for a machine) when to start the voicemail message.
///
/// Greeting analysis, after the classic design of Asterisk's AMD() application
/// (app_amd.c; its parameters and defaults in brackets), on the per-frame VAD
/// decision (VadFrame::voiced) at 20 ms resolution:
///  * a word is a run of voiced frames of at least `min_word_ms` [100];
///    a silence of at least `between_words_ms` [50, i.e. 3 frames = 60 ms]
///    separates two words; shorter voiced runs (clicks) are ignored;
///  * the greeting starts with the first word. Machine ("long_greeting") once
///    the greeting — speech with pauses shorter than after_greeting_silence_ms —
///    has lasted `max_greeting_ms` [Asterisk greeting = 1500; here 2500: a
///    person's "Hello?" or "Hi, this is Sam" is ≤ ~1.5–2 s, a recorded greeting
///    runs on, and the CMU "go forward ten meters" utterance of the fixtures
///    spans 1.7 s]; machine ("max_words") once it holds `max_words` words
///    [maximum_number_of_words = 2..3 in Asterisk, whose word segmentation is
///    finer; 6 here on VAD runs];
///  * human ("short_greeting") when, after a greeting shorter than that, the
///    caller stays silent for `after_greeting_silence_ms` [800]: a person says
///    hello and waits for us;
///  * unknown ("initial_silence") when nobody speaks within
///    `initial_silence_ms` [2500]. Asterisk answers MACHINE here; voqo answers
///    unknown because a person who waits silently for the caller to speak is
///    common on unknown numbers, and the agent should then speak first;
///  * unknown ("too_long") when no rule has decided by `total_analysis_ms` [5000];
///  * machine ("beep") when a beep is heard before any other verdict.
/// The verdict is final once given (with the time in ms since answer); in the
/// common case it comes within 3 s of answer (greeting start + 2.5 s, or
/// greeting end + 0.8 s).
///
/// Beep detection (any time): a Goertzel filter bank (G. Goertzel 1958) with
/// bins every 25 Hz from 400 to 2100 Hz over each Hann-windowed 20 ms frame.
/// A frame is tonal when the strongest bin holds at least `beep_purity` of the
/// frame's energy (purity = 3·|X_k|² / (N·Σ(w·x)²), which is 1 for a pure sine
/// at a bin centre and ≥ 0.9 between bins; speech spreads its energy over
/// several harmonics and formants, ringback/busy tones are two sines, ≤ 0.5)
/// and is at least `beep_min_dbfs` loud. A beep is a run of tonal frames at a
/// steady frequency (±40 Hz from the run's first frame, frequency refined by
/// parabolic interpolation of the bin powers) lasting at least `min_beep_ms`
/// [120]; it is reported when the tone stops, with its mean frequency and
/// duration. Tonal frames are not speech for the greeting analysis.
///
/// After a machine verdict: `greeting_ended` when the machine falls silent for
/// `greeting_end_silence_ms` [1500], and "ready to leave a message" (once)
/// when a beep ends ("beep"), or, with no beep, `beep_wait_ms` [5000] after
/// the greeting ended with no further speech ("no_beep").
///
/// Hot path: process() allocates nothing, takes no lock, never throws.
/// Thread-compatible, not thread-safe.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/error.hpp"

namespace voqo::pipeline {

/// AMD settings (ms unless said otherwise).
struct AmdConfig {
  int sample_rate_hz = 16000;  ///< 16000 or 8000 (20 ms frames: 320 / 160 samples)
  int initial_silence_ms = 2500;
  int max_greeting_ms = 2500;
  int after_greeting_silence_ms = 800;
  int total_analysis_ms = 5000;
  int min_word_ms = 100;
  int between_words_ms = 50;
  int max_words = 6;
  int min_beep_ms = 120;
  double beep_min_hz = 400;
  double beep_max_hz = 2100;
  double beep_purity = 0.6;         ///< share of the frame's energy in one bin, 0..1
  double beep_min_dbfs = -45;
  int greeting_end_silence_ms = 1500;
  int beep_wait_ms = 5000;
};

enum class AmdVerdict : uint8_t { pending, human, machine, unknown };

/// "pending", "human", "machine" or "unknown" (the calls.amd_verdict words).
std::string_view to_string(AmdVerdict v);

/// One detected beep.
struct AmdBeep {
  double frequency_hz = 0;  ///< mean frequency of the tone
  int duration_ms = 0;      ///< tonal frames × 20 ms
  int64_t start_ms = 0;     ///< since answer
  int64_t end_ms = 0;       ///< since answer (end of the last tonal frame)
};

/// What happened on one frame (the `bool`s and `beep` are edges).
struct AmdUpdate {
  int64_t time_ms = 0;                ///< start of this frame, ms since answer
  AmdVerdict verdict = AmdVerdict::pending;  ///< the verdict so far
  bool decided = false;               ///< the verdict was given on this frame
  std::string_view reason;            ///< why (set with decided, and kept after)
  bool tonal = false;                 ///< this frame looks like a pure tone
  std::optional<AmdBeep> beep;        ///< a beep ended on this frame
  bool greeting_ended = false;        ///< machine greeting fell silent (after a machine verdict)
  bool ready_for_message = false;     ///< start the voicemail message now
  std::string_view ready_reason;      ///< "beep" or "no_beep" (with ready_for_message)
};

/// Per-call answering-machine detector (see the file comment for the rules).
class AnsweringMachineDetector {
 public:
  /// Errors: ErrorCode::invalid_argument (field "sampleRateHz", "beepMinHz"/
  /// "beepMaxHz" or "minBeepMs") for a rate other than 8000/16000, a beep band
  /// outside 100..(rate/2 − 100) Hz or empty, or a non-positive minimum beep.
  static Result<AnsweringMachineDetector> create(const AmdConfig& config = {});

  [[nodiscard]] std::size_t frame_samples() const { return frame_samples_; }
  [[nodiscard]] AmdVerdict verdict() const { return verdict_; }
  [[nodiscard]] std::string_view reason() const { return reason_; }

  /// The next 20 ms caller frame since answer, with the VAD's decision for it
  /// (VadFrame::voiced). A shorter frame is zero-padded. Allocation-free.
  AmdUpdate process(std::span<const int16_t> frame, bool voiced);

  /// Starts over (a new call).
  void reset();

 private:
  explicit AnsweringMachineDetector(const AmdConfig& config);
  struct Tone {
    bool tonal = false;
    double frequency_hz = 0;
  };
  Tone analyse_tone(std::span<const int16_t> frame);
  void decide(AmdUpdate& u, AmdVerdict v, std::string_view reason);

  static constexpr std::size_t kMaxFrame = 320;
  static constexpr std::size_t kMaxBins = 128;
  AmdConfig config_;
  std::size_t frame_samples_ = 320;
  std::array<float, kMaxFrame> window_{};
  std::array<float, kMaxBins> coeff_{};
  std::array<float, kMaxBins> bin_hz_{};
  std::size_t bins_ = 0;
  std::array<float, kMaxFrame> buf_{};
  std::array<float, kMaxBins> power_{};
  [[nodiscard]] int frames_for(int ms) const;

  // State.
  int64_t frame_ = 0;
  AmdVerdict verdict_ = AmdVerdict::pending;
  std::string_view reason_;
  // Greeting.
  bool greeting_started_ = false;
  int64_t greeting_start_frame_ = 0;
  int voiced_run_ = 0;
  int64_t voiced_run_start_ = 0;
  int silence_run_ = 0;
  int words_ = 0;
  bool in_word_ = false;
  // Machine after the verdict.
  bool greeting_over_ = false;
  int64_t greeting_end_frame_ = 0;
  bool ready_ = false;
  // Beep.
  int tone_frames_ = 0;
  double tone_first_hz_ = 0;
  double tone_sum_hz_ = 0;
  int64_t tone_start_frame_ = 0;
};

}  // namespace voqo::pipeline
