// Packing for the x86 f32 GEMM (layouts described in f32_gemm_driver.h). Internal linkage, for
// the same reason as the driver: compiled once per ISA with that ISA's flags.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ember::kernels {
namespace {

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Floats a packing destination may be written past its end (vector stores that overrun).
constexpr int64_t kPackSlack = 16;

// op(A)[row0 : row0+mc, col0 : col0+kc] into MR-row strips, strip i at dst + i*kc*MR, each
// [k][MR], missing rows of the last strip zero.
template <class V, int MR>
void pack_a_strips(int64_t mc, int64_t kc, const float* A, int64_t lda, bool transA, int64_t row0,
                   int64_t col0, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - i0);
    float* strip = dst + i0 * kc;
    if constexpr (requires { V::template pack_a_strip<MR>(A, lda, kc, strip); }) {
      if (!transA && mr == MR) {  // the ISA's vectorised transpose
        V::template pack_a_strip<MR>(A + (row0 + i0) * lda + col0, lda, kc, strip);
        continue;
      }
    }
    if (!transA) {
      for (int64_t r = 0; r < mr; ++r) {
        const float* s = A + (row0 + i0 + r) * lda + col0;
        for (int64_t k = 0; k < kc; ++k) strip[k * MR + r] = s[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const float* s = A + (col0 + k) * lda + row0 + i0;
        std::memcpy(strip + k * MR, s, size_t(mr) * sizeof(float));
      }
    }
    if (mr < MR)
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t r = mr; r < MR; ++r) strip[k * MR + r] = 0.0f;
  }
}

// op(B)[k0 : k0+kc, col0 : col0+nc] into NR-column panels, panel j at dst + j*kc*NR, each
// [k][NR], missing columns of the last panel zero.
template <class V, int NR>
void pack_b_panels(int64_t kc, int64_t nc, const float* B, int64_t ldb, bool transB, int64_t k0,
                   int64_t col0, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - j0);
    float* panel = dst + j0 * kc;
    if (!transB) {
      for (int64_t k = 0; k < kc; ++k) {
        float* d = panel + k * NR;
        std::memcpy(d, B + (k0 + k) * ldb + col0 + j0, size_t(nr) * sizeof(float));
        for (int64_t n = nr; n < NR; ++n) d[n] = 0.0f;
      }
    } else {
      for (int64_t n = 0; n < nr; ++n) {
        const float* s = B + (col0 + j0 + n) * ldb + k0;
        for (int64_t k = 0; k < kc; ++k) panel[k * NR + n] = s[k];
      }
      if (nr < NR)
        for (int64_t k = 0; k < kc; ++k)
          for (int64_t n = nr; n < NR; ++n) panel[k * NR + n] = 0.0f;
    }
  }
}

}  // namespace
}  // namespace ember::kernels
