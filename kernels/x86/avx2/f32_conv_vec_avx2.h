// The AVX2 + FMA vector traits of the x86 convolution kernels (depthwise, direct): 8 floats
// per register, masked loads/stores for the first n lanes. Include only from
// kernels/x86/avx2/*.cc (compiled with -mavx2 -mfma); internal linkage on purpose.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels::avx2 {

void f32_unary__avx2(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);  // f32_unary__avx2.cc

namespace {

struct ConvAvx2 {
  using vec = __m256;
  static constexpr int L = 8;
  static __m256i first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static vec zero() { return _mm256_setzero_ps(); }
  static vec set1(float x) { return _mm256_set1_ps(x); }
  static vec load(const float* p) { return _mm256_loadu_ps(p); }
  static vec load_first(const float* p, int n) { return _mm256_maskload_ps(p, first(n)); }
  // The lanes whose bit is set in `bits`, others zero (masked-off lanes are not read).
  static vec load_mask(const float* p, uint32_t bits) {
    const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i m = _mm256_and_si256(_mm256_set1_epi32(int(bits)), sel);
    return _mm256_maskload_ps(p, _mm256_cmpeq_epi32(m, sel));
  }
  static void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
  static void store_first(float* p, int n, vec v) { _mm256_maskstore_ps(p, first(n), v); }
  // Sigmoid, SiLU, Gelu on n stored outputs (see activate_stored).
  static void activate_stored(float* y, int64_t n, Activation act, float alpha, float beta) {
    kernels::activate_stored(f32_unary__avx2, y, n, act, alpha, beta);
  }
  static vec fmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
  static vec max(vec a, vec b) { return _mm256_max_ps(a, b); }
  static vec min(vec a, vec b) { return _mm256_min_ps(a, b); }
  static vec select_ge0(vec v, vec if_ge, vec if_lt) {
    return _mm256_blendv_ps(if_lt, if_ge, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ));
  }
  // Lanes moved up by one, zero into lane 0: {0, v0, ..., v6}.
  static vec shift_in_zero(vec v) {
    const vec up = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
    return _mm256_blend_ps(up, _mm256_setzero_ps(), 0x01);
  }
  // Lanes moved up by one, prev's last lane into lane 0: {prev7, v0, ..., v6}.
  static vec shift_in(vec v, vec prev) {
    const __m256 t = _mm256_permute2f128_ps(prev, v, 0x21);  // {prev4..7, v0..3}
    return _mm256_castsi256_ps(_mm256_alignr_epi8(_mm256_castps_si256(v), _mm256_castps_si256(t), 12));
  }
};

}  // namespace
}  // namespace ember::kernels::avx2
