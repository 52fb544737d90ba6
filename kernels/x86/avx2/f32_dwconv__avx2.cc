// Depthwise 2-D convolution for AVX2 + FMA, two forms: per channel, 8 output columns per
// vector (two vectors per step), 3x3 and 5x5 taps unrolled with the weights held in registers;
// and channel-blocked, 8 channels per vector (small or strided planes). Compiled with -mavx2
// -mfma (this file only).
#include <immintrin.h>

#include <algorithm>

#include "kernels/dispatch/f32_conv.h"
#include "kernels/generic/dwconv.h"

#include "kernels/x86/avx2/f32_conv_vec_avx2.h"
#include "kernels/x86/avx2/transpose8x8_avx2.h"
#include "kernels/x86/f32_dwconv_flat.h"
#include "kernels/x86/f32_dwconv_rows.h"

namespace ember::kernels::avx2 {
namespace {

// ---- Channel-blocked form (kernels/dispatch/f32_conv.h): vectors over 8 channels.

using V = ConvAvx2;

// Interleaves `ch` (<= 8) channel planes into the padded [rows][cols][8] scratch; missing
// channels and padding are zeros, and so is the slack after the last row.
void fill_block(const DwConv2dGeom& g, int64_t ch, const float* x, int64_t rows, int64_t cols, float* p) {
  const int64_t plane = g.in_h * g.in_w;
  const int64_t lo = std::clamp<int64_t>(g.pad_left, 0, cols), hi = std::clamp<int64_t>(g.in_w + g.pad_left, lo, cols);
  const __m256 zero = _mm256_setzero_ps();
  for (int64_t r = 0; r < rows; ++r) {
    float* o = p + r * cols * 8;
    const int64_t iy = r - g.pad_top;
    if (iy < 0 || iy >= g.in_h) {
      for (int64_t q = 0; q < cols; ++q) _mm256_storeu_ps(o + q * 8, zero);
      continue;
    }
    for (int64_t q = 0; q < lo; ++q) _mm256_storeu_ps(o + q * 8, zero);
    for (int64_t q = hi; q < cols; ++q) _mm256_storeu_ps(o + q * 8, zero);
    const float* src = x + iy * g.in_w + (lo - g.pad_left);
    for (int64_t q = lo; q < hi; q += 8, src += 8) {
      const int n = int(std::min<int64_t>(8, hi - q));
      __m256 v[8];
      for (int c = 0; c < 8; ++c)
        v[c] = c >= ch ? zero : n == 8 ? V::load(src + c * plane) : V::load_first(src + c * plane, n);
      transpose8x8(v);
      for (int i = 0; i < n; ++i) _mm256_storeu_ps(o + (q + i) * 8, v[i]);
    }
  }
  for (int64_t i = 0; i < (7 * g.stride_w + 1); ++i) _mm256_storeu_ps(p + (rows * cols + i) * 8, zero);
}

template <int KH, int KW>
void dwconv_block(const DwConv2dGeom& g, int64_t ch, const float* x, const float* w, const DwBlockEpilogue& ep,
                  float* y, float* scratch) {
  const int kh = KH ? KH : int(g.kernel_h), kw = KW ? KW : int(g.kernel_w), taps = kh * kw;
  if (taps > kDwMaxTaps) return f32_dwconv_generic_kernels().dwconv_block(g, ch, x, w, ep, y, scratch);
  const int64_t rows = dw_plane(g).rows, cols = (g.out_w - 1) * g.stride_w + (kw - 1) * g.dilation_w + 1;
  fill_block(g, ch, x, rows, cols, scratch);
  alignas(32) float wt[kDwMaxTaps][8] = {};
  int64_t off[kDwMaxTaps];
  for (int t = 0; t < taps; ++t) {
    for (int64_t c = 0; c < ch; ++c) wt[t][c] = w[c * taps + t];
    off[t] = ((t / kw) * g.dilation_h * cols + (t % kw) * g.dilation_w) * 8;
  }
  const bool vec_act = conv_vector_activation(ep.activation);
  const DwClamp<V> clamp(ep.activation, ep.act_alpha, ep.act_beta);
  const int64_t out_plane = g.out_h * g.out_w, step = g.stride_w * 8;
  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    const float* row = scratch + oy * g.stride_h * cols * 8;
    for (int64_t ox = 0; ox < g.out_w; ox += 8) {
      const int n = int(std::min<int64_t>(8, g.out_w - ox));
      __m256 acc[8];
      for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_ps();
      const float* base = row + ox * step;
      for (int t = 0; t < (KH ? KH * KW : taps); ++t) {
        const __m256 wv = _mm256_load_ps(wt[t]);
        const float* p = base + off[t];
        for (int i = 0; i < 8; ++i) acc[i] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(p + i * step), acc[i]);
      }
      transpose8x8(acc);  // acc[c]: channel c, pixels ox..ox+7
      for (int64_t c = 0; c < ch; ++c) {
        const int64_t at = c * out_plane + oy * g.out_w + ox;
        __m256 v = acc[c];
        if (ep.bias) v = _mm256_add_ps(v, _mm256_set1_ps(ep.bias[c]));
        if (ep.residual) v = _mm256_add_ps(v, n == 8 ? V::load(ep.residual + at) : V::load_first(ep.residual + at, n));
        if (clamp.on) v = clamp(v);
        else if (vec_act) v = conv_activate<V>(v, ep.activation, ep.act_alpha, ep.act_beta);
        if (n == 8) V::store(y + at, v);
        else V::store_first(y + at, n, v);
      }
    }
    // Sigmoid, SiLU, Gelu on the finished output row of each channel: one call a row, not one
    // per 8 outputs (the call's fixed cost dominated at 8).
    if (!vec_act)
      for (int64_t c = 0; c < ch; ++c)
        V::activate_stored(y + c * out_plane + oy * g.out_w, g.out_w, ep.activation, ep.act_alpha, ep.act_beta);
  }
}

}  // namespace

const F32DwConvKernels& f32_dwconv_kernels() {
  static const F32DwConvKernels k = [] {
    F32DwConvKernels t = dwconv_table<ConvAvx2>("f32_dwconv3x3__avx2", "f32_dwconv5x5__avx2", "f32_dwconv__avx2");
    dwconv_flat_entry<ConvAvx2>(t, "f32_dwconv_flat__avx2");
    t.name_block = "f32_dwconv_c8__avx2";
    t.dwconv_block = [](const DwConv2dGeom& g, int64_t ch, const float* x, const float* w,
                        const DwBlockEpilogue& ep, float* y, float* scratch) {
      if (g.kernel_h == 3 && g.kernel_w == 3) return dwconv_block<3, 3>(g, ch, x, w, ep, y, scratch);
      dwconv_block<0, 0>(g, ch, x, w, ep, y, scratch);
    };
    return t;
  }();
  return k;
}

}  // namespace ember::kernels::avx2
