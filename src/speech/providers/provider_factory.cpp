#include "speech/providers/provider_factory.hpp"

#include "speech/espeak_tts.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "speech/providers/deepgram_stt.hpp"
#include "speech/providers/elevenlabs_tts.hpp"
#include "speech/providers/openai_transcription_stt.hpp"

namespace voqo::speech {
namespace {

Error unknown_provider(const std::string& name, const std::vector<std::string>& known) {
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return Error::invalid("provider", "unknown provider '" + name + "'; known providers: " + list);
}

}  // namespace

const std::vector<std::string>& stt_providers() {
  static const std::vector<std::string> names{"pocketsphinx", "openai", "deepgram"};
  return names;
}

const std::vector<std::string>& tts_providers() {
  static const std::vector<std::string> names{"flite", "espeak-ng", "elevenlabs"};
  return names;
}

Result<std::unique_ptr<SpeechToText>> make_stt(const SttProviderConfig& config) {
  if (config.provider == "pocketsphinx") {
    if (!config.language.empty() && !config.language.starts_with("en"))
      return std::unexpected(Error::invalid("language", "pocketsphinx recognises English only (en-US model)"));
    auto stt = PocketsphinxStt::create();
    if (!stt) return std::unexpected(stt.error());
    return std::unique_ptr<SpeechToText>(std::move(*stt));
  }
  if (config.provider == "openai") {
    OpenAiTranscriptionConfig c;
    if (!config.base_url.empty()) c.base_url = config.base_url;
    c.api_key = config.api_key;
    if (!config.model.empty()) c.model = config.model;
    c.language = config.language;
    return std::unique_ptr<SpeechToText>(std::make_unique<OpenAiTranscriptionStt>(std::move(c)));
  }
  if (config.provider == "deepgram") {
    if (config.api_key.empty()) return std::unexpected(Error::invalid("apiKey", "deepgram needs an API key"));
    DeepgramConfig c;
    if (!config.base_url.empty()) c.base_url = config.base_url;
    c.api_key = config.api_key;
    if (!config.model.empty()) c.model = config.model;
    c.language = config.language;
    return std::unique_ptr<SpeechToText>(std::make_unique<DeepgramStt>(std::move(c)));
  }
  return std::unexpected(unknown_provider(config.provider, stt_providers()));
}

Result<std::unique_ptr<TextToSpeech>> make_tts(const TtsProviderConfig& config) {
  if (config.provider == "flite") return std::unique_ptr<TextToSpeech>(std::make_unique<FliteTts>());
  if (config.provider == "espeak-ng") {
    auto tts = EspeakTts::create();
    if (!tts) return std::unexpected(tts.error());
    return std::unique_ptr<TextToSpeech>(std::move(*tts));
  }
  if (config.provider == "elevenlabs") {
    if (config.api_key.empty()) return std::unexpected(Error::invalid("apiKey", "elevenlabs needs an API key"));
    ElevenLabsConfig c;
    if (!config.base_url.empty()) c.base_url = config.base_url;
    c.api_key = config.api_key;
    if (!config.model.empty()) c.model_id = config.model;
    c.voices = config.voices;
    return std::unique_ptr<TextToSpeech>(std::make_unique<ElevenLabsTts>(std::move(c)));
  }
  return std::unexpected(unknown_provider(config.provider, tts_providers()));
}

}  // namespace voqo::speech
