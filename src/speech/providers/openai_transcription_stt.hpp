#pragma once
/// Speech-to-text over any OpenAI-compatible transcription endpoint
/// (OpenAI API reference "Create transcription": POST /v1/audio/transcriptions,
/// multipart/form-data; also served by vLLM, whisper.cpp server,
/// faster-whisper-server, LocalAI, ...).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "speech/stt.hpp"

namespace voqo::speech {

/// Endpoint and request settings.
struct OpenAiTranscriptionConfig {
  std::string base_url = "https://api.openai.com";  ///< scheme://host[:port][/prefix]; "/v1/audio/transcriptions" is appended
  std::string api_key;                              ///< sent as "Authorization: Bearer <key>"; empty = no Authorization header (local servers)
  std::string model = "whisper-1";                  ///< e.g. whisper-1, gpt-4o-transcribe, gpt-4o-mini-transcribe
  std::string language;                             ///< ISO-639-1 hint ("en", "de"); empty = the model detects it
  /// "json" (every model) or "verbose_json" (whisper-1 and most local
  /// servers: adds per-segment avg_logprob, used for the confidence).
  std::string response_format = "json";
  /// Adds the form field include[]=logprobs (gpt-4o-transcribe and
  /// gpt-4o-mini-transcribe with response_format json: per-token logprobs,
  /// used for the confidence). Other models may reject it.
  bool request_logprobs = false;
  std::chrono::milliseconds timeout{30000};  ///< whole request
};

/// SpeechToText that buffers an utterance and, in end_utterance(), uploads it
/// as a 16 kHz mono PCM16 WAV (`file` part, filename "utterance.wav",
/// Content-Type audio/wav) with the form fields model, response_format and,
/// when set, language and include[]. partial() is always "" (the endpoint is
/// not streaming).
///
/// Transcript::text is the response's `text` normalised (providers::
/// normalize_transcript: lower case, punctuation dropped, single spaces);
/// raw_text() keeps the provider's own text of the last utterance.
///
/// Confidence, in order of what the response carries:
///  - `logprobs` (include[]=logprobs): exp(mean token logprob), the geometric
///    mean token probability;
///  - `segments` (verbose_json): exp(duration-weighted mean of the segments'
///    avg_logprob);
///  - neither (plain json): 1.0 for a non-empty text (the endpoint gives no
///    score, so the transcript is taken as certain), 0.0 for an empty one.
///
/// Errors: end_utterance() → ErrorCode::io for transport failures (DNS,
/// connect, TLS, timeout; from net::perform), ErrorCode::internal for a
/// non-2xx status (the message carries the provider's error.message) or a
/// response without a string `text`. accept() → ErrorCode::too_large past
/// 25 MB of WAV (the API's documented upload limit, ~13 min of audio).
/// Thread-compatible (one instance per call); blocks in end_utterance().
class OpenAiTranscriptionStt final : public SpeechToText {
 public:
  explicit OpenAiTranscriptionStt(OpenAiTranscriptionConfig config);

  Result<void> begin_utterance(AudioFormat format = kWideband) override;
  Result<void> accept(std::span<const int16_t> samples_16khz) override;
  std::string partial() override;
  Result<Transcript> end_utterance() override;

  /// The provider's unnormalised text of the last successful utterance.
  [[nodiscard]] const std::string& raw_text() const { return raw_text_; }

 private:
  OpenAiTranscriptionConfig config_;
  bool open_ = false;
  std::vector<int16_t> samples_;
  std::chrono::microseconds processing_{0};
  std::string raw_text_;
};

}  // namespace voqo::speech
