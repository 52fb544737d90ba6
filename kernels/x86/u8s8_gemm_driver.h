// The x86 int8 GEMM driver (contract: kernels/dispatch/u8s8_gemm.h), shared by the AVX2,
// AVX-512BW and AVX-512 VNNI entries. Included by each ISA's file after it defines its
// `Cfg`, so everything here compiles with that file's -m flags.
//
// Cfg::V (built from u8s8_gemm_vec.h) describes one k-group multiply-accumulate on a vector of
// L int32 lanes:
//   KG        k values per 32-bit lane (2: 16-bit pairs for vpmaddwd; 4: bytes for vpmaddubsw
//             or vpdpbusd)
//   AElem     packed A element (int16_t: a widened; uint8_t: a as is)
//   BElem     packed B element (int16_t: b' widened; int8_t: b' as is)
//   dot(acc, a, b)  acc += per-lane sum of the KG products (exact within the entry's weight range)
//   bcast(p)  the 32-bit group at p in every lane;  load(p) / store(p, v)
// Cfg::MR rows x Cfg::NV vectors of columns make the register tile (NR = NV * L).
//
// Packed A: tiles of MR rows; in a tile, k-group g of row r at element (g * MR + r) * KG.
// Rows past M and k past K are zero. Then Mp int32 row sums. Packed B: panels of NR columns;
// in a panel, k-group g of column c at (g * NR + c) * KG; then Np int32 column sums of b' and
// Np int32 zb'. Offsets of the sums are 64-byte aligned.
#pragma once

#include <algorithm>
#include <cstring>

#include "kernels/generic/u8s8_gemm.h"
#include "kernels/x86/u8s8_gemm_vec.h"
#include "kernels/x86/u8s8_pack_a_trans.h"

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

template <class Cfg>
struct U8S8Driver {
  using V = typename Cfg::V;
  using AE = typename V::AElem;
  using BE = typename V::BElem;
  static constexpr int L = V::L, KG = V::KG, MR = Cfg::MR, NV = Cfg::NV, NR = NV * L;

  static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
  static size_t align64(size_t x) { return (x + 63) / 64 * 64; }
  static int64_t groups(int64_t K) { return ceil_div(std::max<int64_t>(K, 0), KG); }
  static int64_t rows_padded(int64_t M) { return ceil_div(M, MR) * MR; }
  static int64_t cols_padded(int64_t N) { return ceil_div(N, NR) * NR; }
  static size_t a_sums_offset(int64_t M, int64_t K) { return align64(size_t(rows_padded(M) * groups(K) * KG) * sizeof(AE)); }
  static size_t b_sums_offset(int64_t K, int64_t N) { return align64(size_t(cols_padded(N) * groups(K) * KG) * sizeof(BE)); }

  static size_t packed_a_size(int64_t M, int64_t K) { return a_sums_offset(M, K) + size_t(rows_padded(M)) * 4; }
  static size_t packed_b_size(int64_t K, int64_t N) { return b_sums_offset(K, N) + size_t(cols_padded(N)) * 8; }

  static void pack_a(int64_t M, int64_t K, const uint8_t* A, int64_t lda, bool transA, void* packed) {
    if (transA) return pack_trans(M, K, RowSource{A, lda, nullptr}, true, packed);
    const int64_t Mp = rows_padded(M), G = groups(K);
    AE* p = static_cast<AE*>(packed);
    std::memset(p, 0, size_t(Mp * G * KG) * sizeof(AE));
    auto* row_sum = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(packed) + a_sums_offset(M, K));
    for (int64_t m = 0; m < Mp; ++m) row_sum[m] = 0;
    for (int64_t t = 0; t * MR < M; ++t) {
      AE* tile = p + t * G * MR * KG;
      const int64_t rows = std::min<int64_t>(MR, M - t * MR);
      for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* src = A + (t * MR + r) * lda;
        int32_t s = 0;
        for (int64_t k = 0; k < K; ++k) {
          tile[((k / KG) * MR + r) * KG + k % KG] = AE(src[k]);
          s += src[k];
        }
        row_sum[t * MR + r] = s;
      }
    }
  }

  static void pack_a_rows(int64_t M, int64_t K, const uint8_t* const* rows, bool row_sums, void* packed) {
    pack_trans(M, K, RowSource{nullptr, 0, rows}, row_sums, packed);
  }

  // op(A) = A^T with row(k) the start of A^T's row k. Every tile is written whole (zeros past M
  // and K), so nothing is cleared first; without sums the row sums are zero.
  static void pack_trans(int64_t M, int64_t K, const RowSource& row, bool sums, void* packed) {
    const int64_t Mp = rows_padded(M), G = groups(K);
    AE* p = static_cast<AE*>(packed);
    auto* row_sum = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(packed) + a_sums_offset(M, K));
    for (int64_t m = 0; m < Mp; ++m) row_sum[m] = 0;
    int64_t t = 0;
    for (; !sums && t * MR + 48 <= M; t += 48 / MR)
      pack_a_trans_block<MR, KG, true>(row, false, K, M, t * MR, p + t * G * MR * KG, row_sum + t * MR);
    for (; t * MR < M; t += 48 / MR)
      pack_a_trans_block<MR, KG, false>(row, sums, K, M, t * MR, p + t * G * MR * KG, row_sum + t * MR);
  }

  static void pack_b(int64_t K, int64_t N, const void* B, int64_t ldb, bool transB, bool b_unsigned,
                     const int32_t* zp, bool zp_per_column, void* packed) {
    const int64_t Np = cols_padded(N), G = groups(K);
    BE* p = static_cast<BE*>(packed);
    std::memset(p, 0, size_t(Np * G * KG) * sizeof(BE));
    auto* col_sum = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(packed) + b_sums_offset(K, N));
    int32_t* b_zp = col_sum + Np;
    for (int64_t n = 0; n < Np; ++n) {
      BE* panel = p + (n / NR) * G * NR * KG;
      const int64_t c = n % NR;
      int32_t s = 0;
      if (n < N)
        for (int64_t k = 0; k < K; ++k) {
          const int32_t b = u8s8_detail::b_prime(B, ldb, transB, b_unsigned, k, n);
          panel[((k / KG) * NR + c) * KG + k % KG] = BE(b);
          s += b;
        }
      col_sum[n] = s;
      b_zp[n] = n < N ? u8s8_detail::b_zp_prime(zp, zp_per_column, b_unsigned, n) : 0;
    }
  }

  // acc[MR][NR] = init[NR] + the raw sums of one row tile against one column panel over all G
  // k-groups (init: the column terms of the compensation, which thus cost nothing per element).
  static void tile(int64_t G, const AE* a, const BE* b, const int32_t* init, int32_t* acc) {
    typename V::vec c[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) c[r][v] = V::load_acc(init + v * L);
    for (int64_t g = 0; g < G; ++g) {
      typename V::vec bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = V::load(b + (g * NR + v * L) * KG);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const typename V::vec av = V::bcast(a + (g * MR + r) * KG);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) c[r][v] = V::dot(c[r][v], av, bv[v]);
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) V::store(acc + r * NR + v * L, c[r][v]);
  }

  static void gemm(int64_t M, int64_t N, int64_t K, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                   const void* packed_a, const void* packed_b, const U8S8Epilogue& ep) {
    if (m1 <= m0 || n1 <= n0) return;
    const int64_t G = groups(K);
    const AE* pa = static_cast<const AE*>(packed_a);
    const BE* pb = static_cast<const BE*>(packed_b);
    const auto* col_sum = reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed_b) + b_sums_offset(K, N));
    const U8S8Sums sums{reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed_a) + a_sums_offset(M, K)),
                        col_sum, col_sum + cols_padded(N), K};
    // Columns in blocks whose packed B stays in L2 while every row tile passes over it.
    const int64_t panel_bytes = std::max<int64_t>(G, 1) * NR * KG * int64_t(sizeof(BE));
    const int64_t nc = std::max<int64_t>(1, Cfg::L2_BYTES / panel_bytes) * NR;
    // Transposed C (NCHW convolutions) is requantized through 16 x 16 byte transposes: the
    // epilogue gets GR row tiles at once (48 rows) so that no transpose runs on a 6- or 12-row
    // remainder. One tile at a time, the requantization was 10.5 % of an int8 ResNet-50 run
    // under EMBER_ISA=avx2 (perf), a third of it transposing rows that did not exist.
    constexpr int GR = 48 / MR;
    const int gr = ep.trans_c ? GR : 1;
    alignas(64) int32_t acc[GR * MR * NR];
    alignas(64) int32_t terms[NR] = {};
    for (int64_t nb = n0; nb < n1; nb += nc) {
      const int64_t nb1 = std::min(n1, nb + nc);
      for (int64_t m = m0; m < m1; m += gr * MR) {
        const int64_t rows = std::min<int64_t>(gr * MR, m1 - m);
        for (int64_t n = nb; n < nb1; n += NR) {
          const int64_t cols = std::min<int64_t>(NR, nb1 - n);
          const bool any_zb = u8s8_column_terms(n, cols, sums, ep, terms);
          for (int64_t i = 0; i * MR < rows; ++i)
            tile(G, pa + (m / MR + i) * G * MR * KG, pb + (n / NR) * G * NR * KG, terms, acc + i * MR * NR);
          u8s8_finish_rows(acc, NR, m, rows, n, cols, sums, any_zb, ep);
        }
      }
    }
  }

  // narrow: the faster entry for weights in [-64, 64] (see U8S8GemmKernels::narrow), or null.
  static constexpr U8S8GemmKernels kernels(const char* name, const U8S8GemmKernels& (*narrow)() = nullptr) {
    return U8S8GemmKernels{name, MR, NR, packed_a_size, pack_a, packed_b_size, pack_b, gemm, narrow, pack_a_rows};
  }
};

}  // namespace
}  // namespace ember::kernels::EMBER_U8S8_NS
