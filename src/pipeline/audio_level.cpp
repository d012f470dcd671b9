#include "pipeline/audio_level.hpp"

#include <algorithm>
#include <cmath>

namespace voqo::pipeline {

double level_dbfs(std::span<const int16_t> samples) {
  if (samples.empty()) return -96.0;
  double sum = 0;
  for (int16_t s : samples) sum += static_cast<double>(s) * s;
  const double rms = std::sqrt(sum / static_cast<double>(samples.size()));
  if (rms < 1.0) return -96.0;
  return 20.0 * std::log10(rms / 32768.0);
}

int meter_percent(double dbfs) {
  return static_cast<int>(std::lround(std::clamp((dbfs + 60.0) / 60.0, 0.0, 1.0) * 100.0));
}

}  // namespace voqo::pipeline
