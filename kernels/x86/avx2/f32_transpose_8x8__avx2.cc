// The AVX2 transpose (kernels/dispatch/f32_transpose.h): 8x8 register tiles inside 32x32 blocks
// (the block's 32 source rows and 32 destination rows, 4 KiB each way, stay in L1 while its 16
// tiles move), scalar loops for the ragged edges. Compiled with -mavx2 (this file only).
#include <immintrin.h>

#include <algorithm>

#include "kernels/dispatch/f32_transpose.h"
#include "kernels/x86/avx2/transpose8x8_avx2.h"

namespace ember::kernels::avx2 {
namespace {

void tile8x8(const float* x, int64_t ldx, float* y, int64_t ldy) {
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(x + i * ldx);
  transpose8x8(r);
  for (int i = 0; i < 8; ++i) _mm256_storeu_ps(y + i * ldy, r[i]);
}

void scalar_block(int64_t r0, int64_t r1, int64_t c0, int64_t c1, const float* x, int64_t ldx, float* y,
                  int64_t ldy) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c) y[c * ldy + r] = x[r * ldx + c];
}

}  // namespace

void f32_transpose_8x8__avx2(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* y, int64_t ldy) {
  constexpr int64_t B = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += B)
    for (int64_t c0 = 0; c0 < cols; c0 += B) {
      const int64_t r1 = std::min(rows, r0 + B), c1 = std::min(cols, c0 + B);
      const int64_t r8 = r0 + (r1 - r0) / 8 * 8, c8 = c0 + (c1 - c0) / 8 * 8;
      // The side with the longer stride gets its lines finished first: a stride that is a
      // multiple of 4 KiB (3072 floats, BERT's FFN) maps all 32 rows of a block to one L1 set,
      // and a line evicted between its two 32-byte halves is fetched twice. Measured on one
      // core: [3072,128] -> [128,3072] 0.41 ms source rows outer, 0.32 ms destination rows
      // outer; [128,3072] -> [3072,128] 0.057 vs 0.107 ms the other way round.
      if (ldy > ldx) {
        for (int64_t c = c0; c < c8; c += 8)
          for (int64_t r = r0; r < r8; r += 8) tile8x8(x + r * ldx + c, ldx, y + c * ldy + r, ldy);
      } else {
        for (int64_t r = r0; r < r8; r += 8)
          for (int64_t c = c0; c < c8; c += 8) tile8x8(x + r * ldx + c, ldx, y + c * ldy + r, ldy);
      }
      scalar_block(r0, r8, c8, c1, x, ldx, y, ldy);  // right edge of the full rows
      scalar_block(r8, r1, c0, c1, x, ldx, y, ldy);  // bottom rows
    }
}

}  // namespace ember::kernels::avx2
