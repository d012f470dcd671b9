#include "core/call_usage.hpp"

#include <time.h>

namespace voqo {
namespace {
thread_local CallUsage* current = nullptr;
}  // namespace

void CallUsage::note_memory(int64_t bytes) {
  int64_t seen = memory_bytes_.load(std::memory_order_relaxed);
  while (bytes > seen && !memory_bytes_.compare_exchange_weak(seen, bytes, std::memory_order_relaxed)) {
  }
}

int64_t thread_cpu_ns() {
  timespec t{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

UsageScope::UsageScope(CallUsage* usage) : usage_(usage), previous_(current) {
  if (usage_ == nullptr) return;
  current = usage_;
  measuring_ = previous_ != usage_;  // the same call's outer scope measures this time already
  if (measuring_) start_ns_ = thread_cpu_ns();
}

UsageScope::~UsageScope() {
  if (usage_ == nullptr) return;
  if (measuring_) usage_->add_cpu_ns(thread_cpu_ns() - start_ns_);
  current = previous_;
}

CallUsage* current_usage() { return current; }

void count_api_call() {
  if (current != nullptr) current->add_api_call();
}

}  // namespace voqo
