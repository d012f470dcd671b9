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

/// A fixed set of threads taking tasks from one FIFO queue.
class WorkerPool {
 public:
  /// Starts `threads` workers (≥ 1) named `name` (≤ 15 chars, for top/gdb).
  explicit WorkerPool(int threads, std::string name = "voqo-worker");
  /// Runs the tasks already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `task`; thread-safe. Tasks must not throw (an escaping exception is logged and dropped).
  void post(std::function<void()> task);
  [[nodiscard]] std::size_t threads() const { return threads_.size(); }
  /// Tasks queued and not yet started.
  [[nodiscard]] std::size_t queued() const;

 private:
  void run();
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Runs its tasks one at a time, in order, on a WorkerPool (an executor
/// "strand"): what one stage of one call does never overlaps with itself,
/// without holding a thread while idle. Thread-safe. Must outlive its tasks:
/// hold it in a shared_ptr captured by them, or drain() before destroying.
class SerialQueue : public std::enable_shared_from_this<SerialQueue> {
 public:
  static std::shared_ptr<SerialQueue> create(WorkerPool& pool) {
    return std::shared_ptr<SerialQueue>(new SerialQueue(pool));
  }
  void post(std::function<void()> task);

 private:
  explicit SerialQueue(WorkerPool& pool) : pool_(pool) {}
  void run_one();
  WorkerPool& pool_;
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
  bool running_ = false;
};

}  // namespace voqo
