#include "speech/providers/openai_transcription_stt.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

#include "core/json_parse.hpp"
#include "net/http_client.hpp"
#include "speech/providers/provider_common.hpp"

namespace voqo::speech {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxUploadBytes = 25u * 1024u * 1024u;  // OpenAI: "File uploads are currently limited to 25 MB"
constexpr std::size_t kWavHeaderBytes = 44;

std::string random_boundary() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b = "voqo-form-";
  for (int i = 0; i < 24; ++i) b += kHex[rng() & 0x0F];
  return b;
}

// RFC 7578 multipart/form-data.
struct FormPart {
  std::string name;
  std::string value;
  std::string filename;      // non-empty for a file part
  std::string content_type;  // for a file part
};

std::pair<std::string, std::string> encode_form(const std::vector<FormPart>& parts) {
  std::string boundary;
  for (;;) {  // a boundary must not occur in any part (RFC 2046 §5.1.1)
    boundary = random_boundary();
    bool clash = false;
    for (const auto& p : parts) clash = clash || p.value.find(boundary) != std::string::npos;
    if (!clash) break;
  }
  std::string body;
  for (const auto& p : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) body += "; filename=\"" + p.filename + "\"\r\nContent-Type: " + p.content_type;
    body += "\r\n\r\n";
    body += p.value;
    body += "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

double confidence_of(const nlohmann::json& j, const std::string& text) {
  if (j.contains("logprobs") && j["logprobs"].is_array() && !j["logprobs"].empty()) {
    double sum = 0;
    std::size_t n = 0;
    for (const auto& t : j["logprobs"]) {
      if (t.is_object() && t.contains("logprob") && t["logprob"].is_number()) {
        sum += t["logprob"].get<double>();
        ++n;
      }
    }
    if (n > 0) return std::exp(sum / static_cast<double>(n));
  }
  if (j.contains("segments") && j["segments"].is_array() && !j["segments"].empty()) {
    double sum = 0, weight = 0;
    for (const auto& s : j["segments"]) {
      if (!s.is_object() || !s.contains("avg_logprob") || !s["avg_logprob"].is_number()) continue;
      double w = s.value("end", 0.0) - s.value("start", 0.0);
      if (!(w > 0)) w = 1.0;
      sum += w * s["avg_logprob"].get<double>();
      weight += w;
    }
    if (weight > 0) return std::exp(sum / weight);
  }
  return text.empty() ? 0.0 : 1.0;
}

}  // namespace

OpenAiTranscriptionStt::OpenAiTranscriptionStt(OpenAiTranscriptionConfig config) : config_(std::move(config)) {}

Result<void> OpenAiTranscriptionStt::begin_utterance(AudioFormat format) {
  if (format != kWideband) return std::unexpected(Error{ErrorCode::unsupported, "openai transcription: audio must be 16 kHz mono", {}});
  if (open_) return std::unexpected(Error::conflict("utterance", "an utterance is already open"));
  open_ = true;
  samples_.clear();
  processing_ = {};
  return ok();
}

Result<void> OpenAiTranscriptionStt::accept(std::span<const int16_t> samples_16khz) {
  if (!open_) return std::unexpected(Error::conflict("utterance", "no utterance is open"));
  if (kWavHeaderBytes + 2 * (samples_.size() + samples_16khz.size()) > kMaxUploadBytes)
    return std::unexpected(Error{ErrorCode::too_large, "openai transcription: utterance exceeds the 25 MB upload limit", {}});
  samples_.insert(samples_.end(), samples_16khz.begin(), samples_16khz.end());
  return ok();
}

std::string OpenAiTranscriptionStt::partial() { return {}; }

Result<Transcript> OpenAiTranscriptionStt::end_utterance() {
  if (!open_) return std::unexpected(Error::conflict("utterance", "no utterance is open"));
  open_ = false;
  const auto start = Clock::now();
  Transcript out;
  out.audio_duration = std::chrono::milliseconds(static_cast<int64_t>(samples_.size()) * 1000 / kWideband.sample_rate_hz);

  auto wav = encode_wav(PcmAudio{kWideband, std::move(samples_)});
  samples_ = {};
  if (!wav) return std::unexpected(wav.error());
  std::vector<FormPart> parts;
  parts.push_back({"file", std::move(*wav), "utterance.wav", "audio/wav"});
  parts.push_back({"model", config_.model, {}, {}});
  if (!config_.language.empty()) parts.push_back({"language", config_.language, {}, {}});
  parts.push_back({"response_format", config_.response_format, {}, {}});
  if (config_.request_logprobs) parts.push_back({"include[]", "logprobs", {}, {}});
  auto [content_type, body] = encode_form(parts);

  net::HttpRequest req;
  req.method = "POST";
  req.url = providers::join_url(config_.base_url, "/v1/audio/transcriptions");
  if (!config_.api_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  req.headers.emplace_back("Content-Type", content_type);
  req.headers.emplace_back("Accept", "application/json");
  req.body = std::move(body);
  req.timeout = config_.timeout;
  auto resp = net::perform(req);
  processing_ += std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  out.processing_time = processing_;
  if (!resp) return std::unexpected(resp.error());
  if (resp->status < 200 || resp->status >= 300)
    return std::unexpected(providers::http_status_error("openai transcription", resp->status, resp->body));
  const auto json = parse_json_or_discarded(resp->body);
  if (!json.is_object() || !json.contains("text") || !json["text"].is_string())
    return std::unexpected(Error{ErrorCode::internal, "openai transcription: response has no string \"text\"", {}});
  raw_text_ = json["text"].get<std::string>();
  out.text = providers::normalize_transcript(raw_text_);
  out.confidence = confidence_of(json, out.text);
  return out;
}

}  // namespace voqo::speech
