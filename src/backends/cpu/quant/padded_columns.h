// im2col without per-row work for 2-D convolutions (QLinearConv / ConvInteger): the image is
// copied once into zero-point-padded planes, one per stride phase (py, px) of the padded image:
//   phase[c][py][px][qy][qx] = padded[c][qy * sy + py][qx * sx + px],
// Wq = OW + (KW - 1) * dx / sx columns wide, and the GEMM computes "extended" output positions
// e = oy * Wq + ox for every ox < Wq (the Wq - OW extra columns per row are computed and
// dropped). Tap (ky, kx) reads padded (oy * sy + ky * dy, ox * sx + kx * dx), i.e. phase
// ((ky * dy) % sy, (kx * dx) % sx) at (oy + ky * dy / sy, ox + kx * dx / sx): so column row
// (c, ky, kx) over positions [s0, s1) is one contiguous run, read where it lies, where
// gemm_conv::im2col_2d does a fill / copy (stride 1) or a byte gather (stride 2) and another
// fill per output row (14-56 bytes each on ResNet-50; im2col was ~13 % of an int8 ResNet-50
// run, perf).
#pragma once

#include <cstdint>

#include "kernels/generic/im2col.h"

namespace ember::backends::quant {

struct PaddedGeom {
  int64_t sy = 1, sx = 1;  // strides: sy * sx phase planes per channel
  int64_t Hq = 0, Wq = 0;  // one phase plane
  int64_t OH = 0, OW = 0;
  int64_t ext = 0;         // extended positions: (OH - 1) * Wq + OW
  int64_t taps = 0;        // KH * KW
  int64_t tap_offset[64] = {};  // within a channel's phase planes, for taps ky * KW + kx
  bool phase_used[16] = {};     // phases some tap reads (the others are not filled)

  int64_t phase_size() const { return Hq * Wq; }
  int64_t channel_size() const { return sy * sx * Hq * Wq; }
};

// The padded form of `g` when it is worth it: 2-D, strides up to 4, 2 to 64 taps, and the
// extra columns at most 1/4 of the output width (ResNet-50: the 7x7 stride-2 stem and every
// 3x3 layer but the 7-wide stride-1 ones). Stride 2: new / old 0.62-0.69 (3x3, 128 ch, 56x56
// in), 0.60 (the stem) on VNNI. A strided 1x1 (taps == 1) gained nothing (1.04; 1.23 with its
// phase plane read as the GEMM's A directly): it keeps im2col. Single QLinearConv 3x3 stride-1 layers, 1 thread, new / old CPU time: VNNI
// 0.81 (64 ch, 56x56), 0.78 (128, 28x28), 0.76 (256, 14x14), 0.83 (512, 7x7); EMBER_ISA=avx2
// (the widening GEMM, full-range weights) 1.02, 0.97-1.02, 0.86-0.96 but 1.06-1.08 at 7x7,
// where the 2 extra columns per 7 cost more than the copies saved. False otherwise.
bool padded_geom(const kernels::ConvGeom& g, PaddedGeom& out);

// The phase planes [C][sy * sx][Hq][Wq] of the image [C][H][W] padded with `pad`.
void pad_image(const uint8_t* img, int64_t C, const kernels::ConvGeom& g, const PaddedGeom& p, uint8_t pad,
               uint8_t* planes);

// rows[c * taps + t] = where column row (c, t) over extended positions s0.. starts in the
// planes: the GEMM packs straight from them (pack_a_rows), no column matrix in between (the
// memcpy of each row into one was ~2 % of an int8 ResNet-50 run, perf).
void padded_rows(const uint8_t* planes, int64_t C, const PaddedGeom& p, int64_t s0, const uint8_t** rows);

// y [M][OH * OW] = the valid columns of y_ext [M][p.ext] (elements of `esz` bytes).
void drop_extra_columns(const uint8_t* y_ext, int64_t M, const PaddedGeom& p, int64_t esz, uint8_t* y);

}  // namespace ember::backends::quant
