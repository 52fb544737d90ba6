// The AVX-512F traits for kernels/generic/vector_loops.h (16 floats per register) and the
// entry points of the AVX-512 vector kernels. Include only from kernels/x86/avx512/*.cc.
//
// Compiled twice: natively (-mavx512f, namespace avx512) and, with EMBER_AVX512_SIMDE, against
// SIMDe into the test-only object (namespace avx512_simde). SIMDe 0.7 lacks a few AVX-512
// intrinsics (masked loads/stores, gathers, horizontal reductions); for those the SIMDe build
// goes through a small stack buffer, marked below: everything else is the same code.
#pragma once

#ifdef EMBER_AVX512_SIMDE
// __m512 passed by value without -mavx512f in the SIMDe build: an ABI note that only matters for
// calls between differently-flagged objects, which this code never makes.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <cstdint>
#include <cstring>

#include "kernels/dispatch/f32_vector.h"
#include "kernels/generic/vector_loops.h"
#include "kernels/x86/avx512/vmath_avx512.h"

#ifdef EMBER_AVX512_SIMDE
#define EMBER_VEC512_NS avx512_simde
#define EMBER_VEC512_ISA "avx512_simde"
#else
#define EMBER_VEC512_NS avx512
#define EMBER_VEC512_ISA "avx512"
#endif

namespace ember::kernels::EMBER_VEC512_NS {

struct Avx512 {
  using R = __m512;
  using M = vmath::Mask16;
  static constexpr int W = 16;

  static R loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, R v) { _mm512_storeu_ps(p, v); }
  static R load_part(const float* p, int n, float fill) {
#ifdef EMBER_AVX512_SIMDE
    float buf[16];
    for (int i = 0; i < 16; ++i) buf[i] = fill;
    std::memcpy(buf, p, size_t(n) * sizeof(float));
    return _mm512_loadu_ps(buf);
#else
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), M((1u << n) - 1), p);
#endif
  }
  static void store_part(float* p, R v, int n) {
#ifdef EMBER_AVX512_SIMDE
    float buf[16];
    _mm512_storeu_ps(buf, v);
    std::memcpy(p, buf, size_t(n) * sizeof(float));
#else
    _mm512_mask_storeu_ps(p, M((1u << n) - 1), v);
#endif
  }

  static R set1(float v) { return _mm512_set1_ps(v); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
  static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R div(R a, R b) { return _mm512_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  // The masked forms with every lane set are VMAXPS/VMINPS (NaN: the second operand) without
  // GCC 12's false -Wmaybe-uninitialized on the plain forms' undefined pass-through.
  static R max(R a, R b) { return _mm512_maskz_max_ps(M(0xffff), a, b); }
  static R min(R a, R b) { return _mm512_maskz_min_ps(M(0xffff), a, b); }
  static M ge(R a, R b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static R select(M m, R if_set, R if_clear) { return _mm512_mask_blend_ps(m, if_clear, if_set); }

  // Horizontal sum / max through memory, pairwise in a fixed order: once per row, so the few
  // cycles do not matter, and it avoids the 512->256 extracts GCC 12 warns about.
  static float hsum(R v) {
    alignas(64) float b[16];
    _mm512_store_ps(b, v);
    for (int w = 8; w >= 1; w /= 2)
      for (int i = 0; i < w; ++i) b[i] += b[i + w];
    return b[0];
  }
  static float hmax(R v) {
    alignas(64) float b[16];
    _mm512_store_ps(b, v);
    for (int w = 8; w >= 1; w /= 2)
      for (int i = 0; i < w; ++i) b[i] = b[i] > b[i + w] ? b[i] : b[i + w];
    return b[0];
  }

  static R load_strided(const float* p, int64_t stride) {
    if (stride == 1) return _mm512_loadu_ps(p);
    if (stride == 2) {
      const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      return _mm512_permutex2var_ps(_mm512_loadu_ps(p), even, _mm512_loadu_ps(p + 16));
    }
#ifdef EMBER_AVX512_SIMDE
    float buf[16];
    for (int i = 0; i < 16; ++i) buf[i] = p[i * stride];
    return _mm512_loadu_ps(buf);
#else
    const int s = int(stride);
    const __m512i idx = _mm512_setr_epi32(0, s, 2 * s, 3 * s, 4 * s, 5 * s, 6 * s, 7 * s, 8 * s, 9 * s, 10 * s,
                                          11 * s, 12 * s, 13 * s, 14 * s, 15 * s);
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), M(0xffff), idx, p, 4);
#endif
  }

  static R exp(R x) { return vmath::exp512(x); }
  static R log(R x) { return vmath::log512(x); }
  static R tanh(R x) { return vmath::tanh512(x); }
  static R erf(R x) { return vmath::erf512(x); }
  static R sigmoid(R x) { return vmath::sigmoid512(x); }
  static R silu(R x) { return vmath::silu512(x); }
  static R gelu(R x) { return vmath::gelu512(x); }
  static R gelu_tanh(R x) { return vmath::gelu_tanh512(x); }
};

using Loops = VectorLoops<Avx512>;

// One family per file (f32_<family>__avx512f.cc); the table is in f32_vector__avx512f.cc.
void f32_unary__avx512f(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);
void f32_binary__avx512f(BinaryOp op, int64_t n, const float* a, const float* b, float* y);
void f32_binary_scalar__avx512f(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y);
void f32_softmax__avx512f(int64_t rows, int64_t len, const float* x, float* y);
void f32_layernorm__avx512f(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                            const float* gamma, const float* beta, float eps, float* y, float* sum);
void f32_maxpool2d__avx512f(const Pool2d& g, const float* x, float* y);
void f32_avgpool2d__avx512f(const Pool2d& g, const float* x, float* y);
float f32_mean__avx512f(int64_t n, const float* x);

}  // namespace ember::kernels::EMBER_VEC512_NS
