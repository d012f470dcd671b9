#pragma once
/// Embedded, offline speech recognition with CMU PocketSphinx
/// (Debian 12: pocketsphinx 0.8+5prealpha, US English model pocketsphinx-en-us).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "speech/stt.hpp"

namespace voqo::speech {

/// Model files; the defaults are where Debian's pocketsphinx-en-us installs them.
struct PocketsphinxConfig {
  std::string hmm_dir = "/usr/share/pocketsphinx/model/en-us/en-us";             ///< acoustic model directory
  std::string language_model = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";  ///< trigram LM (ARPA or .lm.bin)
  std::string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";  ///< pronunciation dictionary
  bool quiet = true;  ///< send PocketSphinx's own log to /dev/null (it is process-wide)
  /// Further decoder options as PocketSphinx names them, e.g. {"-beam", "1e-60"}
  /// (applied after the defaults above, so they win).
  std::vector<std::pair<std::string, std::string>> options;
};

/// SpeechToText over one PocketSphinx decoder (`ps_decoder_t`), which costs
/// ~0.3 s and ~30 MB of memory to create (loading the LM); reuse an instance
/// for every utterance of a call. Thread-compatible: one instance per call.
///
/// Confidence = the mean, over the recognised words (fillers such as <sil>
/// and [NOISE] excluded), of each word's lattice posterior probability
/// (ps_seg_prob after ps_get_prob's forward-backward pass); 0 when nothing was
/// recognised. (The whole-path posterior ps_get_prob itself is ~0 for any
/// sentence-length utterance, so it makes a poor confidence.)
/// The decoder carries its cepstral mean normalisation estimate from one
/// utterance to the next, so later utterances of the same caller are decoded
/// with a better-adapted estimate (and the same audio can decode slightly
/// differently as the first or the fifth utterance of an instance).
/// Audio: 16 kHz mono s16 only (see SpeechToText).
class PocketsphinxStt final : public SpeechToText {
 public:
  /// Loads the models. Errors: ErrorCode::not_found when a model file or
  /// directory is missing; ErrorCode::internal when PocketSphinx refuses them.
  static Result<std::unique_ptr<PocketsphinxStt>> create(const PocketsphinxConfig& config = {});
  ~PocketsphinxStt() override;
  PocketsphinxStt(const PocketsphinxStt&) = delete;
  PocketsphinxStt& operator=(const PocketsphinxStt&) = delete;

  Result<void> begin_utterance(AudioFormat format = kWideband) override;
  Result<void> accept(std::span<const int16_t> samples_16khz) override;
  std::string partial() override;
  Result<Transcript> end_utterance() override;
  /// An estimate of the decoder's memory: the bytes of the model files it
  /// loads into its own memory (the acoustic model's folder, the language
  /// model and the dictionary: ~38 MB for the en-us models), taken once at
  /// create(). The decoder's search state is small beside them.
  [[nodiscard]] int64_t memory_bytes() const override;

 private:
  struct Impl;
  explicit PocketsphinxStt(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace voqo::speech
