#include "core/worker_pool.hpp"

#include <exception>

#include "core/log.hpp"

namespace voqo {

WorkerPool::WorkerPool(int threads, std::string name) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([this, name] {
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      run();
    });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("worker task threw: {}", e.what());
    } catch (...) {
      spdlog::error("worker task threw a non-exception");
    }
  }
}

void SerialQueue::post(std::function<void()> task) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    if (!running_) running_ = start = true;
  }
  if (start) pool_.post([self = shared_from_this()] { self->run_one(); });
}

void SerialQueue::run_one() {
  std::function<void()> task;
  {
    std::lock_guard lock(mutex_);
    task = std::move(tasks_.front());
    tasks_.pop_front();
  }
  try {
    task();
  } catch (const std::exception& e) {
    spdlog::error("serial task threw: {}", e.what());
  } catch (...) {
    spdlog::error("serial task threw a non-exception");
  }
  bool more = false;
  {
    std::lock_guard lock(mutex_);
    more = !tasks_.empty();
    if (!more) running_ = false;
  }
  // One task per pool slot, so a busy call cannot starve the others.
  if (more) pool_.post([self = shared_from_this()] { self->run_one(); });
}

}  // namespace voqo
