// Vector math for AVX2 + FMA, 8 floats at a time: exp, log, tanh, erf, sigmoid, silu, gelu
// (erf and tanh forms). Header-only with internal linkage (static inline): include it only
// from sources compiled with -mavx2 -mfma (kernels/x86/avx2/*.cc), so no out-of-line copy
// built with those flags can be picked by the linker for code that runs on other CPUs.
//
// Accuracy against std:: in double, measured over a dense sweep (tests/unit/kernels/
// vector_math_test.cc prints the figures): exp, log, sigmoid within a few ulp; tanh within
// ~4 ulp; erf within 3e-7 absolute (Abramowitz-Stegun 7.1.26 for |x| >= 0.5, Taylor below).
// Special values follow std::: NaN in, NaN out; exp(+inf) = inf, exp(-inf) = 0; results that
// underflow come out denormal or 0, overflow gives inf; tanh/erf/sigmoid saturate to +-1 / 0 / 1.
#pragma once

#include <immintrin.h>

namespace ember::kernels::vmath {

static inline __m256 abs256(__m256 x) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
}

// copysign(magnitude, sign): the sign bit of `sign` on a non-negative `magnitude`.
static inline __m256 with_sign256(__m256 magnitude, __m256 sign) {
  return _mm256_or_ps(magnitude, _mm256_and_ps(sign, _mm256_set1_ps(-0.0f)));
}

// exp(x) = 2^n * exp(r), n = round(x / ln2), |r| <= ln2/2, exp(r) by a degree-7 polynomial
// (Cephes coefficients). 2^n is applied as two factors 2^(n/2) * 2^(n - n/2) so n can span
// [-150, 128]: denormal results and overflow to inf come out right, each rounded once.
static inline __m256 exp256(__m256 x) {
  // min/max with the constant first return x when x is NaN, so NaN flows through.
  x = _mm256_min_ps(_mm256_set1_ps(89.0f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
  p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// log(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by the Cephes logf polynomial.
// Denormal inputs are scaled by 2^23 first. x < 0 and NaN give NaN, 0 gives -inf, inf gives inf.
static inline __m256 log256(__m256 x) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 invalid = _mm256_cmp_ps(x, zero, _CMP_NGE_UQ);  // x < 0 or NaN
  const __m256 is_zero = _mm256_cmp_ps(x, zero, _CMP_EQ_OQ);
  const __m256 is_inf = _mm256_cmp_ps(x, _mm256_set1_ps(__builtin_inff()), _CMP_EQ_OQ);
  const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  x = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
  __m256 e_adj = _mm256_and_ps(tiny, _mm256_set1_ps(-23.0f));
  const __m256i bits = _mm256_castps_si256(x);
  __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
  e = _mm256_add_ps(e, e_adj);
  // Mantissa in [0.5, 1).
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                                 _mm256_set1_epi32(0x3f000000)));
  const __m256 below = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
  e = _mm256_sub_ps(e, _mm256_and_ps(below, _mm256_set1_ps(1.0f)));
  m = _mm256_sub_ps(_mm256_add_ps(m, _mm256_and_ps(below, m)), _mm256_set1_ps(1.0f));
  const __m256 z = _mm256_mul_ps(m, m);
  __m256 p = _mm256_set1_ps(7.0376836292e-2f);
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.1514610310e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(1.1676998740e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.2420140846e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(1.4249322787e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.6668057665e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(2.0000714765e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-2.4999993993e-1f));
  p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(3.3333331174e-1f));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, m), z);
  y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
  __m256 r = _mm256_add_ps(m, y);
  r = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), r);
  r = _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_inff()), is_inf);
  r = _mm256_blendv_ps(r, _mm256_set1_ps(-__builtin_inff()), is_zero);
  return _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_nanf("")), invalid);
}

// tanh: odd Taylor series through x^13 for |x| < 0.4 (where 1 - 2/(e^2x + 1) would cancel),
// else 1 - 2 / (exp(2|x|) + 1) with the sign of x; |x| clamped at 10, where tanh is 1 in float.
static inline __m256 tanh256(__m256 x) {
  const __m256 ax = abs256(x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(21844.0f / 6081075.0f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-1382.0f / 155925.0f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(62.0f / 2835.0f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-17.0f / 315.0f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.0f / 15.0f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-1.0f / 3.0f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  const __m256 e = exp256(_mm256_mul_ps(_mm256_min_ps(_mm256_set1_ps(10.0f), ax), _mm256_set1_ps(2.0f)));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 big = with_sign256(
      _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one))), x);
  return _mm256_blendv_ps(big, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.4f), _CMP_LT_OQ));
}

// With e = exp(-|x|) and r = 1 / (1 + e): r for x >= 0, e * r for x < 0, so exp never
// overflows and tiny (denormal) results for very negative x keep their accuracy.
static inline __m256 sigmoid256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), abs256(x)));
  const __m256 r = _mm256_div_ps(one, _mm256_add_ps(one, e));
  return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
}

// erf: Taylor series through x^15 for |x| < 0.5 (keeps the relative accuracy near 0), else
// Abramowitz-Stegun 7.1.26, 1 - t*P(t)*exp(-x^2) with t = 1/(1 + 0.3275911|x|) (absolute
// error <= 1.5e-7); |x| clamped at 4, where erf is 1 in float.
static inline __m256 erf256(__m256 x) {
  const __m256 ax = abs256(x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-1.492565035840625e-05f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.2055332981789664e-04f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-8.548327023450853e-04f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(5.223977625442188e-03f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-2.6866170645131252e-02f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.1283791670955126e-01f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.7612638903183754e-01f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.1283791670955126f));
  const __m256 small = _mm256_mul_ps(p, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 cx = _mm256_min_ps(_mm256_set1_ps(4.0f), ax);
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(cx, _mm256_set1_ps(0.3275911f), one));
  __m256 q = _mm256_set1_ps(1.061405429f);
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.453152027f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.421413741f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.284496736f));
  q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.254829592f));
  q = _mm256_mul_ps(q, t);
  const __m256 e = exp256(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), cx), cx));
  const __m256 big = with_sign256(_mm256_fnmadd_ps(q, e, one), x);
  // NaN: the comparison is false and the clamp keeps NaN, so `big` carries it.
  return _mm256_blendv_ps(big, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.5f), _CMP_LT_OQ));
}

// x * sigmoid(x)
static inline __m256 silu256(__m256 x) { return _mm256_mul_ps(x, sigmoid256(x)); }

// 0.5 x (1 + erf(x / sqrt 2))
static inline __m256 gelu256(__m256 x) {
  const __m256 h = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
  return _mm256_fmadd_ps(h, erf256(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f))), h);
}

// 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the sigmoid form
// has no cancellation for negative x.
static inline __m256 gelu_tanh256(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 u = _mm256_mul_ps(_mm256_fmadd_ps(x3, _mm256_set1_ps(0.044715f), x),
                                 _mm256_set1_ps(2.0f * 0.79788456080286536f));
  return _mm256_mul_ps(x, sigmoid256(u));
}

}  // namespace ember::kernels::vmath
