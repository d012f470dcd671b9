#include "speech/stt.hpp"

#include <algorithm>

namespace voqo::speech {

Result<Transcript> transcribe(SpeechToText& stt, const PcmAudio& audio) {
  if (auto r = stt.begin_utterance(audio.format); !r) return std::unexpected(r.error());
  constexpr std::size_t kBlock = 320;  // 20 ms at 16 kHz
  const std::span<const int16_t> all{audio.samples};
  for (std::size_t i = 0; i < all.size(); i += kBlock) {
    if (auto r = stt.accept(all.subspan(i, std::min(kBlock, all.size() - i))); !r) {
      (void)stt.end_utterance();
      return std::unexpected(r.error());
    }
  }
  return stt.end_utterance();
}

}  // namespace voqo::speech
