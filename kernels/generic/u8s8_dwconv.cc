// The generic int8 depthwise entry (kernels/dispatch/u8s8_dwconv.h): plain loops over one
// channel plane. Taps outside the input are skipped (they contribute 0 in the shifted domain);
// each (output row, tap) is one multiply-add over a contiguous run of output columns, which the
// compiler vectorizes for stride 1. Scratch: one row of OW (+ kDwRowSlack) uint32 sums (unsigned: they wrap like
// int32 arithmetic without undefined behaviour).
#include "kernels/generic/u8s8_dwconv.h"

#include <algorithm>

namespace ember::kernels {
namespace {

size_t scratch_bytes(const U8S8DwShape& s) { return size_t(s.OW + kDwRowSlack) * 4; }

void plane(const U8S8DwShape& s, const uint8_t* x, int32_t xz, const int32_t* w, int32_t bias, const U8S8DwOut& o,
           void* scratch) {
  uint32_t* __restrict acc = static_cast<uint32_t*>(scratch);
  for (int64_t oy = 0; oy < s.OH; ++oy) {
    std::fill(acc, acc + s.OW, uint32_t(bias));
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dil_h;
      if (iy < 0 || iy >= s.H) continue;
      const uint8_t* row = x + iy * s.W;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const int32_t wv = w[ky * s.kw + kx];
        const int64_t sw = s.stride_w, off = kx * s.dil_w - s.pad_left;
        // Output columns whose input column ox * sw + off lies inside [0, W).
        const int64_t ox0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
        const int64_t ox1 = std::min(s.OW, s.W - off <= 0 ? 0 : (s.W - off - 1) / sw + 1);
        // __restrict: uint8_t may alias anything, which would keep the loop scalar.
        const uint8_t* __restrict r = row + off;
        if (sw == 1)
          for (int64_t ox = ox0; ox < ox1; ++ox) acc[ox] += uint32_t((int32_t(r[ox]) - xz) * wv);
        else
          for (int64_t ox = ox0; ox < ox1; ++ox) acc[ox] += uint32_t((int32_t(r[ox * sw]) - xz) * wv);
      }
    }
    u8s8_detail::dw_finish_row(reinterpret_cast<const int32_t*>(acc), oy, s, o);
  }
}

}  // namespace

const U8S8DwConvKernels& u8s8_dwconv_generic_kernels() {
  static constexpr U8S8DwConvKernels k{"u8s8_dwconv__generic", scratch_bytes, plane};
  return k;
}

}  // namespace ember::kernels
