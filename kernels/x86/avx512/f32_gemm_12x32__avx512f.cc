// f32 GEMM for AVX-512F: 12x32 register tile (24 zmm accumulators + 2 B vectors + 1 A
// broadcast = 27 of 32 registers), edge tiles through k-masks, epilogue in registers.
// Compiled twice: natively with -mavx512f for the library (dispatched only when the CPU has
// it), and with EMBER_AVX512_SIMDE against SIMDe's portable emulation into a test-only object,
// so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
// __m512 by value without -mavx512f: the ABI note is irrelevant inside one test object.
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_AVX512_NS avx512_simde
#define EMBER_AVX512_NAME "f32_gemm_12x32__avx512f (simde)"
using Mask16 = simde__mmask16;
#else
#include <immintrin.h>
#define EMBER_AVX512_NS avx512
#define EMBER_AVX512_NAME "f32_gemm_12x32__avx512f"
using Mask16 = __mmask16;
#endif

#include "kernels/x86/avx512/vmath_avx512.h"
#include "kernels/x86/f32_gemm_x86.h"

namespace ember::kernels::EMBER_AVX512_NS {
namespace {

struct Avx512Vec {
  using vec = __m512;
  using mask = Mask16;
  static constexpr int L = 16;
  static constexpr bool kVecTranscendental = true;
  static constexpr Mask16 kAll = Mask16(0xffff);
  static vec zero() { return _mm512_setzero_ps(); }
  static vec set1(float x) { return _mm512_set1_ps(x); }
  static vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
  // The first n lanes (n <= 0: none, n >= 16: all).
  static mask first(int n) {
    return n <= 0 ? Mask16(0) : n >= 16 ? kAll : Mask16((1u << n) - 1u);
  }
#ifdef EMBER_AVX512_SIMDE
  // SIMDe 0.7.4 has no masked loads/stores: the lanes one by one (test-only build).
  static vec load(const float* p, mask m) {
    alignas(64) float t[16] = {};
    for (int i = 0; i < 16; ++i)
      if ((m >> i) & 1) t[i] = p[i];
    return _mm512_load_ps(t);
  }
  static void store(float* p, mask m, vec v) {
    alignas(64) float t[16];
    _mm512_store_ps(t, v);
    for (int i = 0; i < 16; ++i)
      if ((m >> i) & 1) p[i] = t[i];
  }
#else
  static vec load(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, mask m, vec v) { _mm512_mask_storeu_ps(p, m, v); }
#endif
  static vec fmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
  // maskz with all lanes == the plain max/min, minus GCC 12's false -Wmaybe-uninitialized on
  // their _mm512_undefined_ps pass-through (fatal under -Werror). NaN: second operand, as MAXPS.
  static vec max(vec a, vec b) { return _mm512_maskz_max_ps(kAll, a, b); }
  static vec min(vec a, vec b) { return _mm512_maskz_min_ps(kAll, a, b); }
  static vec select_ge0(vec v, vec if_ge, vec if_lt) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ), if_lt, if_ge);
  }
  static void prefetch(const float* p) { __builtin_prefetch(p, 0, 3); }
  static void prefetch_l2(const float* p) { __builtin_prefetch(p, 0, 2); }
  static vec sigmoid(vec v) { return vmath::sigmoid512(v); }
  static vec erf(vec v) { return vmath::erf512(v); }
  static vec tanh(vec v) { return vmath::tanh512(v); }

  // 128-bit lanes: two of a, two of b chosen by kImm (VSHUFF32X4). SIMDe 0.7.4 has no native
  // alias for it; natively the maskz form, as max/min above.
  template <int kImm>
  static vec shuffle_lanes(vec a, vec b) {
#ifdef EMBER_AVX512_SIMDE
    return simde_mm512_shuffle_f32x4(a, b, kImm);
#else
    return _mm512_maskz_shuffle_f32x4(kAll, a, b, kImm);
#endif
  }

  // r[i][j] -> r[j][i] for rows 0..R-1 (rows R..15 taken as zero and not read): 16 columns of
  // R values each, lanes R..15 zero.
  template <int R>
  static void transpose16(vec r[16]) {
    const vec z = zero();
    auto row = [&](int i) { return i < R ? r[i] : z; };
    vec t[16], u[16];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {  // per 128-bit lane: [a0 b0 a1 b1], [a2 b2 a3 b3]
      // maskz with all lanes: as max/min above (GCC 12's false -Wmaybe-uninitialized).
      t[2 * i] = _mm512_maskz_unpacklo_ps(kAll, row(2 * i), row(2 * i + 1));
      t[2 * i + 1] = _mm512_maskz_unpackhi_ps(kAll, row(2 * i), row(2 * i + 1));
    }
#pragma GCC unroll 4
    for (int g = 0; g < 4; ++g) {  // u[4g + j], lane l: rows 4g..4g+3 of column 4l + j
      u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
      u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
      u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
      u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {  // gather lane l of the four groups into column 4l + j
      const vec v01 = shuffle_lanes<0x88>(u[j], u[4 + j]), w01 = shuffle_lanes<0xDD>(u[j], u[4 + j]);
      const vec v23 = shuffle_lanes<0x88>(u[8 + j], u[12 + j]), w23 = shuffle_lanes<0xDD>(u[8 + j], u[12 + j]);
      r[j] = shuffle_lanes<0x88>(v01, v23);
      r[4 + j] = shuffle_lanes<0x88>(w01, w23);
      r[8 + j] = shuffle_lanes<0xDD>(v01, v23);
      r[12 + j] = shuffle_lanes<0xDD>(w01, w23);
    }
  }

  // One full MR-row strip of row-major A (rows a + r*lda, kc floats each) into [k][MR]: 16 k
  // columns at a time (the tail through masked loads) by a 16x16 register transpose, each k
  // written as one 16-float store at strip + k*MR whose extra lanes the next k overwrites; the
  // block's last store is masked to MR lanes so nothing is written past the strip.
  template <int MR>
  static void pack_a_strip(const float* a, int64_t lda, int64_t kc, float* strip) {
    static_assert(MR <= 16, "the transpose is 16 rows wide");
    const mask row_mask = first(MR);
    for (int64_t k = 0; k < kc; k += 16) {
      const int n = int(kc - k < 16 ? kc - k : 16);
      const mask m = first(n);
      vec r[16];
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) r[i] = n == 16 ? load(a + i * lda + k) : load(a + i * lda + k, m);
      transpose16<MR>(r);
      float* d = strip + k * MR;
      for (int j = 0; j + 1 < n; ++j) store(d + j * MR, r[j]);
      store(d + (n - 1) * MR, row_mask, r[n - 1]);
    }
  }
};

}  // namespace
}  // namespace ember::kernels::EMBER_AVX512_NS

#include "kernels/x86/f32_gemm_driver.h"

namespace ember::kernels::EMBER_AVX512_NS {
namespace {
struct Cfg {
  using V = Avx512Vec;
  static constexpr int MR = 12, NV = 2;
  // KC x NR B panel = 32 KB (L1d 48 KB on AVX-512 cores); MC x KC A block = 144 KB and
  // NCA x KC B block = 192 KB (L2 >= 1 MB).
  static constexpr int64_t KC = 256, MC = 144, NC = 4096, NCA = 192;
  // M <= 4 (decoding) reads A unpacked through the small-M tiles; from M = 5 on, the blocked
  // path measured faster (M = 16: its B panels stay in L1 across the row strips).
  // A unpacked for N <= 8 panels: packing it was measured to cost more than it saves there
  // (benchmarks/RESULTS.md, GEMM microbenchmark: NHWC 3x3 conv, N = 64 / 128).
  static constexpr int DIRECT_A_PANELS = 8;
  static constexpr int64_t SMALL_M = 4;
  static constexpr int ACC_REGS = 24;
};
}  // namespace

const F32GemmKernels& f32_gemm_kernels() {
  static constexpr F32GemmKernels k = GemmDriver<Cfg>::kernels(EMBER_AVX512_NAME);
  return k;
}

}  // namespace ember::kernels::EMBER_AVX512_NS
