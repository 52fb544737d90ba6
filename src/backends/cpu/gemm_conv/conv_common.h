// What the native Conv kernels (GEMM-based and depthwise) share: the node's attributes and
// constant weights read once at creation, and the per-run checks of X, B and Z.
#pragma once

#include <string>
#include <vector>

#include "backends/cpu/gemm_conv/activation.h"
#include "kernels/dispatch/f32_conv.h"
#include "ops/nn/window.h"
#include "ops/op_registry.h"

namespace ember::backends::gemm_conv {

struct ConvSetup {
  std::string node;
  ops::nn::WindowAttrs window;
  int64_t group = 1;
  int64_t c_in = 0, c_out = 0;  // from W: c_out = W[0], c_in = W[1] * group
  int64_t kh = 1, kw = 1;
  const Tensor* weight = nullptr;  // the constant W [c_out, c_in/group, kh, kw] (creation only)
  bool fused = false;              // ai.ember FusedConv: input 3 is the residual Z
  int64_t out_positions = -1;      // output height x width when the model's shapes give it, else -1
  int64_t in_h = -1, in_w = -1;    // input height and width when the model's shapes give them
  ActivationAttrs act;
};

// The run-time view of one call: X checked, output allocated, bias / residual located.
struct ConvRun {
  int64_t batch = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  kernels::ConvGeom geom;
  const float* x = nullptr;
  const float* bias = nullptr;      // [c_out] or null
  const float* residual = nullptr;  // like y, or null
  float* y = nullptr;
};
ConvRun begin_conv_run(const ConvSetup& s, ops::KernelContext& ctx);
// The 2-D geometry of one call, as the depthwise and direct kernels take it.
kernels::DwConv2dGeom conv2d_geom(const ConvSetup& s, const ConvRun& r);

}  // namespace ember::backends::gemm_conv
