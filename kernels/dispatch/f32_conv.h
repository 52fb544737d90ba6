// Depthwise 2-D convolution kernels (one channel: one input plane, one KH x KW filter), the
// form MobileNet-style networks spend their non-GEMM time in. Every entry works the same way:
//
//  1. the input plane is copied once into a zero-padded "phase-split" plane (below), so the
//     inner loops never test bounds and every tap reads contiguous memory whatever the
//     stride and dilation (the x86 entries copy it in bands of rows that stay in L1, the rows
//     at a band's edge twice);
//  2. each output row is computed a vector of output columns at a time, all KH*KW taps
//     accumulated in registers, then bias, residual and the activation applied before the
//     single store.
//
// Phase-split plane: padded row r (input row r - pad_top, zeros outside), split by column
// stride s into s phase rows, phase p holding padded columns p, p+s, p+2s, ... Output column
// ox through tap kx reads padded column ox*s + kx*d = phase (kx*d) % s, index ox + (kx*d) / s.
// Layout [rows][s][row_len] with row_len = phase length + kDwSlack zeros (vector over-read).
//
// The table is chosen once from cpu_features() and the EMBER_ISA cap, generic entries first,
// then the best ISA (like kernel_table()).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct DwConv2dGeom {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // the end padding follows from the output size
};

// Applied to each output value: act(acc + bias + residual[oy*out_w + ox]).
struct DwEpilogue {
  float bias = 0.0f;
  const float* residual = nullptr;  // one [out_h, out_w] plane, or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};

constexpr int64_t kDwSlack = 16;  // the widest vector (AVX-512) in floats

// Padded plane extents: rows, phases (= stride_w), row_len. Scratch floats = their product.
struct DwPlane {
  int64_t rows = 0, phases = 1, row_len = 0;
  size_t size() const { return size_t(rows * phases * row_len); }
};
DwPlane dw_plane(const DwConv2dGeom& g);
// Fills the phase-split padded plane of input channel `x` ([in_h, in_w]) into `plane`.
void dw_fill_plane(const DwConv2dGeom& g, const float* x, float* plane);

// One channel: x [in_h, in_w], w [kernel_h, kernel_w], y [out_h, out_w]; `scratch` holds at
// least dw_plane(g).size() floats.
using F32DwConv2dFn = void (*)(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep,
                               float* y, float* scratch);

// Channel-blocked form: up to kDwBlock channels at once (planes `in_h*in_w` / `out_h*out_w`
// apart), vectors running over channels instead of output columns. For small or strided
// planes, where a vector of output columns is mostly tail and per-row overhead: the channels
// are interleaved into a padded [rows][cols][kDwBlock] scratch (8x8 transposes), every output
// pixel is one vector per tap, and results are transposed back before the epilogue.
constexpr int64_t kDwBlock = 8;
struct DwBlockEpilogue {
  const float* bias = nullptr;      // [channels] or null
  const float* residual = nullptr;  // like y (channels planes), or null
  Activation activation = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};
// Scratch floats for the channel-blocked form.
size_t dw_block_scratch(const DwConv2dGeom& g);
// x: channel 0's plane; w: [channels][kernel_h*kernel_w]; y: channel 0's output plane.
using F32DwConvBlockFn = void (*)(const DwConv2dGeom& g, int64_t channels, const float* x, const float* w,
                                  const DwBlockEpilogue& ep, float* y, float* scratch);

// Flat form: a run of channels, each output plane computed as one flat array of out_h*out_w
// positions, a vector of consecutive positions at a time across row ends, so 7-, 14- and
// 28-wide rows fill whole vectors. Every tap is then one load at a fixed offset from the
// position (taps outside the input masked off, per vector and tap, from a bit table built once
// per call); at stride 1 it reads the input in place (pitch in_w == out_w), at stride 2 from
// the input split once into four row/column phase planes of pitch out_w. Same interface as the
// channel-blocked form, any number of channels.
// Whether the flat form takes this geometry: strides 1,1 with out_w == in_w, or 2,2 with
// ceil(in_w / 2) <= out_w; at most kDwFlatMaxTaps taps.
bool dw_flat_fits(const DwConv2dGeom& g);
// Scratch floats for the flat form (two sets of phase planes, then its mask bits).
size_t dw_flat_scratch(const DwConv2dGeom& g);
// Fills the flat form's tables, shared by every ISA: for tap t, off[t] is the offset of its
// first read from the plane base (the channel's input at stride 1, the phase planes at 2) and
// bits + t * dw_flat_mask_bytes(g) its mask, one bit per output position (set: inside the
// input). Returns the mask bytes' start (in `scratch`, after the phase planes).
constexpr int kDwFlatMaxTaps = 64;
int64_t dw_flat_mask_bytes(const DwConv2dGeom& g);
int64_t dw_flat_plane_floats(const DwConv2dGeom& g);  // one phase plane (stride 2)
const uint8_t* dw_flat_tables(const DwConv2dGeom& g, float* scratch, int64_t* off);

struct F32DwConvKernels {
  const char* name_3x3 = nullptr;  // e.g. "f32_dwconv3x3__avx2"
  const char* name_5x5 = nullptr;
  const char* name_any = nullptr;
  F32DwConv2dFn dwconv_3x3 = nullptr;  // kernel 3x3, any stride / dilation / padding
  F32DwConv2dFn dwconv_5x5 = nullptr;  // kernel 5x5
  F32DwConv2dFn dwconv_any = nullptr;  // any kernel size
  const char* name_block = nullptr;    // e.g. "f32_dwconv_c8__avx2"
  F32DwConvBlockFn dwconv_block = nullptr;  // any kernel size, <= kDwBlock channels (null in an
                                            // ISA entry: make_f32_dwconv_kernels fills it in)
  // Whether dwconv_3x3 reads this geometry's input in place (no padded copy: 3x3 stride 1 and
  // stride 2 with padding 1); null: never.
  bool (*reads_in_place)(const DwConv2dGeom& g) = nullptr;
  const char* name_flat = nullptr;         // e.g. "f32_dwconv_flat__avx512f"
  F32DwConvBlockFn dwconv_flat = nullptr;  // geometries dw_flat_fits takes, any channel count
                                           // (null: none at this level, use the others)
  // Whether dwconv_flat beats the other forms on this geometry (measured per ISA); null: never.
  bool (*prefers_flat)(const DwConv2dGeom& g) = nullptr;

  // The entry (and its name) for a kernel size.
  F32DwConv2dFn pick(int64_t kh, int64_t kw) const;
  const char* name_for(int64_t kh, int64_t kw) const;
};

// The table for a feature bitmask and a cap (tests build lower levels with it).
F32DwConvKernels make_f32_dwconv_kernels(uint32_t cpu_features, Isa cap);
// make_f32_dwconv_kernels(cpu_features(), isa_cap_from_env()), built once.
const F32DwConvKernels& f32_dwconv_kernels();

// Per-ISA entries (kernels/generic/dwconv.cc, kernels/x86/*/f32_dwconv__*.cc).
const F32DwConvKernels& f32_dwconv_generic_kernels();
namespace avx2 {
const F32DwConvKernels& f32_dwconv_kernels();
}
namespace avx512 {
const F32DwConvKernels& f32_dwconv_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32DwConvKernels& f32_dwconv_kernels();
}

}  // namespace ember::kernels
