// The portable direct convolution entry (see kernels/dispatch/f32_conv_direct.h): the same
// phased input, packed weights and position numbering as the vector entries, scalar loops,
// one output value at a time. Also the reference the vector entries are tested against.
#include "kernels/dispatch/f32_conv_direct.h"

#include <algorithm>

namespace ember::kernels {

namespace {

void conv_direct_generic(const ConvDirectArgs& a, int64_t m0, int64_t m1, int64_t j0, int64_t j1) {
  constexpr int kMr = 6;
  const int64_t k = a.channels * a.taps, plane = a.out_h * a.out_w;
  for (int64_t m = m0; m < m1; ++m) {
    const float* w = a.w + (m / kMr) * kMr * k + m % kMr;
    for (int64_t j = j0; j < j1; ++j) {
      const int64_t oy = j / a.wq, ox = j % a.wq;
      if (ox >= a.out_w) continue;  // a garbage column
      double acc = 0.0;
      for (int64_t c = 0; c < a.channels; ++c)
        for (int t = 0; t < a.taps; ++t)
          acc += double(w[(c * a.taps + t) * kMr]) * double(a.x[c * a.cstride + a.toff[t] + j]);
      float v = float(acc);
      if (a.bias) v += a.bias[m];
      const int64_t at = m * plane + oy * a.out_w + ox;
      if (a.residual) v += a.residual[at];
      a.y[at] = activate_scalar(v, a.activation, a.act_alpha, a.act_beta);
    }
  }
}

}  // namespace

const F32ConvDirectKernels& f32_conv_direct_generic_kernels() {
  static const F32ConvDirectKernels k{"f32_conv_direct_6x16__generic", 6, 16, conv_direct_generic};
  return k;
}

}  // namespace ember::kernels
