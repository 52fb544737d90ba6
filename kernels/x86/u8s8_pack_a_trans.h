// Packing a transposed uint8 A (stored [K, M]: the im2col matrix / NCHW image of a convolution)
// into the x86 int8 driver's row tiles, 16 rows at a time with SSE2 (every x86-64, so each ISA
// file and the SIMDe build can include it). The scalar loop it replaces moved one byte per
// step and cost several times the GEMM itself for convolutions with few output channels.
//
// One k-group of a tile holds, for each row r, KG consecutive k values: 4 bytes (KG = 4, bytes
// as is) or 2 int16 (KG = 2, widened) — 4 bytes per row either way, which is what lets one
// routine serve both: interleave the k rows byte-wise (and, for int16, with zero bytes).
#pragma once

#include <emmintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

// 16 bytes of row k (row(k): its first byte) from column m0 as a vector, zero past the
// `avail` columns the row has there (so nothing past the matrix is read); zero for k >= K.
template <class Row>
inline __m128i load_a_row16(const Row& row, int64_t K, int64_t k, int64_t m0, int64_t avail) {
  if (k >= K) return _mm_setzero_si128();
  const uint8_t* src = row(k) + m0;
  if (avail >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  alignas(16) uint8_t tmp[16] = {};
  std::memcpy(tmp, src, size_t(avail));
  return _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
}

// Adds the 16 bytes of x to the 16-bit per-row counters (lo: rows 0-7, hi: rows 8-15).
inline void add_row_bytes(__m128i x, __m128i& lo, __m128i& hi) {
  const __m128i z = _mm_setzero_si128();
  lo = _mm_add_epi16(lo, _mm_unpacklo_epi8(x, z));
  hi = _mm_add_epi16(hi, _mm_unpackhi_epi8(x, z));
}

// Moves 16-bit counters into the int32 sums s[0..15] and clears them.
inline void flush_row_sums(__m128i& lo, __m128i& hi, int32_t* s) {
  alignas(16) uint16_t v[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(v), lo);
  _mm_store_si128(reinterpret_cast<__m128i*>(v + 8), hi);
  for (int i = 0; i < 16; ++i) s[i] += v[i];
  lo = hi = _mm_setzero_si128();
}

// Packs rows [m0, m0 + rows) of op(A) = A^T (M rows in all; rows = min(MR, M - m0), MR <= 16)
// into `tile` (G k-groups of MR * KG elements; rows past `rows` get zeros) and, with kSums, adds
// their sums over k to row_sum[0 .. rows). A^T's row k (M bytes) starts at row(k): A + k * lda,
// or anywhere (a convolution's padded planes). Columns past the tile (up to 16) are read, never used.
template <int MR, int KG, bool kSums, class AE, class Row>
void pack_a_trans_tile(const Row& row, int64_t K, int64_t M, int64_t m0, int64_t rows, AE* tile, int32_t* row_sum) {
  static_assert(MR <= 16 && KG * sizeof(AE) == 4, "one 32-bit group per row, at most 16 rows");
  const int64_t G = (K + KG - 1) / KG;
  const int64_t avail = std::min<int64_t>(16, M - m0);  // == rows in a last, partial tile
  int32_t sums[16] = {};
  __m128i cnt_lo = _mm_setzero_si128(), cnt_hi = _mm_setzero_si128();
  int64_t counted = 0;  // k rows in the 16-bit counters (each adds <= 255: flush before 257)
  const __m128i z = _mm_setzero_si128();
  alignas(16) uint8_t out[64];
  for (int64_t g = 0; g < G; ++g) {
    __m128i v0, v1, v2, v3;  // rows 0-3, 4-7, 8-11, 12-15: 4 bytes each
    const __m128i x0 = load_a_row16(row, K, g * KG, m0, avail);
    const __m128i x1 = load_a_row16(row, K, g * KG + 1, m0, avail);
    if constexpr (kSums) {
      add_row_bytes(x0, cnt_lo, cnt_hi);
      add_row_bytes(x1, cnt_lo, cnt_hi);
    }
    if constexpr (KG == 4) {
      const __m128i x2 = load_a_row16(row, K, g * KG + 2, m0, avail);
      const __m128i x3 = load_a_row16(row, K, g * KG + 3, m0, avail);
      if constexpr (kSums) {
        add_row_bytes(x2, cnt_lo, cnt_hi);
        add_row_bytes(x3, cnt_lo, cnt_hi);
      }
      const __m128i a01 = _mm_unpacklo_epi8(x0, x1), a23 = _mm_unpacklo_epi8(x2, x3);
      const __m128i b01 = _mm_unpackhi_epi8(x0, x1), b23 = _mm_unpackhi_epi8(x2, x3);
      v0 = _mm_unpacklo_epi16(a01, a23);
      v1 = _mm_unpackhi_epi16(a01, a23);
      v2 = _mm_unpacklo_epi16(b01, b23);
      v3 = _mm_unpackhi_epi16(b01, b23);
    } else {
      const __m128i p = _mm_unpacklo_epi8(x0, x1), q = _mm_unpackhi_epi8(x0, x1);
      v0 = _mm_unpacklo_epi8(p, z);  // (x0[r], x1[r]) as int16 pairs
      v1 = _mm_unpackhi_epi8(p, z);
      v2 = _mm_unpacklo_epi8(q, z);
      v3 = _mm_unpackhi_epi8(q, z);
    }
    _mm_store_si128(reinterpret_cast<__m128i*>(out), v0);
    _mm_store_si128(reinterpret_cast<__m128i*>(out + 16), v1);
    _mm_store_si128(reinterpret_cast<__m128i*>(out + 32), v2);
    _mm_store_si128(reinterpret_cast<__m128i*>(out + 48), v3);
    std::memcpy(tile + g * MR * KG, out, size_t(MR) * 4);
    counted += KG;
    if (kSums && counted > 256 - KG) {
      flush_row_sums(cnt_lo, cnt_hi, sums);
      counted = 0;
    }
  }
  if constexpr (!kSums) return;
  flush_row_sums(cnt_lo, cnt_hi, sums);
  for (int64_t r = 0; r < rows; ++r) row_sum[r] += sums[r];
}

}  // namespace
}  // namespace ember::kernels::EMBER_U8S8_NS
