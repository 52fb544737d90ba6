// Vector math for AVX-512F, 16 floats at a time: the same algorithms, constants and accuracy as
// kernels/x86/avx2/vmath_avx2.h (read that file for the error figures and special values).
// Header-only with internal linkage: include it only from sources compiled with -mavx512f
// (kernels/x86/avx512/*.cc), or from their *_simde.cc test builds, which define
// EMBER_AVX512_SIMDE so the same code compiles against SIMDe's portable emulation.
#pragma once

#ifdef EMBER_AVX512_SIMDE
#ifndef SIMDE_ENABLE_NATIVE_ALIASES
#define SIMDE_ENABLE_NATIVE_ALIASES
#endif
#include <simde/x86/avx512.h>
// The test-only SIMDe build passes __m512 by value without -mavx512f; that ABI note concerns
// only calls between differently-flagged objects, which this code never makes.
#pragma GCC diagnostic ignored "-Wpsabi"
#else
#include <immintrin.h>
#endif

namespace ember::kernels::vmath {

#ifdef EMBER_AVX512_SIMDE
using Mask16 = simde__mmask16;
#else
using Mask16 = __mmask16;
#endif


// VMINPS / VMAXPS (NaN: the second operand) through the masked forms with every lane set: the
// plain forms' undefined pass-through trips GCC 12's -Wmaybe-uninitialized (fatal with -Werror).
static inline __m512 vmin512(__m512 a, __m512 b) { return _mm512_maskz_min_ps(Mask16(0xffff), a, b); }
static inline __m512 vmax512(__m512 a, __m512 b) { return _mm512_maskz_max_ps(Mask16(0xffff), a, b); }

// Shift and conversion through their masked forms natively (same reason); SIMDe 0.7 has only
// the plain ones, and no warning to avoid.
static inline __m512i srli23_512(__m512i a) {
#ifdef EMBER_AVX512_SIMDE
  return _mm512_srli_epi32(a, 23);
#else
  return _mm512_maskz_srli_epi32(Mask16(0xffff), a, 23);
#endif
}
static inline __m512 cvtepu32_512(__m512i a) {
#ifdef EMBER_AVX512_SIMDE
  return simde_mm512_cvtepu32_ps(a);  // no native alias in SIMDe 0.7
#else
  return _mm512_maskz_cvtepu32_ps(Mask16(0xffff), a);
#endif
}

static inline __m512 abs512(__m512 x) {
  return _mm512_castsi512_ps(_mm512_and_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
}

// copysign(magnitude, sign): the sign bit of `sign` on a non-negative `magnitude`.
static inline __m512 with_sign512(__m512 magnitude, __m512 sign) {
  const __m512i s = _mm512_and_epi32(_mm512_castps_si512(sign), _mm512_set1_epi32(int(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(magnitude), s));
}

// exp(x) = 2^n * exp(r), n = round(x / ln2), |r| <= ln2/2, exp(r) by a degree-7 polynomial
// (Cephes coefficients); 2^n applied by VSCALEFPS.
static inline __m512 exp512(__m512 x) {
  // min/max with the constant first return x when x is NaN, so NaN flows through.
  x = vmin512(_mm512_set1_ps(89.0f), x);
  x = vmax512(_mm512_set1_ps(-104.0f), x);
  // Round to nearest by adding and removing 1.5 * 2^23 (|x / ln2| < 2^22 after the clamp);
  // VRNDSCALEPS would do, but GCC 12 warns on its unmasked form.
  const __m512 magic = _mm512_set1_ps(12582912.0f);
  const __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), magic), magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
  p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
  // p * 2^n1 * 2^n2 with n1 = round(n/2): VSCALEFPS alone would do natively, but SIMDe's
  // emulation forms 2^n first, which is inf for n = 128; each factor here stays finite and
  // the first product exact, so the result is rounded once either way.
  const __m512 n1 = _mm512_sub_ps(_mm512_fmadd_ps(n, _mm512_set1_ps(0.5f), magic), magic);
  const __m512 n2 = _mm512_sub_ps(n, n1);
  const __m512 p1 = _mm512_maskz_scalef_ps(Mask16(0xffff), p, n1);
  return _mm512_maskz_scalef_ps(Mask16(0xffff), p1, n2);
}

// log(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by the Cephes logf polynomial.
// Denormal inputs are scaled by 2^23 first. x < 0 and NaN give NaN, 0 gives -inf, inf gives inf.
static inline __m512 log512(__m512 x) {
  const __m512 zero = _mm512_setzero_ps();
  const Mask16 invalid = _mm512_cmp_ps_mask(x, zero, _CMP_NGE_UQ);  // x < 0 or NaN
  const Mask16 is_zero = _mm512_cmp_ps_mask(x, zero, _CMP_EQ_OQ);
  const Mask16 is_inf = _mm512_cmp_ps_mask(x, _mm512_set1_ps(__builtin_inff()), _CMP_EQ_OQ);
  const Mask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  x = _mm512_mask_mul_ps(x, tiny, x, _mm512_set1_ps(8388608.0f));
  const __m512 e_adj = _mm512_maskz_mov_ps(tiny, _mm512_set1_ps(-23.0f));
  const __m512i bits = _mm512_castps_si512(x);
  __m512 e = _mm512_sub_ps(cvtepu32_512(srli23_512(bits)), _mm512_set1_ps(126.0f));
  e = _mm512_add_ps(e, e_adj);
  // Mantissa in [0.5, 1).
  __m512 m = _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x007fffff)),
                                                 _mm512_set1_epi32(0x3f000000)));
  const Mask16 below = _mm512_cmp_ps_mask(m, _mm512_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
  e = _mm512_sub_ps(e, _mm512_maskz_mov_ps(below, _mm512_set1_ps(1.0f)));
  m = _mm512_sub_ps(_mm512_add_ps(m, _mm512_maskz_mov_ps(below, m)), _mm512_set1_ps(1.0f));
  const __m512 z = _mm512_mul_ps(m, m);
  __m512 p = _mm512_set1_ps(7.0376836292e-2f);
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(-1.1514610310e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(1.1676998740e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(-1.2420140846e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(1.4249322787e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(-1.6668057665e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(2.0000714765e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(-2.4999993993e-1f));
  p = _mm512_fmadd_ps(p, m, _mm512_set1_ps(3.3333331174e-1f));
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, m), z);
  y = _mm512_fmadd_ps(e, _mm512_set1_ps(-2.12194440e-4f), y);
  y = _mm512_fnmadd_ps(z, _mm512_set1_ps(0.5f), y);
  __m512 r = _mm512_add_ps(m, y);
  r = _mm512_fmadd_ps(e, _mm512_set1_ps(0.693359375f), r);
  r = _mm512_mask_blend_ps(is_inf, r, _mm512_set1_ps(__builtin_inff()));
  r = _mm512_mask_blend_ps(is_zero, r, _mm512_set1_ps(-__builtin_inff()));
  return _mm512_mask_blend_ps(invalid, r, _mm512_set1_ps(__builtin_nanf("")));
}

// tanh: odd Taylor series through x^13 for |x| < 0.4 (where 1 - 2/(e^2x + 1) would cancel),
// else 1 - 2 / (exp(2|x|) + 1) with the sign of x; |x| clamped at 10, where tanh is 1 in float.
static inline __m512 tanh512(__m512 x) {
  const __m512 ax = abs512(x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(21844.0f / 6081075.0f);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-1382.0f / 155925.0f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(62.0f / 2835.0f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-17.0f / 315.0f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.0f / 15.0f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-1.0f / 3.0f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  const __m512 e = exp512(_mm512_mul_ps(vmin512(_mm512_set1_ps(10.0f), ax), _mm512_set1_ps(2.0f)));
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 big = with_sign512(
      _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one))), x);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.4f), _CMP_LT_OQ), big, small);
}

// With e = exp(-|x|) and r = 1 / (1 + e): r for x >= 0, e * r for x < 0, so exp never
// overflows and tiny (denormal) results for very negative x keep their accuracy.
static inline __m512 sigmoid512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), abs512(x)));
  const __m512 r = _mm512_div_ps(one, _mm512_add_ps(one, e));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), r, _mm512_mul_ps(e, r));
}

// erf: Taylor series through x^15 for |x| < 0.5 (keeps the relative accuracy near 0), else
// Abramowitz-Stegun 7.1.26, 1 - t*P(t)*exp(-x^2) with t = 1/(1 + 0.3275911|x|) (absolute
// error <= 1.5e-7); |x| clamped at 4, where erf is 1 in float.
static inline __m512 erf512(__m512 x) {
  const __m512 ax = abs512(x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(-1.492565035840625e-05f);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.2055332981789664e-04f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-8.548327023450853e-04f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(5.223977625442188e-03f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-2.6866170645131252e-02f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.1283791670955126e-01f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.7612638903183754e-01f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.1283791670955126f));
  const __m512 small = _mm512_mul_ps(p, x);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 cx = vmin512(_mm512_set1_ps(4.0f), ax);
  const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(cx, _mm512_set1_ps(0.3275911f), one));
  __m512 q = _mm512_set1_ps(1.061405429f);
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-1.453152027f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.421413741f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.284496736f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.254829592f));
  q = _mm512_mul_ps(q, t);
  const __m512 e = exp512(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), cx), cx));
  const __m512 big = with_sign512(_mm512_fnmadd_ps(q, e, one), x);
  // NaN: the comparison is false and the clamp keeps NaN, so `big` carries it.
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.5f), _CMP_LT_OQ), big, small);
}

// x * sigmoid(x)
static inline __m512 silu512(__m512 x) { return _mm512_mul_ps(x, sigmoid512(x)); }

// 0.5 x (1 + erf(x / sqrt 2))
static inline __m512 gelu512(__m512 x) {
  const __m512 h = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
  return _mm512_fmadd_ps(h, erf512(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f))), h);
}

// 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the sigmoid form
// has no cancellation for negative x.
static inline __m512 gelu_tanh512(__m512 x) {
  const __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
  const __m512 u = _mm512_mul_ps(_mm512_fmadd_ps(x3, _mm512_set1_ps(0.044715f), x),
                                 _mm512_set1_ps(2.0f * 0.79788456080286536f));
  return _mm512_mul_ps(x, sigmoid512(u));
}

}  // namespace ember::kernels::vmath
