// The AVX2 + FMA traits for kernels/generic/vector_loops.h (8 floats per register) and the
// entry points of the AVX2 vector kernels. Include only from kernels/x86/avx2/*.cc.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/dispatch/f32_vector.h"
#include "kernels/generic/vector_loops.h"
#include "kernels/x86/avx2/vmath_avx2.h"

namespace ember::kernels::avx2 {

struct Avx2 {
  using R = __m256;
  using M = __m256;
  static constexpr int W = 8;

  static R loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, R v) { _mm256_storeu_ps(p, v); }
  static __m256i lanes_below(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static R load_part(const float* p, int n, float fill) {
    const __m256i m = lanes_below(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static void store_part(float* p, R v, int n) { _mm256_maskstore_ps(p, lanes_below(n), v); }

  static R set1(float v) { return _mm256_set1_ps(v); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }
  static R min(R a, R b) { return _mm256_min_ps(a, b); }
  static M ge(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static R select(M m, R if_set, R if_clear) { return _mm256_blendv_ps(if_clear, if_set, m); }

  static float hsum(R v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float hmax(R v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }

  static R load_strided(const float* p, int64_t stride) {
    if (stride == 1) return _mm256_loadu_ps(p);
    if (stride == 2) {
      // [x0 x2 x8 x10 | x4 x6 x12 x14] then 64-bit lanes reordered to x0 x2 ... x14.
      const __m256 e = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
      return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(int(stride)));
    return _mm256_i32gather_ps(p, idx, 4);
  }

  static R exp(R x) { return vmath::exp256(x); }
  static R log(R x) { return vmath::log256(x); }
  static R tanh(R x) { return vmath::tanh256(x); }
  static R erf(R x) { return vmath::erf256(x); }
  static R sigmoid(R x) { return vmath::sigmoid256(x); }
  static R silu(R x) { return vmath::silu256(x); }
  static R gelu(R x) { return vmath::gelu256(x); }
  static R gelu_tanh(R x) { return vmath::gelu_tanh256(x); }
};

using Loops = VectorLoops<Avx2>;

// One family per file (f32_<family>__avx2.cc); the table is in f32_vector__avx2.cc.
void f32_unary__avx2(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);
void f32_binary__avx2(BinaryOp op, int64_t n, const float* a, const float* b, float* y);
void f32_binary_scalar__avx2(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y);
void f32_softmax__avx2(int64_t rows, int64_t len, const float* x, float* y);
void f32_layernorm__avx2(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                         const float* gamma, const float* beta, float eps, float* y, float* sum);
void f32_maxpool2d__avx2(const Pool2d& g, const float* x, float* y);
void f32_avgpool2d__avx2(const Pool2d& g, const float* x, float* y);
float f32_mean__avx2(int64_t n, const float* x);

}  // namespace ember::kernels::avx2
