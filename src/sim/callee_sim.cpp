#include "sim/callee_sim.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "pipeline/vad.hpp"
#include "speech/flite_tts.hpp"
#include "telephony/media_engine.hpp"
#include "telephony/resampler.hpp"
#include "telephony/sip_agent.hpp"

namespace voqo::sim {
namespace {

constexpr int kRate = 16000;
constexpr int kFrameMs = telephony::kPtimeMs;
constexpr int kFrame = telephony::kFrameSamples16k;

int64_t frames_of(std::chrono::milliseconds d) { return (d.count() + kFrameMs - 1) / kFrameMs; }

/// One persona's lines as 16 kHz PCM, shared read-only by every call.
struct PersonaAudio {
  std::vector<std::vector<int16_t>> lines;
};

/// The answering machine's beep: 1 kHz, 400 ms at −12 dBFS with 5 ms ramps,
/// after 300 ms of silence (a tone that answering-machine detectors such as
/// pipeline/amd.hpp take for a beep: one steady sine, 400–2100 Hz, ≥ 120 ms).
void append_beep(std::vector<int16_t>& pcm) {
  pcm.insert(pcm.end(), static_cast<std::size_t>(kRate * 3 / 10), 0);
  const int n = kRate * 4 / 10, ramp = kRate * 5 / 1000;
  const double amp = 32767.0 * std::pow(10.0, -12.0 / 20.0);
  for (int i = 0; i < n; ++i) {
    const double env = std::min({1.0, static_cast<double>(i) / ramp, static_cast<double>(n - 1 - i) / ramp});
    pcm.push_back(static_cast<int16_t>(amp * env * std::sin(2.0 * std::numbers::pi * 1000.0 * i / kRate)));
  }
}

/// Synthesises `text` with flite `voice` at 16 kHz, from 20 ms before its
/// first audible sample (flite opens with ~200 ms of silence).
Result<std::vector<int16_t>> synthesize_line(speech::TextToSpeech& tts, const std::string& text, const std::string& voice) {
  auto format = tts.output_format(voice);
  if (!format) return std::unexpected(format.error());
  std::vector<int16_t> raw;
  auto r = tts.synthesize(text, speech::Voice{voice, 1.0, 1.0}, [&](std::span<const int16_t> pcm) {
    raw.insert(raw.end(), pcm.begin(), pcm.end());
    return true;
  });
  if (!r) return std::unexpected(r.error());
  std::vector<int16_t> pcm;
  if (format->sample_rate_hz == kRate) {
    pcm = std::move(raw);
  } else {
    auto rs = telephony::Resampler::create(format->sample_rate_hz, kRate);
    if (!rs) return std::unexpected(rs.error());
    if (auto ok = rs->process(raw, pcm); !ok) return std::unexpected(ok.error());
  }
  const auto loud = std::find_if(pcm.begin(), pcm.end(), [](int16_t x) { return x > 64 || x < -64; });
  const auto from = loud - std::min<std::ptrdiff_t>(loud - pcm.begin(), kFrame);
  pcm.erase(pcm.begin(), from);
  return pcm;
}

/// The media side of one call: plays the persona's lines and listens to the
/// agent (media thread only, except the atomics).
class CallMedia final : public telephony::MediaHandler {
 public:
  CallMedia(const PersonaAudio& audio, const PersonaScript& script, pipeline::VoiceActivityDetector vad,
            const CalleeSimConfig& cfg)
      : audio_(audio),
        vad_(std::move(vad)),
        speaks_first_(script.speaks_first),
        pickup_frames_(frames_of(cfg.pickup_delay)),
        gap_frames_(frames_of(cfg.reply_gap)),
        idle_frames_(frames_of(cfg.idle_hangup)),
        max_frames_(frames_of(cfg.max_call)) {
    if (script.patience) patience_.emplace(*script.patience);
  }

  void on_frame(std::span<const int16_t> agent_audio, std::span<int16_t> out, uint64_t) override {
    ++frame_;
    const pipeline::VadFrame v = vad_.process(agent_audio);
    if (v.voiced) last_agent_voiced_ = frame_;
    // impatient: no agent voice within its patience of the answer → hang up.
    if (patience_ && patience_->state() == Patience::State::waiting &&
        patience_->frame(std::chrono::milliseconds(frame_ * kFrameMs), v.voiced) == Patience::State::hang_up) {
      impatient_hangup.store(true, std::memory_order_relaxed);
      want_hangup.store(true, std::memory_order_release);
    }
    if (!playing_) {
      // The agent's turn counts only when it speaks after our line ended
      // (what it says over us, e.g. the tail of a reply we barged into, does not).
      if (v.in_speech) agent_spoke_ = true;
      const bool first = next_ == 0 && speaks_first_ && frame_ >= pickup_frames_;
      const bool reply = (next_ > 0 || !speaks_first_) && agent_spoke_ && !v.in_speech && frame_ - last_agent_voiced_ >= gap_frames_;
      if ((first || reply) && next_ < audio_.lines.size()) {
        playing_ = true;
        line_ = next_++;
        pos_ = 0;
        lines_started.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (playing_) {
      const auto& line = audio_.lines[line_];
      const std::size_t n = std::min(out.size(), line.size() - pos_);
      std::copy_n(line.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
      pos_ += n;
      if (pos_ >= line.size()) {
        playing_ = false;
        agent_spoke_ = false;
      }
    }
    // Hang-up conditions: both sides silent for idle_hangup, or max_call reached.
    idle_ = (playing_ || v.voiced) ? 0 : idle_ + 1;
    if ((idle_ >= idle_frames_ || frame_ >= max_frames_) && !want_hangup.load(std::memory_order_relaxed))
      want_hangup.store(true, std::memory_order_release);
  }

  void on_dtmf(char, int) override {}

  std::atomic<bool> want_hangup{false};
  std::atomic<bool> impatient_hangup{false};  ///< want_hangup because the agent was silent too long
  std::atomic<uint64_t> lines_started{0};

 private:
  const PersonaAudio& audio_;
  pipeline::VoiceActivityDetector vad_;
  const bool speaks_first_;
  std::optional<Patience> patience_;
  const int64_t pickup_frames_, gap_frames_, idle_frames_, max_frames_;
  int64_t frame_ = 0;
  int64_t last_agent_voiced_ = 0;
  int64_t idle_ = 0;
  bool playing_ = false;
  bool agent_spoke_ = false;
  std::size_t next_ = 0, line_ = 0, pos_ = 0;
};

}  // namespace

struct SimCall;

struct CalleeSim::Impl {
  CalleeSimConfig cfg;
  PersonaRules rules;
  std::array<PersonaAudio, kPersonaCount> audio;
  double synthesized_s = 0;
  std::unique_ptr<telephony::MediaEngine> media;
  std::unique_ptr<telephony::SipUserAgent> sip;

  mutable std::mutex mutex;  // guards `calls` and SimCall::sip
  std::condition_variable wake;
  bool stopping = false;
  std::map<SimCall*, std::shared_ptr<SimCall>> calls;
  std::thread housekeeper;

  std::atomic<uint64_t> invites{0}, answered{0}, busy{0}, ringing_cancelled{0}, ended{0}, hung_up{0}, impatient_hung_up{0},
      lines{0}, active{0}, max_active{0};
  std::array<std::atomic<uint64_t>, kPersonaCount> by_persona{};

  telephony::IncomingDecision incoming(const telephony::IncomingCall& in);
  void ended_call(SimCall* call, const telephony::CallEnd& end);
  void housekeeping();
};

/// SIP-side state of one accepted call.
struct SimCall final : telephony::SipCallObserver {
  SimCall(CalleeSim::Impl& s, Persona p, std::shared_ptr<CallMedia> m) : sim(s), persona(p), media(std::move(m)) {}
  std::shared_ptr<telephony::MediaHandler> media_handler() override { return media; }
  void on_answered(const std::string& codec, int) override {
    sim.answered.fetch_add(1);
    spdlog::debug("callee-sim: {} answered ({})", persona_name(persona), codec);
  }
  void on_ended(const telephony::CallEnd& end) override { sim.ended_call(this, end); }
  void on_incoming_accepted(std::weak_ptr<telephony::SipCall> call) override {
    std::lock_guard lock(sim.mutex);
    sip = std::move(call);
  }

  CalleeSim::Impl& sim;
  const Persona persona;
  const std::shared_ptr<CallMedia> media;
  std::weak_ptr<telephony::SipCall> sip;  // under sim.mutex
  bool hangup_sent = false;               // under sim.mutex
};

telephony::IncomingDecision CalleeSim::Impl::incoming(const telephony::IncomingCall& in) {
  const Persona p = rules.choose(in.to_user);
  invites.fetch_add(1);
  by_persona[static_cast<std::size_t>(p)].fetch_add(1);
  const PersonaScript& script = persona_script(p);
  spdlog::info("callee-sim: INVITE to {} from {}: {}", in.to_user, in.from_user, persona_name(p));
  if (script.pickup == Pickup::busy) {
    busy.fetch_add(1);
    return {nullptr, 486, "Busy Here", std::nullopt};
  }
  auto vad = pipeline::VoiceActivityDetector::create();
  if (!vad) {
    spdlog::error("callee-sim: VAD: {}", vad.error().message);
    return {nullptr, 500, "Server Internal Error", std::nullopt};
  }
  auto call = std::make_shared<SimCall>(*this, p, std::make_shared<CallMedia>(audio[static_cast<std::size_t>(p)],
                                                                               script, std::move(*vad), cfg));
  {
    std::lock_guard lock(mutex);
    calls[call.get()] = call;
  }
  const uint64_t now_active = active.fetch_add(1) + 1;
  for (uint64_t m = max_active.load(); now_active > m && !max_active.compare_exchange_weak(m, now_active);) {
  }
  telephony::IncomingDecision d{call, 0, "", std::nullopt};
  if (script.pickup == Pickup::ring_forever) d.answer_after = telephony::kRingForever;
  else if (cfg.answer_delay.count() > 0) d.answer_after = cfg.answer_delay;
  return d;
}

void CalleeSim::Impl::ended_call(SimCall* call, const telephony::CallEnd& end) {
  std::shared_ptr<SimCall> keep;
  {
    std::lock_guard lock(mutex);
    auto it = calls.find(call);
    if (it == calls.end()) return;
    keep = std::move(it->second);
    calls.erase(it);
  }
  lines.fetch_add(keep->media->lines_started.load());
  if (!end.answered && end.status == "cancelled" && end.remote_hangup) ringing_cancelled.fetch_add(1);
  ended.fetch_add(1);
  active.fetch_sub(1);
  spdlog::info("callee-sim: {} call ended: {} ({})", persona_name(keep->persona), end.status, end.reason);
}

void CalleeSim::Impl::housekeeping() {
  pthread_setname_np(pthread_self(), "voqo-sim-hk");
  std::unique_lock lock(mutex);
  while (!stopping) {
    wake.wait_for(lock, std::chrono::milliseconds(100));
    std::vector<std::pair<std::shared_ptr<telephony::SipCall>, bool>> to_end;  // call, impatient
    for (auto& [ptr, c] : calls) {
      if (c->hangup_sent || !c->media->want_hangup.load(std::memory_order_acquire)) continue;
      c->hangup_sent = true;
      if (auto s = c->sip.lock()) to_end.emplace_back(std::move(s), c->media->impatient_hangup.load());
    }
    lock.unlock();
    for (auto& [s, impatient] : to_end) {
      hung_up.fetch_add(1);
      if (impatient) impatient_hung_up.fetch_add(1);
      spdlog::info("callee-sim: hanging up {} ({})", s->call_id(),
                   impatient ? "impatient: no agent voice within 2 s of the answer" : "silence or max call time");
      s->hangup();
    }
    lock.lock();
  }
}

CalleeSim::CalleeSim(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CalleeSim::~CalleeSim() { stop(); }

Result<std::unique_ptr<CalleeSim>> CalleeSim::start(CalleeSimConfig config) {
  auto impl = std::make_unique<Impl>();
  auto& d = *impl;
  d.cfg = std::move(config);
  if (!d.cfg.rules_file.empty()) {
    auto rules = PersonaRules::load(d.cfg.rules_file);
    if (!rules) return std::unexpected(rules.error());
    d.rules = std::move(*rules);
  }
  if (d.cfg.voice == "slt")
    return std::unexpected(Error::invalid("voice", "slt is the agents' default voice; pick rms, awb or kal16"));

  // Every line of every persona, once.
  speech::FliteTts tts;
  for (Persona p : kAllPersonas) {
    const PersonaScript& script = persona_script(p);
    const std::string voice = d.cfg.voice.empty() ? script.voice : d.cfg.voice;
    auto& lines = d.audio[static_cast<std::size_t>(p)].lines;
    for (std::size_t i = 0; i < script.lines.size(); ++i) {
      auto pcm = synthesize_line(tts, script.lines[i], voice);
      if (!pcm) return std::unexpected(pcm.error());
      if (i == 0 && script.beep_after_first) append_beep(*pcm);
      d.synthesized_s += static_cast<double>(pcm->size()) / kRate;
      lines.push_back(std::move(*pcm));
    }
  }

  auto media = telephony::MediaEngine::create({d.cfg.media_threads, d.cfg.listen_ip, d.cfg.rtp_port_min, d.cfg.rtp_port_max});
  if (!media) return std::unexpected(media.error());
  d.media = std::move(*media);
  telephony::SipUserAgent::Config sc;
  sc.listen_ip = d.cfg.listen_ip;
  sc.port = d.cfg.port;
  sc.user_agent = "voqo-callee-sim";
  auto sip = telephony::SipUserAgent::create(sc, *d.media);
  if (!sip) return std::unexpected(sip.error());
  d.sip = std::move(*sip);
  d.housekeeper = std::thread([&d] { d.housekeeping(); });
  d.sip->set_incoming_handler([&d](const telephony::IncomingCall& in) { return d.incoming(in); });
  return std::unique_ptr<CalleeSim>(new CalleeSim(std::move(impl)));
}

void CalleeSim::stop() {
  auto& d = *impl_;
  {
    std::lock_guard lock(d.mutex);
    if (d.stopping) return;
    d.stopping = true;
  }
  d.wake.notify_all();
  if (d.housekeeper.joinable()) d.housekeeper.join();
  d.sip.reset();  // ends every call (on_ended runs on the SIP thread before this returns)
  d.media.reset();
}

uint16_t CalleeSim::udp_port() const { return impl_->sip ? impl_->sip->udp_port() : 0; }
uint16_t CalleeSim::tcp_port() const { return impl_->sip ? impl_->sip->tcp_port() : 0; }
double CalleeSim::synthesized_seconds() const { return impl_->synthesized_s; }

CalleeSimCounters CalleeSim::counters() const {
  const auto& d = *impl_;
  CalleeSimCounters c;
  c.invites = d.invites.load();
  c.answered = d.answered.load();
  c.busy = d.busy.load();
  c.ringing_cancelled = d.ringing_cancelled.load();
  c.ended = d.ended.load();
  c.hung_up_by_sim = d.hung_up.load();
  c.impatient_hang_ups = d.impatient_hung_up.load();
  c.active = d.active.load();
  c.max_active = d.max_active.load();
  uint64_t live_lines = 0;
  {
    std::lock_guard lock(d.mutex);
    for (const auto& [ptr, call] : d.calls) live_lines += call->media->lines_started.load();
  }
  c.lines_spoken = d.lines.load() + live_lines;
  for (std::size_t i = 0; i < kPersonaCount; ++i) c.by_persona[i] = d.by_persona[i].load();
  return c;
}

}  // namespace voqo::sim
