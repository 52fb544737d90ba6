#include "backends/cpu/gemm_conv/im2col_2d.h"

#include <algorithm>

namespace ember::backends::gemm_conv {

namespace {

// First output column whose input column ox*s + off lies at or after `edge` (ceil division
// that also works for negative numerators).
int64_t first_at_or_after(int64_t edge, int64_t off, int64_t s) {
  const int64_t num = edge - off;
  return num <= 0 ? -((-num) / s) : (num + s - 1) / s;
}

}  // namespace

template <class T>
void im2col_2d(const T* img, int64_t channels, const kernels::ConvGeom& g, int64_t s0, int64_t s1, T* col, T pad) {
  const int64_t H = g.in[0], W = g.in[1], OW = g.out[1];
  const int64_t KH = g.kernel[0], KW = g.kernel[1], sh = g.stride[0], sw = g.stride[1];
  const int64_t len = s1 - s0;
  for (int64_t c = 0; c < channels; ++c) {
    const T* plane = img + c * H * W;
    for (int64_t ky = 0; ky < KH; ++ky) {
      const int64_t offy = ky * g.dilation[0] - g.pad[0];
      for (int64_t kx = 0; kx < KW; ++kx) {
        const int64_t offx = kx * g.dilation[1] - g.pad[1];
        // Output columns [lo, hi) read inside the input row; the rest read padding.
        const int64_t lo = std::clamp<int64_t>(first_at_or_after(0, offx, sw), 0, OW);
        const int64_t hi = std::clamp<int64_t>(first_at_or_after(W, offx, sw), lo, OW);
        T* dst = col + ((c * KH + ky) * KW + kx) * len;
        int64_t s = s0;
        while (s < s1) {
          const int64_t oy = s / OW, ox0 = s % OW, ox1 = std::min(OW, ox0 + (s1 - s));
          T* d = dst + (s - s0);
          const int64_t iy = oy * sh + offy;
          if (iy < 0 || iy >= H) {
            std::fill(d, d + (ox1 - ox0), pad);
          } else {
            const T* row = plane + iy * W;
            const int64_t a = std::clamp(lo, ox0, ox1), b = std::clamp(hi, ox0, ox1);
            std::fill(d, d + (a - ox0), pad);
            if (sw == 1) {
              std::copy(row + a + offx, row + b + offx, d + (a - ox0));
            } else {
              const T* src = row + a * sw + offx;
              for (int64_t ox = a; ox < b; ++ox, src += sw) d[ox - ox0] = *src;
            }
            std::fill(d + (b - ox0), d + (ox1 - ox0), pad);
          }
          s += ox1 - ox0;
        }
      }
    }
  }
}

template void im2col_2d<float>(const float*, int64_t, const kernels::ConvGeom&, int64_t, int64_t, float*, float);
template void im2col_2d<uint8_t>(const uint8_t*, int64_t, const kernels::ConvGeom&, int64_t, int64_t, uint8_t*, uint8_t);

}  // namespace ember::backends::gemm_conv
