// The portable pointwise few-channel convolution entry (see
// kernels/dispatch/f32_conv1x1_smallk.h): one output at a time in double. Also the reference
// the vector entry is tested against.
#include "kernels/dispatch/f32_conv1x1_smallk.h"

namespace ember::kernels {

namespace {

void conv1x1_smallk_generic(const Conv1x1SmallKArgs& a, int64_t p0, int64_t p1) {
  for (int64_t m = 0; m < a.m; ++m)
    for (int64_t p = p0; p < p1; ++p) {
      double acc = 0.0;
      for (int64_t k = 0; k < a.channels; ++k)
        acc += double(a.w[m * a.channels + k]) * double(a.x[k * a.positions + p]);
      float v = float(acc);
      if (a.bias) v += a.bias[m];
      const int64_t at = m * a.positions + p;
      if (a.residual) v += a.residual[at];
      a.y[at] = activate_scalar(v, a.activation, a.act_alpha, a.act_beta);
    }
}

}  // namespace

const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_generic_kernels() {
  static const F32Conv1x1SmallKKernels k{"f32_conv1x1_smallk__generic", conv1x1_smallk_generic, 1, INT64_MAX, 1};
  return k;
}

}  // namespace ember::kernels
