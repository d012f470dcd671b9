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

void WorkerPool::post(std::function<void()> task, Lane lane) {
  {
    std::lock_guard lock(mutex_);
    (lane == Lane::urgent ? urgent_ : tasks_).push_back(std::move(task));
  }
  cv_.notify_one();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return tasks_.size() + urgent_.size();
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty() || !urgent_.empty(); });
      auto& from = !urgent_.empty() ? urgent_ : tasks_;
      if (from.empty()) return;  // stopping and drained
      task = std::move(from.front());
      from.pop_front();
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

void SerialQueue::post(std::function<void()> task, Lane lane) {
  std::lock_guard lock(mutex_);
  tasks_.emplace_back(std::move(task), lane);
  if (lane == Lane::urgent) ++urgent_waiting_;
  if (!executing_) schedule_locked();
}

void SerialQueue::schedule_locked() {
  if (tasks_.empty()) return;
  const bool urgent = urgent_waiting_ > 0;
  if (slots_queued_ > 0 && (!urgent || urgent_slot_queued_)) return;
  // A normal slot may already be queued: this urgent one overtakes it, and
  // whichever runs second finds the queue busy or empty and does nothing.
  ++slots_queued_;
  if (urgent) urgent_slot_queued_ = true;
  const Lane slot = urgent ? Lane::urgent : Lane::normal;
  pool_.post([self = shared_from_this(), slot] { self->run_one(slot); }, slot);
}

void SerialQueue::run_one(Lane slot) {
  std::function<void()> task;
  {
    std::lock_guard lock(mutex_);
    --slots_queued_;
    if (slot == Lane::urgent) urgent_slot_queued_ = false;
    if (executing_ || tasks_.empty()) return;  // another slot got here first
    executing_ = true;
    if (tasks_.front().second == Lane::urgent) --urgent_waiting_;
    task = std::move(tasks_.front().first);
    tasks_.pop_front();
  }
  try {
    task();
  } catch (const std::exception& e) {
    spdlog::error("serial task threw: {}", e.what());
  } catch (...) {
    spdlog::error("serial task threw a non-exception");
  }
  // One task per pool slot, so a busy call cannot starve the others.
  std::lock_guard lock(mutex_);
  executing_ = false;
  schedule_locked();
}

}  // namespace voqo
