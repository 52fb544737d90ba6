#include "backends/cpu/gemm_conv/prepacked_buffer.h"

#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

#include "support/error.h"
#include "support/huge_page_alloc.h"

namespace ember::backends::gemm_conv {

namespace {

constexpr size_t kAlignment = 64;
// From one huge page on a buffer is mapped on its own (BERT-base's 2.4 MB 768 x 768 weights
// included: saved-model creation 123-129 -> 94-105 ms back to back, RSS unchanged). Smaller
// ones come from the heap.
constexpr size_t kMapFrom = kHugePageBytes;

}  // namespace

PrepackedBuffer::PrepackedBuffer(size_t floats) : floats_(std::max<size_t>(floats, 1)) {
  size_t bytes = 0;
  EMBER_CHECK(!__builtin_mul_overflow(floats_, sizeof(float), &bytes), OutOfMemory,
              "prepacked weight of ", floats_, " floats is too large");
  if (bytes >= kMapFrom) {
    const HugePageBlock block = map_huge_pages(bytes);
    if (block.data) {
      data_ = static_cast<float*>(block.data);
      mapped_bytes_ = block.mapped;
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
    unmap_huge_pages({data_, mapped_bytes_});
  else
    ::operator delete(data_, std::align_val_t(kAlignment));
  data_ = nullptr;
}

}  // namespace ember::backends::gemm_conv
