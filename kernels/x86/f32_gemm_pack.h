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

// Rows of B copied per pass over the panels when B is not transposed (see pack_b_panels).
constexpr int64_t kPackRowBlock = 8;

// op(B)[k0 : k0+kc, col0 : col0+nc] into NR-column panels, panel j at dst + j*kc*NR, each
// [k][NR], missing columns of the last panel zero. Only that padding is written besides the
// copied values: callers pack into uninitialised memory.
template <class V, int NR>
void pack_b_panels(int64_t kc, int64_t nc, const float* B, int64_t ldb, bool transB, int64_t k0,
                   int64_t col0, float* dst) {
  const int64_t full = nc / NR * NR;  // columns in whole panels
  if (!transB) {
    // Whole panels: a block of a few rows at a time, every panel in turn, so B is read row
    // after row (a handful of sequential streams, not one cache line per row per panel, which
    // was 3-6x slower on large weights) while each panel still receives contiguous runs. The
    // copy has a constant size, so it compiles to plain vector moves rather than a memcpy call.
    for (int64_t kb = 0; kb < kc; kb += kPackRowBlock) {
      const int64_t ke = std::min(kc, kb + kPackRowBlock);
      for (int64_t j0 = 0; j0 < full; j0 += NR) {
        float* panel = dst + j0 * kc;
        const float* src = B + (k0 + kb) * ldb + col0 + j0;
        for (int64_t k = kb; k < ke; ++k, src += ldb) std::memcpy(panel + k * NR, src, NR * sizeof(float));
      }
    }
    if (full < nc) {  // the ragged last panel
      const int64_t nr = nc - full;
      float* panel = dst + full * kc;
      for (int64_t k = 0; k < kc; ++k) {
        float* d = panel + k * NR;
        std::memcpy(d, B + (k0 + k) * ldb + col0 + full, size_t(nr) * sizeof(float));
        std::fill(d + nr, d + NR, 0.0f);
      }
    }
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - j0);
    float* panel = dst + j0 * kc;
    for (int64_t n = 0; n < nr; ++n) {
      const float* s = B + (col0 + j0 + n) * ldb + k0;
      for (int64_t k = 0; k < kc; ++k) panel[k * NR + n] = s[k];
    }
    if (nr < NR)
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t n = nr; n < NR; ++n) panel[k * NR + n] = 0.0f;
  }
}

}  // namespace
}  // namespace ember::kernels
