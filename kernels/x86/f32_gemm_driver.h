// The blocked GEMM loop nest shared by the x86 micro-kernels (GotoBLAS / BLIS structure):
//
//   for jc in N step NC:                 B block (KC x NC) streams from L3
//     for pc in K step KC:
//       for ic in M step MC:             pack A (MC x KC) into MR-row strips: stays in L2
//         for jr in NC step NR:          one packed B panel (KC x NR): stays in L1
//           for ir in MC step MR:        micro-kernel on an MR x NR tile of C
//
// B is packed ahead of time for the whole [K,N] (pack_b): K blocks of KC rows; within a block,
// NR-column panels stored k-major ([k][NR]), the last panel zero-padded. A is packed per call
// into a stack buffer (MC*KC floats; 120-150 KB, fine for default 8 MB thread stacks).
//
// Included by exactly one source per ISA. Everything here has internal linkage on purpose:
// copies compiled with different -m flags must never be merged by the linker (a shared inline
// function could resolve to the AVX-512 copy and fault on a CPU without it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"

namespace ember::kernels {
namespace {

using MicroKernel = void (*)(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                             float alpha, float beta, const float* bias, Activation act);

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

template <int NR>
size_t packed_b_size_t(int64_t K, int64_t N) {
  if (K <= 0 || N <= 0) return 0;
  return size_t(K * round_up(N, NR));
}

template <int NR, int KC>
void pack_b_t(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed) {
  if (K <= 0 || N <= 0) return;
  const int64_t npad = round_up(N, NR);
  for (int64_t p0 = 0; p0 < K; p0 += KC) {
    const int64_t kc = std::min<int64_t>(KC, K - p0);
    float* block = packed + p0 * npad;
    for (int64_t j0 = 0; j0 < N; j0 += NR) {
      const int64_t nr = std::min<int64_t>(NR, N - j0);
      float* dst = block + (j0 / NR) * kc * NR;
      for (int64_t k = 0; k < kc; ++k) {
        float* d = dst + k * NR;
        if (!transB) {
          const float* s = B + (p0 + k) * ldb + j0;
          for (int64_t n = 0; n < nr; ++n) d[n] = s[n];
        } else {
          for (int64_t n = 0; n < nr; ++n) d[n] = B[(j0 + n) * ldb + p0 + k];
        }
        for (int64_t n = nr; n < NR; ++n) d[n] = 0.0f;
      }
    }
  }
}

// op(A)[row0 : row0+mc, col0 : col0+kc] into MR-row strips, each [k][MR], rows zero-padded.
template <int MR>
void pack_a(int64_t mc, int64_t kc, const float* A, int64_t lda, bool transA, int64_t row0,
            int64_t col0, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - i0);
    float* strip = dst + i0 * kc;
    if (!transA) {
      for (int64_t r = 0; r < mr; ++r) {
        const float* s = A + (row0 + i0 + r) * lda + col0;
        for (int64_t k = 0; k < kc; ++k) strip[k * MR + r] = s[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const float* s = A + (col0 + k) * lda + row0 + i0;
        for (int64_t r = 0; r < mr; ++r) strip[k * MR + r] = s[r];
      }
    }
    for (int64_t r = mr; r < MR; ++r)
      for (int64_t k = 0; k < kc; ++k) strip[k * MR + r] = 0.0f;
  }
}

// Edge tile: the micro-kernel wrote alpha*acc into `tile`; finish the valid mr x nr corner.
template <int NR>
void edge_epilogue(const float* tile, int64_t mr, int64_t nr, float* c, int64_t ldc, float beta,
                   const float* bias, Activation act) {
  for (int64_t r = 0; r < mr; ++r) {
    for (int64_t n = 0; n < nr; ++n) {
      float v = tile[r * NR + n];
      if (beta != 0.0f) v += beta * c[r * ldc + n];
      if (bias) v += bias[n];
      if (act == Activation::Relu) v = v < 0.0f ? 0.0f : v;  // NaN stays NaN, like the vector max
      c[r * ldc + n] = v;
    }
  }
}

template <int MR, int NR, int KC, int MC, int NC, MicroKernel UK>
void gemm_packed_t(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                   const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                   const GemmEpilogue& ep) {
  static_assert(MC % MR == 0 && NC % NR == 0, "blocks must hold whole tiles");
  if (M <= 0 || N <= 0) return;
  K = std::max<int64_t>(K, 0);
  alignas(64) float apack[MC * KC];
  alignas(64) float tile[MR * NR];
  const int64_t npad = round_up(N, NR);
  // K == 0 still runs one (empty) block so C = beta*C + bias and the activation are applied.
  const int64_t kblocks = K > 0 ? (K + KC - 1) / KC : 1;
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min<int64_t>(NC, N - jc);
    for (int64_t pb = 0; pb < kblocks; ++pb) {
      const int64_t p0 = pb * KC;
      const int64_t kc = std::min<int64_t>(KC, K - p0);
      const bool last = pb == kblocks - 1;
      const float beta_k = pb == 0 ? beta : 1.0f;  // later K blocks accumulate into C
      const float* bias = last ? ep.bias : nullptr;
      const Activation act = last ? ep.activation : Activation::None;
      const float* bblock = kc > 0 ? packed_b + p0 * npad : nullptr;
      for (int64_t ic = 0; ic < M; ic += MC) {
        const int64_t mc = std::min<int64_t>(MC, M - ic);
        pack_a<MR>(mc, kc, A, lda, transA, ic, p0, apack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t col = jc + jr;
          const int64_t nr = std::min<int64_t>(NR, nc - jr);
          const float* bpanel = bblock ? bblock + (col / NR) * kc * NR : nullptr;
          const float* bias_t = bias ? bias + col : nullptr;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = std::min<int64_t>(MR, mc - ir);
            const float* apanel = apack + ir * kc;
            float* c = C + (ic + ir) * ldc + col;
            if (mr == MR && nr == NR) {
              UK(size_t(kc), apanel, bpanel, c, size_t(ldc), alpha, beta_k, bias_t, act);
            } else {
              UK(size_t(kc), apanel, bpanel, tile, NR, alpha, 0.0f, nullptr, Activation::None);
              edge_epilogue<NR>(tile, mr, nr, c, ldc, beta_k, bias_t, act);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ember::kernels
