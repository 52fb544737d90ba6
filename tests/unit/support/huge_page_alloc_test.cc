// The huge-page block allocator under large tensors and prepacked weights: alignment, every
// byte writable and readable back, and the tensor constructor's use of it for large sizes.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>

#include "ir/tensor.h"
#include "support/huge_page_alloc.h"

using namespace ember;

TEST_CASE("map_huge_pages: 2 MiB aligned, writable to the last byte, zero-filled") {
  for (size_t bytes : {size_t(1), size_t(4097), kHugePageBytes, kHugePageBytes * 3 + 123}) {
    CAPTURE(bytes);
    const HugePageBlock b = map_huge_pages(bytes);
    REQUIRE(b.data != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(b.data) % kHugePageBytes == 0);
    CHECK(b.mapped >= bytes);
    CHECK(b.mapped % 4096 == 0);
    CHECK(b.mapped < bytes + 4096);  // rounded to small pages, not to a huge page (peak RSS)
    auto* p = static_cast<uint8_t*>(b.data);
    CHECK(p[0] == 0);
    CHECK(p[bytes - 1] == 0);
    std::memset(p, 0xA5, bytes);
    CHECK(p[bytes / 2] == 0xA5);
    CHECK(p[bytes - 1] == 0xA5);
    unmap_huge_pages(b);
  }
}

TEST_CASE("map_huge_pages: zero bytes and sizes that overflow are refused, not mapped") {
  CHECK(map_huge_pages(0).data == nullptr);
  CHECK(map_huge_pages(SIZE_MAX - 100).data == nullptr);
  unmap_huge_pages({});  // an empty block is a no-op
}

TEST_CASE("Tensor: large and small allocations are aligned and hold what is written") {
  for (int64_t n : {int64_t(7), int64_t(kHugePageBytes / 4) - 1, int64_t(kHugePageBytes / 4),
                    int64_t(kHugePageBytes / 4) * 2 + 17}) {
    CAPTURE(n);
    Tensor t(DType::Float32, {n});
    CHECK(reinterpret_cast<uintptr_t>(t.raw()) % kTensorAlignment == 0);
    float* p = t.data<float>();
    for (int64_t i = 0; i < n; ++i) p[i] = float(i % 1000);
    Tensor c = t.clone();  // the copy outlives nothing: both are freed at scope end
    CHECK(c.data<float>()[n - 1] == float((n - 1) % 1000));
  }
}
