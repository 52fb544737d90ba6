// The portable channel-vector direct convolution entry (see kernels/dispatch/f32_conv_direct_cv.h):
// the same input addressing and packed weights as the vector entries, one output at a time in
// double. Also the reference the vector entries are tested against.
#include "kernels/dispatch/f32_conv_direct_cv.h"

namespace ember::kernels {

namespace {

constexpr int kNc = 16;

void conv_direct_cv_generic(const ConvDirectCvArgs& a, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  const int64_t k = a.channels * a.taps;
  for (int64_t m = m0; m < m1; ++m) {
    const float* w = a.w + (m / kNc) * kNc * k + m % kNc;
    for (int64_t p = p0; p < p1; ++p) {
      double acc = 0.0;
      for (int64_t c = 0; c < a.channels; ++c)
        for (int t = 0; t < a.taps; ++t)
          acc += double(w[(c * a.taps + t) * kNc]) * double(a.x[c * a.cstride + a.toff[t] + a.poff[p]]);
      float v = float(acc);
      if (a.bias) v += a.bias[m];
      const int64_t at = m * a.positions + p;
      if (a.residual) v += a.residual[at];
      a.y[at] = activate_scalar(v, a.activation, a.act_alpha, a.act_beta);
    }
  }
}

}  // namespace

const F32ConvDirectCvKernels& f32_conv_direct_cv_generic_kernels() {
  static const F32ConvDirectCvKernels k{"f32_conv_direct_cv_1x16__generic", 1, kNc, conv_direct_cv_generic};
  return k;
}

}  // namespace ember::kernels
