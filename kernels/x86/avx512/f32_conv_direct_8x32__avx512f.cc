// Direct convolution for AVX-512F (see kernels/dispatch/f32_conv_direct.h): 8 output channels
// x 32 positions in 16 zmm accumulators; per reduction step two loads of 16 inputs straight
// from the phased input, eight weight broadcasts and sixteen FMAs. The AVX2 entry's scheme
// (f32_conv_direct_6x16__avx2_fma.cc) at twice the width: on AVX-512 machines the 8-wide form
// lost to im2col + the 12x32 AVX-512 GEMM (1.3-2.0x slower, benchmarks/RESULTS.md "CNN
// latency"). 8 rows because the layers this runs are MobileNet projections of 16, 24 and 32
// channels and the stems of 32 and 64. Bias, residual and the piecewise-linear activations are
// applied in registers before the store.
//
// Compiled twice: natively with -mavx512f for the library (dispatched only when the CPU has
// it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_conv_direct_8x32__avx512f_simde.cc), so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_CD512_NS avx512_simde
#define EMBER_CD512_NAME "f32_conv_direct_8x32__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_CD512_NS avx512
#define EMBER_CD512_NAME "f32_conv_direct_8x32__avx512f"
// GCC 12 reports the self-initialised `__Y` inside _mm512_undefined_ps (used by _mm512_max_ps /
// _mm512_min_ps in the activations) as maybe uninitialized once the tile loops are unrolled;
// the value is never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>

#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels::EMBER_CD512_NS {
namespace {

inline __m512 load_first(const float* p, int n) { return load_first16(p, n); }
inline void store_first(float* p, int n, __m512 v) { store_first16(p, n, v); }

constexpr int kMr = 8, kNr = 32, kL = 16;
// Input block (channels*taps x positions) kept in L2 while every channel strip passes over it.
constexpr int64_t kBlockFloats = 64 * 1024;

struct Acc {
  __m512 v[2 * kMr];
};

// The tile's reduction over channels and taps (T taps, 0: a.taps at run time). kMasked: the
// last positions run past the input, so lanes past `valid` are not loaded.
template <int T, bool kMasked>
void reduce(const ConvDirectArgs& a, const float* w, int64_t j0, int valid, Acc& acc) {
  // Unrolled so the accumulators start and end in registers: as a loop GCC zeroed them with a
  // 1 KB rep stos and stored / reloaded them around the reduction (perf: 5% of the stem's tile).
  __m512 c[2 * kMr];
#pragma GCC unroll 16
  for (int i = 0; i < 2 * kMr; ++i) c[i] = _mm512_setzero_ps();
  const int lo = std::min(valid, kL), hi = std::max(valid - kL, 0);
  const int taps = T ? T : a.taps;
  const float* xb = a.x + j0;
  for (int64_t ch = 0; ch < a.channels; ++ch, xb += a.cstride) {
    for (int t = 0; t < taps; ++t, w += kMr) {
      const float* p = xb + a.toff[t];
      const __m512 b0 = kMasked ? load_first(p, lo) : _mm512_loadu_ps(p);
      const __m512 b1 = kMasked ? load_first(p + kL, hi) : _mm512_loadu_ps(p + kL);
      for (int r = 0; r < kMr; ++r) {  // fully unrolled by the compiler (constant trip count)
        const __m512 wr = _mm512_set1_ps(w[r]);
        c[2 * r] = _mm512_fmadd_ps(wr, b0, c[2 * r]);
        c[2 * r + 1] = _mm512_fmadd_ps(wr, b1, c[2 * r + 1]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < 2 * kMr; ++i) acc.v[i] = c[i];
}

// bias + residual + the vector-form activation on n <= 16 values of one channel, stored at y
// (the caller applies the others to the whole stored run).
inline void finish_vec(const ConvDirectArgs& a, __m512 v, float bias, const float* z, float* y, int n, bool vec_act) {
  v = _mm512_add_ps(v, _mm512_set1_ps(bias));
  if (z) v = _mm512_add_ps(v, n == kL ? _mm512_loadu_ps(z) : load_first(z, n));
  if (vec_act) v = conv_activate<ConvAvx512>(v, a.activation, a.act_alpha, a.act_beta);
  if (n == kL) _mm512_storeu_ps(y, v);
  else store_first(y, n, v);
}

// Stores rows [m, m+rows) of the tile at positions j0.., skipping garbage columns and
// splitting at output rows.
void finish(const ConvDirectArgs& a, int64_t m, int rows, int64_t j0, const Acc& acc) {
  const int64_t plane = a.out_h * a.out_w;
  const bool vec_act = conv_vector_activation(a.activation);
  auto channel = [&](int r, int64_t at, const __m512* lo_hi, const float* spill, int n) {
    const float bias = a.bias ? a.bias[m + r] : 0.0f;
    float* y = a.y + (m + r) * plane + at;
    const float* z = a.residual ? a.residual + (m + r) * plane + at : nullptr;
    for (int i = 0; i < n; i += kL) {
      const int k = std::min(kL, n - i);
      const __m512 v = lo_hi ? lo_hi[i / kL] : load_first(spill + i, k);
      finish_vec(a, v, bias, z ? z + i : nullptr, y + i, k, vec_act);
    }
    if (!vec_act) ConvAvx512::activate_stored(y, n, a.activation, a.act_alpha, a.act_beta);
  };
  const int64_t oy = j0 / a.wq, ox = j0 % a.wq;
  if (ox + kNr <= a.out_w) {  // the common case: 32 outputs of one row
    for (int r = 0; r < rows; ++r) channel(r, oy * a.out_w + ox, &acc.v[2 * r], nullptr, kNr);
    return;
  }
  alignas(64) float spill[kMr][kNr];
  for (int r = 0; r < rows; ++r) {
    _mm512_store_ps(spill[r], acc.v[2 * r]);
    _mm512_store_ps(spill[r] + kL, acc.v[2 * r + 1]);
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
  static const F32ConvDirectKernels k{EMBER_CD512_NAME, kMr, kNr, conv_direct};
  return k;
}

}  // namespace ember::kernels::EMBER_CD512_NS
