// One-node models run through runtime::Session with a chosen cpu_backend, the names of the
// kernels a plan picks, and plain double-precision references for Conv and MatMul (written
// here, independent of Ember's kernels) that the oneDNN kernels are checked against.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "test_util.h"

namespace ember::test {

// Absolute tolerance for float sums of k products of inputs in [-1, 1): the rounding error of
// a float dot product scales with the magnitude of its partial sums (about sqrt(k/9) here,
// each product having variance 1/9), so Close's relative bound is applied to that magnitude.
inline double dot_atol(int64_t k) { return tier_rtol(Tier::Close, k) * std::sqrt(double(k) / 9.0) + 1e-6; }

// Runs `r` in a one-node model with options cpu_backend=`backend`, threads=`threads`.
std::vector<Tensor> run_with_backend(const OpRun& r, const std::string& backend, int threads = 2);
// The kernel name the CPU backend picks for each node of `r`'s one-node model (repeated
// `copies` times as independent nodes of one graph).
std::vector<std::string> kernel_names(const OpRun& r, const std::string& backend, int threads = 2, int copies = 1);

struct ConvParams {
  int64_t group = 1;
  Dims strides, dilations, pads;  // empty: 1s, 1s, 0s (pads: begins then ends)
};
// Y = Conv(X, W) + B (B may be undefined), any spatial rank.
Tensor ref_conv(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p);
// Y = alpha * op(A) @ op(B), ONNX MatMul broadcasting over leading dims (ranks >= 2).
Tensor ref_matmul(const Tensor& a, const Tensor& b, bool ta = false, bool tb = false, double alpha = 1.0);
// y += beta * c (c broadcast to y's shape), in place.
void ref_add(Tensor& y, const Tensor& c, double beta = 1.0);
// The ai.ember activations (docs/ember_ops.md), in place.
void ref_activation(Tensor& y, const std::string& act, const std::vector<float>& params);

}  // namespace ember::test
