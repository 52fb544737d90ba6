// Quantization parameters and quantized weights, shared by the static, dynamic and weight-only
// rewrites. Activations: asymmetric uint8 (scale, zero point). Weights: symmetric (zero point
// 0) int8 per channel, or int8/int4 per block along the reduction axis.
#pragma once

#include <cstdint>

#include "ir/tensor.h"
#include "opt/quantize/calibration_methods.h"

namespace ember::opt::quantize {

struct UInt8Params {
  float scale = 1;
  uint8_t zero_point = 0;
};
// uint8 parameters covering `r` widened to include 0 (so 0 is exact: zero padding, ReLU).
// A range of width 0 (a constant-zero tensor) gets scale 1.
UInt8Params uint8_params(Range r);

struct QuantizedWeight {
  Tensor q;      // same shape as the weight: int8, or int4 (unpacked, one element per byte)
  Tensor scale;  // float32: [w.dim(axis)] per channel, or w's shape with ceil(dim / block) on axis
};

// Symmetric int8, values in [-qmax, qmax] (127, or 63 for 7-bit weights: x86 u8 x s8 kernels
// built on vpmaddubsw, onnxruntime's on AVX2 among them, saturate pairs of 8-bit products
// at 16 bits unless the weights keep to 7 bits; "reduce range"). per_channel: one scale per slice along `axis` (Conv:
// axis 0, the output channels; a [K, N] MatMul weight: axis 1, the columns), scale [dim];
// otherwise one scale for the tensor, scale []. An all-zero slice gets scale 1.
QuantizedWeight quantize_symmetric(const Tensor& w, int64_t axis, bool per_channel, int qmax = 127);

// Symmetric per block of `block` consecutive elements along `axis` (the reduction axis):
// int8 in [-127, 127] or int4 in [-7, 7]. The scale has w's shape with dim(axis) replaced by
// ceil(dim / block), the layout DequantizeLinear's block_size (opset 21) expects.
QuantizedWeight quantize_blockwise(const Tensor& w, int64_t axis, int64_t block, DType type);

// int32 bias for an integer product whose scale per output channel is x_scale * w_scale[c].
Tensor quantize_bias(const Tensor& bias, float x_scale, const Tensor& w_scale);

// Transposes a 2-D tensor (Gemm's transB weights become [K, N]).
Tensor transpose_2d(const Tensor& w);

}  // namespace ember::opt::quantize
