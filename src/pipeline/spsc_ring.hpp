#pragma once
/// A bounded single-producer single-consumer ring of PCM samples: the hand-off
/// between a call's media thread and its speech workers (DESIGN.md "Threads":
/// no locks on the audio path). Wait-free, allocation-free after construction.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace voqo::pipeline {

/// Capacity is rounded up to a power of two. One thread calls write(), one
/// thread calls read()/discard(); size() may be called from either.
template <class T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t capacity) {
    std::size_t c = 1;
    while (c < capacity) c <<= 1;
    // Default-initialised, not zeroed: the kernel maps pages only as they are first
    // written, so a ring costs memory for the audio it has held, not its capacity
    // (a media-only call never touches its speech-to-text ring).
    buffer_ = std::unique_ptr<T[]>(new T[c]);
    capacity_ = c;
    mask_ = c - 1;
  }

  /// Producer: appends as much of `in` as fits; returns how many were written.
  std::size_t write(std::span<const T> in) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    const std::size_t n = std::min(in.size(), capacity_ - (head - tail));
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
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// Bytes of the buffer ever written (the pages the kernel has mapped for
  /// it, to the byte): what the ring costs in memory so far, never less later.
  [[nodiscard]] std::size_t touched_bytes() const { return std::min(written(), capacity_) * sizeof(T); }
  /// Items ever written (producer side) / ever read or discarded (consumer
  /// side): positions in the stream, e.g. to read only up to a boundary.
  [[nodiscard]] std::size_t written() const { return head_.load(std::memory_order_acquire); }
  [[nodiscard]] std::size_t consumed() const { return tail_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<T[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t mask_ = 0;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace voqo::pipeline
