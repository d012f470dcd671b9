#include "speech/tts_cache.hpp"

#include <algorithm>
#include <cstdio>

namespace voqo::speech {
namespace {

std::string key_of(std::string_view text, const Voice& v) {
  char params[80];
  std::snprintf(params, sizeof params, "|%.3f|%.3f|%.3f|", v.speech_rate, v.pitch, v.clarity.value_or(-1.0));
  return v.id + params + std::string(text);
}

}  // namespace

CachedTextToSpeech::CachedTextToSpeech(std::shared_ptr<TextToSpeech> inner, Limits limits)
    : inner_(std::move(inner)), limits_(limits) {}

Result<SynthesisResult> CachedTextToSpeech::synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) {
  const auto started = std::chrono::steady_clock::now();
  const std::string key = key_of(text, voice);
  std::shared_ptr<const Entry> hit;
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      // A copy keeps the audio valid while it is replayed outside the lock (it may be evicted meanwhile).
      hit = std::make_shared<const Entry>(*it->second);
      ++stats_.hits;
    } else {
      ++stats_.misses;
    }
  }
  if (hit) {
    SynthesisResult r;
    r.format = hit->format;
    std::span<const int16_t> all(hit->samples);
    for (std::size_t at = 0; at < all.size(); at += limits_.chunk_samples) {
      const auto chunk = all.subspan(at, std::min(limits_.chunk_samples, all.size() - at));
      if (r.chunks == 0)
        r.first_chunk_latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
      ++r.chunks;
      r.samples += chunk.size();
      if (!on_audio(chunk)) {
        r.stopped_early = true;
        break;
      }
    }
    r.total_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    return r;
  }
  const bool keep = text.size() <= limits_.max_text_bytes;
  std::vector<int16_t> captured;
  auto r = inner_->synthesize(text, voice, [&](std::span<const int16_t> chunk) {
    if (keep) captured.insert(captured.end(), chunk.begin(), chunk.end());
    return on_audio(chunk);
  });
  if (!r || r->stopped_early || !keep || captured.empty()) return r;
  const std::size_t bytes = captured.size() * sizeof(int16_t);
  if (bytes > limits_.max_bytes) return r;
  std::lock_guard lock(mutex_);
  if (index_.contains(key)) return r;  // another call synthesised it meanwhile
  lru_.push_front(Entry{key, r->format, std::move(captured)});
  index_[key] = lru_.begin();
  stats_.bytes += bytes;
  while (stats_.bytes > limits_.max_bytes && !lru_.empty()) {
    stats_.bytes -= lru_.back().samples.size() * sizeof(int16_t);
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  stats_.entries = lru_.size();
  return r;
}

CachedTextToSpeech::Stats CachedTextToSpeech::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace voqo::speech
