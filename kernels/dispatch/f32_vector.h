// The f32 "vector" kernels every ISA implements: elementwise activations and arithmetic,
// Softmax and LayerNorm over contiguous rows, 2-D pooling of one NCHW plane, and a plane mean.
// Raw pointers and sizes in; single-threaded; no allocation (callers split rows or planes
// across threads). Kernel names shown in profiles are f32_<op>__<isa>, <isa> from `isa` below.
//
// The table vector_kernels() is filled with the generic kernels (kernels/generic/vector.h, the
// references the tests compare against), then replaced by the best ISA the CPU and the
// EMBER_ISA cap allow; every entry is always callable.
#pragma once

#include <cstdint>

#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

// Parameters in (alpha, beta): LeakyRelu alpha; HardSigmoid alpha, beta; Clip min, max.
// Gelu is the exact erf form, GeluTanh the tanh approximation; HardSwish x * relu6(x + 3) / 6.
enum class UnaryOp : int {
  Relu, LeakyRelu, Sigmoid, Tanh, Erf, Exp, Silu, Gelu, GeluTanh, HardSigmoid, HardSwish, Clip, Log,
};
const char* unary_op_name(UnaryOp op);  // "relu", "gelu_tanh", ... (kernel-name form)

enum class BinaryOp : int { Add, Sub, Mul, Div };
const char* binary_op_name(BinaryOp op);  // "add", ...

// One [in_h, in_w] plane pooled to [out_h, out_w]; dilation 1, pads >= 0.
// pad_bottom / pad_right are the explicit pads (ceil_mode's overhang beyond them is not counted
// by count_include_pad, as ONNX specifies).
struct Pool2d {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;  // AveragePool divisor: taps inside the padded input, else valid taps
};

struct F32VectorKernels {
  const char* isa;  // "generic", "avx2", "avx512" (or "avx512_simde" in the tests)

  // y[i] = op(x[i]); y == x allowed.
  void (*unary)(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);
  // y[i] = a[i] op b[i]; y may alias a or b.
  void (*binary)(BinaryOp op, int64_t n, const float* a, const float* b, float* y);
  // y[i] = a[i] op s, or s op a[i] when scalar_left; y may alias a.
  void (*binary_scalar)(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y);
  // Softmax over each of `rows` contiguous rows of `len` values; y may alias x.
  void (*softmax)(int64_t rows, int64_t len, const float* x, float* y);
  // Per row of `len`: s = x + skip + bias (skip, bias may be null), y = (s - mean(s)) /
  // sqrt(var(s) + eps) * gamma + beta (beta may be null); `sum` (may be null) receives s.
  // gamma, beta, bias have `len` values; x, skip, y, sum are rows x len.
  void (*layernorm)(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                    const float* gamma, const float* beta, float eps, float* y, float* sum);
  // One plane each. A window with no valid tap gives -FLT_MAX (max, as the reference op) or 0.
  void (*maxpool2d)(const Pool2d& g, const float* x, float* y);
  void (*avgpool2d)(const Pool2d& g, const float* x, float* y);
  // The mean of n values (GlobalAveragePool); 0 for n == 0.
  float (*mean)(int64_t n, const float* x);
};

const F32VectorKernels& f32_vector_generic_kernels();

// The table for a feature bitmask and cap (tests build each level with it).
const F32VectorKernels& make_vector_kernels(uint32_t cpu_features, Isa cap);
// make_vector_kernels(cpu_features(), isa_cap_from_env()), chosen once.
const F32VectorKernels& vector_kernels();

namespace avx2 { const F32VectorKernels& f32_vector_kernels(); }
namespace avx512 { const F32VectorKernels& f32_vector_kernels(); }
// Test-only (ember_kernels_avx512_simde): the AVX-512 source compiled against SIMDe.
namespace avx512_simde { const F32VectorKernels& f32_vector_kernels(); }

}  // namespace ember::kernels
