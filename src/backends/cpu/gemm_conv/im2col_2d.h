// im2col for 2-D NCHW convolutions, written for speed: kernels/generic/im2col.cc handles any
// rank but tests bounds per element; here the valid column range of each kernel tap is worked
// out once, so each (tap, output row) is a zero fill, one contiguous copy (stride 1) or a
// strided gather, and another zero fill. Same column layout: row (c, ky, kx), columns [s0, s1).
#pragma once

#include <cstdint>

#include "kernels/generic/im2col.h"

namespace ember::backends::gemm_conv {

// `g` must be 2-D (g.nd == 2). Taps in the padding get `pad` (quantized convolutions pad with the
// input's zero point). Instantiated for float and uint8_t.
template <class T>
void im2col_2d(const T* img, int64_t channels, const kernels::ConvGeom& g, int64_t s0, int64_t s1, T* col,
               T pad = T(0));

}  // namespace ember::backends::gemm_conv
