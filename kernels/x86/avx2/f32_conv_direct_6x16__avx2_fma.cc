// Direct convolution for AVX2 + FMA (see kernels/dispatch/f32_conv_direct.h): 6 output
// channels x 16 positions in 12 ymm accumulators; per reduction step two loads of 16 inputs
// straight from the phased input, six weight broadcasts and twelve FMAs, the same register
// budget as the 6x16 GEMM tile but with no im2col matrix and no packing per call. Bias,
// residual and the piecewise-linear activations are applied in registers before the store.
// Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include <algorithm>

#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/x86/avx2/f32_conv_vec_avx2.h"
#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels::avx2 {
namespace {

using V = ConvAvx2;
constexpr int kMr = 6, kNr = 16;
// Input block (channels*taps x positions) kept in L2 while every channel strip passes over it.
constexpr int64_t kBlockFloats = 48 * 1024;

struct Acc {
  __m256 v[2 * kMr];
};

#define EMBER_ROW(r)                                  \
  {                                                   \
    const __m256 wr = _mm256_broadcast_ss(w + (r));   \
    c##r##0 = _mm256_fmadd_ps(wr, b0, c##r##0);       \
    c##r##1 = _mm256_fmadd_ps(wr, b1, c##r##1);       \
  }

// The tile's reduction over channels and taps (T taps, 0: a.taps at run time). kMasked: the
// last positions run past the input, so lanes past `valid` are not loaded.
template <int T, bool kMasked>
void reduce(const ConvDirectArgs& a, const float* w, int64_t j0, int valid, Acc& acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const __m256i mlo = V::first(valid), mhi = V::first(valid - 8);
  const int taps = T ? T : a.taps;
  const float* xb = a.x + j0;
  for (int64_t c = 0; c < a.channels; ++c, xb += a.cstride) {
    for (int t = 0; t < taps; ++t, w += kMr) {
      const float* p = xb + a.toff[t];
      const __m256 b0 = kMasked ? _mm256_maskload_ps(p, mlo) : _mm256_loadu_ps(p);
      const __m256 b1 = kMasked ? _mm256_maskload_ps(p + 8, mhi) : _mm256_loadu_ps(p + 8);
      EMBER_ROW(0) EMBER_ROW(1) EMBER_ROW(2) EMBER_ROW(3) EMBER_ROW(4) EMBER_ROW(5)
    }
  }
  acc = Acc{{c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51}};
}
#undef EMBER_ROW

// bias + residual + the vector-form activation on n <= 8 values of one channel, stored at y
// (the caller applies the others to the whole stored run).
inline void finish_vec(const ConvDirectArgs& a, __m256 v, float bias, const float* z, float* y, int n,
                       bool vec_act) {
  v = _mm256_add_ps(v, _mm256_set1_ps(bias));
  if (z) v = _mm256_add_ps(v, n == 8 ? V::load(z) : V::load_first(z, n));
  if (vec_act) v = conv_activate<V>(v, a.activation, a.act_alpha, a.act_beta);
  if (n == 8) V::store(y, v);
  else V::store_first(y, n, v);
}

// Stores rows [m, m+rows) of the tile at positions j0.., skipping garbage columns and
// splitting at output rows.
void finish(const ConvDirectArgs& a, int64_t m, int rows, int64_t j0, const Acc& acc) {
  const int64_t plane = a.out_h * a.out_w;
  const bool vec_act = conv_vector_activation(a.activation);
  auto channel = [&](int r, int64_t at, const __m256* lo_hi, const float* spill, int n) {
    const float bias = a.bias ? a.bias[m + r] : 0.0f;
    float* y = a.y + (m + r) * plane + at;
    const float* z = a.residual ? a.residual + (m + r) * plane + at : nullptr;
    for (int i = 0; i < n; i += 8) {
      const int k = std::min(8, n - i);
      const __m256 v = lo_hi ? lo_hi[i / 8] : V::load_first(spill + i, k);
      finish_vec(a, v, bias, z ? z + i : nullptr, y + i, k, vec_act);
    }
    if (!vec_act) V::activate_stored(y, n, a.activation, a.act_alpha, a.act_beta);
  };
  const int64_t oy = j0 / a.wq, ox = j0 % a.wq;
  if (ox + kNr <= a.out_w) {  // the common case: 16 outputs of one row
    for (int r = 0; r < rows; ++r) channel(r, oy * a.out_w + ox, &acc.v[2 * r], nullptr, kNr);
    return;
  }
  alignas(32) float spill[kMr][kNr];
  for (int r = 0; r < rows; ++r) {
    _mm256_store_ps(spill[r], acc.v[2 * r]);
    _mm256_store_ps(spill[r] + 8, acc.v[2 * r + 1]);
  }
  const int64_t positions = a.positions();
  for (int l = 0; l < kNr && j0 + l < positions;) {
    const int64_t j = j0 + l, y0 = j / a.wq, x0 = j % a.wq;
    if (x0 >= a.out_w) {  // garbage columns up to the next row
      l += int(a.wq - x0);
      continue;
    }
    const int n = int(std::min<int64_t>(a.out_w - x0, kNr - l));
    for (int r = 0; r < rows; ++r) channel(r, y0 * a.out_w + x0, nullptr, spill[r] + l, n);
    l += n;
  }
}

template <int T>
void tile(const ConvDirectArgs& a, int64_t m, int64_t m1, int64_t j) {
  const float* w = a.w + m * a.channels * a.taps;  // strip m / kMr
  const int64_t positions = a.positions();
  Acc acc;
  if (j + kNr <= positions) reduce<T, false>(a, w, j, kNr, acc);
  else reduce<T, true>(a, w, j, int(positions - j), acc);
  finish(a, m, int(std::min<int64_t>(kMr, m1 - m)), j, acc);
}

template <int T>
void run_blocks(const ConvDirectArgs& a, int64_t m0, int64_t m1, int64_t j0, int64_t j1) {
  j1 = std::min(j1, a.positions());
  if (m0 >= m1 || j0 >= j1) return;
  const int64_t k = a.channels * a.taps;
  if (m1 - m0 >= j1 - j0) {
    // More weights than inputs (deep layers, small images): each weight strip stays in L1/L2
    // while it passes over all positions.
    for (int64_t m = m0; m < m1; m += kMr)
      for (int64_t j = j0; j < j1; j += kNr) tile<T>(a, m, m1, j);
    return;
  }
  // Blocks of positions whose inputs fit in L2, each passed over by every weight strip.
  const int64_t block = std::max<int64_t>(kNr, kBlockFloats / std::max<int64_t>(k, 1) / kNr * kNr);
  for (int64_t jb = j0; jb < j1; jb += block) {
    const int64_t je = std::min(j1, jb + block);
    for (int64_t m = m0; m < m1; m += kMr)
      for (int64_t j = jb; j < je; j += kNr) tile<T>(a, m, m1, j);
  }
}

void conv_direct(const ConvDirectArgs& a, int64_t m0, int64_t m1, int64_t j0, int64_t j1) {
  switch (a.taps) {
    case 1: return run_blocks<1>(a, m0, m1, j0, j1);
    case 9: return run_blocks<9>(a, m0, m1, j0, j1);
    default: return run_blocks<0>(a, m0, m1, j0, j1);
  }
}

}  // namespace

const F32ConvDirectKernels& f32_conv_direct_kernels() {
  static const F32ConvDirectKernels k{"f32_conv_direct_6x16__avx2_fma", kMr, kNr, conv_direct};
  return k;
}

}  // namespace ember::kernels::avx2
