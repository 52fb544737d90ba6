// im2col for 2-D NCHW convolutions, written for speed: kernels/generic/im2col.cc handles any
// rank but tests bounds per element; here the valid column range of each kernel tap is worked
// out once, so each (tap, output row) is a zero fill, one contiguous copy (stride 1) or a
// strided gather, and another zero fill. Same column layout: row (c, ky, kx), columns [s0, s1).
#pragma once

#include <cstdint>

#include "kernels/generic/im2col.h"

namespace ember::backends::gemm_conv {

// `g` must be 2-D (g.nd == 2).
void im2col_2d(const float* img, int64_t channels, const kernels::ConvGeom& g, int64_t s0, int64_t s1, float* col);

}  // namespace ember::backends::gemm_conv
