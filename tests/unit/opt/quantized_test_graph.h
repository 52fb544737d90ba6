// 8-bit building blocks for the fusion tests of quantized graphs: a float value made 8-bit
// (QuantizeLinear), requantized after float work, and turned back to float. The scales and zero
// points are fixed, off-centre values so that a fusion which drops a zero point or a scale
// changes the numbers the tests compare.
#pragma once

#include "opt/fuse_test_graph.h"

namespace ember::test {

// An 8-bit tensor made from the float input x (QuantizeLinear per tensor), as a quantized
// layer's output would be.
inline ir::Value* quantized(FusionGraph& b, ir::Value* x, DType t) {
  Tensor zp(t, {});
  if (t == DType::UInt8) *zp.data<uint8_t>() = 121;
  else *zp.data<int8_t>() = -7;
  return b.op("QuantizeLinear", {x, b.scalar(0.02f), b.constant("zp", zp)});
}

inline ir::Value* requantize(FusionGraph& b, ir::Value* v, DType t) {
  Tensor zp(t, {});
  if (t == DType::UInt8) *zp.data<uint8_t>() = 3;
  else *zp.data<int8_t>() = 5;
  return b.op("QuantizeLinear", {v, b.scalar(0.031f), b.constant("zp", zp)});
}

inline ir::Value* dequantize(FusionGraph& b, ir::Value* q) {
  return b.op("DequantizeLinear", {q, b.scalar(0.013f)});
}

}  // namespace ember::test
