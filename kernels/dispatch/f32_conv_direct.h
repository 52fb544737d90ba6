// Direct 2-D convolution (NCHW, one group) as an implicit GEMM: no im2col matrix and no
// per-call packing of the right-hand side. The output is computed in mr x nr register tiles
// (mr output channels x nr output positions), the reduction running over input channels and
// kernel taps, each step loading nr input values straight from a "phased" copy of the input:
//
//  Phased input X': the zero-padded input, split by stride into stride_h x stride_w phase
//  planes of hq x wq floats (phase (ph, pw) holds padded rows ph, ph+sh, ... and columns pw,
//  pw+sw, ...). Output (oy, ox) through tap (ky, kx) then reads phase ((ky*dh) % sh, (kx*dw) % sw)
//  at row oy + (ky*dh)/sh, column ox + (kx*dw)/sw. Numbering the output positions over the
//  phase plane's width, j = oy*wq + ox, that address is j + toff[tap] (a constant per tap), so
//  nr consecutive j are nr consecutive floats for every tap, whatever the stride and dilation.
//  Columns ox in [out_w, wq) are computed and thrown away (the "garbage" columns; for a 3x3
//  pad-1 stride-1 layer 2/(W+2) of the work). A 1x1 stride-1 unpadded convolution needs no copy:
//  X itself is X' (wq = out_w, one tap at offset 0).
//
// For channel block [m, m+mr) and positions [j, j+nr):
//   Y[m+r, oy, ox] = act(sum_{c, t} Wp[c*taps + t][r] * X'[c*cstride + toff[t] + j'] + bias + Z)
// with Wp the weights packed by f32_conv_direct_pack_weights (strips of mr channels, each
// [channels*taps][mr], the last strip zero-padded).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/f32_conv.h"
#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct ConvDirectArgs {
  const float* x = nullptr;      // X' for channel 0 (phased input, or X for 1x1 stride 1)
  int64_t x_len = 0;             // floats readable from x (loads past it are masked off)
  int64_t channels = 0;          // input channels (of this group)
  int64_t cstride = 0;           // floats between channels of X'
  const int64_t* toff = nullptr; // per tap, the offset of its input from j (taps entries)
  int taps = 1;
  const float* w = nullptr;      // packed weights
  int64_t m = 0;                 // output channels (of this group)
  int64_t out_h = 0, out_w = 0, wq = 0;  // output grid, and the j numbering's row length
  float* y = nullptr;            // output channel 0: [m][out_h * out_w]
  const float* bias = nullptr;   // [m] or null
  const float* residual = nullptr;  // laid out like y, or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;

  int64_t positions() const { return out_h * wq; }  // j in [0, positions())
};

// Computes output channels [m0, m1) (m0 a multiple of mr) at positions [j0, j1) (j0 a multiple
// of nr). Single-threaded; callers split these ranges across threads. Allocates nothing.
using F32ConvDirectFn = void (*)(const ConvDirectArgs& a, int64_t m0, int64_t m1, int64_t j0, int64_t j1);

struct F32ConvDirectKernels {
  const char* name = nullptr;  // e.g. "f32_conv_direct_6x16__avx2_fma"
  int mr = 6, nr = 16;
  F32ConvDirectFn run = nullptr;
};

// The packed weight size in floats, and the packing of W [m][channels*taps] (row-major).
size_t f32_conv_direct_packed_size(int64_t m, int64_t k, int mr);
void f32_conv_direct_pack_weights(int64_t m, int64_t k, const float* w, int mr, float* packed);

// The phased input of one image (see above). Its geometry is the depthwise kernels' 2-D one.
using ConvPhasedGeom = DwConv2dGeom;
struct ConvPhased {
  int64_t hq = 0, wq = 0;   // one phase plane
  int64_t cstride = 0;      // floats per channel (all phases), padded against cache aliasing
  int64_t size(int64_t channels) const;  // floats for `channels` channels, with read slack
};
ConvPhased conv_phased_layout(const ConvPhasedGeom& g);
// The tap offsets (kernel_h * kernel_w entries, row-major taps) for that layout.
void conv_phased_offsets(const ConvPhasedGeom& g, const ConvPhased& p, int64_t* toff);
// Writes channels [c0, c1) of X ([channels][in_h][in_w]) into X' (zeros for padding and slack).
void conv_phased_fill(const ConvPhasedGeom& g, const ConvPhased& p, const float* x, int64_t c0, int64_t c1,
                      int64_t channels, float* xp);

// The arguments for one image and group of `channels` input / `m` output channels over layout
// `p` (tap offsets `toff`, weights packed by f32_conv_direct_pack_weights); the caller sets x,
// x_len, bias, residual and the activation.
ConvDirectArgs conv_direct_args(const ConvPhasedGeom& g, const ConvPhased& p, int64_t channels, const int64_t* toff,
                                const float* packed_w, int64_t m, float* y);

// The table for a feature bitmask and a cap; f32_conv_direct_kernels() is built once from
// cpu_features() and the EMBER_ISA cap. The generic entry is a scalar loop (the reference).
F32ConvDirectKernels make_f32_conv_direct_kernels(uint32_t cpu_features, Isa cap);
const F32ConvDirectKernels& f32_conv_direct_kernels();

const F32ConvDirectKernels& f32_conv_direct_generic_kernels();
namespace avx2 {
const F32ConvDirectKernels& f32_conv_direct_kernels();
}
namespace avx512 {
const F32ConvDirectKernels& f32_conv_direct_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32ConvDirectKernels& f32_conv_direct_kernels();
}

}  // namespace ember::kernels
