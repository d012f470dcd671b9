// TurnTiming's figure (declared in call_pipeline.hpp): voqo's own share of a turn's latency.
#include <algorithm>

#include "pipeline/call_pipeline.hpp"

namespace voqo::pipeline {

int64_t own_overhead_us(const TurnTiming& t, int silence_threshold_ms) {
  // After the silence wait, the reply waits for the response delay and for
  // the engines, whichever is longer (the delay runs while they compute).
  const int64_t total = t.first_packet_us - t.last_caller_audio_us;
  const int64_t engines = t.stt_compute_us + t.brain_compute_us + t.tts_compute_us;
  return total - int64_t{silence_threshold_ms} * 1000 - std::max<int64_t>(int64_t{t.response_delay_ms} * 1000, engines);
}

}  // namespace voqo::pipeline
