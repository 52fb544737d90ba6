#include "backends/cpu/quant/padded_columns.h"

#include <algorithm>
#include <cstring>

namespace ember::backends::quant {

bool padded_geom(const kernels::ConvGeom& g, PaddedGeom& p) {
  if (g.nd != 2 || g.kernel[0] * g.kernel[1] > 64 || g.kernel[0] * g.kernel[1] == 1 || g.stride[0] > 4 ||
      g.stride[1] > 4)
    return false;
  p.sy = g.stride[0];
  p.sx = g.stride[1];
  p.OH = g.out[0];
  p.OW = g.out[1];
  const int64_t dy = g.dilation[0], dx = g.dilation[1];
  p.Wq = p.OW + (g.kernel[1] - 1) * dx / p.sx;
  p.Hq = p.OH + (g.kernel[0] - 1) * dy / p.sy;
  if (p.sy < 1 || p.sx < 1 || p.OH < 1 || p.OW < 1 || (p.Wq - p.OW) * 4 > p.OW) return false;
  p.ext = (p.OH - 1) * p.Wq + p.OW;
  p.taps = g.kernel[0] * g.kernel[1];
  std::fill(p.phase_used, p.phase_used + 16, false);
  for (int64_t ky = 0; ky < g.kernel[0]; ++ky)
    for (int64_t kx = 0; kx < g.kernel[1]; ++kx) {
      const int64_t phase = (ky * dy % p.sy) * p.sx + kx * dx % p.sx;
      p.phase_used[phase] = true;
      p.tap_offset[ky * g.kernel[1] + kx] = phase * p.phase_size() + (ky * dy / p.sy) * p.Wq + kx * dx / p.sx;
    }
  return true;
}

void pad_image(const uint8_t* img, int64_t C, const kernels::ConvGeom& g, const PaddedGeom& p, uint8_t pad,
               uint8_t* planes) {
  const int64_t H = g.in[0], W = g.in[1], pt = g.pad[0], pl = g.pad[1];
  for (int64_t c = 0; c < C; ++c)
    for (int64_t py = 0; py < p.sy; ++py)
      for (int64_t px = 0; px < p.sx; ++px) {
        if (!p.phase_used[py * p.sx + px]) continue;
        uint8_t* dst = planes + c * p.channel_size() + (py * p.sx + px) * p.phase_size();
        const uint8_t* src = img + c * H * W;
        // Phase columns [a, b) read input columns qx * sx + px - pl inside [0, W).
        const int64_t first = px - pl;  // input column of qx = 0
        const int64_t a = std::clamp<int64_t>(first >= 0 ? 0 : (-first + p.sx - 1) / p.sx, 0, p.Wq);
        const int64_t b = std::clamp<int64_t>(W - first <= 0 ? 0 : (W - first + p.sx - 1) / p.sx, a, p.Wq);
        for (int64_t qy = 0; qy < p.Hq; ++qy) {
          uint8_t* row = dst + qy * p.Wq;
          const int64_t iy = qy * p.sy + py - pt;
          if (iy < 0 || iy >= H || b <= a) {
            std::memset(row, pad, size_t(p.Wq));
            continue;
          }
          const uint8_t* in = src + iy * W + (a * p.sx + first);  // input column of qx = a
          std::memset(row, pad, size_t(a));
          if (p.sx == 1) std::memcpy(row + a, in, size_t(b - a));
          else
            for (int64_t qx = a; qx < b; ++qx) row[qx] = in[(qx - a) * p.sx];
          std::memset(row + b, pad, size_t(p.Wq - b));
        }
      }
}

void padded_rows(const uint8_t* planes, int64_t C, const PaddedGeom& p, int64_t s0, const uint8_t** rows) {
  for (int64_t c = 0; c < C; ++c) {
    const uint8_t* channel = planes + c * p.channel_size() + s0;
    for (int64_t t = 0; t < p.taps; ++t) *rows++ = channel + p.tap_offset[t];
  }
}

void drop_extra_columns(const uint8_t* y_ext, int64_t M, const PaddedGeom& p, int64_t esz, uint8_t* y) {
  const size_t row = size_t(p.OW * esz);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t oy = 0; oy < p.OH; ++oy)
      std::memcpy(y + (m * p.OH + oy) * p.OW * esz, y_ext + (m * p.ext + oy * p.Wq) * esz, row);
}

}  // namespace ember::backends::quant
