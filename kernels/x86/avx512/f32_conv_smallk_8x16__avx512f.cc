// Short-reduction convolution for AVX-512F (see kernels/dispatch/f32_conv_smallk.h): rows are
// cut into tiles of 8 output channels x 32 positions (16 + up to 16, masked), whose inputs are
// loaded per reduction step and each broadcast weight feeds two multiply-adds; the last vector
// or less of each row (and rows up to 16 wide) takes the first form, per vector of 16 positions
// the K (16, 24, 27 or 32) input vectors loaded once and held in registers (from K = 27 the
// compiler keeps a few on the stack: L1 reads), every output channel produced from them 8 at a
// time, one broadcast weight per multiply-add. The 8 x 32 tiles against that form alone
// (ember_conv_bench --repeats 40 "mb ", alternated 3 times, load 7.5-9, ms): stem 0.123-0.132 /
// 0.138-0.139, 112 32->16 0.068-0.070 / 0.072-0.077, 56 24->144 0.111-0.114 / 0.134-0.139, 28
// 32->192 0.047-0.048 / 0.055-0.057, 112 16->96 0.247-0.253 / 0.307-0.409 (noisy: 4.8 MB of
// output). Against the GEMM / direct tile in the same run: RESULTS.md "MobileNetV2".
//
// Compiled twice: natively with -mavx512f for the library (dispatched only when the CPU has
// it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_conv_smallk_8x16__avx512f_simde.cc), so this code is tested on machines without
// AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_SK512_NS avx512_simde
#define EMBER_SK512_NAME "f32_conv_smallk_8x16__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_SK512_NS avx512
#define EMBER_SK512_NAME "f32_conv_smallk_8x16__avx512f"
#endif

#include <algorithm>
#include <limits>

#include "kernels/dispatch/f32_conv_smallk.h"
#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_conv_activate.h"

// GCC 12 reports the deliberately undefined pass-through register inside _mm512_max_ps /
// _mm512_min_ps (avx512fintrin.h) as maybe-uninitialized once the K = 32 form spills; the
// kernels' CMake flags silence it in Debug builds only (cmake/EmberKernels.cmake).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Full unrolling keeps the K input vectors in registers natively; under SIMDe (test-only, every
// vector a struct) it only made the object take minutes to compile, so loops stay loops there.
#ifdef EMBER_AVX512_SIMDE
#define EMBER_SK512_UNROLL(n)
#else
#define EMBER_SK512_UNROLL(n) _Pragma(#n)
#endif

namespace ember::kernels::EMBER_SK512_NS {
namespace {

using V = ConvAvx512;
constexpr int kL = 16;  // positions per step
// Outputs stored before the out-of-line activation runs over them (128 KB: still in L2).
constexpr int64_t kActivateFloats = 32 * 1024;
constexpr int kG = 8;   // output channels per group: 8 independent FMA chains

// The epilogue's activation: None, Relu and Clip as one clamp with bounds in registers, in
// the tile; the others out of line (finish_stored) on blocks of stored positions of all the
// channels, so the unrolled tiles do not each carry conv_activate's switch (with it inline, and
// a second unmasked copy of every form, the object was 85 KB; it is 15 KB). Per block of whole
// rows (about 32 K outputs, still in L2) rather than per 16-position tile: a 1x1 16->96 conv at
// 112x112 took 0.25 ms with Relu, 0.76 with SiLU per tile, 0.58-0.59 per row, 0.55 per block
// (ember bench of a one-conv model, 1 thread, chrt).
struct Epilogue {
  bool clamp;
  __m512 lo, hi;
  explicit Epilogue(const ConvSmallKArgs& a)
      : clamp(a.activation == Activation::None || a.activation == Activation::Relu ||
              a.activation == Activation::Clip),
        lo(V::set1(a.activation == Activation::Clip   ? a.act_alpha
                   : a.activation == Activation::Relu ? 0.0f
                                                      : -std::numeric_limits<float>::infinity())),
        hi(V::set1(a.activation == Activation::Clip ? a.act_beta : std::numeric_limits<float>::infinity())) {}
};

// The activation (not None/Relu/Clip) on rows [m, m + rows) at positions [p, p + n), stored.
__attribute__((noinline)) void finish_stored(const ConvSmallKArgs& a, int64_t m, int64_t rows, int64_t p, int64_t n) {
  const bool vec_act = conv_vector_activation(a.activation);
  for (int64_t g = 0; g < rows; ++g) {
    float* y = a.y + (m + g) * a.positions() + p;
    if (!vec_act) {
      V::activate_stored(y, n, a.activation, a.act_alpha, a.act_beta);
      continue;
    }
    for (int64_t i = 0; i < n; i += kL) {
      const int c = int(std::min<int64_t>(kL, n - i));
      V::store_first(y + i, c, conv_activate<V>(V::load_first(y + i, c), a.activation, a.act_alpha, a.act_beta));
    }
  }
}

// Output channels [m, m + G) at positions [p, p + n) (one row) from the K input vectors xv.
// Loads and stores are masked to n lanes even when n is 16, so one copy of the unrolled code
// serves the row tails too (library size; a full mask costs the same instruction).
template <int K, int G>
__attribute__((always_inline)) inline void channels(const ConvSmallKArgs& a, const __m512 (&xv)[K], int64_t m,
                                                     int64_t p, int n, const Epilogue& e) {
  // Fully unrolled (GCC does not on its own at these trip counts), so xv stays in registers.
  __m512 acc[G];
EMBER_SK512_UNROLL(GCC unroll 8)
  for (int g = 0; g < G; ++g) acc[g] = a.bias ? V::set1(a.bias[m + g]) : V::zero();
  const float* w = a.w + m * K;
  const int64_t plane = a.positions();
EMBER_SK512_UNROLL(GCC unroll 32)
  for (int k = 0; k < K; ++k)
EMBER_SK512_UNROLL(GCC unroll 8)
    for (int g = 0; g < G; ++g) acc[g] = V::fmadd(V::set1(w[g * K + k]), xv[k], acc[g]);
EMBER_SK512_UNROLL(GCC unroll 8)
  for (int g = 0; g < G; ++g) {
    const int64_t at = (m + g) * plane + p;
    __m512 v = acc[g];
    if (a.residual) v = V::add(v, V::load_first(a.residual + at, n));
    if (e.clamp) v = V::min(e.hi, V::max(e.lo, v));
    V::store_first(a.y + at, n, v);
  }
}

template <int K>
void run_k(const ConvSmallKArgs& a, int64_t p0, int64_t p1, const Epilogue& e) {
  int64_t koff[K];
  for (int k = 0; k < K; ++k) koff[k] = a.koff[k];
  for (int64_t p = p0; p < p1;) {
    // Vectors never cross an output row: the input rows are `row` floats apart.
    const int64_t oy = p / a.out_w, ox = p % a.out_w;
    const int n = int(std::min<int64_t>({kL, p1 - p, a.out_w - ox}));
    const float* x = a.x + oy * a.row + ox;
    __m512 xv[K];
EMBER_SK512_UNROLL(GCC unroll 32)
    for (int k = 0; k < K; ++k) xv[k] = V::load_first(x + koff[k], n);
    int64_t m = 0;
    for (; m + kG <= a.m; m += kG) channels<K, kG>(a, xv, m, p, n, e);
    for (; m < a.m; ++m) channels<K, 1>(a, xv, m, p, n, e);
    p += n;
  }
}

// Output channels [m, m + G) at the kL + n1 positions from p (one row; 0 < n1 <= kL): a G x 32
// tile (the second vector masked to n1 lanes), the
// inputs loaded per reduction step (two vectors, from L1) instead of held in registers, so
// each broadcast weight feeds two multiply-adds. K = 32 held in registers needed 40 of the 32
// vector registers (the inputs spilled); the tile needs 2G + 3.
template <int G>
__attribute__((always_inline)) inline void channels_2x(const ConvSmallKArgs& a, const float* x, const int64_t* koff,
                                                        int64_t m, int64_t p, int n1, const Epilogue& e) {
  __m512 acc0[G], acc1[G];
EMBER_SK512_UNROLL(GCC unroll 8)
  for (int g = 0; g < G; ++g) acc0[g] = acc1[g] = a.bias ? V::set1(a.bias[m + g]) : V::zero();
  const float* w = a.w + m * a.k;
EMBER_SK512_UNROLL(GCC unroll 4)
  for (int64_t k = 0; k < a.k; ++k) {
    const __m512 x0 = V::load(x + koff[k]), x1 = V::load_first(x + koff[k] + kL, n1);
EMBER_SK512_UNROLL(GCC unroll 8)
    for (int g = 0; g < G; ++g) {
      const __m512 wv = V::set1(w[g * a.k + k]);
      acc0[g] = V::fmadd(wv, x0, acc0[g]);
      acc1[g] = V::fmadd(wv, x1, acc1[g]);
    }
  }
  const int64_t plane = a.positions();
EMBER_SK512_UNROLL(GCC unroll 8)
  for (int g = 0; g < G; ++g) {
    float* y = a.y + (m + g) * plane + p;
    __m512 v0 = acc0[g], v1 = acc1[g];
    if (a.residual) {
      v0 = V::add(v0, V::load(a.residual + (m + g) * plane + p));
      v1 = V::add(v1, V::load_first(a.residual + (m + g) * plane + p + kL, n1));
    }
    if (e.clamp) {
      v0 = V::min(e.hi, V::max(e.lo, v0));
      v1 = V::min(e.hi, V::max(e.lo, v1));
    }
    V::store(y, v0);
    V::store_first(y + kL, n1, v1);
  }
}

// Rows in G x 32 tiles while more than kL positions are left in the row, the rest (the last
// vector or less of a row, rows up to kL wide) through run_k's register-resident form; then
// the out-of-line activation on blocks of finished rows of every channel.
template <int K>
void run_k_2x(const ConvSmallKArgs& a, int64_t p0, int64_t p1) {
  const Epilogue e(a);
  int64_t act_from = p0;  // first position not yet activated
  for (int64_t seg = p0; seg < p1;) {
    const int64_t oy = seg / a.out_w, ox0 = seg % a.out_w;
    const int64_t seg_end = seg + std::min(p1 - seg, a.out_w - ox0);  // the rest of this output row
    for (int64_t p = seg; p < seg_end;) {
      const int64_t run = seg_end - p;
      if (run <= kL) {
        run_k<K>(a, p, seg_end, e);
        break;
      }
      const float* x = a.x + oy * a.row + (p - oy * a.out_w);
      int64_t m = 0;
      const int n1 = int(std::min<int64_t>(kL, run - kL));
      for (; m + kG <= a.m; m += kG) channels_2x<kG>(a, x, a.koff, m, p, n1, e);
      for (; m < a.m; ++m) channels_2x<1>(a, x, a.koff, m, p, n1, e);
      p += kL + n1;
    }
    // A channel's positions are contiguous across rows: the activation waits until about
    // kActivateFloats outputs (in L2) are stored, so each call covers several rows.
    if (!e.clamp && ((seg_end - act_from) * a.m >= kActivateFloats || seg_end == p1)) {
      finish_stored(a, 0, a.m, act_from, seg_end - act_from);
      act_from = seg_end;
    }
    seg = seg_end;
  }
}

void conv_smallk(const ConvSmallKArgs& a, int64_t p0, int64_t p1) {
  switch (a.k) {
    case 16: return run_k_2x<16>(a, p0, p1);
    case 24: return run_k_2x<24>(a, p0, p1);
    case 27: return run_k_2x<27>(a, p0, p1);
    case 32: return run_k_2x<32>(a, p0, p1);
    default: return f32_conv_smallk_generic_kernels().run(a, p0, p1);  // not routed here (handles())
  }
}

}  // namespace

const F32ConvSmallKKernels& f32_conv_smallk_kernels() {
  constexpr uint64_t kLengths = (uint64_t(1) << 16) | (uint64_t(1) << 24) | (uint64_t(1) << 27) | (uint64_t(1) << 32);
  static const F32ConvSmallKKernels k{EMBER_SK512_NAME, conv_smallk, kLengths};
  return k;
}

}  // namespace ember::kernels::EMBER_SK512_NS
