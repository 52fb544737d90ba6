// f32 GEMM for AVX2 + FMA: 6x16 register tile (12 ymm accumulators + 2 B vectors + 1 A
// broadcast = 15 of 16 registers), edge tiles through vmaskmov, epilogue in registers.
// Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "kernels/x86/avx2/transpose8x8_avx2.h"
#include "kernels/x86/avx2/vmath_avx2.h"
#include "kernels/x86/f32_gemm_x86.h"

namespace ember::kernels::avx2 {
namespace {

struct Avx2Vec {
  using vec = __m256;
  using mask = __m256i;
  static constexpr int L = 8;
  static constexpr bool kVecTranscendental = true;
  static vec zero() { return _mm256_setzero_ps(); }
  static vec set1(float x) { return _mm256_set1_ps(x); }
  static vec load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
  // The first n lanes (n <= 0: none, n >= 8: all).
  static mask first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static vec load(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, mask m, vec v) { _mm256_maskstore_ps(p, m, v); }
  static vec fmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
  static vec max(vec a, vec b) { return _mm256_max_ps(a, b); }
  static vec min(vec a, vec b) { return _mm256_min_ps(a, b); }
  // v >= 0 ? if_ge : if_lt (NaN takes if_lt).
  static vec select_ge0(vec v, vec if_ge, vec if_lt) {
    return _mm256_blendv_ps(if_lt, if_ge, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ));
  }
  static void prefetch(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
  static void prefetch_l2(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T1); }
  static vec sigmoid(vec v) { return vmath::sigmoid256(v); }
  static vec erf(vec v) { return vmath::erf256(v); }
  static vec tanh(vec v) { return vmath::tanh256(v); }

  // One full MR-row strip of row-major A (rows a + r*lda, kc floats each) into [k][MR]: 8 k
  // columns at a time by an 8x8 register transpose (rows MR..7 zero), each k written as one
  // 8-float store at strip + k*MR whose extra lanes the next k overwrites. The eighth store of
  // a block is masked to MR lanes so nothing is written past the strip.
  template <int MR>
  static void pack_a_strip(const float* a, int64_t lda, int64_t kc, float* strip) {
    static_assert(MR <= 8, "the transpose is 8 rows wide");
    const __m256i last_mask = first(MR);
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
      __m256 r[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) r[i] = i < MR ? _mm256_loadu_ps(a + i * lda + k) : _mm256_setzero_ps();
      transpose8x8(r);
      float* d = strip + k * MR;
#pragma GCC unroll 7
      for (int j = 0; j < 7; ++j) _mm256_storeu_ps(d + j * MR, r[j]);
      _mm256_maskstore_ps(d + 7 * MR, last_mask, r[7]);
    }
    for (; k < kc; ++k)
      for (int i = 0; i < MR; ++i) strip[k * MR + i] = a[i * lda + k];
  }
};

}  // namespace
}  // namespace ember::kernels::avx2

#include "kernels/x86/f32_gemm_driver.h"

namespace ember::kernels::avx2 {
namespace {
struct Cfg {
  using V = Avx2Vec;
  static constexpr int MR = 6, NV = 2;
  // KC x NR B panel = 16 KB (L1d 32 KB); MC x KC A block = 120 KB and NCA x KC B block = 192 KB
  // (L2 512 KB).
  static constexpr int64_t KC = 256, MC = 120, NC = 4096, NCA = 192;
  // M <= 4 (decoding) reads A unpacked through the small-M tiles; from M = 5 on, the blocked
  // path measured faster (M = 16: its B panels stay in L1 across the row strips).
  // A unpacked for N <= 8 panels: packing it was measured to cost more than it saves there
  // (benchmarks/RESULTS.md, GEMM microbenchmark: NHWC 3x3 conv, N = 64 / 128).
  static constexpr int DIRECT_A_PANELS = 8;
  static constexpr int64_t SMALL_M = 4;
  static constexpr int ACC_REGS = 12;
};
}  // namespace

const F32GemmKernels& f32_gemm_kernels() {
  static constexpr F32GemmKernels k = GemmDriver<Cfg>::kernels("f32_gemm_6x16__avx2_fma");
  return k;
}

}  // namespace ember::kernels::avx2
