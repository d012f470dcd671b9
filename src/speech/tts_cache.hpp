#pragma once
/// A bounded cache of synthesised sentences in front of a deterministic
/// TextToSpeech (the embedded flite and espeak-ng): the same sentence in the
/// same voice (id, speechRate, pitch) is synthesised once and replayed for
/// every later call. Campaigns repeat most of what an agent says — scripted
/// questions, objection answers, closings, voicemail messages, greetings
/// without names — so the CPU a call costs stops growing with how often it is
/// said (issue 4: dialer throughput was bound by synthesising the same
/// greeting for every call).
///
/// Replays deliver the audio in chunks of `chunk_samples` and honour the
/// sink's stop (barge-in) like a live synthesis. Misses are synthesised by the
/// inner engine while their audio is forwarded; a miss that completes (not
/// stopped early) and whose text is at most `max_text_bytes` is stored. Least
/// recently used entries are dropped beyond `max_bytes` of audio.
/// Thread-safe; the inner engine's own concurrency rules apply to misses.
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "speech/tts.hpp"

namespace voqo::speech {

class CachedTextToSpeech final : public TextToSpeech {
 public:
  struct Limits {
    std::size_t max_bytes = 64u << 20;     ///< audio kept, bytes of s16 samples
    std::size_t max_text_bytes = 400;      ///< longer sentences are not kept
    std::size_t chunk_samples = 1024;      ///< replay chunk size
  };
  explicit CachedTextToSpeech(std::shared_ptr<TextToSpeech> inner, Limits limits);
  explicit CachedTextToSpeech(std::shared_ptr<TextToSpeech> inner) : CachedTextToSpeech(std::move(inner), Limits{}) {}

  Result<SynthesisResult> synthesize(std::string_view text, const Voice& voice, const AudioSink& on_audio) override;
  Result<AudioFormat> output_format(std::string_view voice_id) const override { return inner_->output_format(voice_id); }
  std::vector<std::string> voices() const override { return inner_->voices(); }

  struct Stats {
    std::size_t hits = 0, misses = 0, entries = 0, bytes = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Entry {
    std::string key;
    AudioFormat format;
    std::vector<int16_t> samples;
  };
  std::shared_ptr<TextToSpeech> inner_;
  Limits limits_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  ///< most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  Stats stats_;
};

}  // namespace voqo::speech
