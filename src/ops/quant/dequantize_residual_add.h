// ai.ember DequantizeResidualAdd (1): the float tail of a quantized residual block as one pass.
//   Y  = [Relu](float(X - x_zero_point) * x_scale * mul[c] + shift[c] + R)     float32, X's shape
//   Yq = QuantizeLinear(Y, y_scale, y_zero_point)                              when y_scale is given
// X 8-bit [N, C, ...]; R float32 of X's shape (the block's identity branch); mul / shift one or
// C values, either may be absent. Each step is the float operation the unfused ops do, in their
// order, so Y and Yq equal what DequantizeLinear -> Mul -> Add -> Add -> Relu -> QuantizeLinear
// computed, bit for bit. Written by src/opt/fuse_dequantize_residual_add.cc.
// The reference kernel is in dequantize_residual_add.cc; the native one
// (src/backends/cpu/quant/dequantize_residual_add.cc) shares this argument check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::quant {

struct ResidualAddArgs {
  float x_scale = 1.0f;
  int32_t x_zero_point = 0;
  std::vector<float> mul, shift;  // C values each (absent: 1 and -0, which change nothing)
  bool relu = false;
  bool quantized_out = false;     // Yq requested (y_scale given)
  float y_scale = 1.0f;
  int32_t y_zero_point = 0;
  DType y_type = DType::UInt8;    // Yq's type: y_zero_point's, else uint8
  int64_t channels = 0, planes = 0, inner = 0;  // X as planes [N * C] of `inner` elements
};

// Checks the node's inputs (types, shapes, one-element scales and zero points, a non-zero
// finite y_scale) and reads them; throws naming the node and the input otherwise.
ResidualAddArgs residual_add_args(const KernelContext& ctx, bool relu, const std::string& who);

}  // namespace ember::ops::quant
