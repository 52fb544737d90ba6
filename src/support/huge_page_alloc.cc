#include "support/huge_page_alloc.h"

#include <sys/mman.h>

#include <cstdint>

namespace ember {

namespace {
constexpr size_t kSmallPage = 4096;
}

HugePageBlock map_huge_pages(size_t bytes) {
  // Start on a 2 MiB boundary so every whole 2 MiB of the buffer can be a huge page: reserve
  // one huge page more and trim both ends.
  if (bytes == 0 || bytes > SIZE_MAX / 2) return {};  // no address space has room for it anyway
  const size_t len = (bytes + kSmallPage - 1) / kSmallPage * kSmallPage;
  void* p = ::mmap(nullptr, len + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return {};
  const uintptr_t base = reinterpret_cast<uintptr_t>(p);
  const uintptr_t start = (base + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (start > base) ::munmap(p, start - base);
  const uintptr_t end = base + len + kHugePageBytes;
  if (end > start + len) ::munmap(reinterpret_cast<void*>(start + len), end - (start + len));
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(start), len, MADV_HUGEPAGE);  // advice only
#endif
  return {reinterpret_cast<void*>(start), len};
}

void unmap_huge_pages(const HugePageBlock& block) {
  if (block.data) ::munmap(block.data, block.mapped);
}

}  // namespace ember
