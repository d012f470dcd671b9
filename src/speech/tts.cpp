#include "speech/tts.hpp"

namespace voqo::speech {

Result<void> validate_voice_parameters(const Voice& voice) {
  if (!(voice.speech_rate >= 0.5 && voice.speech_rate <= 2.0))
    return std::unexpected(Error::invalid("speechRate", "must be between 0.5 and 2.0 (1 = normal)"));
  if (!(voice.pitch >= 0.5 && voice.pitch <= 2.0))
    return std::unexpected(Error::invalid("pitch", "must be between 0.5 and 2.0 (1 = normal)"));
  if (voice.clarity && !(*voice.clarity >= 0.0 && *voice.clarity <= 1.0))
    return std::unexpected(Error::invalid("clarity", "must be between 0 and 1"));
  return ok();
}

}  // namespace voqo::speech
