#include "speech/espeak_tts.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace voqo::speech {
namespace {

using Clock = std::chrono::steady_clock;

// eSpeak NG's state is process-wide: one mutex serializes every use of it.
std::mutex g_mutex;
bool g_initialized = false;
int g_sample_rate = 0;

struct SynthState {
  const AudioSink* sink;
  Clock::time_point start;
  SynthesisResult result;
};

int synth_callback(short* wav, int numsamples, espeak_EVENT* events) {
  auto* state = static_cast<SynthState*>(events != nullptr ? events->user_data : nullptr);
  if (state == nullptr) return 0;
  if (state->result.stopped_early) return 1;
  if (wav == nullptr || numsamples <= 0) return 0;  // end of synthesis or events only
  if (state->result.chunks == 0)
    state->result.first_chunk_latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state->start);
  ++state->result.chunks;
  state->result.samples += static_cast<std::size_t>(numsamples);
  if (!(*state->sink)(std::span<const int16_t>(wav, static_cast<std::size_t>(numsamples)))) {
    state->result.stopped_early = true;
    return 1;  // abort synthesis
  }
  return 0;
}

Error engine_error(const char* what, espeak_ng_STATUS status) {
  char message[512] = {};
  espeak_ng_GetStatusCodeMessage(status, message, sizeof message);
  return Error{ErrorCode::internal, std::string("espeak-ng ") + what + ": " + message, {}};
}

// A voice matches by name ("German"), identifier ("gmw/de"), the
// identifier's last part ("de") or one of its languages ("fr-fr").
bool voice_matches(const espeak_VOICE& v, std::string_view id) {
  if (v.name != nullptr && id == v.name) return true;
  if (v.identifier != nullptr) {
    const std::string_view ident = v.identifier;
    if (id == ident || id == ident.substr(ident.rfind('/') + 1)) return true;
  }
  // languages: repeated (priority byte, NUL-terminated name), ended by a 0 byte.
  for (const char* p = v.languages; p != nullptr && *p != 0; p += 1 + std::char_traits<char>::length(p + 1))
    if (id == p + 1) return true;
  return false;
}

bool voice_exists_locked(std::string_view id) {
  if (id.empty()) return false;
  for (const espeak_VOICE** v = espeak_ListVoices(nullptr); v != nullptr && *v != nullptr; ++v)
    if (voice_matches(**v, id)) return true;
  return false;
}

}  // namespace

Result<std::unique_ptr<EspeakTts>> EspeakTts::create() {
  std::lock_guard lock(g_mutex);
  if (!g_initialized) {
    espeak_ng_InitializePath(nullptr);
    espeak_ng_ERROR_CONTEXT context = nullptr;
    espeak_ng_STATUS status = espeak_ng_Initialize(&context);
    if (status != ENS_OK) {
      espeak_ng_ClearErrorContext(&context);
      return std::unexpected(engine_error("initialisation failed", status));
    }
    status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 100 /* ms per callback */, nullptr);
    if (status != ENS_OK) return std::unexpected(engine_error("output initialisation failed", status));
    espeak_SetSynthCallback(synth_callback);
    g_sample_rate = espeak_ng_GetSampleRate();
    g_initialized = true;
  }
  return std::unique_ptr<EspeakTts>(new EspeakTts());
}

std::vector<std::string> EspeakTts::voices() const {
  std::lock_guard lock(g_mutex);
  std::vector<std::string> out;
  for (const espeak_VOICE** v = espeak_ListVoices(nullptr); v != nullptr && *v != nullptr; ++v)
    if ((*v)->identifier != nullptr) {
      const std::string_view ident = (*v)->identifier;
      out.emplace_back(ident.substr(ident.rfind('/') + 1));  // "roa/fr" → "fr"
    }
  return out;
}

Result<AudioFormat> EspeakTts::output_format(std::string_view voice_id) const {
  std::lock_guard lock(g_mutex);
  if (!voice_exists_locked(voice_id))
    return std::unexpected(Error::invalid("voiceId", "unknown espeak-ng voice '" + std::string(voice_id) +
                                                         "' (use a language code such as de, fr, es)"));
  return AudioFormat{g_sample_rate, 1};
}

Result<SynthesisResult> EspeakTts::synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) {
  if (auto r = validate_voice_parameters(voice); !r) return std::unexpected(r.error());
  std::lock_guard lock(g_mutex);
  SynthState state{&on_audio, Clock::now(), SynthesisResult{AudioFormat{g_sample_rate, 1}}};
  if (!voice_exists_locked(voice.id) || espeak_ng_SetVoiceByName(voice.id.c_str()) != ENS_OK)
    return std::unexpected(Error::invalid("voiceId", "unknown espeak-ng voice '" + voice.id +
                                                         "' (use a language code such as de, fr, es)"));
  const int wpm = std::clamp(static_cast<int>(std::lround(175.0 * voice.speech_rate)), 80, 450);
  const int pitch = std::clamp(static_cast<int>(std::lround(50.0 * voice.pitch)), 0, 100);
  espeak_ng_SetParameter(espeakRATE, wpm, 0);
  espeak_ng_SetParameter(espeakPITCH, pitch, 0);
  const std::string input(text);  // NUL-terminated copy
  if (!input.empty()) {
    const espeak_ng_STATUS status = espeak_ng_Synthesize(input.c_str(), input.size() + 1, 0, POS_CHARACTER, 0,
                                                         espeakCHARS_UTF8, nullptr, &state);
    if (status != ENS_OK && !state.result.stopped_early) return std::unexpected(engine_error("synthesis failed", status));
  }
  state.result.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state.start);
  return state.result;
}

}  // namespace voqo::speech
