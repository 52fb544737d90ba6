// The depthwise convolution loop shared by the x86 entries (see kernels/dispatch/f32_conv.h):
// over the phase-split padded plane, each output row a vector of columns at a time (two
// vectors per step while they fit), all taps accumulated in registers, then bias, residual and
// the activation before one store (masked for the last columns).
//
// Templated on vector traits V (defined by each ISA source) and on the kernel size (0, 0: any
// size, read at run time). Included by one source per ISA; internal linkage on purpose, so
// copies built with different -m flags are never merged by the linker.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/dispatch/f32_conv.h"
#include "kernels/generic/dwconv.h"
#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels {
namespace {

constexpr int kDwMaxTaps = 64;  // larger kernels take the generic entry
// Padded rows filled at a time (24 KB of a 32 KB L1 data cache): 112 -> 56 at stride 2 took
// 0.90x the whole-plane time with it, 0.91x with 16 KB and 0.93x with 8 KB bands, and 56 c144
// did best with it too (ember_conv_bench).
constexpr int64_t kDwBandFloats = 6144;

// Splits 2*L consecutive floats (a, b) into their even and odd lanes, in order. Templated on
// the register type so each ISA source only instantiates its own width.
template <class Vec>
inline void deinterleave2(Vec a, Vec b, Vec& even, Vec& odd) {
  if constexpr (sizeof(Vec) == 64) {
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    even = _mm512_permutex2var_ps(a, ie, b);
    odd = _mm512_permutex2var_ps(a, io, b);
  } else {
    // Within 128-bit halves, then the 64-bit quarters back in order.
    const __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    const __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

// Zeros o[from, to) a vector at a time (the rows are a few vectors long: std::fill's call and
// its scalar edges cost more than the stores).
template <class V>
inline void dw_zero(float* o, int64_t from, int64_t to) {
  for (int64_t i = from; i < to; i += V::L) V::store_first(o + i, int(std::min<int64_t>(V::L, to - i)), V::zero());
}

// dw_fill_plane for column stride 2 (MobileNet's downsampling layers), where the generic fill
// copies one float at a time into the two phases and took 4x the convolution's own time: the
// columns whose even and odd sources both lie inside the row go 2*L floats at a time through
// deinterleave2, the left padding edge one at a time, the right edge through masked loads.
// Fills padded rows [r0, r1) only, row r0 first in `plane` (see dwconv_rows' bands).
template <class V>
void dw_fill_plane_s2(const DwConv2dGeom& g, const float* x, float* plane, int64_t r0, int64_t r1) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const DwPlane p = dw_plane(g);
  const int64_t len = p.row_len - kDwSlack;
  // Phase index i reads input column 2*i + ph - pad_left (ph = 0, 1): both inside the row for
  // i in [i0, i1); vectors cover [i0, i0 + k*L) within it.
  const int64_t i0 = std::min<int64_t>(len, (std::max<int64_t>(g.pad_left, 0) + 1) / 2);
  const int64_t i1 = std::clamp<int64_t>((g.in_w + g.pad_left) / 2, i0, len);
  auto at = [&](const float* in, int64_t col) { return col >= 0 && col < g.in_w ? in[col] : 0.0f; };
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t iy = r - g.pad_top;
    float* even = plane + (r - r0) * 2 * p.row_len;
    float* odd = even + p.row_len;
    if (iy < 0 || iy >= g.in_h) {
      dw_zero<V>(even, 0, 2 * p.row_len);
      continue;
    }
    const float* in = x + iy * g.in_w;
    int64_t i = 0;
    for (; i < i0; ++i) {
      even[i] = at(in, 2 * i - g.pad_left);
      odd[i] = at(in, 2 * i + 1 - g.pad_left);
    }
    for (; i + L <= i1; i += L) {
      vec e, o;
      const float* src = in + 2 * i - g.pad_left;
      deinterleave2(V::load(src), V::load(src + L), e, o);
      V::store(even + i, e);
      V::store(odd + i, o);
    }
    // The rest reads up to the row's end and no further: masked loads (zeros past the end are
    // the right padding), masked stores up to len.
    for (; i < len; i += L) {
      const int64_t col = 2 * i - g.pad_left, avail = std::max<int64_t>(0, g.in_w - col);
      const int n0 = int(std::min<int64_t>(avail, L)), n1 = int(std::clamp<int64_t>(avail - L, 0, L));
      const int n = int(std::min<int64_t>(L, len - i));
      vec e, o;
      deinterleave2(n0 ? V::load_first(in + col, n0) : V::zero(), n1 ? V::load_first(in + col + L, n1) : V::zero(), e,
                    o);
      V::store_first(even + i, n, e);
      V::store_first(odd + i, n, o);
    }
    dw_zero<V>(even, len, p.row_len);
    dw_zero<V>(odd, len, p.row_len);
  }
}

// dw_fill_plane for column stride 1 (one phase): the generic fill spends a memmove call and
// two std::fill calls per row, about a third of the per-channel time on MobileNetV2's 56x56
// planes (perf); here each row is a few vector copies, masked at the end, zeros first so the
// copy may overwrite the left padding's last vector.
template <class V>
void dw_fill_plane_s1(const DwConv2dGeom& g, const float* x, float* plane, int64_t r0, int64_t r1) {
  constexpr int L = V::L;
  const DwPlane p = dw_plane(g);
  const int64_t len = p.row_len - kDwSlack;
  // Padded column i reads input column i - pad_left: inside the row for i in [lo, hi).
  const int64_t lo = std::clamp<int64_t>(g.pad_left, 0, len);
  const int64_t hi = std::clamp<int64_t>(g.in_w + g.pad_left, lo, len);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t iy = r - g.pad_top;
    float* o = plane + (r - r0) * p.row_len;
    if (iy < 0 || iy >= g.in_h) {
      dw_zero<V>(o, 0, p.row_len);
      continue;
    }
    const float* in = x + iy * g.in_w + (lo - g.pad_left);
    dw_zero<V>(o, 0, lo);
    int64_t i = lo;
    for (; i + L <= hi; i += L) V::store(o + i, V::load(in + (i - lo)));
    if (i < hi) V::store_first(o + i, int(hi - i), V::load_first(in + (i - lo), int(hi - i)));
    dw_zero<V>(o, hi, p.row_len);
  }
}

// None, Relu and Clip (MobileNet's Relu6) as one clamp with its bounds in registers: through
// conv_activate's switch each output vector paid an indirect jump and two broadcasts, 7-12% of
// the depthwise time (ember_conv_bench). `on` is false for the other activations.
template <class V>
struct DwClamp {
  using vec = typename V::vec;
  bool on;
  vec lo, hi;
  DwClamp(Activation a, float alpha, float beta)
      : on(a == Activation::None || a == Activation::Relu || a == Activation::Clip),
        lo(V::set1(a == Activation::Clip   ? alpha
                   : a == Activation::Relu ? 0.0f
                                           : -std::numeric_limits<float>::infinity())),
        hi(V::set1(a == Activation::Clip ? beta : std::numeric_limits<float>::infinity())) {}
  // Bounds first, as in conv_activate: x86 max/min return the second operand on NaN.
  vec operator()(vec v) const { return V::min(hi, V::max(lo, v)); }
};

// Residual, activation and store of one output vector (n <= L columns at out + ox).
template <class V>
struct DwFinish {
  using vec = typename V::vec;
  const DwEpilogue& ep;
  DwClamp<V> clamp;
  bool vec_act;
  explicit DwFinish(const DwEpilogue& e)
      : ep(e), clamp(e.activation, e.act_alpha, e.act_beta), vec_act(conv_vector_activation(e.activation)) {}
  void operator()(vec acc, float* out, const float* z, int64_t ox, int n) const {
    if (z) acc = V::add(acc, n == V::L ? V::load(z + ox) : V::load_first(z + ox, n));
    if (clamp.on) acc = clamp(acc);
    else if (vec_act) acc = other(acc, ep);
    if (n == V::L) V::store(out + ox, acc);
    else V::store_first(out + ox, n, acc);
  }
  // The piecewise-linear activations other than the clamp (LeakyRelu, HardSigmoid...), out of
  // line: conv_activate's switch inlined at every store of every unrolled form cost library size
  // (the row forms' call sites), and MobileNet-style networks only use the clamp.
  __attribute__((noinline)) static vec other(vec acc, const DwEpilogue& e) {
    return conv_activate<V>(acc, e.activation, e.act_alpha, e.act_beta);
  }
  // The activations conv_activate has no vector form for (Sigmoid, SiLU, Gelu), on a finished row.
  void stored_row(float* out, int64_t n) const {
    if (!vec_act) V::activate_stored(out, n, ep.activation, ep.act_alpha, ep.act_beta);
  }
};

// The first n lanes (n clamped to [0, L]) as the ISA's load mask, made once and reused: a
// k-mask's bits on AVX-512, a lane vector on AVX2 (whose load_mask rebuilds it from bits).
template <class V>
inline auto dw_lanes(int64_t n) {
  const int k = int(std::clamp<int64_t>(n, 0, V::L));
  if constexpr (V::L == 16) return uint32_t((uint64_t(1) << k) - 1u);
  else return V::first(k);
}
template <class V, class M>
inline typename V::vec dw_load_lanes(const float* p, M m) {
  if constexpr (V::L == 16) return V::load_mask(p, m);
  else return _mm256_maskload_ps(p, m);
}

// 3x3, stride 1, dilation 1, padding 1 on every side (MobileNet's stride-1 depthwise layers):
// the taps read the input rows in place, no padded copy. The left and right padding columns
// come from the first vector's lanes moved up (shift_in_zero) and the last vector's masked
// loads; the padding rows above and below from a zeroed row. The copy was 40% of the
// per-channel time at 56x56 c144 (perf of ember_conv_bench). ember_conv_bench, per-channel,
// alternated with the copying form (RESULTS.md "MobileNetV2"): AVX-512 as fast or faster at
// every MobileNetV2 width (7x7 0.57x, 56x56 0.7-1.1x); AVX2 faster up to 28 wide (7x7 0.4-0.7x,
// 28x28 0.8-0.95x) but slower at 112 (1.4-1.7x) and mixed at 56. Output rows go in pairs, each
// of their four input rows loaded once: 112 c32 0.105 -> 0.092 ms, 56 c144 0.124-0.129 ->
// 0.110-0.112 on AVX-512, 28 c192 0.063 -> 0.058, 14 c384 0.043 -> 0.035 on AVX2 (3 and 2
// alternations, load 7-9); with pairs AVX2 in place wins at 56 too (0.145-0.149 vs the copy's
// 0.164-0.167) but still not at 112 (0.150-0.153 vs 0.122-0.124), so AVX2 keeps the copy there.
template <class V>
bool dw3x3_same_s1(const DwConv2dGeom& g) {
  constexpr int64_t kMaxWidth = V::L >= 16 ? std::numeric_limits<int64_t>::max() : 56;
  return g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
         g.dilation_w == 1 && g.pad_top == 1 && g.pad_left == 1 && g.out_h == g.in_h && g.out_w == g.in_w &&
         g.out_w <= kMaxWidth;
}

// dwconv3x3_same_s1 for rows of NV vectors or less, with the column masks of each vector set
// once per call (the general form works out each vector's tails and edges as it goes): the
// centre column a masked load, the left one the centre moved up a lane (first vector) or a
// masked load one column earlier, the right one a masked load one column later (zeros past the
// row's end: the padding). Output rows in pairs, each of their four input rows loaded once.
// ember_conv_bench --repeats 100 "mb dw" (one thread, best of 100, 3 runs, load 6-7), general
// form -> this, ms: 28 c192 0.042-0.043 -> 0.036-0.037 (NV 2), 14 c384 0.029-0.030 -> 0.018 (NV
// 1; the flat form 0.027), 7 c960 0.041 -> 0.025 (flat 0.024: flat stays there). 56 c144 with
// NV 4 spilled: 0.110 -> 0.137. AVX2 (EMBER_ISA=avx2, same runs): 7 c960 0.034 -> 0.027-0.028
// (flat 0.030), so it takes 8-wide and narrower layers from flat there.
template <class V, int NV>
void dwconv3x3_same_s1_vectors(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep,
                               float* y) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t H = g.in_h, W = g.in_w;
  decltype(dw_lanes<V>(0)) mc[NV], mr[NV];
  for (int j = 0; j < NV; ++j) {
    mc[j] = dw_lanes<V>(W - L * j);
    mr[j] = dw_lanes<V>(W - L * j - 1);
  }
  vec wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = V::set1(w[t]);
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  struct Cols {
    vec l[NV], c[NV], r[NV];
  };
  auto load_row = [&](int64_t iy) {
    Cols k;
    if (iy < 0 || iy >= H) {
      for (int j = 0; j < NV; ++j) k.l[j] = k.c[j] = k.r[j] = V::zero();
      return k;
    }
    const float* in = x + iy * W;
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      k.c[j] = dw_load_lanes<V>(in + L * j, mc[j]);
      k.l[j] = j == 0 ? V::shift_in_zero(k.c[j]) : dw_load_lanes<V>(in + L * j - 1, mc[j]);
      k.r[j] = dw_load_lanes<V>(in + L * j + 1, mr[j]);
    }
    return k;
  };
  auto out_row = [&](int64_t oy, const Cols& r0, const Cols& r1, const Cols& r2) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      const int64_t ox = L * j;
      if (ox >= W) break;
      vec a0 = V::fmadd(wv[0], r0.l[j], bias), a1 = V::mul(wv[3], r1.l[j]), a2 = V::mul(wv[6], r2.l[j]);
      a0 = V::fmadd(wv[1], r0.c[j], a0);
      a1 = V::fmadd(wv[4], r1.c[j], a1);
      a2 = V::fmadd(wv[7], r2.c[j], a2);
      a0 = V::fmadd(wv[2], r0.r[j], a0);
      a1 = V::fmadd(wv[5], r1.r[j], a1);
      a2 = V::fmadd(wv[8], r2.r[j], a2);
      finish(V::add(V::add(a0, a1), a2), y, ep.residual, oy * W + ox, int(std::min<int64_t>(L, W - ox)));
    }
  };
  int64_t oy = 0;
  for (; oy + 1 < H; oy += 2) {
    const Cols r0 = load_row(oy - 1), r1 = load_row(oy), r2 = load_row(oy + 1), r3 = load_row(oy + 2);
    out_row(oy, r0, r1, r2);
    out_row(oy + 1, r1, r2, r3);
  }
  if (oy < H) out_row(oy, load_row(oy - 1), load_row(oy), load_row(oy + 1));
  finish.stored_row(y, H * W);
}

template <class V>
void dwconv3x3_same_s1(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep, float* y,
                       float* zeros) {
  if (g.out_w <= V::L) return dwconv3x3_same_s1_vectors<V, 1>(g, x, w, ep, y);
  if constexpr (V::L == 16) {  // AVX2 (16 registers) took longer with two: 14 c384 0.034 -> 0.038 ms
    if (g.out_w <= 2 * V::L) return dwconv3x3_same_s1_vectors<V, 2>(g, x, w, ep, y);
  }
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t H = g.in_h, W = g.in_w;
  dw_zero<V>(zeros, 0, W + L);  // the padding rows above and below: read like input rows
  vec wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = V::set1(w[t]);
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  auto row = [&](int64_t iy) { return iy >= 0 && iy < H ? x + iy * W : zeros; };
  // The three columns one input row gives the taps of output columns ox..ox+n-1.
  auto columns = [&](const float* r, int64_t ox, int n, vec& l, vec& c, vec& rt) {
    c = n == L ? V::load(r) : V::load_first(r, n);
    // Column ox - 1: the left padding for the first vector; lanes past n are never stored.
    l = ox == 0 ? V::shift_in_zero(c) : n == L ? V::load(r - 1) : V::load_first(r - 1, n);
    // Column ox + 1: up to the row's end, then the right padding (zero lanes).
    rt = ox + L < W ? V::load(r + 1) : V::load_first(r + 1, n - 1);
  };
  // Two output rows at a time: their four input rows are each loaded once (12 loads per two
  // output vectors instead of 18).
  int64_t oy = 0;
  for (; oy + 1 < H; oy += 2) {
    const float* rows[4] = {row(oy - 1), row(oy), row(oy + 1), row(oy + 2)};
    float* out = y + oy * W;
    const float* z = ep.residual ? ep.residual + oy * W : nullptr;
    for (int64_t ox = 0; ox < W; ox += L) {
      const int n = int(std::min<int64_t>(L, W - ox));
      vec a0[3] = {bias, V::zero(), V::zero()}, a1[3] = {bias, V::zero(), V::zero()};
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        vec l, c, rt;
        columns(rows[k] + ox, ox, n, l, c, rt);
        if (k < 3) {  // output row oy, kernel row k
          a0[k] = V::fmadd(wv[k * 3], l, a0[k]);
          a0[k] = V::fmadd(wv[k * 3 + 1], c, a0[k]);
          a0[k] = V::fmadd(wv[k * 3 + 2], rt, a0[k]);
        }
        if (k > 0) {  // output row oy + 1, kernel row k - 1
          a1[k - 1] = V::fmadd(wv[(k - 1) * 3], l, a1[k - 1]);
          a1[k - 1] = V::fmadd(wv[(k - 1) * 3 + 1], c, a1[k - 1]);
          a1[k - 1] = V::fmadd(wv[(k - 1) * 3 + 2], rt, a1[k - 1]);
        }
      }
      finish(V::add(V::add(a0[0], a0[1]), a0[2]), out, z, ox, n);
      finish(V::add(V::add(a1[0], a1[1]), a1[2]), out + W, z ? z + W : nullptr, ox, n);
    }
    finish.stored_row(out, 2 * W);
  }
  for (; oy < H; ++oy) {
    const float* rows[3] = {row(oy - 1), row(oy), row(oy + 1)};
    float* out = y + oy * W;
    const float* z = ep.residual ? ep.residual + oy * W : nullptr;
    for (int64_t ox = 0; ox < W; ox += L) {
      const int n = int(std::min<int64_t>(L, W - ox));
      vec acc[3] = {bias, V::zero(), V::zero()};  // one chain per kernel row
#pragma GCC unroll 3
      for (int ky = 0; ky < 3; ++ky) {
        vec l, c, rt;
        columns(rows[ky] + ox, ox, n, l, c, rt);
        acc[ky] = V::fmadd(wv[ky * 3], l, acc[ky]);
        acc[ky] = V::fmadd(wv[ky * 3 + 1], c, acc[ky]);
        acc[ky] = V::fmadd(wv[ky * 3 + 2], rt, acc[ky]);
      }
      finish(V::add(V::add(acc[0], acc[1]), acc[2]), out, z, ox, n);
    }
    finish.stored_row(out, W);
  }
}

// 3x3, stride 2, dilation 1, padding 1 above and left (MobileNet's downsampling layers): the
// taps read the input rows in place, no phase-split copy. Each vector of L output columns
// loads the 2L input columns it spans and splits them in registers (deinterleave2): the even
// columns are the middle tap's, the odd ones the right tap's, and the left tap's are the odd
// ones moved up a lane, the previous vector's last odd column (or the padding zero) in front.
// Columns and rows past the input's end read as zeros (masked loads, skipped rows), so any
// right and bottom padding works. The phase fill it replaces was half the per-channel time at
// 112 -> 56 (perf, RESULTS.md "MobileNetV2").
// One input row's three tap columns for the L output columns from ox (stride 2, pad 1): the 2L
// input columns they span, split in registers; `prev` holds the row's previous odd columns (the
// left padding's zero before the first vector) and moves on.
template <class V>
__attribute__((always_inline)) inline void dw_s2_columns(const float* row, int64_t W, int64_t ox, typename V::vec& prev,
                                                          typename V::vec& l, typename V::vec& c, typename V::vec& rt) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t c0 = 2 * ox, avail = W - c0;  // input columns c0.. left in the row
  const float* r = row + c0;
  vec a, b;
  if (avail >= 2 * L) {
    a = V::load(r);
    b = V::load(r + L);
  } else {
    const int n0 = int(std::clamp<int64_t>(avail, 0, L)), n1 = int(std::clamp<int64_t>(avail - L, 0, L));
    a = n0 ? V::load_first(r, n0) : V::zero();
    b = n1 ? V::load_first(r + L, n1) : V::zero();
  }
  deinterleave2(a, b, c, rt);
  l = V::shift_in(rt, prev);
  prev = rt;
}

template <class V>
bool dw3x3_s2_p1(const DwConv2dGeom& g) {
  return g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 2 && g.stride_w == 2 && g.dilation_h == 1 &&
         g.dilation_w == 1 && g.pad_top == 1 && g.pad_left == 1;
}

// dwconv3x3_s2_p1 for outputs at most half a vector wide (AVX-512: MobileNetV2's 14 -> 7, c576),
// where one row per vector left 9 of 16 lanes idle: two output rows per vector, lanes [0, ow)
// the first, [ow, 2 ow) the second, so the vector is their contiguous output. Each kernel row
// loads its two input rows (2 oy - 1 + ky and two below) whole and picks the three tap columns
// of both with one two-source permute each (the left tap's lanes at output column 0 zeroed: the
// padding). Rows and columns past the input's end read as zeros. ember_conv_bench --repeats 100
// "mb dw 14 s2" (one thread, best of 100, 3 runs, load 6): 0.026-0.027 ms with one row per
// vector -> 0.014 ms; in MobileNetV2 (relu6_27, step medians of 10 alternated `ember bench
// --profile` runs, one thread) 30.2 -> 17.1 us.
template <class V>
void dwconv3x3_s2_p1_row_pairs(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep,
                               float* y) {
  static_assert(V::L == 16, "two-source permutes of 16 lanes");
  using vec = typename V::vec;
  const int64_t H = g.in_h, W = g.in_w, ow = g.out_w;
  const int cols = int(std::min<int64_t>(W, 2 * ow));  // input columns the taps read; the rest is padding
  // Per lane l: its output column ox (lanes past 2 ow repeat the last one: unused) and the
  // source of its input rows (0: the first, 16: the second); built in registers, as this runs
  // once per channel (a scalar loop over the 16 lanes filling index arrays took 0.022 ms).
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i vow = _mm512_set1_epi32(int(ow));
  const auto second = _mm512_cmpge_epi32_mask(lane, vow);
  const __m512i ox = _mm512_min_epi32(_mm512_mask_sub_epi32(lane, second, lane, vow), _mm512_set1_epi32(int(ow - 1)));
  const __m512i src = _mm512_maskz_mov_epi32(second, _mm512_set1_epi32(16));
  const __m512i pc = _mm512_add_epi32(src, _mm512_add_epi32(ox, ox));              // column 2 ox
  const __m512i pr = _mm512_add_epi32(pc, _mm512_set1_epi32(1));                   // 2 ox + 1
  const __m512i pl = _mm512_max_epi32(_mm512_sub_epi32(pc, _mm512_set1_epi32(1)), src);  // 2 ox - 1
  const auto left_lanes = _mm512_cmpgt_epi32_mask(ox, _mm512_setzero_si512());       // ox = 0: padding
  vec wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = V::set1(w[t]);
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  auto row = [&](int64_t iy) { return iy >= 0 && iy < H ? V::load_first(x + iy * W, cols) : V::zero(); };
  for (int64_t oy = 0; oy < g.out_h; oy += 2) {
    const bool two = oy + 1 < g.out_h;
    vec acc[3] = {bias, V::zero(), V::zero()};  // one chain per kernel row
#pragma GCC unroll 3
    for (int ky = 0; ky < 3; ++ky) {
      const int64_t iy = 2 * oy - 1 + ky;
      const vec a = row(iy), b = two ? row(iy + 2) : V::zero();
      acc[ky] = V::fmadd(wv[ky * 3], _mm512_maskz_permutex2var_ps(left_lanes, a, pl, b), acc[ky]);
      acc[ky] = V::fmadd(wv[ky * 3 + 1], _mm512_permutex2var_ps(a, pc, b), acc[ky]);
      acc[ky] = V::fmadd(wv[ky * 3 + 2], _mm512_permutex2var_ps(a, pr, b), acc[ky]);
    }
    finish(V::add(V::add(acc[0], acc[1]), acc[2]), y, ep.residual, oy * ow, int(two ? 2 * ow : ow));
  }
  finish.stored_row(y, g.out_h * ow);
}

// dwconv3x3_s2_p1 for rows of NV vectors or less (AVX-512, NV = 1: 9 to 16 wide, MobileNetV2's
// 28 -> 14), where the general form's per-vector bounds arithmetic outweighed its 9
// multiply-adds: every input row is the same masked loads (masks set once per call), each
// vector's two split by two-source permutes into its centre and right tap columns, the left
// one the right one moved up a lane behind the previous vector's (or the padding zero); the
// split of the last input row of one output-row pair is kept for the next (four rows split per
// pair, not five). ember_conv_bench --repeats 100 "mb dw" (one thread, best of 100, 3 runs, load
// 6-7), general form -> this, ms: 28 s2 c192 0.019-0.020 -> 0.009 (NV 1), 56 s2 c144 0.050-0.051
// -> 0.031-0.035 (NV 2); in MobileNetV2 (step medians of 10 alternated `ember bench --profile`
// runs of 100, one thread) relu6_13 24.0 -> 12.0 us, relu6_7 55.8 -> 37.9 us (onnxruntime 16,
// 41). 112 -> 56 keeps the general form: NV 4 spilled (0.110-0.115 -> 0.120-0.124 ms), and
// strips of one vector down the plane (any width, the left column from a second pair of loads)
// were no faster there (0.116-0.120) and slower at 56 and 28 (0.038, 0.011).
template <class V, int NV>
void dwconv3x3_s2_p1_vectors(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep,
                             float* y) {
  static_assert(V::L == 16, "two-source permutes of 16 lanes");
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t H = g.in_h, W = g.in_w, ow = g.out_w;
  const int cols = int(std::min<int64_t>(W, 2 * ow));  // input columns the taps read; the rest is padding
  uint32_t ma[NV], mb[NV];  // the lanes of input columns [2 L j, 2 L j + L) and [2 L j + L, 2 L (j + 1))
  for (int j = 0; j < NV; ++j) {
    ma[j] = (1u << std::clamp(cols - 2 * L * j, 0, L)) - 1u;
    mb[j] = (1u << std::clamp(cols - 2 * L * j - L, 0, L)) - 1u;
  }
  const __m512i pc = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i pr = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  struct Cols {
    vec l[NV], c[NV], r[NV];
  };
  auto split = [&](int64_t iy) {
    Cols k;
    if (iy < 0 || iy >= H) {
      for (int j = 0; j < NV; ++j) k.l[j] = k.c[j] = k.r[j] = V::zero();
      return k;
    }
    const float* in = x + iy * W;
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      const vec a = V::load_mask(in + 2 * L * j, ma[j]), b = V::load_mask(in + 2 * L * j + L, mb[j]);
      k.c[j] = _mm512_permutex2var_ps(a, pc, b);
      k.r[j] = _mm512_permutex2var_ps(a, pr, b);
      k.l[j] = j == 0 ? V::shift_in_zero(k.r[j]) : V::shift_in(k.r[j], k.r[j - 1]);
    }
    return k;
  };
  vec wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = V::set1(w[t]);
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  // Output row oy from its three input rows: one chain per kernel row.
  auto out_row = [&](int64_t oy, const Cols& r0, const Cols& r1, const Cols& r2) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      const int64_t ox = L * j;
      if (ox >= ow) break;
      vec a0 = V::fmadd(wv[0], r0.l[j], bias), a1 = V::mul(wv[3], r1.l[j]), a2 = V::mul(wv[6], r2.l[j]);
      a0 = V::fmadd(wv[1], r0.c[j], a0);
      a1 = V::fmadd(wv[4], r1.c[j], a1);
      a2 = V::fmadd(wv[7], r2.c[j], a2);
      a0 = V::fmadd(wv[2], r0.r[j], a0);
      a1 = V::fmadd(wv[5], r1.r[j], a1);
      a2 = V::fmadd(wv[8], r2.r[j], a2);
      finish(V::add(V::add(a0, a1), a2), y, ep.residual, oy * ow + ox, int(std::min<int64_t>(L, ow - ox)));
    }
  };
  Cols top = split(-1);  // input row 2 oy - 1
  int64_t oy = 0;
  for (; oy + 1 < g.out_h; oy += 2) {
    const Cols r1 = split(2 * oy), r2 = split(2 * oy + 1), r3 = split(2 * oy + 2), r4 = split(2 * oy + 3);
    out_row(oy, top, r1, r2);
    out_row(oy + 1, r2, r3, r4);
    top = r4;
  }
  if (oy < g.out_h) out_row(oy, top, split(2 * oy), split(2 * oy + 1));
  finish.stored_row(y, g.out_h * ow);
}

template <class V>
void dwconv3x3_s2_p1(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep, float* y) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int64_t H = g.in_h, W = g.in_w;
  vec wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = V::set1(w[t]);
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  if constexpr (V::L == 16) {
    if (2 * g.out_w <= L) return dwconv3x3_s2_p1_row_pairs<V>(g, x, w, ep, y);
    if (g.out_w <= L) return dwconv3x3_s2_p1_vectors<V, 1>(g, x, w, ep, y);
    if (g.out_w <= 2 * L) return dwconv3x3_s2_p1_vectors<V, 2>(g, x, w, ep, y);
  }
  auto row = [&](int64_t iy) { return iy >= 0 && iy < H ? x + iy * W : nullptr; };  // null: padding
  auto taps = [&](vec& acc, int ky, vec l, vec c, vec rt) {
    acc = V::fmadd(wv[ky * 3], l, acc);
    acc = V::fmadd(wv[ky * 3 + 1], c, acc);
    acc = V::fmadd(wv[ky * 3 + 2], rt, acc);
  };
  // Rows of one vector: two output rows at a time share input row 2 * oy + 1 (five rows loaded
  // and split, not six). In MobileNetV2 (step medians of 130 traced runs, 3 alternations, load
  // 7): 28 -> 14 c192 29 -> 24 us, 14 -> 7 c576 35 -> 33 us; at 112 -> 56 and 56 -> 28 it was
  // faster alone (ember_conv_bench: 112 s2 0.117-0.121 -> 0.101-0.113 ms) but slower in the
  // network (148-176 -> 165-233 us, input from L3: five rows streamed at once). AVX-512 only:
  // with 16 registers (6 accumulators, 9 weights, 5 carried columns) AVX2 got slower.
  int64_t oy = 0;
  if constexpr (V::L >= 16) {
    for (; g.out_w <= L && oy + 1 < g.out_h; oy += 2) {
      const float* rows[5];
      for (int k = 0; k < 5; ++k) rows[k] = row(2 * oy - 1 + k);
      float* out = y + oy * g.out_w;
      const float* z = ep.residual ? ep.residual + oy * g.out_w : nullptr;
      vec prev[5] = {V::zero(), V::zero(), V::zero(), V::zero(), V::zero()};  // column -1: the left padding
      for (int64_t ox = 0; ox < g.out_w; ox += L) {
        const int n = int(std::min<int64_t>(L, g.out_w - ox));
        vec a0[3] = {bias, V::zero(), V::zero()}, a1[3] = {bias, V::zero(), V::zero()};
#pragma GCC unroll 5
        for (int k = 0; k < 5; ++k) {
          if (!rows[k]) continue;
          vec l, c, rt;
          dw_s2_columns<V>(rows[k], W, ox, prev[k], l, c, rt);
          if (k < 3) taps(a0[k], k, l, c, rt);          // output row oy, kernel row k
          if (k >= 2) taps(a1[k - 2], k - 2, l, c, rt);  // output row oy + 1, kernel row k - 2
        }
        finish(V::add(V::add(a0[0], a0[1]), a0[2]), out, z, ox, n);
        finish(V::add(V::add(a1[0], a1[1]), a1[2]), out + g.out_w, z ? z + g.out_w : nullptr, ox, n);
      }
      finish.stored_row(out, 2 * g.out_w);
    }
  }
  for (; oy < g.out_h; ++oy) {
    const float* rows[3];
    for (int ky = 0; ky < 3; ++ky) {
      const int64_t iy = 2 * oy - 1 + ky;
      rows[ky] = iy >= 0 && iy < H ? x + iy * W : nullptr;  // null: a padding row
    }
    float* out = y + oy * g.out_w;
    const float* z = ep.residual ? ep.residual + oy * g.out_w : nullptr;
    vec prev[3] = {V::zero(), V::zero(), V::zero()};  // column -1: the left padding
    for (int64_t ox = 0; ox < g.out_w; ox += L) {
      const int n = int(std::min<int64_t>(L, g.out_w - ox));
      vec acc[3] = {bias, V::zero(), V::zero()};  // one chain per kernel row
#pragma GCC unroll 3
      for (int ky = 0; ky < 3; ++ky) {
        if (!rows[ky]) continue;
        vec left, even, odd;
        dw_s2_columns<V>(rows[ky], W, ox, prev[ky], left, even, odd);
        acc[ky] = V::fmadd(wv[ky * 3], left, acc[ky]);
        acc[ky] = V::fmadd(wv[ky * 3 + 1], even, acc[ky]);
        acc[ky] = V::fmadd(wv[ky * 3 + 2], odd, acc[ky]);
      }
      finish(V::add(V::add(acc[0], acc[1]), acc[2]), out, z, ox, n);
    }
    finish.stored_row(out, g.out_w);
  }
}

template <class V, int KH, int KW>
void dwconv_rows(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep, float* y,
                 float* scratch) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int kh = KH ? KH : int(g.kernel_h), kw = KW ? KW : int(g.kernel_w);
  const int taps = kh * kw;
  if (taps > kDwMaxTaps) return f32_dwconv2d_generic(g, x, w, ep, y, scratch);
  if constexpr (KH == 3 && KW == 3) {
    if (dw3x3_same_s1<V>(g)) return dwconv3x3_same_s1<V>(g, x, w, ep, y, scratch);
    if (dw3x3_s2_p1<V>(g)) return dwconv3x3_s2_p1<V>(g, x, w, ep, y);
  }
  const DwPlane p = dw_plane(g);
  const int64_t row_stride = p.phases * p.row_len;
  // Strides 1 and 2 fill and convolve the plane in bands of output rows whose padded rows fit
  // in kDwBandFloats, so the filled rows are still in L1 when the taps read them (a whole
  // 112x112 plane at stride 2 is 66 KB: written to L2 and read back).
  const int64_t span = (kh - 1) * g.dilation_h + 1;  // padded rows one output row reads
  const int64_t band = g.stride_w > 2 ? g.out_h
                                      : std::max<int64_t>(1, (kDwBandFloats / row_stride - span) / g.stride_h + 1);
  int64_t off[kDwMaxTaps];
  vec wv[KH ? KH * KW : kDwMaxTaps];
  for (int ky = 0; ky < kh; ++ky)
    for (int kx = 0; kx < kw; ++kx) {
      const int64_t c = kx * g.dilation_w;
      off[ky * kw + kx] = ky * g.dilation_h * row_stride + (c % g.stride_w) * p.row_len + c / g.stride_w;
      wv[ky * kw + kx] = V::set1(w[ky * kw + kx]);
    }
  const DwFinish<V> finish(ep);
  const vec bias = V::set1(ep.bias);
  const float* base = scratch;  // padded row oy * stride_h, in the current band
  for (int64_t oy = 0, band_end = 0; oy < g.out_h; ++oy, base += g.stride_h * row_stride) {
    if (oy == band_end) {
      band_end = std::min(g.out_h, oy + band);
      const int64_t r0 = oy * g.stride_h, r1 = (band_end - 1) * g.stride_h + span;
      if (g.stride_w == 1) dw_fill_plane_s1<V>(g, x, scratch, r0, r1);
      else if (g.stride_w == 2) dw_fill_plane_s2<V>(g, x, scratch, r0, r1);
      else dw_fill_plane(g, x, scratch);
      base = scratch;
    }
    float* out = y + oy * g.out_w;
    const float* z = ep.residual ? ep.residual + oy * g.out_w : nullptr;
    int64_t ox = 0;
    for (; ox + 2 * L <= g.out_w; ox += 2 * L) {
      vec a0 = bias, a1 = bias;
      for (int t = 0; t < (KH ? KH * KW : taps); ++t) {
        const float* s = base + off[t] + ox;
        a0 = V::fmadd(wv[t], V::load(s), a0);
        a1 = V::fmadd(wv[t], V::load(s + L), a1);
      }
      finish(a0, out, z, ox, L);
      finish(a1, out, z, ox + L, L);
    }
    for (; ox < g.out_w; ox += L) {
      const int n = int(std::min<int64_t>(L, g.out_w - ox));
      vec a0 = bias;
      for (int t = 0; t < (KH ? KH * KW : taps); ++t) a0 = V::fmadd(wv[t], V::load(base + off[t] + ox), a0);
      finish(a0, out, z, ox, n);
    }
    finish.stored_row(out, g.out_w);
  }
}

// The table entries of one ISA, named "f32_dwconv3x3__<isa>" etc.
template <class V>
F32DwConvKernels dwconv_table(const char* n3, const char* n5, const char* nany) {
  F32DwConvKernels k;
  k.name_3x3 = n3;
  k.name_5x5 = n5;
  k.name_any = nany;
  k.dwconv_3x3 = &dwconv_rows<V, 3, 3>;
  k.dwconv_5x5 = &dwconv_rows<V, 5, 5>;
  k.dwconv_any = &dwconv_rows<V, 0, 0>;
  k.reads_in_place = [](const DwConv2dGeom& g) { return dw3x3_same_s1<V>(g) || dw3x3_s2_p1<V>(g); };
  return k;
}

}  // namespace
}  // namespace ember::kernels
