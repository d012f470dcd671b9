#pragma once
/// Multilingual text-to-speech with eSpeak NG 1.51 (Debian libespeak-ng-dev).
#include <memory>

#include "speech/tts.hpp"

namespace voqo::speech {

/// TextToSpeech over eSpeak NG in synchronous mode with a synth callback.
/// Voice ids are eSpeak voice names, usually a language code: "de", "fr",
/// "es", "en-us", "pt-br", ... (`espeak-ng --voices` lists them).
/// speech_rate r → r × 175 words per minute (eSpeak's default 175, clamped to
/// its 80–450); pitch p → eSpeak pitch 50 × p clamped to 0–100 (50 = normal).
/// Output: 22050 Hz mono (whatever espeak_ng_GetSampleRate reports).
///
/// eSpeak NG keeps all of its state (current voice, parameters, callback) in
/// process-wide globals, so every instance shares one engine and calls are
/// serialized by one process-wide mutex: a long synthesis delays the others.
/// Thread-safe in that sense; use flite for concurrent English calls.
class EspeakTts final : public TextToSpeech {
 public:
  /// Initialises eSpeak NG once per process. Errors: ErrorCode::internal when
  /// its data (espeak-ng-data) cannot be loaded.
  static Result<std::unique_ptr<EspeakTts>> create();

  Result<SynthesisResult> synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) override;
  Result<AudioFormat> output_format(std::string_view voice_id) const override;
  std::vector<std::string> voices() const override;

 private:
  EspeakTts() = default;
};

}  // namespace voqo::speech
