#include "pipeline/stage_executor.hpp"

#include <future>

namespace voqo::pipeline {
namespace {

class PoolQueue final : public StageQueue {
 public:
  explicit PoolQueue(WorkerPool& pool) : queue_(SerialQueue::create(pool)) {}
  void post(std::function<void()> task, Lane lane) override { queue_->post(std::move(task), lane); }
  void drain() override {
    std::promise<void> done;
    auto fut = done.get_future();
    queue_->post([&done] { done.set_value(); });
    fut.wait();
  }

 private:
  std::shared_ptr<SerialQueue> queue_;
};

class MeteredQueue final : public StageQueue {
 public:
  MeteredQueue(std::shared_ptr<StageQueue> inner, std::shared_ptr<CallUsage> usage)
      : inner_(std::move(inner)), usage_(std::move(usage)) {}
  void post(std::function<void()> task, Lane lane) override {
    inner_->post(
        [usage = usage_, task = std::move(task)] {
          UsageScope scope(usage.get());
          task();
        },
        lane);
  }
  void drain() override { inner_->drain(); }

 private:
  std::shared_ptr<StageQueue> inner_;
  std::shared_ptr<CallUsage> usage_;
};

}  // namespace

std::shared_ptr<StageQueue> PoolExecutor::make_queue() { return std::make_shared<PoolQueue>(pool_); }

std::shared_ptr<StageQueue> MeteredExecutor::make_queue() {
  return std::make_shared<MeteredQueue>(inner_.make_queue(), usage_);
}

}  // namespace voqo::pipeline
