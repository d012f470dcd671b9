#pragma once
/// Audio level of a block of PCM16 samples, for meters (live_calls
/// agent_gain / customer_gain, 0–100) and for logs.
#include <cstdint>
#include <span>

namespace voqo::pipeline {

/// RMS level in dBFS (0 = a full-scale square wave); -96 for digital silence.
double level_dbfs(std::span<const int16_t> samples);

/// Maps a dBFS level to a 0–100 meter reading: -60 dBFS and below → 0,
/// 0 dBFS → 100, linear in dB between (the range of speech on a phone line).
int meter_percent(double dbfs);

}  // namespace voqo::pipeline
