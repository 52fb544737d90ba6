// The double-precision reference the 2-D convolution kernel tests (direct, depthwise
// per-channel, depthwise channel-blocked) check every output against: one filter over one
// input plane at one output position (zero padding, strides, dilations of DwConv2dGeom), then
// bias, residual and the activation (activate_scalar), with the tolerance the tests share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch/f32_conv.h"

namespace ember::test {

// A dense (one group) convolution case of the direct kernel tests: c input channels of h x w,
// m output channels, a kh x kw kernel, strides sh, sw, dilation d, pads top, left, bottom, right.
struct Conv2dCase {
  int64_t c, h, w, m, kh, kw, sh, sw, d, pt, pl, pb, pr;
};
kernels::DwConv2dGeom conv2d_case_geom(const Conv2dCase& k);
std::string describe(const Conv2dCase& k);
// n uniform floats in [-1, 1) from test::rng().
std::vector<float> uniform_floats(size_t n);

// One output's exact sum and the sum of its terms' magnitudes (what the tolerance scales with:
// cancellation can make the sum itself arbitrarily small).
struct ConvRefSum {
  double value = 0.0, magnitude = 0.0;
  void add(double term);
};

// Adds filter [kernel_h][kernel_w] over plane x [in_h][in_w] at output (oy, ox).
void conv2d_ref_taps(const kernels::DwConv2dGeom& g, const float* x, const float* filter, int64_t oy, int64_t ox,
                     ConvRefSum& sum);

// act(sum + bias (+ *residual)) against `got`, with Tier::Close grown with `reduction_length`
// relative to the magnitude; `want` receives the reference value for the failure message.
bool conv2d_ref_matches(float got, ConvRefSum sum, float bias, const float* residual, kernels::Activation act,
                        float alpha, float beta, int64_t reduction_length, double& want);

// What a dense convolution kernel under test added after the sum (null bias / residual: none).
struct ConvRefEpilogue {
  const float* bias = nullptr;      // [m]
  const float* residual = nullptr;  // like y
  kernels::Activation act = kernels::Activation::None;
  float alpha = 0.0f, beta = 0.0f;
};
// The first output that does not match, with the reference value.
struct ConvRefMismatch {
  int64_t m, oy, ox;
  float got;
  double want;
};
// Checks y [k.m][out_h][out_w] against the dense convolution of x [k.c][k.h][k.w] with filters
// w [k.m][k.c][k.kh][k.kw] plus the epilogue, output by output; empty when all match.
std::optional<ConvRefMismatch> conv2d_dense_mismatch(const Conv2dCase& k, const float* x, const float* w,
                                                     const float* y, const ConvRefEpilogue& e);

}  // namespace ember::test
