#pragma once
/// A bounded single-producer single-consumer ring of PCM samples: the hand-off
/// between a call's media thread and its speech workers (DESIGN.md "Threads":
/// no locks on the audio path). Wait-free, allocation-free after construction.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace voqo::pipeline {

/// Capacity is rounded up to a power of two. One thread calls write(), one
/// thread calls read()/discard(); size() may be called from either.
template <class T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t capacity) {
    std::size_t c = 1;
    while (c < capacity) c <<= 1;
    buffer_.resize(c);
    mask_ = c - 1;
  }

  /// Producer: appends as much of `in` as fits; returns how many were written.
  std::size_t write(std::span<const T> in) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    const std::size_t n = std::min(in.size(), buffer_.size() - (head - tail));
    for (std::size_t i = 0; i < n; ++i) buffer_[(head + i) & mask_] = in[i];
    head_.store(head + n, std::memory_order_release);
    return n;
  }

  /// Consumer: moves up to out.size() items into `out`; returns how many.
  std::size_t read(std::span<T> out) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_acquire);
    const std::size_t n = std::min(out.size(), head - tail);
    for (std::size_t i = 0; i < n; ++i) out[i] = buffer_[(tail + i) & mask_];
    tail_.store(tail + n, std::memory_order_release);
    return n;
  }

  /// Consumer: drops everything buffered (barge-in flush); returns how many.
  std::size_t discard() {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_acquire);
    tail_.store(head, std::memory_order_release);
    return head - tail;
  }

  /// Items buffered now (exact for the calling side, a snapshot for the other).
  [[nodiscard]] std::size_t size() const {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::size_t capacity() const { return buffer_.size(); }

 private:
  std::vector<T> buffer_;
  std::size_t mask_ = 0;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace voqo::pipeline
