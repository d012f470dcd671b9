#pragma once
/// Supervisors' audio legs on a call (live monitoring, issue 5 §4 JOIN_CALL):
/// up to kMaxSupervisors legs, each with a wait-free ring to the media
/// thread. Per 20 ms frame the mixer adds (saturating) every leg's audio to
/// what the caller hears, gives each leg's listener the line (caller, agent
/// and the other supervisors, not its own voice), and tells the orchestrator
/// whether a supervisor is talking: a frame whose mixed supervisor audio is
/// above −45 dBFS is voiced, and voice holds the agent silent for 500 ms
/// after it (voice_until()); 3 voiced frames in a row (60 ms) stop the
/// agent's reply (SupervisorMix::talking).
///
/// Each leg keeps at most 1 s queued (older audio is dropped first); a leg
/// that leaves loses what it had not played. A slot's ring is made at its
/// first join and reused by later legs.
///
/// Threads: join() and the legs' methods from any thread (mutexes, never
/// held by the media thread but for a try_lock of a listener); mix() on the
/// media thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "pipeline/call_pipeline.hpp"
#include "pipeline/spsc_ring.hpp"

namespace voqo::pipeline {

/// What the supervisors did this frame.
struct SupervisorMix {
  bool talking = false;  ///< a supervisor has been voiced for 60 ms: the agent stops
};

class SupervisorMixer {
 public:
  static constexpr int kMaxLegs = CallPipeline::kMaxSupervisors;
  /// `report(detail)` tells of joins and leaves (on_event "supervisor"), from the joining/leaving thread.
  explicit SupervisorMixer(std::function<void(std::string_view)> report);
  ~SupervisorMixer();

  /// A new leg. `owner` is kept alive by the leg (it owns this mixer).
  /// Errors: ErrorCode::conflict when kMaxLegs are joined.
  Result<std::shared_ptr<SupervisorLeg>> join(std::shared_ptr<void> owner);
  /// Legs joined now (any thread; the media thread skips mix() at 0).
  [[nodiscard]] int legs() const { return legs_.load(std::memory_order_acquire); }
  /// The frame until which a supervisor counts as talking (-1: never).
  [[nodiscard]] int64_t voice_until() const { return voice_until_.load(); }

  /// Mixes frame `frame` (320 samples): `agent` becomes what the caller hears.
  SupervisorMix mix(std::span<const int16_t> caller, std::span<int16_t> agent, int64_t frame);

  struct Slot;

 private:
  friend class MixerLeg;
  std::function<void(std::string_view)> report_;
  std::array<std::unique_ptr<Slot>, kMaxLegs> owned_;  // made at a slot's first join (join_mutex_)
  std::array<std::atomic<Slot*>, kMaxLegs> slots_{};   // published to the media thread
  std::atomic<int> legs_{0};
  std::mutex join_mutex_;
  std::atomic<int64_t> voice_until_{-1};
  int voiced_run_ = 0;  // media thread
  std::array<int32_t, 320> acc_{};
  std::array<int16_t, 320> heard_{}, drop_{};
};

}  // namespace voqo::pipeline
