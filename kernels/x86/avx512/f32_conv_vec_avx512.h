// The AVX-512F vector traits of the x86 convolution kernels (depthwise, direct, channel-vector
// direct): 16 floats per register, first-n loads/stores through masked_io_avx512.h. The
// AVX-512 counterpart of avx2/f32_conv_vec_avx2.h. Include only from kernels/x86/avx512/*.cc
// after their intrinsics header (immintrin.h natively, SIMDe in the test-only build); internal
// linkage on purpose.
#pragma once

#include "kernels/x86/avx512/masked_io_avx512.h"
#include "kernels/x86/f32_conv_activate.h"

// The vectorised elementwise kernel of this build (f32_unary__avx512f.cc, native or SIMDe).
#ifdef EMBER_AVX512_SIMDE
#define EMBER_CONV512_UNARY_NS avx512_simde
#else
#define EMBER_CONV512_UNARY_NS avx512
#endif
namespace ember::kernels::EMBER_CONV512_UNARY_NS {
void f32_unary__avx512f(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);
}  // namespace ember::kernels::EMBER_CONV512_UNARY_NS

namespace ember::kernels {
namespace {

struct ConvAvx512 {
  using vec = __m512;
  static constexpr int L = 16;
  static vec zero() { return _mm512_setzero_ps(); }
  static vec set1(float x) { return _mm512_set1_ps(x); }
  static vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static vec load_first(const float* p, int n) { return load_first16(p, n); }
  static void store_first(float* p, int n, vec v) { store_first16(p, n, v); }
  static vec load_mask(const float* p, uint32_t bits) { return load_mask16(p, bits); }
  static vec fmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
  // Sigmoid, SiLU, Gelu on n stored outputs (see activate_stored).
  static void activate_stored(float* y, int64_t n, Activation act, float alpha, float beta) {
    kernels::activate_stored(EMBER_CONV512_UNARY_NS::f32_unary__avx512f, y, n, act, alpha, beta);
  }
  // maskz with all lanes == the plain max/min, minus GCC 12's false -Wmaybe-uninitialized on
  // their _mm512_undefined_ps pass-through once inlined (as in the GEMM's vector traits).
  static vec max(vec a, vec b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }
  static vec min(vec a, vec b) { return _mm512_maskz_min_ps(0xFFFF, a, b); }
  static vec select_ge0(vec v, vec if_ge, vec if_lt) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ), if_lt, if_ge);
  }
  // Lanes moved up by one, zero into lane 0: {0, v0, ..., v14}.
  static vec shift_in_zero(vec v) {
    const __m512i up = _mm512_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    return _mm512_maskz_permutexvar_ps(0xFFFE, up, v);
  }
  // Lanes moved up by one, prev's last lane into lane 0: {prev15, v0, ..., v14}.
  static vec shift_in(vec v, vec prev) {
    // permutex2var rather than alignr_epi32: SIMDe (the test-only build) lacks the latter.
    const __m512i idx = _mm512_setr_epi32(15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
    return _mm512_permutex2var_ps(prev, idx, v);
  }
};

}  // namespace
}  // namespace ember::kernels
