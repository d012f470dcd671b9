#include "calls/engines.hpp"

#include <atomic>

#include "brain/instruction_template.hpp"
#include "brain/llm_brain.hpp"
#include "brain/scripted_brain.hpp"
#include "core/log.hpp"
#include "speech/espeak_tts.hpp"
#include "speech/flite_tts.hpp"
#include "speech/pocketsphinx_stt.hpp"
#include "speech/providers/provider_factory.hpp"
#include "speech/tts_cache.hpp"

namespace voqo::calls {

/// Idle PocketSphinx decoders, reused across calls.
struct Engines::SttPool {
  std::mutex mutex;
  std::vector<std::unique_ptr<speech::PocketsphinxStt>> idle;
  std::atomic<std::size_t> in_use{0};  ///< decoders held by calls (PooledStt alive)
};

namespace {

/// A pooled decoder that goes back to the pool when the call is done with it.
class PooledStt final : public speech::SpeechToText {
 public:
  PooledStt(std::unique_ptr<speech::PocketsphinxStt> stt, std::shared_ptr<Engines::SttPool> pool)
      : stt_(std::move(stt)), pool_(std::move(pool)) {
    pool_->in_use.fetch_add(1);
  }
  ~PooledStt() override {
    std::lock_guard lock(pool_->mutex);
    pool_->idle.push_back(std::move(stt_));
    pool_->in_use.fetch_sub(1);
  }
  Result<void> begin_utterance(speech::AudioFormat f) override { return stt_->begin_utterance(f); }
  Result<void> accept(std::span<const int16_t> s) override { return stt_->accept(s); }
  std::string partial() override { return stt_->partial(); }
  Result<speech::Transcript> end_utterance() override { return stt_->end_utterance(); }
  [[nodiscard]] int64_t memory_bytes() const override { return stt_->memory_bytes(); }

 private:
  std::unique_ptr<speech::PocketsphinxStt> stt_;
  std::shared_ptr<Engines::SttPool> pool_;
};

brain::CallContext context_for(const EngineRequest& r) {
  brain::CallContext c;
  const model::AgentConfig& a = r.agent;
  c.call_id = r.call_id;
  c.agent_name = a.name;
  c.system_prompt = a.system_prompt;
  c.greeting = a.greeting_message.value_or("");
  c.purpose = a.purpose;
  c.custom_purpose = a.custom_purpose.value_or("");
  c.script_template = a.script_template;
  c.language = a.language;
  c.direction = r.outbound ? "outbound" : "inbound";
  c.contact_name = r.contact_name;
  c.contact_phone = r.contact_phone;
  c.memories = r.memories;
  if (!r.time_zone.empty()) c.time_zone = r.time_zone;
  c.variables = r.variables.is_object() ? r.variables : nlohmann::json::object();
  c.temperature = a.temperature;
  c.max_tokens = a.max_tokens;
  c.call_flow = r.call_flow;
  c.campaign_name = r.campaign_name;
  return c;
}

/// A custom function as the LLM brain's tool.
brain::CustomFunction tool_of(const model::CustomFunctionConfig& f) {
  brain::CustomFunction cf;
  cf.name = f.name;
  cf.description = f.description;
  cf.endpoint = f.endpoint;
  cf.method = f.method;
  cf.headers = f.headers;
  cf.auth_type = f.auth_type;
  cf.auth_config = f.auth_config;
  cf.parameters = f.parameters;
  cf.response_mapping = f.response_mapping;
  cf.timeout_seconds = f.timeout_s;
  cf.enabled = f.enabled;
  return cf;
}

}  // namespace

Engines::Engines(BrainFactory brain_factory)
    : brain_factory_(std::move(brain_factory)), stt_pool_(std::make_shared<SttPool>()) {}
Engines::~Engines() = default;

Result<std::shared_ptr<speech::TextToSpeech>> Engines::tts_for(const std::string& provider,
                                                               const model::SettingsSnapshot& settings) {
  std::lock_guard lock(mutex_);
  if (provider == "elevenlabs") {
    // One client per call: it only holds the key and settings (HTTP per sentence).
    const model::ElevenLabsSettings& p = settings.speech_providers.elevenlabs;
    speech::TtsProviderConfig c;
    c.provider = "elevenlabs";
    c.base_url = p.base_url;
    c.api_key = p.api_key;
    c.model = p.model_id;
    auto t = speech::make_tts(c);
    if (!t) {
      Error e = t.error();
      e.message = "settings.speech_providers.elevenlabs: " + e.message;
      return std::unexpected(e);
    }
    return std::shared_ptr<speech::TextToSpeech>(std::move(*t));
  }
  if (provider == "flite") {
    // Embedded engines are deterministic: repeated sentences are synthesised once (speech/tts_cache.hpp).
    if (!flite_) flite_ = std::make_shared<speech::CachedTextToSpeech>(std::make_shared<speech::FliteTts>());
    return flite_;
  }
  if (provider == "espeak-ng" || provider == "espeak") {
    if (!espeak_) {
      auto e = speech::EspeakTts::create();
      if (!e) return std::unexpected(e.error());
      espeak_ = std::make_shared<speech::CachedTextToSpeech>(std::shared_ptr<speech::TextToSpeech>(std::move(*e)));
    }
    return espeak_;
  }
  return std::unexpected(Error::invalid("voiceProvider", "unknown voice provider '" + provider +
                                                              "'; known: flite, espeak-ng, elevenlabs"));
}

Result<std::string> Engines::preview_wav(store::Store& store, const WorkspaceId& ws, const std::string& provider,
                                         const speech::Voice& voice, std::string_view text) {
  auto settings = store.settings().snapshot(ws);
  if (!settings) return std::unexpected(settings.error());
  auto tts = tts_for(provider, *settings);
  if (!tts) return std::unexpected(tts.error());
  auto format = (*tts)->output_format(voice.id);
  if (!format) return std::unexpected(format.error());
  speech::PcmAudio audio{*format, {}};
  auto done = (*tts)->synthesize(text, voice, [&audio](std::span<const int16_t> chunk) {
    audio.samples.insert(audio.samples.end(), chunk.begin(), chunk.end());
    return true;
  });
  if (!done) return std::unexpected(done.error());
  audio.format = done->format;
  return speech::encode_wav(audio);
}

Result<BuiltEngines> Engines::build(store::Store& store, const EngineRequest& r) {
  BuiltEngines out;
  const model::AgentConfig& a = r.agent;
  const model::SettingsSnapshot& settings = r.settings;
  // The call runs on its agent's workspace's providers, keys and tools.
  const WorkspaceId ws(a.workspace_id);

  // Text-to-speech and the voice.
  const std::string& provider = a.voice.provider;
  auto tts = tts_for(provider, settings);
  if (!tts) return std::unexpected(tts.error());
  out.tts = *tts;
  out.pipeline.voice = {a.voice.id, a.voice.speech_rate, a.voice.pitch, a.voice.clarity};
  if (auto f = out.tts->output_format(out.pipeline.voice.id); !f) return std::unexpected(f.error());

  // Speech-to-text: settings.speech_providers.stt picks a provider; the
  // embedded default is a pooled PocketSphinx decoder.
  const std::string& stt_provider = settings.speech_providers.stt;
  if (!r.listen) {
    // Media plane only: nothing listens, so no recogniser (a PocketSphinx
    // decoder is ~90 MB and 0.3 s to load).
  } else if (stt_provider != "pocketsphinx") {
    const model::SttProviderSettings* p = settings.speech_providers.stt_settings();
    const model::SttProviderSettings none;
    if (!p) p = &none;  // an unknown provider: make_stt names it
    speech::SttProviderConfig c{stt_provider, p->base_url, p->api_key, p->model, a.language.substr(0, 2)};
    auto s = speech::make_stt(c);
    if (!s) {
      Error e = s.error();
      e.message = "settings.speech_providers: " + e.message;
      return std::unexpected(e);
    }
    out.stt = std::move(*s);
  }
  std::unique_ptr<speech::PocketsphinxStt> decoder;
  if (r.listen) {
    std::lock_guard lock(stt_pool_->mutex);
    if (!stt_pool_->idle.empty()) {
      decoder = std::move(stt_pool_->idle.back());
      stt_pool_->idle.pop_back();
    }
  }
  if (!out.stt && r.listen) {
    if (!decoder) {
      auto d = speech::PocketsphinxStt::create();
      if (!d) return std::unexpected(d.error());
      decoder = std::move(*d);
    }
    out.stt = std::make_unique<PooledStt>(std::move(decoder), stt_pool_);
  } else if (decoder) {
    std::lock_guard lock(stt_pool_->mutex);
    stt_pool_->idle.push_back(std::move(decoder));
  }

  // The brain.
  auto ctx = context_for(r);
  // The agent's instruction template (issue 19 §2): its content is the
  // system prompt, its declared variables render the prompt, greeting and
  // voicemail message (both brains render them; the voicemail is rendered here).
  if (a.instruction_template_id) {
    auto tpl = store.instruction_templates().get(ws, *a.instruction_template_id);
    if (tpl) {
      if (auto it = tpl->find("content"); it != tpl->end() && it->is_string()) ctx.system_prompt = it->get<std::string>();
      if (auto it = tpl->find("variables"); it != tpl->end() && it->is_array()) ctx.template_variables = *it;
      if (auto used = store.instruction_templates().record_use(ws, *a.instruction_template_id); !used)
        spdlog::warn("call {}: usage of instruction template {} not counted: {}", r.call_id, *a.instruction_template_id,
                     used.error().message);
      out.system_info["instructionTemplateId"] = *a.instruction_template_id;
    } else {
      spdlog::warn("call {}: instruction template {} not readable ({}); the agent's systemPrompt is used", r.call_id,
                   *a.instruction_template_id, tpl.error().message);
    }
  }
  const std::string voicemail = brain::render_template(a.voicemail_message.value_or(""), ctx);
  const model::LlmSettings& llm = settings.llm;
  if (brain_factory_) {
    out.brain = brain_factory_(ctx);
    out.system_info["brain"] = {{"kind", "custom"}};
  } else if (llm.enabled()) {
    brain::LlmBrainConfig lc;
    lc.base_url = llm.base_url;
    lc.api_key = llm.api_key;
    lc.model = llm.model;
    lc.allow_private_tool_hosts = settings.allow_private_tool_hosts;
    // The agent's enabled custom functions become the LLM's tools; their
    // credentials are decrypted here, for this call only.
    auto functions = store::enabled_functions(store.custom_functions(), ws, a.id);
    if (!functions) return std::unexpected(functions.error());
    for (const auto& f : *functions) lc.functions.push_back(tool_of(f));
    out.brain = std::make_unique<brain::LlmBrain>(std::move(lc), std::move(ctx));
    out.system_info["brain"] = {{"kind", "llm"}, {"model", llm.model}};
  } else {
    out.brain = std::make_unique<brain::ScriptedBrain>(std::move(ctx));
    out.system_info["brain"] = {{"kind", "scripted"}, {"template", a.script_template}};
  }
  if (r.call_flow && !r.call_flow->steps.empty()) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.call_flow->steps) steps.push_back(s.phase);
    out.system_info["callFlow"] = {{"steps", steps}, {"scriptTemplateIds", r.call_flow->template_ids()}};
  }

  auto& p = out.pipeline;
  p.silence_threshold_ms = a.silence_threshold_ms;
  p.response_delay_ms = a.response_delay_ms;
  p.interruption_sensitivity = a.interruption_sensitivity;
  p.max_call_duration_min = a.max_call_duration_min;
  p.outbound = r.outbound;
  p.greet_on_answer = a.greet_on_answer;
  p.voicemail_message = voicemail;
  out.system_info["stt"] = {{"provider", r.listen ? stt_provider : "none"}};
  out.system_info["tts"] = {{"provider", provider}, {"voice", p.voice.id}};
  return out;
}

std::size_t Engines::stt_decoders_in_use() const { return stt_pool_->in_use.load(); }

}  // namespace voqo::calls
