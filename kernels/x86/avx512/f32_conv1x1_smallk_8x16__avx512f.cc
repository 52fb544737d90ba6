// Pointwise few-channel convolution for AVX-512F (see kernels/dispatch/f32_conv1x1_smallk.h):
// per vector of 16 positions, the K (16, 24 or 32) input vectors are loaded once and held in
// registers (at K = 32 the compiler keeps some on the stack, still L1 reads), then every output
// channel is produced from them, 8 at a time in 8 accumulators, each multiply-add taking its
// weight as a broadcast straight from W. ember_conv_bench, one thread, best of 40: MobileNetV2's
// 16 -> 96 expansion at 112x112 ran at about 1.6x the speed of the 12x32 GEMM (RESULTS.md).
//
// Compiled twice: natively with -mavx512f for the library (dispatched only when the CPU has
// it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_conv1x1_smallk_8x16__avx512f_simde.cc), so this code is tested on machines without
// AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_SK512_NS avx512_simde
#define EMBER_SK512_NAME "f32_conv1x1_smallk_8x16__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_SK512_NS avx512
#define EMBER_SK512_NAME "f32_conv1x1_smallk_8x16__avx512f"
#endif

#include <algorithm>
#include <limits>

#include "kernels/dispatch/f32_conv1x1_smallk.h"
#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_conv_activate.h"

// GCC 12 reports the deliberately undefined pass-through register inside _mm512_max_ps /
// _mm512_min_ps (avx512fintrin.h) as maybe-uninitialized once the K = 32 form spills; the
// kernels' CMake flags silence it in Debug builds only (cmake/EmberKernels.cmake).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace ember::kernels::EMBER_SK512_NS {
namespace {

using V = ConvAvx512;
constexpr int kL = 16;  // positions per step
constexpr int kG = 8;   // output channels per group: 8 independent FMA chains

// The epilogue's activation: None, Relu and Clip as one clamp with bounds in registers, in
// the tile; the others after the store, out of line (finish_stored), so the unrolled tiles do
// not each carry conv_activate's switch (the object was 85 KB with it inline).
struct Epilogue {
  bool clamp;
  __m512 lo, hi;
  explicit Epilogue(const Conv1x1SmallKArgs& a)
      : clamp(a.activation == Activation::None || a.activation == Activation::Relu ||
              a.activation == Activation::Clip),
        lo(V::set1(a.activation == Activation::Clip   ? a.act_alpha
                   : a.activation == Activation::Relu ? 0.0f
                                                      : -std::numeric_limits<float>::infinity())),
        hi(V::set1(a.activation == Activation::Clip ? a.act_beta : std::numeric_limits<float>::infinity())) {}
};

// The activation (not None/Relu/Clip) on rows [m, m + rows) at positions [p, p + n), stored.
__attribute__((noinline)) void finish_stored(const Conv1x1SmallKArgs& a, int64_t m, int rows, int64_t p, int n) {
  const bool vec_act = conv_vector_activation(a.activation);
  for (int g = 0; g < rows; ++g) {
    float* y = a.y + (m + g) * a.positions + p;
    if (vec_act) V::store_first(y, n, conv_activate<V>(V::load_first(y, n), a.activation, a.act_alpha, a.act_beta));
    else
      for (int i = 0; i < n; ++i) y[i] = activate_scalar(y[i], a.activation, a.act_alpha, a.act_beta);
  }
}

// Output channels [m, m + G) at positions [p, p + n) from the K input vectors xv. Loads and
// stores are masked to n lanes even when n is 16: one copy of the unrolled code serves the
// row tails too (ember_conv_bench: no slower than unmasked full vectors).
template <int K, int G>
__attribute__((always_inline)) inline void channels(const Conv1x1SmallKArgs& a, const __m512 (&xv)[K], int64_t m,
                                                     int64_t p, int n, const Epilogue& e) {
  // Fully unrolled (GCC does not on its own at these trip counts), so xv stays in registers.
  __m512 acc[G];
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) acc[g] = a.bias ? V::set1(a.bias[m + g]) : V::zero();
  const float* w = a.w + m * K;
#pragma GCC unroll 32
  for (int k = 0; k < K; ++k)
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) acc[g] = V::fmadd(V::set1(w[g * K + k]), xv[k], acc[g]);
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    const int64_t at = (m + g) * a.positions + p;
    __m512 v = acc[g];
    if (a.residual) v = V::add(v, V::load_first(a.residual + at, n));
    if (e.clamp) v = V::min(e.hi, V::max(e.lo, v));
    V::store_first(a.y + at, n, v);
  }
  if (!e.clamp) finish_stored(a, m, G, p, n);
}

template <int K>
void run_k(const Conv1x1SmallKArgs& a, int64_t p0, int64_t p1) {
  const Epilogue e(a);
  for (int64_t p = p0; p < p1; p += kL) {
    const int n = int(std::min<int64_t>(kL, p1 - p));
    __m512 xv[K];
#pragma GCC unroll 32
    for (int k = 0; k < K; ++k) xv[k] = V::load_first(a.x + k * a.positions + p, n);
    int64_t m = 0;
    for (; m + kG <= a.m; m += kG) channels<K, kG>(a, xv, m, p, n, e);
    for (; m < a.m; ++m) channels<K, 1>(a, xv, m, p, n, e);
  }
}

void conv1x1_smallk(const Conv1x1SmallKArgs& a, int64_t p0, int64_t p1) {
  switch (a.channels) {
    case 16: return run_k<16>(a, p0, p1);
    case 24: return run_k<24>(a, p0, p1);
    case 32: return run_k<32>(a, p0, p1);
    default: return f32_conv1x1_smallk_generic_kernels().run(a, p0, p1);  // not routed here (handles())
  }
}

}  // namespace

const F32Conv1x1SmallKKernels& f32_conv1x1_smallk_kernels() {
  static const F32Conv1x1SmallKKernels k{EMBER_SK512_NAME, conv1x1_smallk, 16, 32, 8};
  return k;
}

}  // namespace ember::kernels::EMBER_SK512_NS
