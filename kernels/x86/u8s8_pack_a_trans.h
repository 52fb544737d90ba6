// Packing a transposed uint8 A (stored [K, M]: the im2col matrix / NCHW image of a convolution)
// into the x86 int8 driver's row tiles, 48 rows at a time with SSE2 (every x86-64, so each ISA
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

// Where A^T's row k (M bytes) starts: A + k * lda, or rows[k] (anywhere: a convolution's padded
// planes). One type rather than a template parameter: each packer is compiled once per entry
// (the library's size limit).
struct RowSource {
  const uint8_t* A = nullptr;
  int64_t lda = 0;
  const uint8_t* const* rows = nullptr;
  const uint8_t* operator()(int64_t k) const { return rows ? rows[k] : A + k * lda; }
};

// 16 bytes of row k (row(k): its first byte) from column m0 as a vector, zero past the
// `avail` columns the row has there (so nothing past the matrix is read); zero for k >= K.
inline __m128i load_a_row16(const RowSource& row, int64_t K, int64_t k, int64_t m0, int64_t avail) {
  if (k >= K || avail <= 0) return _mm_setzero_si128();
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

// One k-group of 16 rows: x[i] holds k = g * KG + i at the 16 rows; v[q] gets rows 4q..4q+3,
// 4 bytes each (KG = 4: the 4 k bytes; KG = 2: the 2 k values as int16).
template <int KG>
inline void interleave_group(const __m128i* x, __m128i* v) {
  if constexpr (KG == 4) {
    const __m128i a01 = _mm_unpacklo_epi8(x[0], x[1]), a23 = _mm_unpacklo_epi8(x[2], x[3]);
    const __m128i b01 = _mm_unpackhi_epi8(x[0], x[1]), b23 = _mm_unpackhi_epi8(x[2], x[3]);
    v[0] = _mm_unpacklo_epi16(a01, a23);
    v[1] = _mm_unpackhi_epi16(a01, a23);
    v[2] = _mm_unpacklo_epi16(b01, b23);
    v[3] = _mm_unpackhi_epi16(b01, b23);
  } else {
    const __m128i z = _mm_setzero_si128();
    const __m128i p = _mm_unpacklo_epi8(x[0], x[1]), q = _mm_unpackhi_epi8(x[0], x[1]);
    v[0] = _mm_unpacklo_epi8(p, z);  // (x0[r], x1[r]) as int16 pairs
    v[1] = _mm_unpackhi_epi8(p, z);
    v[2] = _mm_unpacklo_epi8(q, z);
    v[3] = _mm_unpackhi_epi8(q, z);
  }
}

// Packs rows [m0, m0 + 48) of op(A) = A^T, cut at M (m0 a multiple of MR), into the
// ceil(rows / MR) consecutive tiles at `tiles` (G k-groups of MR * KG elements each; rows past M
// get zeros) and, with_sums, adds their sums over k to row_sum[0 .. rows). Three 16-row loads per
// k row, each interleaved vector stored straight into its tile (a tile's k-group is MR * 4
// bytes, a multiple of 8, so no 8-byte half straddles two tiles). Per 48 rows and k-group: 12
// loads, 24 unpacks, 12-24 stores, where packing one tile at a time did 16 loads (a quarter
// unused at MR = 12), 32 unpacks and a copy through a buffer (ResNet-50 q8 VNNI: 0.94-0.96x the
// run time). Nothing is read past row M.
// kFull: m0 + 48 <= M and no sums (symmetric weights, the common case), compiled without the
// checks for a cut block or the sums (3-4 % of a ResNet-50 q8 run on VNNI when every block went
// through them); every other block takes the general form (one more copy would cost ~4 KB of
// library per entry).
template <int MR, int KG, bool kFull, class AE>
void pack_a_trans_block(const RowSource& row, bool with_sums_arg, int64_t K, int64_t M, int64_t m0, AE* tiles,
                        int32_t* row_sum) {
  const bool with_sums = !kFull && with_sums_arg;
  static_assert(48 % MR == 0 && (MR * 4) % 8 == 0 && KG * sizeof(AE) == 4, "48 rows of whole tiles");
  constexpr int kGroupBytes = MR * 4;
  const int64_t G = (K + KG - 1) / KG;
  const int64_t rows = kFull ? 48 : std::min<int64_t>(48, M - m0), tiles_here = kFull ? 48 / MR : (rows + MR - 1) / MR;
  const size_t tile_bytes = size_t(G) * kGroupBytes;
  auto* base = reinterpret_cast<uint8_t*>(tiles);
  int32_t sums[48] = {};
  __m128i cnt[6];
  for (auto& c : cnt) c = _mm_setzero_si128();
  int64_t counted = 0;  // k rows in the 16-bit counters (each adds <= 255: flush before 257)
  for (int64_t g = 0; g < G; ++g) {
    __m128i x[3][KG];
    for (int i = 0; i < KG; ++i)
      for (int c = 0; c < 3; ++c) {
        const int64_t k = g * KG + i;
        if constexpr (kFull)
          x[c][i] = k < K ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(row(k) + m0 + 16 * c)) : _mm_setzero_si128();
        else
          x[c][i] = load_a_row16(row, K, k, m0 + 16 * c, std::min<int64_t>(16, rows - 16 * c));
        if (with_sums) add_row_bytes(x[c][i], cnt[2 * c], cnt[2 * c + 1]);
      }
    __m128i v[12];
    for (int c = 0; c < 3; ++c) interleave_group<KG>(x[c], v + 4 * c);
    uint8_t* dst = base + g * kGroupBytes;
    for (int q = 0; q < 12; ++q) {  // v[q] holds rows 4q..4q+3: bytes [16q, 16q + 16) of the 192
      const auto at = [&](int byte) { return dst + (byte / kGroupBytes) * tile_bytes + byte % kGroupBytes; };
      if (!kFull && (16 * q) / kGroupBytes >= tiles_here) break;  // past the last tile
      if constexpr (kGroupBytes % 16 == 0) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at(16 * q)), v[q]);
      } else {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(at(16 * q)), v[q]);
        if (kFull || (16 * q + 8) / kGroupBytes < tiles_here)
          _mm_storel_epi64(reinterpret_cast<__m128i*>(at(16 * q + 8)), _mm_unpackhi_epi64(v[q], v[q]));
      }
    }
    counted += KG;
    if (with_sums && counted > 256 - KG) {
      for (int c = 0; c < 3; ++c) flush_row_sums(cnt[2 * c], cnt[2 * c + 1], sums + 16 * c);
      counted = 0;
    }
  }
  if (!with_sums) return;
  for (int c = 0; c < 3; ++c) flush_row_sums(cnt[2 * c], cnt[2 * c + 1], sums + 16 * c);
  for (int64_t r = 0; r < rows; ++r) row_sum[r] += sums[r];
}

}  // namespace
}  // namespace ember::kernels::EMBER_U8S8_NS
