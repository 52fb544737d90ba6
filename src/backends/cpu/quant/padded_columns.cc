#include "backends/cpu/quant/padded_columns.h"

#include <algorithm>
#include <cstring>

namespace ember::backends::quant {

bool padded_geom(const kernels::ConvGeom& g, PaddedGeom& p) {
  if (g.nd != 2 || g.stride[0] != 1 || g.stride[1] != 1 || g.kernel[0] * g.kernel[1] > 64) return false;
  p.OH = g.out[0];
  p.OW = g.out[1];
  p.Wp = p.OW + (g.kernel[1] - 1) * g.dilation[1];
  p.Hp = p.OH + (g.kernel[0] - 1) * g.dilation[0];
  if (p.OH < 1 || p.OW < 1 || (p.Wp - p.OW) * 4 > p.OW) return false;
  p.ext = (p.OH - 1) * p.Wp + p.OW;
  p.taps = g.kernel[0] * g.kernel[1];
  for (int64_t ky = 0; ky < g.kernel[0]; ++ky)
    for (int64_t kx = 0; kx < g.kernel[1]; ++kx)
      p.tap_offset[ky * g.kernel[1] + kx] = ky * g.dilation[0] * p.Wp + kx * g.dilation[1];
  return true;
}

void pad_image(const uint8_t* img, int64_t C, const kernels::ConvGeom& g, const PaddedGeom& p, uint8_t pad,
               uint8_t* planes) {
  const int64_t H = g.in[0], W = g.in[1], pt = g.pad[0], pl = g.pad[1];
  // Input columns [x0, x1) land at padded columns [x0 + pl, x1 + pl) inside [0, Wp).
  const int64_t x0 = std::clamp<int64_t>(-pl, 0, W), x1 = std::clamp<int64_t>(p.Wp - pl, x0, W);
  for (int64_t c = 0; c < C; ++c) {
    uint8_t* dst = planes + c * p.plane();
    const uint8_t* src = img + c * H * W;
    for (int64_t py = 0; py < p.Hp; ++py) {
      uint8_t* row = dst + py * p.Wp;
      const int64_t iy = py - pt;
      if (iy < 0 || iy >= H || x1 <= x0) {
        std::memset(row, pad, size_t(p.Wp));
        continue;
      }
      const int64_t a = x0 + pl, b = x1 + pl;  // the copied span in padded columns
      std::memset(row, pad, size_t(a));
      std::memcpy(row + a, src + iy * W + x0, size_t(b - a));
      std::memset(row + b, pad, size_t(p.Wp - b));
    }
  }
}

void padded_columns(const uint8_t* planes, int64_t C, const PaddedGeom& p, int64_t s0, int64_t s1, uint8_t* col) {
  const int64_t len = s1 - s0;
  for (int64_t c = 0; c < C; ++c) {
    const uint8_t* plane = planes + c * p.plane() + s0;
    for (int64_t t = 0; t < p.taps; ++t, col += len) std::memcpy(col, plane + p.tap_offset[t], size_t(len));
  }
}

void drop_extra_columns(const uint8_t* y_ext, int64_t M, const PaddedGeom& p, int64_t esz, uint8_t* y) {
  const size_t row = size_t(p.OW * esz);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t oy = 0; oy < p.OH; ++oy)
      std::memcpy(y + (m * p.OH + oy) * p.OW * esz, y_ext + (m * p.ext + oy * p.Wp) * esz, row);
}

}  // namespace ember::backends::quant
