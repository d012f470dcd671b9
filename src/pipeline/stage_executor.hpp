#pragma once
/// Where a call's stages run off the media thread (docs/ARCHITECTURE.md
/// "Threads of a call"): each stage (STT, control, live) has a serial queue,
/// so its tasks never overlap themselves. Production queues are SerialQueues
/// on the call service's WorkerPool (PoolExecutor); tests hand the pipeline
/// an executor that runs the tasks on the test's own thread when told
/// (tests/support/stage_harness.hpp), which makes a call deterministic.
#include <functional>
#include <memory>

#include "core/call_usage.hpp"
#include "core/worker_pool.hpp"

namespace voqo::pipeline {

/// One stage's serial queue. Thread-safe.
class StageQueue {
 public:
  virtual ~StageQueue() = default;
  /// Queues `task` behind the queue's earlier tasks; `lane` as WorkerPool's.
  virtual void post(std::function<void()> task, Lane lane = Lane::normal) = 0;
  /// Returns once every task posted before the call has run (blocks; never
  /// call it from a task of this queue).
  virtual void drain() = 0;
};

/// Makes the queues of one call's stages.
class StageExecutor {
 public:
  virtual ~StageExecutor() = default;
  virtual std::shared_ptr<StageQueue> make_queue() = 0;
};

/// SerialQueues on a WorkerPool (the pool must outlive the queues' tasks).
class PoolExecutor final : public StageExecutor {
 public:
  explicit PoolExecutor(WorkerPool& pool) : pool_(pool) {}
  std::shared_ptr<StageQueue> make_queue() override;

 private:
  WorkerPool& pool_;
};

/// Queues of another executor whose every task runs inside a UsageScope of
/// `usage` (core/call_usage.hpp): the task's thread CPU time, and the
/// provider requests it makes, count for the call. Costs two
/// clock_gettime(CLOCK_THREAD_CPUTIME_ID) per task (~0.7 µs, bench_call_usage).
/// The queues keep `usage` alive; `inner` must outlive make_queue() only
/// as far as its own queues need it.
class MeteredExecutor final : public StageExecutor {
 public:
  MeteredExecutor(StageExecutor& inner, std::shared_ptr<CallUsage> usage) : inner_(inner), usage_(std::move(usage)) {}
  std::shared_ptr<StageQueue> make_queue() override;

 private:
  StageExecutor& inner_;
  std::shared_ptr<CallUsage> usage_;
};

/// How a stage posts to its queue: the pipeline wraps the queue so each task
/// keeps the pipeline alive while it runs.
using Post = std::function<void(std::function<void()> task, Lane lane)>;

}  // namespace voqo::pipeline
