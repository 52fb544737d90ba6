// Convolutions with a short reduction (K = input channels x kernel taps of 16, 24, 27 or 32),
// NCHW, one group:
//
//   Y[m, oy, ox] = act(sum_k W[m, k] * x[koff[k] + oy * row + ox] + bias[m] + Z[m, oy, ox])
//
// MobileNetV2's 1x1 expansions read 16, 24 or 32 channels (koff[k] = k * H * W, X read in
// place) and its stem 3 channels x 3x3 taps = 27 (koff: the phased input of
// f32_conv_direct.h, whose per-tap offsets make every stride a unit-stride read). The
// reduction is too short for the GEMM and the direct tiles: their per-call packing of X and
// the tile's setup and epilogue are paid every 16-32 multiply-adds (16 -> 96 at 112x112 ran at
// 77-89 GF/s, the stem at 81). The vector entry keeps the K input vectors of 16 output
// positions in registers and produces every output channel from them, 8 channels at a time,
// with the weights broadcast from W as it is laid out in the model ([m][k]): nothing is packed,
// each input is read once, each output vector is one store.
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct ConvSmallKArgs {
  const float* x = nullptr;       // the input (X itself, or a phased copy of it)
  const int64_t* koff = nullptr;  // per reduction step k, its input's offset from x (k entries)
  int64_t k = 0;                  // reduction length
  int64_t row = 0;                // floats between the inputs of consecutive output rows
  const float* w = nullptr;       // W: [m][k], row-major (the model's layout)
  int64_t m = 0;                  // output channels
  int64_t out_h = 0, out_w = 0;   // output plane
  float* y = nullptr;             // Y: [m][out_h * out_w]
  const float* bias = nullptr;    // [m] or null
  const float* residual = nullptr;  // Z, laid out like Y, or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;

  int64_t positions() const { return out_h * out_w; }
};

// Computes every output channel at output positions [p0, p1) (numbered oy * out_w + ox).
// Single-threaded (callers split the positions across threads); allocates nothing. Only for
// reduction lengths handles() accepts.
using F32ConvSmallKFn = void (*)(const ConvSmallKArgs& a, int64_t p0, int64_t p1);

struct F32ConvSmallKKernels {
  const char* name = nullptr;  // e.g. "f32_conv_smallk_8x16__avx512f"
  F32ConvSmallKFn run = nullptr;
  // Bit k set: the entry handles reduction length k (the vector entry has one register-
  // resident form per length); bit 63: every length.
  uint64_t lengths = 0;
  bool handles(int64_t k) const {
    return run && k >= 1 && ((lengths >> 63) || (k < 63 && ((lengths >> k) & 1)));
  }
};

// The table for a feature bitmask and a cap; f32_conv_smallk_kernels() is built once from
// cpu_features() and the EMBER_ISA cap. The generic entry (any K; a scalar loop in double) is
// the reference the vector entry is tested against, and is not worth routing layers to.
F32ConvSmallKKernels make_f32_conv_smallk_kernels(uint32_t cpu_features, Isa cap);
const F32ConvSmallKKernels& f32_conv_smallk_kernels();

const F32ConvSmallKKernels& f32_conv_smallk_generic_kernels();
namespace avx512 {
const F32ConvSmallKKernels& f32_conv_smallk_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32ConvSmallKKernels& f32_conv_smallk_kernels();
}

}  // namespace ember::kernels
