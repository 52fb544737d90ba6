#include "conv2d_reference.h"

#include <cmath>

#include "test_util.h"

namespace ember::test {

void ConvRefSum::add(double term) {
  value += term;
  magnitude += std::fabs(term);
}

void conv2d_ref_taps(const kernels::DwConv2dGeom& g, const float* x, const float* filter, int64_t oy, int64_t ox,
                     ConvRefSum& sum) {
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      const int64_t iy = oy * g.stride_h + ky * g.dilation_h - g.pad_top;
      const int64_t ix = ox * g.stride_w + kx * g.dilation_w - g.pad_left;
      if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
      sum.add(double(filter[ky * g.kernel_w + kx]) * x[iy * g.in_w + ix]);
    }
}

bool conv2d_ref_matches(float got, ConvRefSum sum, float bias, const float* residual, kernels::Activation act,
                        float alpha, float beta, int64_t reduction_length, double& want) {
  sum.add(bias);
  if (residual) sum.add(*residual);
  want = kernels::activate_scalar(float(sum.value), act, alpha, beta);
  return std::fabs(got - want) <= 1e-6 + tier_rtol(Tier::Close, reduction_length) * sum.magnitude;
}

}  // namespace ember::test
