// f32 GEMM for AVX2 + FMA: 6x16 register tile (12 ymm accumulators + 2 B vectors + 1 A
// broadcast = 15 of 16 registers). Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "kernels/x86/f32_gemm_driver.h"
#include "kernels/x86/f32_gemm_x86.h"

namespace ember::kernels::avx2 {
namespace {
constexpr int kMR = 6, kNR = 16;
// KC x NR B panel = 16 KB (L1); MC x KC A block = 120 KB (L2).
constexpr int kKC = 256, kMC = 120, kNC = 4096;
}  // namespace

void f32_gemm_6x16__avx2_fma(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                             float alpha, float beta, const float* bias, Activation act) {
  __m256 acc[kMR][2];
#pragma GCC unroll 6
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (size_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kMR; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
    a += kMR;
    b += kNR;
  }
  // Epilogue on the tile while it is in registers.
  const __m256 valpha = _mm256_set1_ps(alpha), vbeta = _mm256_set1_ps(beta);
  const __m256 zero = _mm256_setzero_ps();
  const __m256 bias0 = bias ? _mm256_loadu_ps(bias) : zero;
  const __m256 bias1 = bias ? _mm256_loadu_ps(bias + 8) : zero;
#pragma GCC unroll 6
  for (int r = 0; r < kMR; ++r) {
    float* cr = c + r * ldc;
    __m256 v0 = _mm256_mul_ps(acc[r][0], valpha);
    __m256 v1 = _mm256_mul_ps(acc[r][1], valpha);
    if (beta != 0.0f) {
      v0 = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(cr), v0);
      v1 = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(cr + 8), v1);
    }
    v0 = _mm256_add_ps(v0, bias0);
    v1 = _mm256_add_ps(v1, bias1);
    if (act == Activation::Relu) {  // max(0, v): MAXPS returns v when v is NaN
      v0 = _mm256_max_ps(zero, v0);
      v1 = _mm256_max_ps(zero, v1);
    }
    _mm256_storeu_ps(cr, v0);
    _mm256_storeu_ps(cr + 8, v1);
  }
}

const F32GemmKernels& f32_gemm_kernels() {
  static const F32GemmKernels k{
      "f32_gemm_6x16__avx2_fma", kMR, kNR, packed_b_size_t<kNR>, pack_b_t<kNR, kKC>,
      gemm_packed_t<kMR, kNR, kKC, kMC, kNC, f32_gemm_6x16__avx2_fma>};
  return k;
}

}  // namespace ember::kernels::avx2
