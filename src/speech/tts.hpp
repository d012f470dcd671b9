#pragma once
/// Text-to-speech engine interface (DESIGN.md "Engines behind small
/// interfaces"): synthesis streams audio to a callback as it is produced, so
/// the first chunk can go out before the sentence is finished and a barge-in
/// can stop it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "speech/audio.hpp"

namespace voqo::speech {

/// Voice selection, mirroring the agent fields voiceId / speechRate / pitch
/// (the agent data model spec).
struct Voice {
  std::string id;            ///< engine-specific voice name ("slt", "kal16", "de", ...)
  double speech_rate = 1.0;  ///< tempo multiplier in [0.5, 2.0]; 1 = the voice's normal rate, 2 = twice as fast
  double pitch = 1.0;        ///< mean-pitch multiplier in [0.5, 2.0]; 1 = the voice's normal pitch
  /// Clarity in [0, 1] (swarm configuration `clarity`, issue 18 §6), or
  /// nullopt for the engine's default. ElevenLabs sends it as
  /// voice_settings.similarity_boost, the setting its voice settings call
  /// "Clarity + Similarity Enhancement"; flite and espeak-ng have no such
  /// control and ignore it.
  std::optional<double> clarity;
};

/// Receives consecutive chunks of mono s16 samples at SynthesisResult's rate
/// (also given by TextToSpeech::output_format before synthesis). Return true to
/// continue, false to stop synthesis early (barge-in). The span is valid only
/// during the call.
using AudioSink = std::function<bool(std::span<const int16_t>)>;

/// What one synthesize() call produced.
struct SynthesisResult {
  AudioFormat format;             ///< rate of every chunk delivered (mono)
  std::size_t samples = 0;        ///< samples delivered to the sink in total
  std::size_t chunks = 0;         ///< sink calls
  bool stopped_early = false;     ///< the sink returned false
  std::chrono::microseconds first_chunk_latency{0};  ///< from the call to the first sink call
  std::chrono::microseconds total_time{0};           ///< the whole call
};

/// A speech synthesiser. Implementations say whether concurrent calls are
/// safe; they block, so they run on a worker pool, never on io threads.
class TextToSpeech {
 public:
  virtual ~TextToSpeech() = default;

  /// Synthesises UTF-8 `text` with `voice`, delivering audio to `on_audio` in
  /// order as it is produced. Errors: ErrorCode::invalid_argument with field
  /// "voiceId" for an unknown voice (the message lists the known ones), or
  /// "speechRate"/"pitch" outside [0.5, 2.0]; ErrorCode::internal when the
  /// engine fails. Empty text succeeds with no audio.
  virtual Result<SynthesisResult> synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) = 0;

  /// The format (rate, mono) that synthesize() will deliver for `voice_id`.
  /// Errors: invalid_argument "voiceId" for an unknown voice.
  virtual Result<AudioFormat> output_format(std::string_view voice_id) const = 0;

  /// Known voice ids.
  virtual std::vector<std::string> voices() const = 0;
};

/// Checks speech_rate and pitch against [0.5, 2.0] (field errors "speechRate", "pitch").
Result<void> validate_voice_parameters(const Voice& voice);

}  // namespace voqo::speech
