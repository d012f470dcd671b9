#pragma once
/// Fake engines for logic tests of the call pipeline (LiveKit Agents'
/// FakeSTT / FakeTTS are the model): scripted, deterministic, and timed on a
/// pipeline Clock — their "compute" is Clock::sleep_for, which a
/// VirtualClock turns into media frames played meanwhile (stage_harness.hpp).
/// The pipeline owns the engines; tests keep raw pointers to read what the
/// engines saw (valid while the pipeline lives).
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "brain/brain.hpp"
#include "pipeline/clock.hpp"
#include "speech/stt.hpp"
#include "speech/tts.hpp"

namespace voqo::test {

/// One utterance's scripted recognition.
struct ScriptedTranscript {
  std::string text;                      ///< the final transcript ("" = silence heard as nothing)
  double confidence = 0.9;
  std::chrono::milliseconds delay{0};    ///< compute inside end_utterance(), on the Clock
  std::string partial;                   ///< what partial() says once audio was accepted ("" = nothing)
};

/// A SpeechToText whose n-th utterance yields the n-th scripted transcript
/// (past the script's end: "" with confidence 0). Keeps the engine's
/// contract: begin/accept/end in order, conflict errors otherwise.
class FakeSpeechToText final : public speech::SpeechToText {
 public:
  FakeSpeechToText(pipeline::Clock& clock, std::vector<ScriptedTranscript> script);
  Result<void> begin_utterance(speech::AudioFormat format) override;
  Result<void> accept(std::span<const int16_t> samples_16khz) override;
  std::string partial() override;
  Result<speech::Transcript> end_utterance() override;

  /// Per finished utterance: the audio accepted, in ms.
  [[nodiscard]] std::vector<int64_t> utterance_audio_ms() const;
  [[nodiscard]] int begun() const;

 private:
  pipeline::Clock& clock_;
  std::vector<ScriptedTranscript> script_;
  mutable std::mutex mutex_;
  bool open_ = false;
  int begun_ = 0;
  std::size_t next_ = 0;
  int64_t samples_ = 0;
  std::vector<int64_t> audio_ms_;
};

/// A TextToSpeech that "speaks" a tone (440 Hz at `tone_dbfs`) or silence
/// for a length computed from the text: `ms_per_char` per UTF-8 byte (60 ms,
/// about the pace of speech), after `leading_silence_ms` of silence (flite
/// opens with ~200 ms), in 20 ms chunks at `rate_hz`. The first chunk comes
/// `first_chunk_delay` after the call, on the Clock. Thread-safe.
class FakeTextToSpeech final : public speech::TextToSpeech {
 public:
  struct Options {
    int rate_hz = 16000;
    int ms_per_char = 60;
    int leading_silence_ms = 0;
    bool silent = false;       ///< silence instead of the tone
    double tone_dbfs = -20;
    std::chrono::milliseconds first_chunk_delay{0};
  };
  FakeTextToSpeech(pipeline::Clock& clock, Options options);
  /// The audio's length for `text`, in ms (leading silence included).
  [[nodiscard]] int length_ms(std::string_view text) const;
  Result<speech::SynthesisResult> synthesize(std::string_view text, const speech::Voice& voice,
                                             const speech::AudioSink& on_audio) override;
  Result<speech::AudioFormat> output_format(std::string_view voice_id) const override;
  std::vector<std::string> voices() const override { return {"fake"}; }
  /// Every text synthesised, in order.
  [[nodiscard]] std::vector<std::string> spoken() const;

 private:
  pipeline::Clock& clock_;
  Options options_;
  mutable std::mutex mutex_;
  std::vector<std::string> spoken_;
};

/// A Brain with scripted replies: greet() says `greeting`; the n-th
/// respond() says the n-th reply (past the end: "Okay."), sentence by
/// sentence (split after ". "), after its `think` time on the Clock (stopped
/// early by the stop token). Whispers from coach() are recorded and the
/// pending ones are said first in the next turn (as ScriptedBrain does).
class FakeBrain final : public brain::Brain {
 public:
  struct Reply {
    std::string text;
    std::chrono::milliseconds think{0};
    bool end_call = false;
    std::optional<std::string> transfer_to;
  };
  FakeBrain(pipeline::Clock& clock, std::string greeting, std::vector<Reply> replies);
  Result<brain::Reply> greet(const brain::TextSink& sink, std::stop_token stop) override;
  Result<brain::Reply> respond(std::string_view caller_text, const brain::TextSink& sink, std::stop_token stop) override;
  void interrupted(std::string_view spoken) override;
  [[nodiscard]] std::string phase() const override { return ""; }
  void coach(std::string_view whisper) override;
  Result<brain::CallResult> finish(std::span<const model::TranscriptLine> transcript, std::stop_token stop) override;

  // What the brain saw (read after the pipeline's finish()).
  std::vector<std::string> heard;        ///< caller texts given to respond()
  std::vector<std::string> whispers;     ///< every coach() whisper
  std::vector<std::string> interruptions;  ///< what the caller heard of each cut reply
  std::size_t finished_lines = 0;        ///< transcript lines given to finish()

 private:
  Result<brain::Reply> say(const Reply& reply, const brain::TextSink& sink, std::stop_token stop);
  pipeline::Clock& clock_;
  std::string greeting_;
  std::vector<Reply> replies_;
  std::size_t next_ = 0;
  std::vector<std::string> pending_;
};

}  // namespace voqo::test
