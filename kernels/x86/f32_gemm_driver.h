// The blocked GEMM loop nests shared by the x86 entries (GotoBLAS / BLIS structure):
//
//   for jc in N step NC:                 B block (KC x NC)
//     for pc in K step KC:
//       for ic in M step MC:             A block (MC x KC) in MR-row strips: stays in L2
//         for jr in NC step NR:          one B panel (KC x NR): stays in L1
//           for ir in MC step MR:        gemm_tile on an MR x NR tile of C
//
// Packed layouts (one per entry; see f32_gemm.h for the contract):
//  - packed B: NR-column panels over the whole K, panel j at packed + j*K*NR, each [k][NR]
//    (last panel zero-padded). Columns n0.. (n0 % NR == 0) start at packed + n0*K, so a column
//    range of a packed B is itself a packed B; a K block p0.. of panel j is at + p0*NR.
//  - packed A: MR-row strips over the whole K, strip i at packed + i*K*MR, each [k][MR] (last
//    strip zero-padded); rows m0.. start at packed + m0*K.
// Per call, gemm_packed packs A blocks and gemm_packed_a packs B blocks into bounded stack
// buffers in the same layouts. Small M (transformer decoding) skips the packing and the K
// blocking: each tile reads A rows directly and reduces over the whole K in registers.
//
// Included by exactly one source per ISA, after it defines its vector traits. Everything here
// has internal linkage on purpose: copies compiled with different -m flags must never be merged
// by the linker (a shared inline function could resolve to the AVX-512 copy and fault on a CPU
// without it).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/x86/f32_gemm_pack.h"
#include "kernels/x86/f32_gemm_tile.h"

namespace ember::kernels {
namespace {

// Cfg: using V (vector traits); int MR, NV (tile MR x NV*V::L); KC, MC, NC (blocks, in
// floats); NCA (the B block packed per call by gemm_packed_a); SMALL_M (largest M that takes
// the unpacked small-M path).
template <class Cfg>
struct GemmDriver {
  using V = typename Cfg::V;
  static constexpr int MR = Cfg::MR, NV = Cfg::NV, NR = NV * V::L;
  static constexpr int64_t KC = Cfg::KC, MC = Cfg::MC, NC = Cfg::NC, NCA = Cfg::NCA;
  static_assert(MC % MR == 0 && NC % NR == 0 && NCA % NR == 0, "blocks must hold whole tiles");

  using TileFn = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, int,
                          const TileEpilogue&);
  template <bool kDirect, size_t... R>
  static constexpr auto make_tiles(std::index_sequence<R...>) {
    return std::array<TileFn, MR>{&gemm_tile<V, int(R) + 1, NV, kDirect>...};
  }
  static constexpr std::array<TileFn, MR> kPackedTiles = make_tiles<false>(std::make_index_sequence<MR>{});
  static constexpr std::array<TileFn, MR> kDirectTiles = make_tiles<true>(std::make_index_sequence<MR>{});

  // The tile epilogue for the tile at (row, col) of C, K block [first, last].
  static TileEpilogue tile_epilogue(const GemmEpilogue& ep, float alpha, float beta, bool first,
                                    bool last, int64_t row, int64_t col) {
    TileEpilogue t;
    t.alpha = alpha;
    t.beta = first ? beta : 1.0f;  // later K blocks accumulate into C
    t.last = last;
    if (last) {
      if (ep.bias) t.bias = ep.bias + (ep.bias_per_row ? row : col);
      t.bias_per_row = ep.bias_per_row;
      if (ep.residual) t.residual = ep.residual + row * ep.ldr + col;
      t.ldr = ep.ldr;
      t.act = ep.activation;
      t.act_alpha = ep.act_alpha;
      t.act_beta = ep.act_beta;
    }
    return t;
  }

  // K == 0 still runs one (empty) block so C = beta*C + bias etc. is applied. The blocks are
  // balanced (K = 576 is 2 x 288, not 256 + 256 + 64): fewer passes over C, no short block.
  static int64_t k_blocks(int64_t K) { return K > 0 ? (K + KC - 1) / KC : 1; }
  static int64_t k_step(int64_t K, int64_t kblocks) {
    return std::min<int64_t>(KC, round_up((K + kblocks - 1) / kblocks, 8));
  }

  static size_t packed_b_size(int64_t K, int64_t N) {
    if (K <= 0 || N <= 0) return 0;
    return size_t(K * round_up(N, NR));
  }
  static size_t packed_b_offset(int64_t K, int64_t n0) { return size_t(std::max<int64_t>(K, 0) * n0); }
  static void pack_b(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed) {
    if (K <= 0 || N <= 0) return;
    pack_b_panels<V, NR>(K, N, B, ldb, transB, 0, 0, packed);
  }
  static size_t packed_a_size(int64_t M, int64_t K) {
    if (K <= 0 || M <= 0) return 0;
    return size_t(round_up(M, MR) * K);
  }
  static size_t packed_a_offset(int64_t K, int64_t m0) { return size_t(std::max<int64_t>(K, 0) * m0); }
  static void pack_a(int64_t M, int64_t K, const float* A, int64_t lda, bool transA, float* packed) {
    if (K <= 0 || M <= 0) return;
    pack_a_strips<V, MR>(M, K, A, lda, transA, 0, 0, packed);
  }

  // Small M: per B panel, each MR-row strip of A straight from memory over the whole K.
  static void gemm_small_m(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                           const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                           const GemmEpilogue& ep) {
    for (int64_t col = 0; col < N; col += NR) {
      const int nr = int(std::min<int64_t>(NR, N - col));
      const float* panel = packed_b + col * K;
      for (int64_t row = 0; row < M; row += MR) {
        const int rows = int(std::min<int64_t>(MR, M - row));
        const TileEpilogue t = tile_epilogue(ep, alpha, beta, true, true, row, col);
        kDirectTiles[size_t(rows - 1)](K, A + row * lda, lda, panel, C + row * ldc + col, ldc, nr, t);
      }
    }
  }

  static void gemm_packed(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                          bool transA, const float* packed_b, float* C, int64_t ldc, float alpha,
                          float beta, const GemmEpilogue& ep) {
    if (M <= 0 || N <= 0) return;
    K = std::max<int64_t>(K, 0);
    if (!transA && M <= Cfg::SMALL_M) {
      gemm_small_m(M, N, K, A, lda, packed_b, C, ldc, alpha, beta, ep);
      return;
    }
    alignas(64) float apack[MC * KC + kPackSlack];
    const int64_t kblocks = k_blocks(K), kstep = k_step(K, kblocks);
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = std::min<int64_t>(NC, N - jc);
      for (int64_t pb = 0; pb < kblocks; ++pb) {
        const int64_t p0 = pb * kstep, kc = std::min<int64_t>(kstep, K - p0);
        const bool first = pb == 0, last = pb == kblocks - 1;
        for (int64_t ic = 0; ic < M; ic += MC) {
          const int64_t mc = std::min<int64_t>(MC, M - ic);
          pack_a_strips<V, MR>(mc, kc, A, lda, transA, ic, p0, apack);
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int64_t col = jc + jr;
            const int nr = int(std::min<int64_t>(NR, N - col));
            const float* panel = packed_b + col * K + p0 * NR;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int rows = int(std::min<int64_t>(MR, mc - ir));
              const int64_t row = ic + ir;
              const TileEpilogue t = tile_epilogue(ep, alpha, beta, first, last, row, col);
              kPackedTiles[size_t(rows - 1)](kc, apack + ir * kc, MR, panel, C + row * ldc + col, ldc, nr, t);
            }
          }
        }
      }
    }
  }

  static void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* packed_a, const float* B,
                            int64_t ldb, bool transB, float* C, int64_t ldc, float alpha,
                            float beta, const GemmEpilogue& ep) {
    if (M <= 0 || N <= 0) return;
    K = std::max<int64_t>(K, 0);
    alignas(64) float bpack[NCA * KC + kPackSlack];
    const int64_t kblocks = k_blocks(K), kstep = k_step(K, kblocks);
    for (int64_t jc = 0; jc < N; jc += NCA) {
      const int64_t nc = std::min<int64_t>(NCA, N - jc);
      for (int64_t pb = 0; pb < kblocks; ++pb) {
        const int64_t p0 = pb * kstep, kc = std::min<int64_t>(kstep, K - p0);
        const bool first = pb == 0, last = pb == kblocks - 1;
        pack_b_panels<V, NR>(kc, nc, B, ldb, transB, p0, jc, bpack);
        for (int64_t ic = 0; ic < M; ic += MC) {
          const int64_t mc = std::min<int64_t>(MC, M - ic);
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int64_t col = jc + jr;
            const int nr = int(std::min<int64_t>(NR, N - col));
            const float* panel = bpack + jr * kc;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int rows = int(std::min<int64_t>(MR, mc - ir));
              const int64_t row = ic + ir;
              const float* strip = packed_a + row * K + p0 * MR;
              const TileEpilogue t = tile_epilogue(ep, alpha, beta, first, last, row, col);
              kPackedTiles[size_t(rows - 1)](kc, strip, MR, panel, C + row * ldc + col, ldc, nr, t);
            }
          }
        }
      }
    }
  }

  // constexpr: the table entry is constant-initialised, so taking it (kernel_table() does on
  // every CPU) runs no instruction of this file's ISA.
  static constexpr F32GemmKernels kernels(const char* name) {
    return F32GemmKernels{name,          MR,           NR,           packed_b_size, pack_b,
                          gemm_packed,   packed_b_offset, packed_a_size, packed_a_offset,
                          pack_a,        gemm_packed_a};
  }
};

}  // namespace
}  // namespace ember::kernels
