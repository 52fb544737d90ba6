// Direct 2-D convolution with the output channels in the vector lanes ("cv"), for layers with
// few output positions (ResNet-50's layer4: 7x7 outputs, 512-2048 channels). The position-
// vector direct kernel (f32_conv_direct.h) puts 16-32 consecutive positions in each register:
// at 7x7 outputs that is 2 tiles per row strip over 63 phased positions of which 49 are real,
// and each 147 KB weight strip is streamed for only 2 tiles (78 GFLOP/s measured, vs ~200 on
// 56x56 layers; benchmarks/RESULTS.md "ResNet-50"). Here a tile is np positions x nc channels:
// per reduction step nc/L weight vectors are loaded and each position's input is broadcast, so
// every lane is a real output, and weights are read in cache-sized blocks of channels that all
// position tiles pass over before the next block.
//
// The input is addressed like the direct kernel's: channel c, tap t, output position p read
//   x[c * cstride + toff[t] + poff[p]]
// with poff[p] the offset of position p's window (conv_position_offsets): over a phased input
// (f32_conv_direct.h) that is oy*wq + ox; for an unpadded 1x1 layer of any stride, X itself
// with toff = {0} and poff = oy*stride_h*in_w + ox*stride_w (no copy at all). Weights are packed
// by f32_conv_direct_pack_weights with mr = nc (strips of nc channels, each [channels*taps][nc]).
//
//   Y[m, p] = act(sum_{c,t} W[m, c, t] * x[...] + bias[m] + Z[m, p]),  Y and Z [m][positions]
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_conv_direct.h"

namespace ember::kernels {

struct ConvDirectCvArgs {
  const float* x = nullptr;         // input channel 0
  int64_t channels = 0;             // input channels (of this group)
  int64_t cstride = 0;              // floats between input channels
  const int64_t* toff = nullptr;    // per tap, its offset (taps entries)
  int taps = 1;
  const int64_t* poff = nullptr;    // per output position, its window's offset (positions entries)
  int64_t positions = 0;            // output positions, out_h * out_w
  const float* w = nullptr;         // packed weights (strips of nc channels)
  int64_t m = 0;                    // output channels (of this group)
  float* y = nullptr;               // [m][positions]
  const float* bias = nullptr;      // [m] or null
  const float* residual = nullptr;  // like y, or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};

// Computes output channels [m0, m1) (m0 a multiple of nc) at positions [p0, p1). Single-
// threaded; callers split the ranges across threads. Allocates nothing.
using F32ConvDirectCvFn = void (*)(const ConvDirectCvArgs& a, int64_t m0, int64_t m1, int64_t p0, int64_t p1);

struct F32ConvDirectCvKernels {
  const char* name = nullptr;  // e.g. "f32_conv_direct_cv_7x64__avx512f"
  int np = 1, nc = 16;         // tile: np positions x nc channels
  F32ConvDirectCvFn run = nullptr;
  // Up to how many output positions this entry beat its ISA's position-vector direct kernel on
  // spatial (3x3) layers, as measured by benchmarks/conv_bench.cc (0: never).
  int64_t max_spatial_positions = 0;
};

// poff for an out_h x out_w grid whose window (oy, ox) starts at oy * row + ox * col.
void conv_position_offsets(int64_t out_h, int64_t out_w, int64_t row, int64_t col, int64_t* poff);

// The table for a feature bitmask and a cap; f32_conv_direct_cv_kernels() is built once from
// cpu_features() and the EMBER_ISA cap. The generic entry is a scalar loop (the reference).
F32ConvDirectCvKernels make_f32_conv_direct_cv_kernels(uint32_t cpu_features, Isa cap);
const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels();

const F32ConvDirectCvKernels& f32_conv_direct_cv_generic_kernels();
namespace avx2 {
const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels();
}
namespace avx512 {
const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels();
}

}  // namespace ember::kernels
