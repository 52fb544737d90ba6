// Sparse x dense for AVX2 + FMA: 32 columns (4 vectors of 8) per nonzero, the remainder in one
// pass with a masked last vector (kernels/x86/f32_spmm_rows.h). Compiled with -mavx2 -mfma
// (this file only).
#include <immintrin.h>

#include "kernels/dispatch/f32_spmm.h"

namespace ember::kernels::avx2 {
namespace {

struct SpAvx2 {
  using vec = __m256;
  static constexpr int L = 8;
  static __m256i first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static vec set1(float x) { return _mm256_set1_ps(x); }
  static vec load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
  static vec load_first(const float* p, int n) { return _mm256_maskload_ps(p, first(n)); }
  static void store_first(float* p, int n, vec v) { _mm256_maskstore_ps(p, first(n), v); }
  static vec fmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
};

}  // namespace
}  // namespace ember::kernels::avx2

#include "kernels/x86/f32_spmm_rows.h"

namespace ember::kernels::avx2 {

const F32SpmmKernels& f32_spmm_kernels() {
  static const F32SpmmKernels k{"f32_spmm_32x1__avx2_fma", spmm_rows<SpAvx2>};
  return k;
}

}  // namespace ember::kernels::avx2
