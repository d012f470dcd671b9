#pragma once
/// Embedded English text-to-speech with CMU Flite 2.2 (Debian flite1-dev).
#include <memory>

#include "speech/tts.hpp"

namespace voqo::speech {

/// TextToSpeech over Flite's compiled-in US English voices:
///   "slt" (female), "rms" (male), "awb" (male, Scottish) — clustergen, 16 kHz;
///   "kal16" (male) — diphone, 16 kHz.
/// speech_rate r maps to Flite's duration_stretch = 1/r; pitch p scales the
/// voice's own int_f0_target_mean (Hz) by p. Both are set on the utterance,
/// never on the shared voice.
///
/// Audio is streamed through Flite's audio streaming hook (clustergen voices
/// deliver chunks while the waveform is generated; the diphone voice delivers
/// its waveform in ~0.1 s chunks at the end).
///
/// Clustergen voices excite unvoiced sounds with rand(), so the same text
/// gives slightly different samples each time (same length).
///
/// Thread-safe but serialized: voices are registered once per process and
/// per-call settings live on the utterance, yet Flite's reentrancy is not
/// established, so all synthesize() calls in the process share one mutex,
/// held while `on_audio` runs (keep the sink short: copy and return). At the
/// measured ~0.01–0.03 real-time factor one process still feeds dozens of
/// concurrent calls; lifting the lock needs a reentrancy audit of Flite.
class FliteTts final : public TextToSpeech {
 public:
  FliteTts();
  ~FliteTts() override;

  Result<SynthesisResult> synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) override;
  Result<AudioFormat> output_format(std::string_view voice_id) const override;
  std::vector<std::string> voices() const override;
};

}  // namespace voqo::speech
