// The flat depthwise form shared by the x86 entries (kernels/dispatch/f32_conv.h,
// dwconv_flat): each channel's output plane as one array of out_h*out_w positions, a vector of
// consecutive positions at a time across row ends, every tap one masked load at a fixed offset
// (dw_flat_tables). For MobileNetV2's 7-, 14- and 28-wide planes, where the per-channel row
// form leaves lanes idle at every row end and the channel-blocked form spends its time on 8x8
// transposes in and out.
//
// Templated on vector traits V (with load_mask: lanes whose bit is clear read nothing and
// give zero) and the kernel size (0, 0: any, read at run time). Included by one source per ISA;
// internal linkage on purpose, so copies built with different -m flags are never merged.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/dispatch/f32_conv.h"
#include "kernels/x86/f32_dwconv_rows.h"

namespace ember::kernels {
namespace {

// Splits channel x ([in_h, in_w]) into its four stride-2 phase planes (row parity a, column
// parity b at planes + (2a + b) * plane), rows of pitch out_w; lanes past each phase's columns
// are left unwritten (the masks never read them).
template <class V>
void dw_flat_fill_s2(const DwConv2dGeom& g, const float* x, float* planes) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t plane = dw_flat_plane_floats(g), W = g.in_w;
  for (int64_t r = 0; r < g.in_h; ++r) {
    const float* in = x + r * W;
    float* even = planes + (r & 1) * 2 * plane + (r >> 1) * g.out_w;
    float* odd = even + plane;
    int64_t c = 0;
    for (; c + 2 * L <= W; c += 2 * L) {
      vec e, o;
      deinterleave2(V::load(in + c), V::load(in + c + L), e, o);
      V::store(even + c / 2, e);
      V::store(odd + c / 2, o);
    }
    if (c < W) {
      const int n = int(W - c);
      vec e, o;
      deinterleave2(n >= L ? V::load(in + c) : V::load_first(in + c, n),
                    n > L ? V::load_first(in + c + L, n - L) : V::zero(), e, o);
      V::store_first(even + c / 2, (n + 1) / 2, e);
      if (n > 1) V::store_first(odd + c / 2, n / 2, o);
    }
  }
}

// The mask of positions [p0, p0 + L) of one tap's bit array.
// (One 16-bit load for AVX-512: assembling it from two bytes cost more than the FMA per tap.)
template <class V>
inline uint32_t dw_flat_bits(const uint8_t* m, int64_t p0) {
  if constexpr (V::L == 16) {
    uint16_t b;
    std::memcpy(&b, m + (p0 >> 3), 2);
    return b;
  } else {
    return m[p0 >> 3];
  }
}

template <class V, int KH, int KW>
void dwconv_flat(const DwConv2dGeom& g, int64_t channels, const float* x, const float* w, const DwBlockEpilogue& ep,
                 float* y, float* scratch) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int taps = KH ? KH * KW : int(g.kernel_h * g.kernel_w);
  int64_t off[kDwFlatMaxTaps];
  const uint8_t* bits = dw_flat_tables(g, scratch, off);
  const int64_t mb = dw_flat_mask_bytes(g), npos = g.out_h * g.out_w, in_sz = g.in_h * g.in_w;
  DwEpilogue act;
  act.activation = ep.activation;
  act.act_alpha = ep.act_alpha;
  act.act_beta = ep.act_beta;
  const DwFinish<V> finish(act);
  // Stride 2: the phase planes of channel c + 1 are filled before channel c is convolved, two
  // sets alternating, so the taps never read what the stores just wrote (a masked load over a
  // store still in flight cannot be forwarded and waits for it).
  const int64_t planes = 4 * dw_flat_plane_floats(g);
  if (g.stride_w == 2 && channels > 0) dw_flat_fill_s2<V>(g, x, scratch);
  for (int64_t c = 0; c < channels; ++c) {
    const float* base = x + c * in_sz;
    if (g.stride_w == 2) {
      if (c + 1 < channels) dw_flat_fill_s2<V>(g, base + in_sz, scratch + ((c + 1) & 1) * planes);
      base = scratch + (c & 1) * planes;
    }
    vec wv[KH ? KH * KW : kDwFlatMaxTaps];
    for (int t = 0; t < taps; ++t) wv[t] = V::set1(w[c * taps + t]);
    const vec bias = V::set1(ep.bias ? ep.bias[c] : 0.0f);
    float* out = y + c * npos;
    const float* z = ep.residual ? ep.residual + c * npos : nullptr;
    int64_t p = 0;
    for (; p + 2 * L <= npos; p += 2 * L) {
      vec a0 = bias, a1 = bias;
      for (int t = 0; t < taps; ++t) {
        const float* s = base + off[t] + p;
        const uint8_t* m = bits + t * mb;
        a0 = V::fmadd(wv[t], V::load_mask(s, dw_flat_bits<V>(m, p)), a0);
        a1 = V::fmadd(wv[t], V::load_mask(s + L, dw_flat_bits<V>(m, p + L)), a1);
      }
      finish(a0, out, z, p, L);
      finish(a1, out, z, p + L, L);
    }
    for (; p < npos; p += L) {
      vec a0 = bias;
      for (int t = 0; t < taps; ++t)
        a0 = V::fmadd(wv[t], V::load_mask(base + off[t] + p, dw_flat_bits<V>(bits + t * mb, p)), a0);
      finish(a0, out, z, p, int(std::min<int64_t>(L, npos - p)));
    }
    finish.stored_row(out, npos);
  }
}

// Where the flat form is the fastest one: `ember_conv_bench --repeats 60 "mb dw"` (one thread,
// best of 60, the per-channel, channel-blocked and flat forms alternated; two runs at load 7,
// flat / the form chosen before, ms). AVX-512: 112 s2 0.178 / 0.197, 0.197 / 0.205; 56 s2 0.069 /
// 0.098; 28 s2 0.028 / 0.044; 14 s2 0.039 / 0.037 (blocked, a tie); stride 1: 28 0.049 / 0.056,
// 14 0.026 / 0.041, 7 0.024 / 0.040, but 56 0.149 / 0.131 (whole vectors already). AVX2 (eight
// lanes, masks rebuilt from bits per tap): 56 s2 0.089 / 0.100, 28 s2 0.034 / 0.045, 7 0.032 /
// 0.042, 14 a tie, 28 0.080 / 0.061 and 112 s2 0.245 / 0.203 slower.
// 3x3 stride 2 with padding 1 then went to the per-channel form that deinterleaves in
// registers (dw3x3_s2_p1), faster than flat at every width: same tool, load 9, per-channel /
// flat ms, AVX-512 112 s2 c96 0.109 / 0.192, 56 s2 0.048 / 0.067, 28 s2 0.023 / 0.027, 14 s2
// c576 0.030 / 0.038; AVX2 0.115 / 0.228, 0.055 / 0.085, 0.026 / 0.033, 0.028 / 0.036.
// Once the in-place stride-1 3x3 form took output rows in pairs, it beat flat at 28 wide on
// AVX-512 too: same tool, 3 runs (load 5), 28 c192 0.044-0.045 / 0.050 ms; in MobileNetV2
// (relu6_9, relu6_11: step medians of 12 alternated `ember bench --profile` runs of 100, one
// thread, load 5-6) 57.5 -> 53.0 and 56.6 -> 52.9 us. With its masks set once per call
// (dwconv3x3_same_s1_vectors) it wins at 14 wide too: 14 c384 0.018 / 0.027 ms; at 7 a tie
// (0.025 / 0.024), so flat keeps 8 wide and narrower. On AVX2 that form beats flat at 7 wide
// (0.027-0.028 / 0.030), so AVX2 runs no 3x3 stride-1 pad-1 layer flat.
template <class V>
bool dw_prefers_flat(const DwConv2dGeom& g) {
  if (!dw_flat_fits(g) || dw3x3_s2_p1<V>(g)) return false;
  if constexpr (V::L == 16) return g.stride_w == 2 ? g.out_w <= 56 : g.out_w <= (dw3x3_same_s1<V>(g) ? 8 : 28);
  else return g.stride_w == 2 ? g.out_w <= 28 : g.out_w <= 7 && !dw3x3_same_s1<V>(g);
}

// Fills a table's flat entry, named "f32_dwconv_flat__<isa>": 3x3 unrolled, other sizes read
// at run time.
template <class V>
void dwconv_flat_entry(F32DwConvKernels& k, const char* name) {
  k.name_flat = name;
  k.prefers_flat = &dw_prefers_flat<V>;
  k.dwconv_flat = [](const DwConv2dGeom& g, int64_t ch, const float* x, const float* w, const DwBlockEpilogue& ep,
                     float* y, float* scratch) {
    if (g.kernel_h == 3 && g.kernel_w == 3) return dwconv_flat<V, 3, 3>(g, ch, x, w, ep, y, scratch);
    dwconv_flat<V, 0, 0>(g, ch, x, w, ep, y, scratch);
  };
}

}  // namespace
}  // namespace ember::kernels
