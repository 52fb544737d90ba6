// Depthwise ConvInteger / QLinearConv computed per channel plane (quant_dwconv.cc), chosen by
// the factories in qlinear_conv.cc when group == C == M on 2-D inputs.
#pragma once

#include <memory>
#include <vector>

#include "backends/cpu/quant/quant_gemm.h"
#include "ops/op_registry.h"

namespace ember::backends::quant {

// Kernels with more taps than this go through the GEMM path (their int32 sums could wrap
// differently from the reference only past ~33000 taps; the limit keeps a wide margin).
constexpr int64_t kMaxDwTaps = 1024;

// w: constant [C, 1, kh, kw]; w_zp: null, one or C values; w_scale: C values (QLinearConv) or
// empty (ConvInteger).
std::unique_ptr<ops::Kernel> make_quant_dwconv(const ir::Node& node, bool qlinear, const Tensor& w,
                                               const Tensor* w_zp, std::vector<float> w_scale);

}  // namespace ember::backends::quant
