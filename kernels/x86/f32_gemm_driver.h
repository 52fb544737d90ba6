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
// Per call, gemm_packed packs A blocks (unless the B block has at most DIRECT_A_PANELS panels:
// then its tiles read row-major A directly, as the small-M path does) and gemm_packed_a packs
// B blocks into bounded stack buffers in the same layouts, and prefetch the next B panel into L2 while the current one is
// used from L1. Small M (transformer decoding, M <= Cfg::SMALL_M) skips the packing and the K
// blocking: each tile reads A rows directly and reduces over the whole K in registers, several
// B panels at a time (f32_gemm_small_m.h).
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
#include "kernels/x86/f32_gemm_small_m.h"
#include "kernels/x86/f32_gemm_tile.h"

namespace ember::kernels {
namespace {

// Cfg: using V (vector traits); int MR, NV (tile MR x NV*V::L); KC, MC, NC (blocks, in
// floats); NCA (the B block packed per call by gemm_packed_a); DIRECT_A_PANELS (gemm_packed
// leaves A unpacked when N has at most this many NR-column panels); SMALL_M (largest M that takes
// the unpacked small-M path); ACC_REGS (vector registers the small-M tile may use as
// accumulators).
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
  // One vector wide, for gemm_packed_a's last panel when it has at most L columns (packed L
  // wide): the full-width tile spent twice the FMAs on it (a 14x14 layer's N = 196 ends in a
  // 4-column panel, 1 of its 7). Full strips only: one tile per row count was 120 KB of
  // library for the edge strips' few tiles.
  static constexpr TileFn kNarrowTile = &gemm_tile<V, MR, 1, false>;

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

  // Small M: B in chunks of kSmallMChunk panels (re-read from L2 by each row strip); each
  // strip of up to MR rows reads A straight from memory and takes small_m_panels(rows) panels
  // per tile, the rest one panel at a time.
  static constexpr int kSmallMChunk = 4;
  static constexpr int small_m_panels(int R) {
    const int p = Cfg::ACC_REGS / (R * NV);
    return p >= 4 ? 4 : p >= 2 ? 2 : 1;  // divides kSmallMChunk
  }
  template <int R>
  static void small_m_strip(int64_t K, const float* a, int64_t lda, const float* packed_b,
                            int64_t col0, int64_t col1, float* c, int64_t ldc, float alpha,
                            float beta, const GemmEpilogue& ep, int64_t row) {
    constexpr int P = small_m_panels(R);
    int64_t col = col0;
    if constexpr (P > 1) {
      for (; col + (P - 1) * NR < col1; col += P * NR) {
        const int nr_last = int(std::min<int64_t>(NR, col1 - col - (P - 1) * NR));
        const TileEpilogue t = tile_epilogue(ep, alpha, beta, true, true, row, col);
        small_m_tile<V, R, P, NV>(K, a, lda, packed_b + col * K, K * NR, c + col, ldc, nr_last, t);
      }
    }
    for (; col < col1; col += NR) {
      const int nr = int(std::min<int64_t>(NR, col1 - col));
      const TileEpilogue t = tile_epilogue(ep, alpha, beta, true, true, row, col);
      if constexpr (R * NV >= 8)  // enough accumulator chains: the prefetching small-M tile
        small_m_tile<V, R, 1, NV>(K, a, lda, packed_b + col * K, K * NR, c + col, ldc, nr, t);
      else
        gemm_tile<V, R, NV, true>(K, a, lda, packed_b + col * K, c + col, ldc, nr, t);
    }
  }
  using StripFn = void (*)(int64_t, const float*, int64_t, const float*, int64_t, int64_t, float*,
                           int64_t, float, float, const GemmEpilogue&, int64_t);
  // Only M <= SMALL_M takes this path, so one strip per row count up to SMALL_M: the strips and
  // tiles for SMALL_M < rows <= MR were never called and were 0.2 MB of the AVX-512 library.
  static_assert(Cfg::SMALL_M >= 1 && Cfg::SMALL_M <= MR, "small-M strips are at most one tile high");
  template <size_t... R>
  static constexpr auto make_strips(std::index_sequence<R...>) {
    return std::array<StripFn, Cfg::SMALL_M>{&small_m_strip<int(R) + 1>...};
  }
  static constexpr std::array<StripFn, Cfg::SMALL_M> kSmallMStrips =
      make_strips(std::make_index_sequence<Cfg::SMALL_M>{});

  static void gemm_small_m(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                           const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                           const GemmEpilogue& ep) {
    for (int64_t col0 = 0; col0 < N; col0 += kSmallMChunk * NR) {
      const int64_t col1 = std::min<int64_t>(N, col0 + kSmallMChunk * NR);
      for (int64_t row = 0; row < M; row += Cfg::SMALL_M) {
        const int rows = int(std::min<int64_t>(Cfg::SMALL_M, M - row));
        kSmallMStrips[size_t(rows - 1)](K, A + row * lda, lda, packed_b, col0, col1, C + row * ldc, ldc,
                                        alpha, beta, ep, row);
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
      // Packing an A block pays off only over enough B panels: with few (NHWC convolutions'
      // N = C_out = 64..256) the tiles broadcast A straight from the row-major rows instead.
      const bool direct_a = !transA && (nc + NR - 1) / NR <= Cfg::DIRECT_A_PANELS;
      for (int64_t pb = 0; pb < kblocks; ++pb) {
        const int64_t p0 = pb * kstep, kc = std::min<int64_t>(kstep, K - p0);
        const bool first = pb == 0, last = pb == kblocks - 1;
        for (int64_t ic = 0; ic < M; ic += MC) {
          const int64_t mc = std::min<int64_t>(MC, M - ic);
          if (!direct_a) pack_a_strips<V, MR>(mc, kc, A, lda, transA, ic, p0, apack);
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int64_t col = jc + jr;
            const int nr = int(std::min<int64_t>(NR, N - col));
            const float* panel = packed_b + col * K + p0 * NR;
            // The next panel's K block comes from L3 or DRAM: fetch it into L2 a slice per
            // tile while this panel is being used from L1.
            const float* next = jr + NR < nc ? panel + K * NR : nullptr;
            const int64_t lines = kc * NR / 16, tiles = (mc + MR - 1) / MR;
            const int64_t per_tile = (lines + tiles - 1) / tiles;
            for (int64_t ir = 0, tile = 0; ir < mc; ir += MR, ++tile) {
              const int rows = int(std::min<int64_t>(MR, mc - ir));
              const int64_t row = ic + ir;
              const TileEpilogue t = tile_epilogue(ep, alpha, beta, first, last, row, col);
              if (direct_a)
                kDirectTiles[size_t(rows - 1)](kc, A + row * lda + p0, lda, panel, C + row * ldc + col, ldc, nr, t);
              else
                kPackedTiles[size_t(rows - 1)](kc, apack + ir * kc, MR, panel, C + row * ldc + col, ldc, nr, t);
              if (next)
                for (int64_t l = tile * per_tile, l1 = std::min(lines, l + per_tile); l < l1; ++l)
                  V::prefetch_l2(next + l * 16);
            }
          }
        }
      }
    }
  }

  // gemm_packed_a's column blocks: NCA wide, except that a last block of at most one panel is
  // merged into the one before (bpack has room for NCA + NR columns): a 14x14 layer's N = 196
  // was 192 + 4, and the 4-column block streamed all of A (the weights, from DRAM inside a
  // network) a second time for one masked tile per strip.
  static int64_t block_cols(int64_t N, int64_t jc) { return N - jc <= NCA + NR ? N - jc : NCA; }

  static void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* packed_a, const float* B,
                            int64_t ldb, bool transB, float* C, int64_t ldc, float alpha,
                            float beta, const GemmEpilogue& ep) {
    if (M <= 0 || N <= 0) return;
    K = std::max<int64_t>(K, 0);
    alignas(64) float bpack[(NCA + NR + V::L) * KC + kPackSlack];
    const int64_t kblocks = k_blocks(K), kstep = k_step(K, kblocks);
    for (int64_t jc = 0; jc < N;) {
      const int64_t nc = block_cols(N, jc);
      for (int64_t pb = 0; pb < kblocks; ++pb) {
        const int64_t p0 = pb * kstep, kc = std::min<int64_t>(kstep, K - p0);
        const bool first = pb == 0, last = pb == kblocks - 1;
        pack_b_panels<V, NR>(kc, nc, B, ldb, transB, p0, jc, bpack);
        // A last panel of at most L columns is also packed L wide, after the block, for the
        // full strips' narrow tile (the edge strips keep the NR-wide copy).
        const int64_t full = nc / NR * NR;
        const bool narrow = NV > 1 && nc - full > 0 && nc - full <= V::L;
        float* narrow_panel = bpack + (full + NR) * kc;
        if (narrow) pack_b_panels<V, V::L>(kc, nc - full, B, ldb, transB, p0, jc + full, narrow_panel);
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
              if (narrow && jr == full && rows == MR)
                kNarrowTile(kc, strip, MR, narrow_panel, C + row * ldc + col, ldc, nr, t);
              else
                kPackedTiles[size_t(rows - 1)](kc, strip, MR, panel, C + row * ldc + col, ldc, nr, t);
            }
          }
        }
      }
      jc += nc;
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
