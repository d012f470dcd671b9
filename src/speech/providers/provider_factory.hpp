#pragma once
/// Builds the configured speech engines: the embedded ones (pocketsphinx,
/// flite, espeak-ng) or a provider (OpenAI-compatible transcription,
/// Deepgram, ElevenLabs).
#include <memory>
#include <string>
#include <vector>

#include "speech/stt.hpp"
#include "speech/tts.hpp"

namespace voqo::speech {

/// Which speech-to-text engine, and how to reach it.
struct SttProviderConfig {
  std::string provider = "pocketsphinx";  ///< "pocketsphinx" | "openai" | "deepgram"
  std::string base_url;                   ///< "" = the provider's public endpoint
  std::string api_key;                    ///< required by "deepgram"; optional for "openai" (local servers)
  std::string model;                      ///< "" = the engine's default (whisper-1, nova-3)
  std::string language;                   ///< ISO-639-1 / BCP-47 hint; pocketsphinx: "" or English only
};

/// Which text-to-speech engine, and how to reach it.
struct TtsProviderConfig {
  std::string provider = "flite";  ///< "flite" | "espeak-ng" | "elevenlabs"
  std::string base_url;            ///< "" = the provider's public endpoint
  std::string api_key;             ///< required by "elevenlabs"
  std::string model;               ///< elevenlabs model_id; "" = ElevenLabsConfig's default
  std::string language;            ///< unused by the current engines (voices carry the language)
  std::vector<std::string> voices; ///< elevenlabs: the voice ids the agent may use ("" list = any)
};

/// The names make_stt() / make_tts() accept, in the order above.
const std::vector<std::string>& stt_providers();
const std::vector<std::string>& tts_providers();

/// A new SpeechToText (one per call). Errors: ErrorCode::invalid_argument
/// with field "provider" for an unknown name (the message lists the known
/// ones), "apiKey" when deepgram has no key, "language" for a non-English
/// pocketsphinx language, "baseUrl" for a malformed Deepgram URL (checked at
/// the first utterance); those of PocketsphinxStt::create (not_found,
/// internal) for the embedded engine.
Result<std::unique_ptr<SpeechToText>> make_stt(const SttProviderConfig& config);

/// A new TextToSpeech. Errors: invalid_argument "provider" (unknown name;
/// the message lists the known ones), "apiKey" when elevenlabs has no key;
/// those of EspeakTts::create.
Result<std::unique_ptr<TextToSpeech>> make_tts(const TtsProviderConfig& config);

}  // namespace voqo::speech
