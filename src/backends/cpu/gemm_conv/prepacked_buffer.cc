#include "backends/cpu/gemm_conv/prepacked_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

#include "support/error.h"

namespace ember::backends::gemm_conv {

namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kSmallPage = 4096;
// From one huge page on a buffer is mapped on its own (BERT-base's 2.4 MB 768 x 768 weights
// included: saved-model creation 123-129 -> 94-105 ms back to back, RSS unchanged). Smaller
// ones come from the heap.
constexpr size_t kMapFrom = kHugePage;

}  // namespace

PrepackedBuffer::PrepackedBuffer(size_t floats) : floats_(std::max<size_t>(floats, 1)) {
  size_t bytes = 0;
  EMBER_CHECK(!__builtin_mul_overflow(floats_, sizeof(float), &bytes), OutOfMemory,
              "prepacked weight of ", floats_, " floats is too large");
  if (bytes >= kMapFrom) {
    // Start on a 2 MiB boundary so every whole 2 MiB of the buffer can be a huge page, and end
    // at the last 4 KiB page: rounding the length up to 2 MiB instead cost BERT-base 24 MB of
    // peak RSS (half a huge page per 9.4 MB weight). Reserve one huge page more, trim both ends.
    const size_t len = (bytes + kSmallPage - 1) / kSmallPage * kSmallPage;
    void* p = ::mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      const uintptr_t base = reinterpret_cast<uintptr_t>(p);
      const uintptr_t start = (base + kHugePage - 1) / kHugePage * kHugePage;
      if (start > base) ::munmap(p, start - base);
      if (base + len + kHugePage > start + len)
        ::munmap(reinterpret_cast<void*>(start + len), base + len + kHugePage - (start + len));
#ifdef MADV_HUGEPAGE
      ::madvise(reinterpret_cast<void*>(start), len, MADV_HUGEPAGE);  // advice only
#endif
      data_ = reinterpret_cast<float*>(start);
      mapped_bytes_ = len;
      return;
    }
  }
  const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  data_ = static_cast<float*>(::operator new(rounded, std::align_val_t(kAlignment), std::nothrow));
  EMBER_CHECK(data_ != nullptr, OutOfMemory, "cannot allocate ", bytes, " bytes for a prepacked weight");
}

PrepackedBuffer::~PrepackedBuffer() { release(); }

PrepackedBuffer::PrepackedBuffer(PrepackedBuffer&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      floats_(std::exchange(o.floats_, 0)),
      mapped_bytes_(std::exchange(o.mapped_bytes_, 0)) {}

PrepackedBuffer& PrepackedBuffer::operator=(PrepackedBuffer&& o) noexcept {
  if (this != &o) {
    release();
    data_ = std::exchange(o.data_, nullptr);
    floats_ = std::exchange(o.floats_, 0);
    mapped_bytes_ = std::exchange(o.mapped_bytes_, 0);
  }
  return *this;
}

void PrepackedBuffer::release() {
  if (!data_) return;
  if (mapped_bytes_)
    ::munmap(data_, mapped_bytes_);
  else
    ::operator delete(data_, std::align_val_t(kAlignment));
  data_ = nullptr;
}

}  // namespace ember::backends::gemm_conv
