// The small-M (GEMV-like: transformer decoding, M = 1..4) tile of the x86 f32 GEMM: R rows of
// A read straight from row-major memory, P consecutive NR-column panels of packed B at once,
// the whole K reduced in R*P*NV vector registers, then finish_tile per panel.
//
// Why several panels: with one or two rows of A, each B element is used R times, so the loop
// is bound by how fast packed B streams in from L3 or DRAM, not by the FMAs. One panel is one
// sequential stream; P panels (each K*NR floats apart) are P independent streams with software
// prefetch ahead in each, which keeps more cache-line fetches in flight. They also give
// R*P*NV independent accumulator chains, enough to hide the FMA latency without extra sets.
//
// Internal linkage, like the rest of the x86 GEMM headers (compiled once per ISA).
#pragma once

#include <cstdint>

#include "kernels/x86/f32_gemm_tile.h"

namespace ember::kernels {
namespace {

// How many k steps ahead the small-M tile prefetches each B panel (one k step is NR floats).
// 32 (2 KB of AVX2 panel) measured faster than 16 for M = 1 and 4 on the Zen 3 machine (see
// benchmarks/RESULTS.md): the panels stream from L3 or DRAM.
constexpr int64_t kSmallMPrefetchSteps = 32;

// acc[p] += a[R rows, k] * b[panel p, k] for k in [0, K); b panel p at b + p*panel_stride.
// c, the epilogue pointers and nr_last are for the tile's first column; only the last panel
// may be narrower than NR (nr_last columns).
template <class V, int R, int P, int NV>
void small_m_tile(int64_t K, const float* a, int64_t lda, const float* b, int64_t panel_stride,
                  float* c, int64_t ldc, int nr_last, const TileEpilogue& e) {
  using vec = typename V::vec;
  constexpr int L = V::L, NR = NV * L;
  vec acc[P][R][NV];
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[p][r][j] = V::zero();

#pragma GCC unroll 4
  for (int64_t k = 0; k < K; ++k) {
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int off = 0; off < NR; off += 16)  // every 64-byte line of the step
        V::prefetch(b + p * panel_stride + (k + kSmallMPrefetchSteps) * NR + off);
    vec av[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) av[r] = V::set1(a[r * lda + k]);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        const vec bv = V::load(b + p * panel_stride + k * NR + j * L);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[p][r][j] = V::fmadd(av[r], bv, acc[p][r][j]);
      }
  }

#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) {
    TileEpilogue ep = e;  // shifted to panel p's columns
    if (ep.bias && !ep.bias_per_row) ep.bias += p * NR;
    if (ep.residual) ep.residual += p * NR;
    finish_tile<V, R, NV>(acc[p], c + p * NR, ldc, p == P - 1 ? nr_last : NR, ep);
  }
}

}  // namespace
}  // namespace ember::kernels
