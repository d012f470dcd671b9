#include "pipeline/reply_player.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace voqo::pipeline {
namespace {
constexpr std::size_t kFrame = 320;
constexpr int64_t kFrameMs = 20;
}  // namespace

std::string heard_text(const std::vector<SpokenSentence>& sentences, uint64_t at) {
  std::string out;
  for (const auto& s : sentences) {
    if (at >= s.end) {
      out += (out.empty() ? "" : " ") + s.text;
      continue;
    }
    if (at > s.start && s.end > s.start) {
      const double share = static_cast<double>(at - s.start) / static_cast<double>(s.end - s.start);
      std::size_t cut = static_cast<std::size_t>(share * static_cast<double>(s.text.size()));
      while (cut > 0 && cut < s.text.size() && s.text[cut] != ' ') --cut;
      if (cut > 0) out += (out.empty() ? "" : " ") + s.text.substr(0, cut);
    }
    break;
  }
  return out;
}

ReplyPlayer::ReplyPlayer(std::shared_ptr<speech::TextToSpeech> tts, speech::Voice voice, Clock& clock)
    : tts_(std::move(tts)), voice_(std::move(voice)), clock_(clock) {
  scratch_.reserve(16000);
}

std::stop_token ReplyPlayer::arm() {
  std::lock_guard lock(stop_mutex_);
  stop_ = std::stop_source();
  return stop_.get_token();
}

int ReplyPlayer::begin(SteadyTime play_not_before) {
  sentences_.clear();
  settled_ = false;
  first_audio_.reset();
  first_text_.reset();
  end_sample_.store(UINT64_MAX);
  first_packet_frame_.store(-1);
  first_packet_at_.store(0);
  play_not_before_.store(play_not_before.time_since_epoch().count(), std::memory_order_relaxed);
  const int id = id_.fetch_add(1, std::memory_order_release) + 1;
  active_.store(true);
  return id;
}

bool ReplyPlayer::speak(std::string_view text, std::stop_token stop) {
  if (!first_text_) first_text_ = clock_.now();
  auto format = tts_->output_format(voice_.id);
  if (!format) return false;
  if (format->sample_rate_hz != 16000 && (!resampler_ || resampler_->from_hz() != format->sample_rate_hz)) {
    auto r = telephony::Resampler::create(format->sample_rate_hz, 16000);
    if (!r) return false;
    resampler_.emplace(std::move(*r));
  }
  const uint64_t start = written_.load();
  const auto t0 = clock_.now();
  bool first = true;
  bool trimming = sentences_.empty();  // the reply's first sentence starts at its first audible sample
  lead_.clear();
  auto sink = [&](std::span<const int16_t> pcm_in) -> bool {
    std::span<const int16_t> pcm = pcm_in;
    if (trimming) {
      const auto loud = std::find_if(pcm.begin(), pcm.end(), [](int16_t x) { return x > 64 || x < -64; });
      lead_.insert(lead_.end(), pcm.begin(), loud);
      if (lead_.size() > kFrame) lead_.erase(lead_.begin(), lead_.end() - kFrame);
      if (loud == pcm.end()) return !stop.stop_requested();
      trimming = false;
      lead_.insert(lead_.end(), loud, pcm.end());
      pcm = lead_;
    }
    if (stop.stop_requested()) return false;
    if (first) {
      first = false;
      if (!first_audio_) first_audio_.emplace(clock_.now(), clock_.us_since(t0));
    }
    bool reply_opens = written_.load() == read_.load() &&
                       clock_.now().time_since_epoch().count() >= play_not_before_.load(std::memory_order_relaxed);
    std::span<const int16_t> in = pcm;
    if (format->sample_rate_hz != 16000) {
      scratch_.clear();
      (void)resampler_->process(pcm, scratch_);
      in = scratch_;
    }
    while (!in.empty()) {
      const std::size_t n = ring_.write(in);
      written_.fetch_add(n);
      in = in.subspan(n);
      if (reply_opens && n > 0) {
        reply_opens = false;  // nothing was playing and the reply may start now: the next 5 ms slot
        std::lock_guard lock(play_soon_mutex_);
        if (play_soon_) play_soon_();
      }
      if (!in.empty()) {  // ring full: wait for playout (backpressure), or stop
        if (stop.stop_requested() || closed_.load()) return false;
        clock_.sleep_for(std::chrono::milliseconds(20));
      }
    }
    return !stop.stop_requested();
  };
  auto r = tts_->synthesize(text, voice_, sink);
  if (!r) spdlog::warn("tts: {}", r.error().message);
  sentences_.push_back({std::string(text), start, written_.load()});
  return r && !r->stopped_early;
}

ReplyPlayer::Sealed ReplyPlayer::seal(std::stop_token stop, int64_t at_frame, std::optional<Interrupted>& cut) {
  end_sample_.store(written_.load(), std::memory_order_release);
  const int id = id_.load();
  if (stop.stop_requested()) {
    if (!closed_.load() && flushed_.load() != id) {
      mark_flushed(id);  // stopped by interrupt() before playout was flushed for it
      if (active_.exchange(false)) cut = Interrupted{id, read_.load(), at_frame};
    }
    return Sealed::stopped;
  }
  if ((sentences_.empty() || written_.load() == read_.load()) && active_.exchange(false)) return Sealed::silent;
  return Sealed::playing;
}

bool ReplyPlayer::settle(int id) {
  if (id != id_.load() || settled_) return false;
  settled_ = true;
  return true;
}

ReplyCut ReplyPlayer::cut(const Interrupted& at) const {
  return ReplyCut{at.reply, heard_text(sentences_, at.heard_at), first_packet_frame_.load(), at.at_frame};
}

ReplySource fixed_line(std::string text, bool end_call) {
  return [text = std::move(text), end_call](const brain::TextSink& sink, std::stop_token) -> Result<brain::Reply> {
    brain::Reply r;
    r.text = text;
    r.end_call = end_call;
    sink(text);
    return r;
  };
}

std::optional<model::TranscriptLine> cut_line(const ReplyCut& c) {
  if (c.start_frame < 0 && c.heard.empty()) return std::nullopt;
  return model::TranscriptLine{.entry_id = "agent-" + std::to_string(c.reply), .speaker = "agent", .text = c.heard,
                               .start_ms = (c.start_frame >= 0 ? c.start_frame : c.at_frame) * kFrameMs,
                               .end_ms = c.at_frame * kFrameMs, .is_final = true, .interrupted = true};
}

std::optional<model::TranscriptLine> ReplyPlayer::played_line(int64_t end_frame) const {
  std::string said = text();
  if (said.empty()) return std::nullopt;
  const int64_t first = first_packet_frame();
  return model::TranscriptLine{.entry_id = "agent-" + std::to_string(id()), .speaker = "agent", .text = std::move(said),
                               .start_ms = (first >= 0 ? first : end_frame) * kFrameMs, .end_ms = end_frame * kFrameMs,
                               .is_final = true};
}

int64_t ReplyPlayer::memory_bytes() const {
  std::size_t bytes = ring_.touched_bytes() + (scratch_.capacity() + lead_.capacity()) * sizeof(int16_t) +
                      sentences_.capacity() * sizeof(SpokenSentence);
  for (const auto& s : sentences_) bytes += s.text.capacity();
  return static_cast<int64_t>(bytes);
}

std::string ReplyPlayer::text() const {
  std::string text;
  for (const auto& s : sentences_) text += (text.empty() ? "" : " ") + s.text;
  return text;
}

std::optional<PlayoutDone> ReplyPlayer::pull(std::span<int16_t> agent, int64_t frame, SteadyTime now) {
  const int id = id_.load(std::memory_order_acquire);
  if (flushed_.load(std::memory_order_relaxed) == id) {
    read_.fetch_add(ring_.discard());
    return std::nullopt;
  }
  if (now.time_since_epoch().count() < play_not_before_.load(std::memory_order_relaxed)) return std::nullopt;
  const std::size_t n = ring_.read(agent);
  if (n > 0) {
    read_.fetch_add(n);
    int64_t expected = -1;
    if (first_packet_frame_.compare_exchange_strong(expected, frame)) first_packet_at_.store(now.time_since_epoch().count());
    if (!heard_.load(std::memory_order_relaxed)) {
      first_call_packet_at_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
      heard_.store(true, std::memory_order_release);
    }
  }
  if (active_.load() && read_.load() >= end_sample_.load(std::memory_order_acquire) && active_.exchange(false))
    return PlayoutDone{id, frame};
  return std::nullopt;
}

Interrupted ReplyPlayer::flush(int64_t frame) {
  const int id = id_.load();
  flushed_.store(id);
  const uint64_t heard_at = read_.load();
  read_.fetch_add(ring_.discard());
  {
    std::lock_guard lock(stop_mutex_);
    stop_.request_stop();
  }
  active_.store(false);
  return Interrupted{id, heard_at, frame};
}

void ReplyPlayer::mark_flushed(int id) {
  for (int f = flushed_.load(); f < id && !flushed_.compare_exchange_weak(f, id);) {
  }
}

std::optional<Interrupted> ReplyPlayer::interrupt(int64_t frame) {
  int id = 0;
  {
    std::lock_guard lock(stop_mutex_);
    id = id_.load();
    stop_.request_stop();
  }
  // The media thread drops the queued audio at its next frame; a reply that
  // begins meanwhile is settled by seal().
  mark_flushed(id);
  if (active_.exchange(false)) return Interrupted{id, read_.load(), frame};
  return std::nullopt;
}

void ReplyPlayer::close() {
  closed_.store(true);
  std::lock_guard lock(stop_mutex_);
  stop_.request_stop();
}

std::optional<SteadyTime> ReplyPlayer::first_packet_at() const {
  const auto at = first_packet_at_.load();
  if (first_packet_frame_.load() < 0 || at == 0) return std::nullopt;
  return SteadyTime{SteadyTime::duration{at}};
}

std::optional<SteadyTime> ReplyPlayer::first_call_packet_at() const {
  if (!heard_.load(std::memory_order_acquire)) return std::nullopt;
  return SteadyTime{SteadyTime::duration{first_call_packet_at_.load(std::memory_order_relaxed)}};
}

void ReplyPlayer::set_play_soon(std::function<void()> play_soon) {
  std::lock_guard lock(play_soon_mutex_);
  play_soon_ = std::move(play_soon);
}

}  // namespace voqo::pipeline
