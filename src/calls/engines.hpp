#pragma once
/// Chooses and builds a call's engines from the typed agent and settings
/// (model::AgentConfig, model::SettingsSnapshot): speech-to-text
/// (settings.speech_providers.stt), text-to-speech (the agent's
/// voice.provider/voice.id), the brain (settings.llm.base_url → LLM with the
/// agent's enabled custom functions as tools, else the scripted call flow),
/// and the pipeline's turn-taking configuration (PipelineConfig, from the agent).
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/brain.hpp"
#include "brain/call_flow.hpp"
#include "core/error.hpp"
#include "model/agent_config.hpp"
#include "model/settings_snapshot.hpp"
#include "pipeline/call_pipeline.hpp"
#include "speech/stt.hpp"
#include "speech/tts.hpp"
#include "store/store.hpp"

namespace voqo::calls {

struct EngineRequest {
  model::AgentConfig agent;           ///< the call's agent (its workspace's settings and tools are used)
  model::SettingsSnapshot settings;  ///< the agent's workspace's settings, read once for the call
  std::string contact_name, contact_phone;
  std::vector<std::string> memories;
  nlohmann::json variables = nlohmann::json::object();
  bool outbound = true;
  std::string call_id;
  bool listen = true;  ///< false: media plane only, no speech-to-text engine (PipelineConfig::conversation)
  std::string time_zone;  ///< the callee's IANA zone ("" = UTC), for time phrases such as "next Tuesday afternoon"
  /// The call's campaign's call flow (issue 18 §5), given to the brain; null = none.
  std::shared_ptr<const brain::CallFlow> call_flow;
  std::string campaign_name;  ///< the call's campaign's name ("" = none), {{campaign.name}}
};

struct BuiltEngines {
  std::unique_ptr<speech::SpeechToText> stt;
  std::shared_ptr<speech::TextToSpeech> tts;
  std::unique_ptr<brain::Brain> brain;
  pipeline::PipelineConfig pipeline;
  nlohmann::json system_info = nlohmann::json::object();  ///< providers chosen (calls.system_info)
};

/// Makes the brain for a call instead of the settings' choice (embedding, benchmarks).
using BrainFactory = std::function<std::unique_ptr<brain::Brain>(const brain::CallContext&)>;

/// Builds engines; keeps shared ones (TTS engines, a pool of idle
/// PocketSphinx decoders, each ~30 MB and ~0.3 s to load). Thread-safe.
class Engines {
 public:
  explicit Engines(BrainFactory brain_factory = {});
  ~Engines();
  /// Errors: invalid_argument naming the agent field or setting that selects
  /// an unknown provider or voice; internal when an engine fails to load;
  /// the store's, reading the agent's custom functions (LLM brain only).
  Result<BuiltEngines> build(store::Store& store, const EngineRequest& request);

  /// Synthesises `text` with a voice as an agent would speak it (provider =
  /// the agent's voiceProvider, credentials from the settings) and returns a
  /// mono 16-bit WAV file's bytes at the engine's rate — the dashboard's voice
  /// preview (POST /api/tts/preview). Errors: invalid_argument naming
  /// "voiceProvider", "voiceId", "speechRate" or "pitch"; the provider's error
  /// (e.g. unavailable) otherwise.
  Result<std::string> preview_wav(store::Store& store, const WorkspaceId& ws, const std::string& provider, const speech::Voice& voice,
                                  std::string_view text);

  /// PocketSphinx decoders held by calls now (taken from the pool, not yet
  /// given back): 0 when no call is in progress, whatever was rejected.
  [[nodiscard]] std::size_t stt_decoders_in_use() const;

  struct SttPool;

 private:
  Result<std::shared_ptr<speech::TextToSpeech>> tts_for(const std::string& provider, const model::SettingsSnapshot& settings);
  BrainFactory brain_factory_;
  std::mutex mutex_;
  std::shared_ptr<SttPool> stt_pool_;
  std::shared_ptr<speech::TextToSpeech> flite_, espeak_;
};

}  // namespace voqo::calls
