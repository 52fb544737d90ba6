// Pointwise (1x1, stride 1, unpadded) convolution over few input channels, NCHW, one group:
//
//   Y[m, p] = act(sum_k W[m, k] * X[k, p] + bias[m] + Z[m, p])
//
// MobileNetV2's expansions read 16, 24 or 32 channels and write 96-192: the reduction is too
// short for the GEMM (its per-call packing of X and its 12x32 tile's setup and epilogue are
// paid every 16-32 multiply-adds; 16 -> 96 at 112x112 ran at 77-89 GF/s). The vector entry
// keeps the K inputs of one vector of positions in registers and produces every output
// channel from them, 8 channels at a time with the weights broadcast from W as it is laid out
// in the model: X is read once, nothing is packed, and each output vector is one full store.
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct Conv1x1SmallKArgs {
  const float* x = nullptr;      // X: [channels][positions]
  int64_t channels = 0;          // K
  const float* w = nullptr;      // W: [m][channels], row-major (the model's layout)
  int64_t m = 0;                 // output channels
  int64_t positions = 0;         // H * W: the row length of X, Y and Z
  float* y = nullptr;            // Y: [m][positions]
  const float* bias = nullptr;   // [m] or null
  const float* residual = nullptr;  // Z, laid out like Y, or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};

// Computes every output channel at positions [p0, p1). Single-threaded (callers split the
// positions across threads); allocates nothing. Only for channel counts handles() accepts.
using F32Conv1x1SmallKFn = void (*)(const Conv1x1SmallKArgs& a, int64_t p0, int64_t p1);

struct F32Conv1x1SmallKKernels {
  const char* name = nullptr;  // e.g. "f32_conv1x1_smallk_8x16__avx512f"
  F32Conv1x1SmallKFn run = nullptr;
  // The reduction lengths the entry is built for: k_min..k_max in steps of k_step (the vector
  // entry has one register-resident form per length).
  int64_t k_min = 1, k_max = 0, k_step = 1;
  bool handles(int64_t k) const { return run && k >= k_min && k <= k_max && (k - k_min) % k_step == 0; }
};

// The table for a feature bitmask and a cap; f32_conv1x1_smallk_kernels() is built once from
// cpu_features() and the EMBER_ISA cap. The generic entry (any K; a scalar loop in double) is
// the reference the vector entry is tested against, and is not worth routing layers to.
F32Conv1x1SmallKKernels make_f32_conv1x1_smallk_kernels(uint32_t cpu_features, Isa cap);
const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_kernels();

const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_generic_kernels();
namespace avx512 {
const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_kernels();
}

}  // namespace ember::kernels
