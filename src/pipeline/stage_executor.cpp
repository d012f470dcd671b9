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

}  // namespace

std::shared_ptr<StageQueue> PoolExecutor::make_queue() { return std::make_shared<PoolQueue>(pool_); }

}  // namespace voqo::pipeline
