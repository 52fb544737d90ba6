// The int8 depthwise convolution kernel interface (QLinearConv / ConvInteger with
// group == C == M on 2-D NCHW input), one channel plane per call:
//
//   acc[oy, ox] = bias + sum_{ky, kx} (x[iy, ix] - x_zero_point) * w[ky * kw + kx]
//                 iy = oy * stride_h - pad_top + ky * dil_h,  ix = ox * stride_w - pad_left + kx * dil_w
//
// Taps outside the input contribute 0 (in the shifted domain a padded value is the zero point).
// w holds the channel's weights already shifted (w - w_zero_point), each in [-255, 255]; x - x_zp
// is in [-255, 255] too, so every pair of products fits int32 and the entries may multiply
// 16-bit pairs (vpmaddwd). Sums wrap like int32 arithmetic (the callers bound the tap count, so
// for real weights they never do).
//
// Output: QuantOut::Int32 writes acc (ConvInteger); UInt8 / Int8 write
// saturate(rint(double(acc) * row_mult[ox]) + y_zero_point), the u8s8 GEMM's requantization
// (row_mult: OW + kDwRowSlack copies of the channel's multiplier). Kernels are single-threaded and allocate
// nothing: the caller passes scratch_bytes(shape) bytes of scratch, 64-byte aligned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/u8s8_gemm.h"

namespace ember::kernels {

// Extra multipliers past OW the requantization reads (it works on whole groups of 8).
constexpr int64_t kDwRowSlack = 8;

struct U8S8DwShape {
  int64_t H = 0, W = 0, OH = 0, OW = 0, kh = 0, kw = 0;
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_top = 0, pad_left = 0;
};

struct U8S8DwOut {
  QuantOut out = QuantOut::Int32;
  void* y = nullptr;                  // [OH, OW] of int32 / uint8 / int8
  const float* row_mult = nullptr;    // UInt8 / Int8: OW + kDwRowSlack multipliers
  int32_t y_zero_point = 0;
};

struct U8S8DwConvKernels {
  const char* name;  // e.g. "u8s8_dwconv__avx2"
  size_t (*scratch_bytes)(const U8S8DwShape& s);
  void (*plane)(const U8S8DwShape& s, const uint8_t* x, int32_t x_zero_point, const int32_t* w, int32_t bias,
                const U8S8DwOut& out, void* scratch);
};

// Plain loops (any shape).
const U8S8DwConvKernels& u8s8_dwconv_generic_kernels();
// The best entry for a feature bitmask and cap: generic, AVX2, AVX-512BW.
const U8S8DwConvKernels& make_u8s8_dwconv_kernels(uint32_t cpu_features, Isa cap);
// make_u8s8_dwconv_kernels(cpu_features(), isa_cap_from_env()), chosen once.
const U8S8DwConvKernels& u8s8_dwconv_kernels();

namespace avx2 {
const U8S8DwConvKernels& u8s8_dwconv_kernels();
}
namespace avx512 {
const U8S8DwConvKernels& u8s8_dwconv_kernels();
}
namespace avx512_simde {  // test-only: the AVX-512 source compiled against SIMDe
const U8S8DwConvKernels& u8s8_dwconv_kernels();
}

}  // namespace ember::kernels
