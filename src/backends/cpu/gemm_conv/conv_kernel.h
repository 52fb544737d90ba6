// Native f32 2-D convolution (Conv and ai.ember FusedConv), NCHW, constant weights:
//  - depthwise (group == C_in == C_out): the kernels/dispatch/f32_conv.h kernels;
//  - layers whose reduction (input channels x taps) is 16, 24, 27 or 32 long (MobileNet's 1x1
//    expansions, stride 1 unpadded, and its 3x3 stem over 3 channels) when the CPU has the
//    AVX-512 entry: kernels/dispatch/f32_conv_smallk.h;
//  - spatial kernels (3x3, 7x7, ...) and 1x1 layers with few output channels, when the CPU has
//    a vector entry: the direct (implicit-GEMM) kernel of kernels/dispatch/f32_conv_direct.h;
//    layers with few output positions (deep layers) and spatial or long reductions: its
//    channel-vector form, kernels/dispatch/f32_conv_direct_cv.h (choose_direct_form says
//    which, from measurements);
//  - other 1x1, stride 1, no padding: a GEMM W[Cout, Cin] * X[Cin, H*W] with W packed once;
//  - anything else: im2col of a cache-sized tile of output columns into per-thread scratch,
//    then the packed-W GEMM; groups each have their own packed W.
// Bias (per output channel), residual Z and the activation are applied in the GEMM epilogue.
// Null (the reference runs) for non-float, not 2-D, or weights not constant at creation.
#pragma once

#include <memory>

#include "backends/cpu/gemm_conv/conv_common.h"
#include "runtime/backend.h"

namespace ember::backends::gemm_conv {

std::unique_ptr<ops::Kernel> make_conv(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_fused_conv(const ir::Node& node, const runtime::BackendOptions& options);

// The depthwise kernel (dwconv_kernel.cc).
std::unique_ptr<ops::Kernel> make_depthwise_conv(const ConvSetup& setup);
// Which direct (implicit-GEMM) tile is the faster form for this convolution, measured per
// shape class: positions in the vector lanes, output channels in the lanes, or None (the GEMM
// forms; always when the direct table entry is the scalar one).
enum class DirectForm { None, PositionVector, ChannelVector };
DirectForm choose_direct_form(const ConvSetup& setup);
// The direct kernel (direct_conv_kernel.cc) in form `form` (not None).
std::unique_ptr<ops::Kernel> make_direct_conv(const ConvSetup& setup, DirectForm form);
// The short-reduction kernel (smallk_conv_kernel.cc) when it takes this layer (one group,
// input channels x taps a length the CPU's vector entry handles; 1x1 layers only stride 1 and
// unpadded), else null.
std::unique_ptr<ops::Kernel> make_smallk_conv(const ConvSetup& setup);
// The matrix-vector kernel (gemv_conv_kernel.cc) for an unpadded 1x1, one-group layer over a
// 1x1 input (known from the model's shapes), else null.
std::unique_ptr<ops::Kernel> make_gemv_conv(const ConvSetup& setup);

}  // namespace ember::backends::gemm_conv
