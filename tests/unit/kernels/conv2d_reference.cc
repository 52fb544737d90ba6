#include "conv2d_reference.h"

#include <cmath>
#include <random>

#include "test_util.h"

namespace ember::test {

kernels::DwConv2dGeom conv2d_case_geom(const Conv2dCase& k) {
  kernels::DwConv2dGeom g;
  g.in_h = k.h;
  g.in_w = k.w;
  g.kernel_h = k.kh;
  g.kernel_w = k.kw;
  g.stride_h = k.sh;
  g.stride_w = k.sw;
  g.dilation_h = g.dilation_w = k.d;
  g.pad_top = k.pt;
  g.pad_left = k.pl;
  g.out_h = (k.h + k.pt + k.pb - ((k.kh - 1) * k.d + 1)) / k.sh + 1;
  g.out_w = (k.w + k.pl + k.pr - ((k.kw - 1) * k.d + 1)) / k.sw + 1;
  return g;
}

std::string describe(const Conv2dCase& k) {
  return "c=" + std::to_string(k.c) + " in=" + std::to_string(k.h) + "x" + std::to_string(k.w) + " m=" +
         std::to_string(k.m) + " k=" + std::to_string(k.kh) + "x" + std::to_string(k.kw) + " s=" +
         std::to_string(k.sh) + "," + std::to_string(k.sw) + " d=" + std::to_string(k.d) + " pad=" +
         std::to_string(k.pt) + "," + std::to_string(k.pl) + "," + std::to_string(k.pb) + "," + std::to_string(k.pr);
}

std::vector<float> uniform_floats(size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng());
  return v;
}

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

std::optional<ConvRefMismatch> conv2d_dense_mismatch(const Conv2dCase& k, const float* x, const float* w,
                                                     const float* y, const ConvRefEpilogue& e) {
  const kernels::DwConv2dGeom g = conv2d_case_geom(k);
  const int64_t taps = k.kh * k.kw, kd = k.c * taps, plane = g.out_h * g.out_w;
  for (int64_t m = 0; m < k.m; ++m)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        ConvRefSum sum;
        for (int64_t c = 0; c < k.c; ++c) conv2d_ref_taps(g, x + c * k.h * k.w, w + m * kd + c * taps, oy, ox, sum);
        const int64_t at = m * plane + oy * g.out_w + ox;
        double want = 0.0;
        if (!conv2d_ref_matches(y[at], sum, e.bias ? e.bias[m] : 0.0f, e.residual ? e.residual + at : nullptr, e.act,
                                e.alpha, e.beta, kd, want))
          return ConvRefMismatch{m, oy, ox, y[at], want};
      }
  return std::nullopt;
}

}  // namespace ember::test
