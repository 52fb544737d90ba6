// Storage for weights a kernel prepacks at session creation: uninitialised (the packing writes
// every element, padding included, so zero-filling first only doubled the writes) and 64-byte
// aligned. Buffers of 2 MiB and more get their own anonymous mapping with transparent huge pages
// requested: at creation almost all the time of packing a large model went into first-touch
// page faults (the kernel clearing and mapping 4 KiB pages one at a time), and a 2 MiB page
// takes one fault where 4 KiB pages take 512.
#pragma once

#include <cstddef>

namespace ember::backends::gemm_conv {

class PrepackedBuffer {
 public:
  PrepackedBuffer() = default;
  // `floats` uninitialised floats (at least one, so data() is never null). Throws OutOfMemory.
  explicit PrepackedBuffer(size_t floats);
  ~PrepackedBuffer();
  PrepackedBuffer(PrepackedBuffer&& o) noexcept;
  PrepackedBuffer& operator=(PrepackedBuffer&& o) noexcept;
  PrepackedBuffer(const PrepackedBuffer&) = delete;
  PrepackedBuffer& operator=(const PrepackedBuffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return floats_; }

 private:
  void release();
  float* data_ = nullptr;
  size_t floats_ = 0;
  size_t mapped_bytes_ = 0;  // non-zero: data_ is an anonymous mapping of this length
};

}  // namespace ember::backends::gemm_conv
