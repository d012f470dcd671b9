#include "speech/providers/elevenlabs_tts.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "net/http_client.hpp"
#include "speech/providers/provider_common.hpp"

namespace voqo::speech {
namespace {

using Clock = std::chrono::steady_clock;

// ElevenLabs documents voice_settings.speed for 0.7–1.2.
constexpr double kMinSpeed = 0.7;
constexpr double kMaxSpeed = 1.2;
constexpr std::size_t kSniffBytes = 16;

bool printable_text(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u < 0x7F) || u == '\n' || u == '\r' || u == '\t';
  });
}

}  // namespace

void Pcm16Reassembler::feed(std::string_view bytes, std::vector<int16_t>& out) {
  out.clear();
  out.reserve((bytes.size() + 1) / 2);
  auto sample = [](unsigned char lo, unsigned char hi) {
    return static_cast<int16_t>(static_cast<uint16_t>(lo | (static_cast<uint16_t>(hi) << 8)));
  };
  std::size_t i = 0;
  if (pending_ && !bytes.empty()) {
    out.push_back(sample(*pending_, static_cast<unsigned char>(bytes[0])));
    pending_.reset();
    i = 1;
  }
  for (; i + 1 < bytes.size(); i += 2)
    out.push_back(sample(static_cast<unsigned char>(bytes[i]), static_cast<unsigned char>(bytes[i + 1])));
  if (i < bytes.size()) pending_ = static_cast<unsigned char>(bytes[i]);
}

ElevenLabsTts::ElevenLabsTts(ElevenLabsConfig config) : config_(std::move(config)) {}

std::optional<double> ElevenLabsTts::speed_for_rate(double speech_rate) {
  if (speech_rate == 1.0) return std::nullopt;
  return std::clamp(speech_rate, kMinSpeed, kMaxSpeed);
}

Result<void> ElevenLabsTts::check_voice(std::string_view voice_id) const {
  if (voice_id.empty()) return std::unexpected(Error::invalid("voiceId", "an ElevenLabs voice id is required"));
  if (config_.voices.empty() || std::find(config_.voices.begin(), config_.voices.end(), voice_id) != config_.voices.end())
    return ok();
  std::string known;
  for (const auto& v : config_.voices) known += (known.empty() ? "" : ", ") + v;
  return std::unexpected(Error::invalid("voiceId", "unknown elevenlabs voice '" + std::string(voice_id) + "'; known voices: " + known));
}

Result<AudioFormat> ElevenLabsTts::output_format(std::string_view voice_id) const {
  if (auto r = check_voice(voice_id); !r) return std::unexpected(r.error());
  return kWideband;
}

std::vector<std::string> ElevenLabsTts::voices() const { return config_.voices; }

Result<SynthesisResult> ElevenLabsTts::synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) {
  const auto start = Clock::now();
  if (auto r = check_voice(voice.id); !r) return std::unexpected(r.error());
  if (auto r = validate_voice_parameters(voice); !r) return std::unexpected(r.error());
  SynthesisResult result;
  result.format = kWideband;
  if (text.empty()) return result;

  nlohmann::json settings = {{"stability", config_.stability},
                             {"similarity_boost", voice.clarity.value_or(config_.similarity_boost)}};
  if (auto speed = speed_for_rate(voice.speech_rate)) settings["speed"] = *speed;
  const nlohmann::json body = {{"text", text}, {"model_id", config_.model_id}, {"voice_settings", settings}};

  net::HttpRequest req;
  req.method = "POST";
  req.url = providers::join_url(config_.base_url, "/v1/text-to-speech/" + providers::url_encode(voice.id) +
                                                      "/stream?output_format=pcm_16000");
  req.headers.emplace_back("xi-api-key", config_.api_key);
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.timeout = config_.timeout;

  Pcm16Reassembler pcm;
  std::vector<int16_t> samples;
  std::string held;          // first bytes, until they are known to be audio
  bool streaming = false;    // held bytes released: the body is audio
  bool text_body = false;    // the body looks like text: buffer it all, judge by status
  bool stopped = false;
  auto deliver = [&](std::string_view bytes) {
    pcm.feed(bytes, samples);
    if (samples.empty()) return true;
    if (result.chunks == 0)
      result.first_chunk_latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    ++result.chunks;
    result.samples += samples.size();
    if (!on_audio(std::span<const int16_t>(samples))) {
      stopped = true;
      return false;
    }
    return true;
  };
  auto on_body = [&](std::string_view chunk) -> bool {
    if (streaming) return deliver(chunk);
    held.append(chunk);
    if (text_body || held.size() < kSniffBytes) return true;
    if (printable_text(std::string_view(held).substr(0, kSniffBytes))) {
      text_body = true;
      return true;
    }
    streaming = true;
    return deliver(std::exchange(held, {}));
  };
  auto resp = net::perform(req, on_body);
  result.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  if (stopped) {
    result.stopped_early = true;
    return result;
  }
  if (!resp) return std::unexpected(resp.error());
  if (resp->status < 200 || resp->status >= 300)
    return std::unexpected(providers::http_status_error("elevenlabs", resp->status, held));
  if (!streaming && !held.empty()) {  // short body, or a 2xx body that looked like text
    (void)deliver(held);
    result.stopped_early = stopped;
  }
  result.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  return result;
}

}  // namespace voqo::speech
