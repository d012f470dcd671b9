#include "support/fake_engines.hpp"

#include <cmath>
#include <numbers>

namespace voqo::test {

// ---- FakeSpeechToText ----

FakeSpeechToText::FakeSpeechToText(pipeline::Clock& clock, std::vector<ScriptedTranscript> script)
    : clock_(clock), script_(std::move(script)) {}

Result<void> FakeSpeechToText::begin_utterance(speech::AudioFormat format) {
  if (format.sample_rate_hz != 16000 || format.channels != 1)
    return std::unexpected(Error{ErrorCode::unsupported, "16 kHz mono only", {}});
  std::lock_guard lock(mutex_);
  if (open_) return std::unexpected(Error{ErrorCode::conflict, "an utterance is open", {}});
  open_ = true;
  samples_ = 0;
  ++begun_;
  return {};
}

Result<void> FakeSpeechToText::accept(std::span<const int16_t> samples) {
  std::lock_guard lock(mutex_);
  if (!open_) return std::unexpected(Error{ErrorCode::conflict, "no utterance", {}});
  samples_ += static_cast<int64_t>(samples.size());
  return {};
}

std::string FakeSpeechToText::partial() {
  std::lock_guard lock(mutex_);
  if (!open_ || samples_ == 0 || next_ >= script_.size()) return "";
  return script_[next_].partial;
}

Result<speech::Transcript> FakeSpeechToText::end_utterance() {
  ScriptedTranscript s;
  int64_t samples = 0;
  {
    std::lock_guard lock(mutex_);
    if (!open_) return std::unexpected(Error{ErrorCode::conflict, "no utterance", {}});
    open_ = false;
    samples = samples_;
    audio_ms_.push_back(samples / 16);
    if (next_ < script_.size()) s = script_[next_];
    else s.confidence = 0;
    ++next_;
  }
  if (s.delay.count() > 0) clock_.sleep_for(s.delay);
  return speech::Transcript{s.text, s.confidence, s.delay, std::chrono::milliseconds(samples / 16)};
}

std::vector<int64_t> FakeSpeechToText::utterance_audio_ms() const {
  std::lock_guard lock(mutex_);
  return audio_ms_;
}

int FakeSpeechToText::begun() const {
  std::lock_guard lock(mutex_);
  return begun_;
}

// ---- FakeTextToSpeech ----

FakeTextToSpeech::FakeTextToSpeech(pipeline::Clock& clock, Options options) : clock_(clock), options_(options) {}

int FakeTextToSpeech::length_ms(std::string_view text) const {
  return text.empty() ? 0 : options_.leading_silence_ms + static_cast<int>(text.size()) * options_.ms_per_char;
}

Result<speech::SynthesisResult> FakeTextToSpeech::synthesize(std::string_view text, const speech::Voice& voice,
                                                             const speech::AudioSink& on_audio) {
  if (voice.id != "fake") return std::unexpected(Error::invalid("voiceId", "unknown voice"));
  {
    std::lock_guard lock(mutex_);
    spoken_.emplace_back(text);
  }
  speech::SynthesisResult r;
  r.format = {options_.rate_hz, 1};
  if (text.empty()) return r;
  if (options_.first_chunk_delay.count() > 0) clock_.sleep_for(options_.first_chunk_delay);
  const int64_t total = int64_t{length_ms(text)} * options_.rate_hz / 1000;
  const int64_t lead = int64_t{options_.leading_silence_ms} * options_.rate_hz / 1000;
  const std::size_t chunk = static_cast<std::size_t>(options_.rate_hz / 50);
  const double amplitude = 32768.0 * std::sqrt(2.0) * std::pow(10.0, options_.tone_dbfs / 20.0);
  std::vector<int16_t> buf(chunk);
  for (int64_t at = 0; at < total; at += static_cast<int64_t>(chunk)) {
    const std::size_t n = static_cast<std::size_t>(std::min<int64_t>(static_cast<int64_t>(chunk), total - at));
    for (std::size_t i = 0; i < n; ++i) {
      const int64_t s = at + static_cast<int64_t>(i);
      buf[i] = options_.silent || s < lead
                   ? 0
                   : static_cast<int16_t>(amplitude * std::sin(2 * std::numbers::pi * 440.0 * static_cast<double>(s) / options_.rate_hz));
    }
    ++r.chunks;
    r.samples += n;
    if (!on_audio(std::span<const int16_t>(buf.data(), n))) {
      r.stopped_early = true;
      break;
    }
  }
  return r;
}

Result<speech::AudioFormat> FakeTextToSpeech::output_format(std::string_view voice_id) const {
  if (voice_id != "fake") return std::unexpected(Error::invalid("voiceId", "unknown voice"));
  return speech::AudioFormat{options_.rate_hz, 1};
}

std::vector<std::string> FakeTextToSpeech::spoken() const {
  std::lock_guard lock(mutex_);
  return spoken_;
}

// ---- FakeBrain ----

FakeBrain::FakeBrain(pipeline::Clock& clock, std::string greeting, std::vector<Reply> replies)
    : clock_(clock), greeting_(std::move(greeting)), replies_(std::move(replies)) {}

Result<brain::Reply> FakeBrain::say(const Reply& reply, const brain::TextSink& sink, std::stop_token stop) {
  for (auto left = reply.think; left.count() > 0 && !stop.stop_requested(); left -= std::chrono::milliseconds(20))
    clock_.sleep_for(std::min(left, std::chrono::milliseconds(20)));
  std::string text = reply.text;
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) text = *it + " " + text;  // whispers first
  pending_.clear();
  brain::Reply r;
  r.end_call = reply.end_call;
  r.transfer_to = reply.transfer_to;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(". ", start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string sentence = text.substr(start, end - start);
    if (stop.stop_requested() || !sink(sentence)) break;
    r.text += (r.text.empty() ? "" : " ") + sentence;
    start = end + (end < text.size() ? 1 : 0);
  }
  return r;
}

Result<brain::Reply> FakeBrain::greet(const brain::TextSink& sink, std::stop_token stop) { return say({greeting_}, sink, stop); }

Result<brain::Reply> FakeBrain::respond(std::string_view caller_text, const brain::TextSink& sink, std::stop_token stop) {
  heard.emplace_back(caller_text);
  const Reply reply = next_ < replies_.size() ? replies_[next_] : Reply{"Okay."};
  ++next_;
  return say(reply, sink, stop);
}

void FakeBrain::interrupted(std::string_view spoken) { interruptions.emplace_back(spoken); }

void FakeBrain::coach(std::string_view whisper) {
  whispers.emplace_back(whisper);
  pending_.emplace_back(whisper);
}

Result<brain::CallResult> FakeBrain::finish(std::span<const model::TranscriptLine> transcript, std::stop_token) {
  finished_lines = transcript.size();
  brain::CallResult r;
  r.summary = "fake";
  return r;
}

}  // namespace voqo::test
