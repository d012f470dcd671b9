#include "speech/flite_tts.hpp"

#include <flite/flite.h>
extern "C" {
#include <flite/cst_cg.h>  // no extern "C" of its own
}

#include <algorithm>
#include <array>
#include <mutex>

extern "C" {
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
}

namespace voqo::speech {
namespace {

using Clock = std::chrono::steady_clock;

struct FliteVoice {
  const char* id;
  cst_voice* (*reg)(const char*);
  cst_voice* voice = nullptr;
  float f0_mean = 100.0F;  // Hz, the voice's own target mean pitch
};

std::array<FliteVoice, 4> g_voices{{{"slt", register_cmu_us_slt},
                                    {"rms", register_cmu_us_rms},
                                    {"awb", register_cmu_us_awb},
                                    {"kal16", register_cmu_us_kal16}}};
std::once_flag g_init;
// Flite's reentrancy is not established (it keeps voices and lexicons in
// process-wide state, and clustergen voices draw from rand()), so every
// synthesis holds this lock.
std::mutex g_synth_mutex;

void init_flite() {
  std::call_once(g_init, [] {
    flite_init();
    for (auto& v : g_voices) {
      v.voice = v.reg(nullptr);
      if (v.voice == nullptr) continue;
      if (feat_present(v.voice->features, "int_f0_target_mean")) {
        v.f0_mean = feat_float(v.voice->features, "int_f0_target_mean");
      } else if (feat_present(v.voice->features, "cg_db")) {
        v.f0_mean = val_cg_db(feat_val(v.voice->features, "cg_db"))->f0_mean;
      }
    }
  });
}

const FliteVoice* find_voice(std::string_view id) {
  for (const auto& v : g_voices)
    if (id == v.id && v.voice != nullptr) return &v;
  return nullptr;
}

Error unknown_voice(std::string_view id) {
  std::string known;
  for (const auto& v : g_voices) {
    if (v.voice == nullptr) continue;
    if (!known.empty()) known += ", ";
    known += v.id;
  }
  return Error::invalid("voiceId", "unknown flite voice '" + std::string(id) + "'; known voices: " + known);
}

struct StreamState {
  const AudioSink* sink;
  Clock::time_point start;
  SynthesisResult result;
  bool streamed = false;

  bool deliver(const int16_t* samples, std::size_t n, int rate) {
    if (n == 0) return true;
    if (result.chunks == 0)
      result.first_chunk_latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    result.format = AudioFormat{rate, 1};
    ++result.chunks;
    result.samples += n;
    if (!(*sink)(std::span<const int16_t>(samples, n))) {
      result.stopped_early = true;
      return false;
    }
    return true;
  }
};

int stream_chunk(const cst_wave* w, int start, int size, int /*last*/, cst_audio_streaming_info* asi) {
  auto* state = static_cast<StreamState*>(asi->userdata);
  state->streamed = true;
  if (state->result.stopped_early) return CST_AUDIO_STREAM_STOP;
  const bool go_on = state->deliver(w->samples + start, static_cast<std::size_t>(std::max(size, 0)), w->sample_rate);
  return go_on ? CST_AUDIO_STREAM_CONT : CST_AUDIO_STREAM_STOP;
}

}  // namespace

FliteTts::FliteTts() { init_flite(); }
FliteTts::~FliteTts() = default;

std::vector<std::string> FliteTts::voices() const {
  std::vector<std::string> out;
  for (const auto& v : g_voices)
    if (v.voice != nullptr) out.emplace_back(v.id);
  return out;
}

Result<AudioFormat> FliteTts::output_format(std::string_view voice_id) const {
  if (find_voice(voice_id) == nullptr) return std::unexpected(unknown_voice(voice_id));
  return AudioFormat{16000, 1};  // all four registered voices are 16 kHz (checked by tests)
}

Result<SynthesisResult> FliteTts::synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) {
  const FliteVoice* fv = find_voice(voice.id);
  if (fv == nullptr) return std::unexpected(unknown_voice(voice.id));
  if (auto r = validate_voice_parameters(voice); !r) return std::unexpected(r.error());

  StreamState state{&on_audio, Clock::now(), SynthesisResult{AudioFormat{16000, 1}}};
  const std::string input(text);
  if (input.find_first_not_of(" \t\r\n") == std::string::npos) return state.result;

  std::lock_guard lock(g_synth_mutex);
  cst_utterance* utt = new_utterance();
  utt_set_input_text(utt, input.c_str());
  utt_init(utt, fv->voice);  // links the voice's features under the utterance's
  feat_set_float(utt->features, "duration_stretch", static_cast<float>(1.0 / voice.speech_rate));
  feat_set_float(utt->features, "int_f0_target_mean", static_cast<float>(fv->f0_mean * voice.pitch));
  cst_audio_streaming_info* asi = new_audio_streaming_info();  // owned by the utterance's features
  asi->asc = stream_chunk;
  asi->min_buffsize = 1600;  // ≥ 100 ms at 16 kHz per chunk where the voice allows
  asi->userdata = &state;
  feat_set(utt->features, "streaming_info", audio_streaming_info_val(asi));

  cst_utterance* done = utt_synth(utt);
  if (done == nullptr && !state.result.stopped_early) {
    delete_utterance(utt);
    return std::unexpected(Error{ErrorCode::internal, "flite failed to synthesize the text", {}});
  }
  if (!state.streamed && !state.result.stopped_early) {
    // The voice did not use the streaming hook: deliver its waveform in chunks.
    if (const cst_wave* w = utt_wave(utt); w != nullptr) {
      constexpr int kChunk = 1600;
      for (int i = 0; i < w->num_samples; i += kChunk)
        if (!state.deliver(w->samples + i, static_cast<std::size_t>(std::min(kChunk, w->num_samples - i)), w->sample_rate))
          break;
    }
  }
  delete_utterance(utt);
  state.result.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state.start);
  return state.result;
}

}  // namespace voqo::speech
