// im2col without per-row work for stride-1 2-D convolutions (QLinearConv / ConvInteger): the
// image is copied once into a zero-point-padded plane of width Wp = OW + (KW - 1) * dilation, and
// the GEMM computes "extended" output positions e = oy * Wp + ox for every ox < Wp (the Wp - OW
// extra columns per row are computed and dropped). Then column row (c, ky, kx) over positions
// [s0, s1) is one contiguous run of the padded plane, starting at ky * dil * Wp + kx * dil:
// a single memcpy, where gemm_conv::im2col_2d does a fill / copy / fill per output row (14-56
// bytes each on ResNet-50's 3x3 layers; im2col was ~13 % of an int8 ResNet-50 run, perf).
#pragma once

#include <cstdint>

#include "kernels/generic/im2col.h"

namespace ember::backends::quant {

struct PaddedGeom {
  int64_t Hp = 0, Wp = 0;  // padded plane
  int64_t OH = 0, OW = 0;
  int64_t ext = 0;         // extended positions: (OH - 1) * Wp + OW
  int64_t taps = 0;        // KH * KW
  int64_t tap_offset[64] = {};  // ky * dil_y * Wp + kx * dil_x for taps ky * KW + kx

  int64_t plane() const { return Hp * Wp; }
};

// The padded form of `g` when it is worth it: 2-D, stride 1, at most 64 taps, and the extra
// columns at most 1/4 of the output: ResNet-50's 56-, 28- and 14-wide 3x3 layers, not the
// 7-wide ones. Single QLinearConv 3x3 layers, 1 thread, new / old CPU time: VNNI 0.81 (64 ch,
// 56x56), 0.78 (128, 28x28), 0.76 (256, 14x14), 0.83 (512, 7x7); EMBER_ISA=avx2 (the
// widening GEMM, full-range weights) 1.02, 0.97-1.02, 0.86-0.96 but 1.06-1.08 at 7x7, where
// the 2 extra columns per 7 cost more than the copies saved. False otherwise.
bool padded_geom(const kernels::ConvGeom& g, PaddedGeom& out);

// planes [C][Hp][Wp] = the image [C][H][W] placed at (pad_top, pad_left), `pad` elsewhere.
void pad_image(const uint8_t* img, int64_t C, const kernels::ConvGeom& g, const PaddedGeom& p, uint8_t pad,
               uint8_t* planes);

// col [C * taps][s1 - s0] = column rows over extended positions [s0, s1) (s1 <= p.ext).
void padded_columns(const uint8_t* planes, int64_t C, const PaddedGeom& p, int64_t s0, int64_t s1, uint8_t* col);

// y [M][OH * OW] = the valid columns of y_ext [M][p.ext] (elements of `esz` bytes).
void drop_extra_columns(const uint8_t* y_ext, int64_t M, const PaddedGeom& p, int64_t esz, uint8_t* y);

}  // namespace ember::backends::quant
