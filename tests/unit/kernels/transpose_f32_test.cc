// Every transpose entry (generic; AVX2 when this CPU has it) against the definition
// y[c * ldy + r] = x[r * ldx + c], on sizes around the 8x8 tile and 32x32 block edges, with
// leading dimensions wider than the rows. Guard values around y catch stores out of bounds;
// bit patterns (NaN payloads included) must come through unchanged, since the Transpose op uses
// the kernel for int32 tensors as well.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_transpose.h"
#include "test_util.h"

namespace ember::test {
namespace {

std::vector<kernels::F32Transpose> entries() {
  std::vector<kernels::F32Transpose> t{kernels::make_f32_transpose(0, kernels::Isa::Generic)};
#if EMBER_HAVE_X86_KERNELS
  if (kernels::cpu_features() & kernels::kCpuAvx2)
    t.push_back(kernels::make_f32_transpose(kernels::cpu_features(), kernels::Isa::Avx2));
#endif
  return t;
}

void check(const kernels::F32Transpose& t, int64_t rows, int64_t cols) {
  const int64_t ldx = cols + 3, ldy = rows + 5;
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<uint32_t> x(size_t(rows * ldx));
  for (auto& v : x) v = bits(rng());
  const uint32_t guard = 0xDEADBEEFu;
  std::vector<uint32_t> y(size_t(cols * ldy), guard);
  t.fn(rows, cols, reinterpret_cast<const float*>(x.data()), ldx, reinterpret_cast<float*>(y.data()), ldy);
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = 0; r < ldy; ++r) {
      const uint32_t want = r < rows ? x[size_t(r * ldx + c)] : guard;
      if (y[size_t(c * ldy + r)] != want) {
        FAIL_CHECK(t.name, " rows=", rows, " cols=", cols, ": y[", c, ", ", r, "] = ", y[size_t(c * ldy + r)],
                   ", want ", want);
        return;
      }
    }
}

TEST_CASE("f32 transpose: every entry matches the definition on ragged sizes") {
  for (const auto& t : entries()) {
    CAPTURE(t.name);
    for (int64_t rows : {1, 7, 8, 9, 31, 32, 33, 64, 100})
      for (int64_t cols : {1, 5, 8, 16, 17, 32, 40, 129}) check(t, rows, cols);
  }
}

TEST_CASE("f32 transpose: EMBER_ISA caps and CPU features choose the entry") {
  CHECK(std::strcmp(kernels::make_f32_transpose(~0u, kernels::Isa::Generic).name, "f32_transpose_generic") == 0);
  CHECK(std::strcmp(kernels::make_f32_transpose(0, kernels::Isa::Avx512).name, "f32_transpose_generic") == 0);
#if EMBER_HAVE_X86_KERNELS
  CHECK(std::strcmp(kernels::make_f32_transpose(kernels::kCpuAvx2, kernels::Isa::Avx2).name,
                    "f32_transpose_8x8__avx2") == 0);
#endif
}

}  // namespace
}  // namespace ember::test
