// The portable transpose (kernels/dispatch/f32_transpose.h) and the reference the vector entry
// is tested against: 16 x 16 blocks, so both the rows read and the rows written stay in cache.
#include <algorithm>

#include "kernels/dispatch/f32_transpose.h"

namespace ember::kernels {

void f32_transpose_generic(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* y, int64_t ldy) {
  constexpr int64_t B = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += B)
    for (int64_t c0 = 0; c0 < cols; c0 += B) {
      const int64_t r1 = std::min(rows, r0 + B), c1 = std::min(cols, c0 + B);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) y[c * ldy + r] = x[r * ldx + c];
    }
}

}  // namespace ember::kernels
