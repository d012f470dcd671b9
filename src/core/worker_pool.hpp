#pragma once
/// Worker threads for blocking engines (STT, TTS, brains, SQLite) and serial
/// queues on top of them (DESIGN.md "Threads": blocking engines run on
/// bounded worker pools, never on io or media threads).
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace voqo {

/// Which of a pool's two FIFO queues a task joins. A worker always takes
/// the oldest urgent task first: turn-critical work (the caller's turn has
/// ended; the agent must answer) must not wait behind other calls'
/// background work (streaming recognition of audio that nobody waits for
/// yet), which on a loaded box is most of the queue.
enum class Lane { normal, urgent };

/// How the workers divide the lanes. Default: every worker takes urgent
/// tasks first, then normal ones. With `urgent_threads` > 0 (and fewer
/// than the pool's threads) those workers run only urgent tasks, and the
/// rest, named "<name>-bg", only normal ones, `background_nice` above the
/// process's nice value (setpriority(2); the kernel gives a thread at +5
/// about a third of a +0 one's share of a busy core). On a saturated box
/// the turn-critical path then gets the CPU before other calls' background
/// recognition, not just the front of the queue.
struct LaneSplit {
  int urgent_threads = 0;
  int background_nice = 0;
};

/// A fixed set of threads taking tasks from two FIFO queues (urgent first).
class WorkerPool {
 public:
  /// Starts `threads` workers (≥ 1) named `name` (≤ 12 chars, for top/gdb).
  explicit WorkerPool(int threads, std::string name = "voqo-worker", LaneSplit split = {});
  /// Runs the tasks already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `task`; thread-safe. Tasks must not throw (an escaping exception is logged and dropped).
  void post(std::function<void()> task, Lane lane = Lane::normal);
  [[nodiscard]] std::size_t threads() const { return threads_.size(); }
  /// Tasks queued and not yet started.
  [[nodiscard]] std::size_t queued() const;

 private:
  enum class Role { both, urgent_only, normal_only };
  void run(Role role);
  mutable std::mutex mutex_;
  std::condition_variable cv_, cv_urgent_;  ///< cv_urgent_: urgent_only workers (split pools)
  bool split_ = false;
  std::deque<std::function<void()>> tasks_, urgent_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Runs its tasks one at a time, in order, on a WorkerPool (an executor
/// "strand"): what one stage of one call does never overlaps with itself,
/// without holding a thread while idle. Thread-safe. Must outlive its tasks:
/// hold it in a shared_ptr captured by them, or drain() before destroying.
///
/// Priority inheritance: while an urgent task is queued, the queue runs in
/// the pool's urgent lane, so the tasks ahead of it (which it must follow:
/// the recogniser's pending audio before the end-of-turn search) go first
/// too. Order within the queue never changes.
class SerialQueue : public std::enable_shared_from_this<SerialQueue> {
 public:
  static std::shared_ptr<SerialQueue> create(WorkerPool& pool) {
    return std::shared_ptr<SerialQueue>(new SerialQueue(pool));
  }
  void post(std::function<void()> task, Lane lane = Lane::normal);

 private:
  explicit SerialQueue(WorkerPool& pool) : pool_(pool) {}
  void run_one(Lane slot);
  /// Posts a pool slot when one is needed (lock held): none queued, or only
  /// a normal one while an urgent task waits.
  void schedule_locked();
  WorkerPool& pool_;
  std::mutex mutex_;
  std::deque<std::pair<std::function<void()>, Lane>> tasks_;
  std::size_t urgent_waiting_ = 0;  ///< urgent tasks in tasks_
  bool executing_ = false;          ///< a task of this queue is running now
  int slots_queued_ = 0;            ///< run_one slots posted to the pool, not yet started
  bool urgent_slot_queued_ = false;
};

}  // namespace voqo
