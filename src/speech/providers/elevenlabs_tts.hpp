#pragma once
/// Text-to-speech with ElevenLabs' streaming HTTP endpoint (API reference
/// "Stream speech": POST /v1/text-to-speech/{voice_id}/stream).
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "speech/tts.hpp"

namespace voqo::speech {

/// Account, model and voice settings.
struct ElevenLabsConfig {
  std::string base_url = "https://api.elevenlabs.io";  ///< scheme://host[:port][/prefix]
  std::string api_key;                                 ///< sent as the `xi-api-key` header
  std::string model_id = "eleven_flash_v2_5";          ///< e.g. eleven_flash_v2_5, eleven_turbo_v2_5, eleven_multilingual_v2
  /// Voice ids this agent may use (voices()); empty = any non-empty id is
  /// passed through and ElevenLabs judges it.
  std::vector<std::string> voices;
  double stability = 0.5;          ///< voice_settings.stability, [0, 1]
  double similarity_boost = 0.75;  ///< voice_settings.similarity_boost, [0, 1]
  std::chrono::milliseconds timeout{30000};  ///< whole request
};

/// Reassembles little-endian PCM16 samples from byte chunks cut at arbitrary
/// (also odd) offsets: an odd trailing byte is kept for the next chunk.
class Pcm16Reassembler {
 public:
  /// Appends the samples completed by `bytes` to `out` (cleared first).
  void feed(std::string_view bytes, std::vector<int16_t>& out);
  /// Whether a lone byte is waiting for its partner.
  [[nodiscard]] bool has_pending_byte() const { return pending_.has_value(); }

 private:
  std::optional<unsigned char> pending_;
};

/// TextToSpeech over ElevenLabs: requests output_format=pcm_16000 (raw
/// signed 16-bit little-endian mono at 16 kHz, the API's documented PCM
/// format) and hands samples to the sink as the response body streams in,
/// one sink call per received body chunk (bytes split across chunks are
/// reassembled; a final odd byte is dropped). Request body (JSON):
/// {text, model_id, voice_settings{stability, similarity_boost[, speed]}}.
///
/// Voice mapping:
///  - speech_rate r (validated to [0.5, 2.0]) → voice_settings.speed, sent
///    only when r ≠ 1; ElevenLabs documents speed for 0.7–1.2 ("values outside
///    the 0.7-1.2 range are not supported"), so r is clamped to that range
///    (0.5 → 0.7, 2.0 → 1.2): the nearest tempo the API can give.
///  - pitch: the API has no pitch control; it is validated and then ignored.
///  - clarity c ∈ [0, 1] → voice_settings.similarity_boost (ElevenLabs'
///    "Clarity + Similarity Enhancement"); without one, the configured
///    similarity_boost is sent.
///
/// A sink returning false aborts the transfer (stopped_early = true, success).
/// The first 16 body bytes are held back until it is clear they are audio: if
/// they are all printable ASCII (an error body such as {"detail": ...}, which
/// the status would reveal only after the body), the whole body is buffered and
/// judged by the status at the end. Errors: invalid_argument "voiceId" (unknown
/// voice, the message lists the known ones), "speechRate"/"pitch";
/// ErrorCode::io for transport failures; ErrorCode::internal for a non-2xx
/// status (message carries ElevenLabs' detail). Thread-safe (no shared
/// mutable state); blocks for the whole synthesis.
class ElevenLabsTts final : public TextToSpeech {
 public:
  explicit ElevenLabsTts(ElevenLabsConfig config);

  Result<SynthesisResult> synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) override;
  Result<AudioFormat> output_format(std::string_view voice_id) const override;
  std::vector<std::string> voices() const override;

  /// The voice_settings.speed sent for `speech_rate`, or nullopt when none is
  /// sent (rate 1). See the class comment.
  static std::optional<double> speed_for_rate(double speech_rate);

 private:
  Result<void> check_voice(std::string_view voice_id) const;
  ElevenLabsConfig config_;
};

}  // namespace voqo::speech
