// Large, long-lived buffers (constant tensors, prepacked weights) on their own anonymous mapping
// with transparent huge pages requested. At session creation most of the time of writing a
// large weight went into first-touch page faults (the kernel clearing and mapping 4 KiB pages
// one at a time); a 2 MiB page takes one fault where 4 KiB pages take 512.
#pragma once

#include <cstddef>

namespace ember {

// From one huge page on a buffer is worth a mapping of its own; smaller ones belong on the heap.
constexpr size_t kHugePageBytes = size_t(2) << 20;

struct HugePageBlock {
  void* data = nullptr;   // 2 MiB aligned; null when the mapping failed
  size_t mapped = 0;      // length to hand back to unmap_huge_pages
};

// Maps `bytes` (rounded up to 4 KiB, not to 2 MiB: rounding to 2 MiB cost BERT-base 24 MB of
// peak RSS, half a huge page per 9.4 MB weight), uninitialised (zero pages from the OS).
// Returns {nullptr, 0} when the OS refuses; callers fall back to the heap.
HugePageBlock map_huge_pages(size_t bytes);
void unmap_huge_pages(const HugePageBlock& block);

}  // namespace ember
