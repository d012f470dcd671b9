#include "pipeline/supervisor_mixer.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace voqo::pipeline {
namespace {
constexpr int kFrame = 320;
constexpr std::size_t kRingSamples = 16000 * 2;  // ring capacity; playout keeps at most 1 s queued
constexpr std::size_t kMaxQueued = 16000;        // 1 s
constexpr double kVoiceDbfs = -45.0;             // energy gate for a supervisor's voice
constexpr int kHangoverFrames = 25;              // 500 ms
constexpr int kTalkingFrames = 3;                // 60 ms

int16_t saturate(int32_t v) { return static_cast<int16_t>(std::clamp<int32_t>(v, INT16_MIN, INT16_MAX)); }
}  // namespace

/// A supervisor's place on the call. The media thread drops what a leg left
/// unplayed (while the slot is free, or at the next join when `flush` says
/// audio was still queued then).
struct SupervisorMixer::Slot {
  std::atomic<bool> active{false};
  std::atomic<bool> flush{false};
  std::atomic<uint32_t> generation{0};  // which leg owns the slot
  SpscRing<int16_t> ring{kRingSamples};
  std::mutex producer_mutex;  // speak(), join and leave: one producer at a time
  std::mutex listener_mutex;  // set_listener/leave; the media thread only try_locks it
  std::function<void(std::span<const int16_t>)> listener;
  bool has_audio = false;                  // media thread: this frame carries its audio
  std::array<int16_t, kFrame> frame{};     // media thread: its audio of this frame
};

/// SupervisorMixer::join's leg: a slot, for one generation.
class MixerLeg final : public SupervisorLeg {
 public:
  MixerLeg(std::shared_ptr<void> owner, SupervisorMixer& mixer, SupervisorMixer::Slot& slot, uint32_t generation)
      : owner_(std::move(owner)), mixer_(mixer), slot_(slot), generation_(generation) {}
  ~MixerLeg() override { leave(); }

  void speak(std::span<const int16_t> pcm) override {
    std::lock_guard lock(slot_.producer_mutex);
    if (mine()) (void)slot_.ring.write(pcm);  // beyond the ring's 2 s: dropped here; playout keeps 1 s
  }
  void set_listener(std::function<void(std::span<const int16_t>)> on_frame) override {
    std::lock_guard lock(slot_.listener_mutex);
    if (mine()) slot_.listener = std::move(on_frame);
  }
  void leave() override {
    std::lock_guard producer(slot_.producer_mutex);
    if (!mine()) return;
    {
      std::lock_guard lock(slot_.listener_mutex);
      slot_.listener = nullptr;
    }
    slot_.active.store(false, std::memory_order_release);
    left_ = true;
    mixer_.legs_.fetch_sub(1, std::memory_order_release);
    mixer_.report_("left the call's audio");
  }

 private:
  bool mine() const { return !left_ && slot_.active.load() && slot_.generation.load() == generation_; }
  std::shared_ptr<void> owner_;  // keeps the mixer alive
  SupervisorMixer& mixer_;
  SupervisorMixer::Slot& slot_;
  const uint32_t generation_;
  bool left_ = false;  // guarded by slot_.producer_mutex
};

SupervisorMixer::SupervisorMixer(std::function<void(std::string_view)> report) : report_(std::move(report)) {}
SupervisorMixer::~SupervisorMixer() = default;

Result<std::shared_ptr<SupervisorLeg>> SupervisorMixer::join(std::shared_ptr<void> owner) {
  std::lock_guard lock(join_mutex_);
  for (int i = 0; i < kMaxLegs; ++i) {
    if (!owned_[i]) {
      owned_[i] = std::make_unique<Slot>();
      slots_[i].store(owned_[i].get(), std::memory_order_release);
    }
    Slot& slot = *owned_[i];
    std::lock_guard producer(slot.producer_mutex);
    if (slot.active.load()) continue;
    slot.flush.store(slot.ring.size() > 0);  // the media thread has not yet dropped a predecessor's audio
    const uint32_t gen = slot.generation.fetch_add(1) + 1;
    slot.active.store(true, std::memory_order_release);
    legs_.fetch_add(1, std::memory_order_release);
    report_("joined the call's audio");
    return std::shared_ptr<SupervisorLeg>(std::make_shared<MixerLeg>(std::move(owner), *this, slot, gen));
  }
  return std::unexpected(
      Error{ErrorCode::conflict, "at most " + std::to_string(kMaxLegs) + " supervisors can join a call", {}});
}

SupervisorMix SupervisorMixer::mix(std::span<const int16_t> caller, std::span<int16_t> agent, int64_t frame) {
  acc_.fill(0);
  bool any = false;
  std::array<Slot*, kMaxLegs> slots{};
  for (int i = 0; i < kMaxLegs; ++i) slots[i] = slots_[i].load(std::memory_order_acquire);
  for (Slot* slot : slots) {
    if (!slot) continue;
    slot->has_audio = false;
    SpscRing<int16_t>& ring = slot->ring;
    if (!slot->active.load(std::memory_order_acquire)) {
      if (ring.size() > 0) ring.discard();  // a supervisor left: what it queued is not played
      continue;
    }
    if (slot->flush.exchange(false)) ring.discard();
    for (std::size_t queued = ring.size(); queued > kMaxQueued;) {  // at most 1 s waits: the oldest goes first
      const std::size_t n = ring.read(std::span<int16_t>(drop_.data(), std::min<std::size_t>(kFrame, queued - kMaxQueued)));
      if (n == 0) break;
      queued -= n;
    }
    const std::size_t n = ring.read(slot->frame);
    if (n == 0) continue;
    std::fill(slot->frame.begin() + static_cast<std::ptrdiff_t>(n), slot->frame.end(), int16_t{0});
    slot->has_audio = any = true;
    for (int i = 0; i < kFrame; ++i) acc_[i] += slot->frame[i];
  }
  // Each listener hears the line: caller, agent and the other supervisors.
  for (Slot* slot : slots) {
    if (!slot || !slot->active.load(std::memory_order_acquire)) continue;
    std::unique_lock lock(slot->listener_mutex, std::try_to_lock);
    if (!lock.owns_lock() || !slot->listener) continue;
    for (int i = 0; i < kFrame; ++i)
      heard_[i] = saturate(int32_t{caller[i]} + agent[i] + acc_[i] - (slot->has_audio ? slot->frame[i] : 0));
    slot->listener(std::span<const int16_t>(heard_));
  }
  // The energy gate: while a supervisor talks, the agent is silent.
  double sum = 0;
  for (int32_t x : acc_) sum += static_cast<double>(x) * x;
  const double rms = std::sqrt(sum / kFrame);
  const bool voiced = any && rms >= 1.0 && 20.0 * std::log10(rms / 32768.0) > kVoiceDbfs;
  voiced_run_ = voiced ? voiced_run_ + 1 : 0;
  if (voiced) voice_until_.store(frame + kHangoverFrames);
  if (any)
    for (int i = 0; i < kFrame; ++i) agent[i] = saturate(int32_t{agent[i]} + acc_[i]);
  return SupervisorMix{voiced_run_ >= kTalkingFrames};
}

}  // namespace voqo::pipeline
