#pragma once
/// An input stream of `size` bytes made on the fly, for tests of huge inputs
/// without the memory: `prefix`, then `fill` repeated. Counts what was read.
#include <cstdint>
#include <streambuf>
#include <string>

namespace voqo::test {

class GeneratedBuf : public std::streambuf {
 public:
  GeneratedBuf(std::string prefix, std::string fill, uint64_t size)
      : prefix_(std::move(prefix)), fill_(std::move(fill)), size_(size), chunk_(64 * 1024, '\0') {}
  uint64_t produced() const { return produced_; }

 protected:
  int_type underflow() override {
    if (produced_ >= size_) return traits_type::eof();
    size_t n = 0;
    while (n < chunk_.size() && produced_ + n < size_) {
      const uint64_t at = produced_ + n;
      chunk_[n++] = at < prefix_.size() ? prefix_[at] : fill_[(at - prefix_.size()) % fill_.size()];
    }
    produced_ += n;
    setg(chunk_.data(), chunk_.data(), chunk_.data() + n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  std::string prefix_, fill_;
  uint64_t size_;
  uint64_t produced_ = 0;
  std::string chunk_;
};

}  // namespace voqo::test
