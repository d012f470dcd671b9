#include "store/database.hpp"

#include <spdlog/spdlog.h>

namespace voqo::store {
namespace {
thread_local const Database* t_writing = nullptr;
/// Bounds how long one leader works for others (and the latency of the last write in a batch).
constexpr std::size_t kMaxBatch = 256;
}

Database::WriteScope::WriteScope(Database& d) : db(d) { t_writing = &d; }
Database::WriteScope::~WriteScope() { t_writing = nullptr; }
bool Database::in_write_on_this_thread() const { return t_writing == this; }

Database::WriteStats Database::write_stats() const {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

std::size_t Database::pending_writes() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

void Database::submit(PendingWrite& op) {
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&op);
  while (!op.done) {
    if (leader_active_) batch_done_.wait(lock);
    else lead(lock);  // this write is among those queued, or already done
  }
  lock.unlock();
  if (op.thrown) std::rethrow_exception(op.thrown);
}

void Database::lead(std::unique_lock<std::mutex>& lock) {
  leader_active_ = true;
  std::vector<PendingWrite*> batch;
  if (queue_.size() <= kMaxBatch) {
    batch.swap(queue_);
  } else {
    batch.assign(queue_.begin(), queue_.begin() + kMaxBatch);
    queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
  }
  lock.unlock();
  try {
    run_batch(batch);
  } catch (...) {  // begin() on a closed database: each waiter gets the exception
    for (auto* o : batch)
      if (!o->thrown) o->thrown = std::current_exception();
  }
  lock.lock();
  stats_.writes += batch.size();
  ++stats_.transactions;
  for (auto* o : batch) {
    if (o->detached) delete o;
    else o->done = true;
  }
  leader_active_ = false;
  batch_done_.notify_all();
}

void Database::write_deferred(std::function<Result<void>(Connection&)> fn, std::string what) {
  auto* op = new PendingWrite;
  op->detached = true;
  op->run = [fn = std::move(fn), what](Connection& c) {
    try {
      auto r = fn(c);
      if (!r) spdlog::warn("store: {}: {}", what, r.error().message);
      return r.has_value();
    } catch (const std::exception& e) {  // nobody waits to be told: logged, and only this write is undone
      spdlog::warn("store: {}: {}", what, e.what());
      return false;
    }
  };
  op->fail = [what](const Error& e) { spdlog::warn("store: {}: {}", what, e.message); };
  std::lock_guard lock(queue_mutex_);
  if (flusher_stopping_ || !flusher_.joinable()) {  // closed (or never started): nothing would commit it
    delete op;
    return;
  }
  queue_.push_back(op);
  deferred_wake_.notify_one();
}

void Database::flush_loop() {
  pthread_setname_np(pthread_self(), "voqo-store");
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    deferred_wake_.wait(lock, [&] { return flusher_stopping_ || !queue_.empty(); });
    if (flusher_stopping_) break;
    // Give write()s a window to carry the deferred ones; then commit them.
    deferred_wake_.wait_for(lock, std::chrono::milliseconds(kDeferredFlushMs), [&] { return flusher_stopping_; });
    if (flusher_stopping_) break;
    drain(lock);
  }
  drain(lock);  // stopping: what is still queued is committed now
}

void Database::drain(std::unique_lock<std::mutex>& lock) {
  while (!queue_.empty()) {
    if (leader_active_) batch_done_.wait(lock);  // its batch may not hold what came after it
    else lead(lock);
  }
}

void Database::start_deferred_writes() {
  std::lock_guard lock(queue_mutex_);
  if (!flusher_.joinable() && !flusher_stopping_) flusher_ = std::thread([this] { flush_loop(); });
}

void Database::stop_deferred_writes() {
  {
    std::lock_guard lock(queue_mutex_);
    flusher_stopping_ = true;
  }
  deferred_wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

void Database::run_batch(const std::vector<PendingWrite*>& batch) {
  WriteScope scope(*this);
  // Which writes succeeded (and are undone if the transaction fails).
  std::vector<char> ok(batch.size(), 0);
  auto fail_committable = [&](const Error& e) {
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (ok[i]) batch[i]->fail(e);
  };
  if (auto b = begin(); !b) {
    for (auto* o : batch) o->fail(b.error());
    return;
  }
  Connection& c = writer_connection();
  // One write alone needs no savepoint: its failure rolls back the transaction.
  const bool alone = batch.size() == 1;
  bool any_ok = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto* o = batch[i];
    if (!alone) {
      if (auto s = c.exec("SAVEPOINT voqo_batch"); !s) {
        o->fail(s.error());
        continue;
      }
    }
    try {
      ok[i] = o->run(c) ? 1 : 0;
    } catch (...) {
      o->thrown = std::current_exception();
    }
    if (!in_transaction()) {
      // The backend rolled the whole transaction back (disk full, I/O
      // error): the writes before this one are gone too.
      fail_committable(Error::database("the write transaction was rolled back by the database"));
      return;
    }
    if (!alone) {
      if (!ok[i]) (void)c.exec("ROLLBACK TO voqo_batch");
      (void)c.exec("RELEASE voqo_batch");
    }
    any_ok = any_ok || ok[i];
  }
  if (!any_ok) {
    (void)rollback();
    return;
  }
  if (auto done = commit(); !done) {
    (void)rollback();
    fail_committable(done.error());
  }
}

}  // namespace voqo::store
