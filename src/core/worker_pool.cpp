#include "core/worker_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "core/log.hpp"

namespace voqo {

WorkerPool::WorkerPool(int threads, std::string name, LaneSplit split) {
  if (threads < 1) threads = 1;
  split_ = split.urgent_threads > 0 && split.urgent_threads < threads;
  for (int i = 0; i < threads; ++i) {
    const Role role = !split_ ? Role::both : i < split.urgent_threads ? Role::urgent_only : Role::normal_only;
    const std::string thread_name = (role == Role::normal_only ? name + "-bg" : name).substr(0, 15);
    const int nice = role == Role::normal_only ? split.background_nice : 0;
    threads_.emplace_back([this, role, thread_name, nice] {
      pthread_setname_np(pthread_self(), thread_name.c_str());
      if (nice != 0) {  // relative to the process's own nice value
        const auto tid = static_cast<id_t>(gettid());
        errno = 0;
        const int base = getpriority(PRIO_PROCESS, tid);
        if (errno != 0 || setpriority(PRIO_PROCESS, tid, base + nice) != 0)
          spdlog::debug("{}: setpriority(+{}): {}", thread_name, nice, std::strerror(errno));
      }
      run(role);
    });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  cv_urgent_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::post(std::function<void()> task, Lane lane) {
  {
    std::lock_guard lock(mutex_);
    (lane == Lane::urgent ? urgent_ : tasks_).push_back(std::move(task));
  }
  (split_ && lane == Lane::urgent ? cv_urgent_ : cv_).notify_one();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return tasks_.size() + urgent_.size();
}

void WorkerPool::run(Role role) {
  auto& cv = role == Role::urgent_only ? cv_urgent_ : cv_;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      // When stopping, any worker takes either lane: a task run by the last
      // worker alive may queue one in the other lane, and it must still run.
      auto source = [&]() -> std::deque<std::function<void()>>* {
        if ((role != Role::normal_only || stopping_) && !urgent_.empty()) return &urgent_;
        if ((role != Role::urgent_only || stopping_) && !tasks_.empty()) return &tasks_;
        return nullptr;
      };
      cv.wait(lock, [&] { return stopping_ || source() != nullptr; });
      auto* from = source();
      if (!from) return;  // stopping and drained
      task = std::move(from->front());
      from->pop_front();
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
