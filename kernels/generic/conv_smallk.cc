// The portable short-reduction convolution entry (see kernels/dispatch/f32_conv_smallk.h): one
// output at a time in double. Also the reference the vector entry is tested against.
#include "kernels/dispatch/f32_conv_smallk.h"

namespace ember::kernels {

namespace {

void conv_smallk_generic(const ConvSmallKArgs& a, int64_t p0, int64_t p1) {
  const int64_t plane = a.positions();
  for (int64_t m = 0; m < a.m; ++m)
    for (int64_t p = p0; p < p1; ++p) {
      const float* x = a.x + (p / a.out_w) * a.row + p % a.out_w;
      double acc = 0.0;
      for (int64_t k = 0; k < a.k; ++k) acc += double(a.w[m * a.k + k]) * double(x[a.koff[k]]);
      float v = float(acc);
      if (a.bias) v += a.bias[m];
      const int64_t at = m * plane + p;
      if (a.residual) v += a.residual[at];
      a.y[at] = activate_scalar(v, a.activation, a.act_alpha, a.act_beta);
    }
}

}  // namespace

const F32ConvSmallKKernels& f32_conv_smallk_generic_kernels() {
  static const F32ConvSmallKKernels k{"f32_conv_smallk__generic", conv_smallk_generic, uint64_t(1) << 63};
  return k;
}

}  // namespace ember::kernels
