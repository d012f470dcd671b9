#include "telephony/resampler.hpp"

#include <limits>
#include <string>
#include <utility>

#include <speex/speex_resampler.h>

namespace voqo::telephony {

Result<Resampler> Resampler::create(int from_hz, int to_hz, int quality) {
  if (from_hz <= 0) return std::unexpected(Error::invalid("fromHz", "sample rate must be positive"));
  if (to_hz <= 0) return std::unexpected(Error::invalid("toHz", "sample rate must be positive"));
  if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
    return std::unexpected(Error::invalid("quality", "speex resampler quality must be 0..10"));
  int err = RESAMPLER_ERR_SUCCESS;
  SpeexResamplerState* st = speex_resampler_init(1, static_cast<spx_uint32_t>(from_hz),
                                                 static_cast<spx_uint32_t>(to_hz), quality, &err);
  if (!st || err != RESAMPLER_ERR_SUCCESS) {
    if (st) speex_resampler_destroy(st);
    return std::unexpected(Error{ErrorCode::internal,
                                 std::string("speex_resampler_init: ") + speex_resampler_strerror(err), {}});
  }
  return Resampler(st, from_hz, to_hz);
}

Resampler::Resampler(SpeexResamplerState_* state, int from_hz, int to_hz)
    : state_(state), from_hz_(from_hz), to_hz_(to_hz) {}

Resampler::~Resampler() {
  if (state_) speex_resampler_destroy(state_);
}

Resampler::Resampler(Resampler&& o) noexcept
    : state_(std::exchange(o.state_, nullptr)), from_hz_(o.from_hz_), to_hz_(o.to_hz_) {}

Resampler& Resampler::operator=(Resampler&& o) noexcept {
  if (this != &o) {
    if (state_) speex_resampler_destroy(state_);
    state_ = std::exchange(o.state_, nullptr);
    from_hz_ = o.from_hz_;
    to_hz_ = o.to_hz_;
  }
  return *this;
}

std::size_t Resampler::max_output(std::size_t in_samples) const {
  const auto from = static_cast<std::size_t>(from_hz_);
  const auto to = static_cast<std::size_t>(to_hz_);
  return (in_samples * to + from - 1) / from + 2;
}

Result<void> Resampler::process(std::span<const int16_t> in, std::vector<int16_t>& out) {
  if (!state_) return std::unexpected(Error{ErrorCode::internal, "resampler used after move", {}});
  const std::size_t base = out.size();
  out.resize(base + max_output(in.size()));
  std::size_t written = base;
  // speex takes 32-bit counts; it may stop early when output room runs out,
  // so loop until every input sample is consumed.
  constexpr std::size_t kMaxChunk = std::numeric_limits<spx_uint32_t>::max() / 4;
  while (!in.empty()) {
    if (out.size() - written < 2) out.resize(written + max_output(in.size()));
    auto in_len = static_cast<spx_uint32_t>(std::min(in.size(), kMaxChunk));
    auto out_len = static_cast<spx_uint32_t>(std::min(out.size() - written, kMaxChunk));
    const int err = speex_resampler_process_int(state_, 0, in.data(), &in_len, out.data() + written, &out_len);
    written += out_len;
    if (err != RESAMPLER_ERR_SUCCESS) {
      out.resize(written);
      return std::unexpected(Error{ErrorCode::internal,
                                   std::string("speex_resampler_process_int: ") + speex_resampler_strerror(err), {}});
    }
    if (in_len == 0 && out_len == 0) break;  // cannot happen with output room; guard against spinning
    in = in.subspan(in_len);
  }
  out.resize(written);
  return ok();
}

void Resampler::reset() {
  if (state_) speex_resampler_reset_mem(state_);
}

int Resampler::latency_samples() const { return state_ ? speex_resampler_get_output_latency(state_) : 0; }

}  // namespace voqo::telephony
