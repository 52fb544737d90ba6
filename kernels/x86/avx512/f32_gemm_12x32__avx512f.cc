// f32 GEMM for AVX-512F: 12x32 register tile (24 zmm accumulators + 2 B vectors + 1 A
// broadcast = 27 of 32 registers). Compiled twice: natively with -mavx512f for the library
// (dispatched only when the CPU has it), and with EMBER_AVX512_SIMDE against SIMDe's portable
// emulation into a test-only object, so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_AVX512_NS avx512_simde
#define EMBER_AVX512_NAME "f32_gemm_12x32__avx512f (simde)"
using Mask16 = simde__mmask16;
#else
#include <immintrin.h>
#define EMBER_AVX512_NS avx512
#define EMBER_AVX512_NAME "f32_gemm_12x32__avx512f"
using Mask16 = __mmask16;
#endif

#include "kernels/x86/f32_gemm_driver.h"
#include "kernels/x86/f32_gemm_x86.h"

namespace ember::kernels::EMBER_AVX512_NS {
namespace {
constexpr int kMR = 12, kNR = 32;
// KC x NR B panel = 32 KB (L1 is 48 KB on recent cores); MC x KC A block = 144 KB (L2).
constexpr int kKC = 256, kMC = 144, kNC = 4096;
}  // namespace

void f32_gemm_12x32__avx512f(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                             float alpha, float beta, const float* bias, Activation act) {
  __m512 acc[kMR][2];
#pragma GCC unroll 12
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (size_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < kMR; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
    }
    a += kMR;
    b += kNR;
  }
  const __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
  const __m512 zero = _mm512_setzero_ps();
  const __m512 bias0 = bias ? _mm512_loadu_ps(bias) : zero;
  const __m512 bias1 = bias ? _mm512_loadu_ps(bias + 16) : zero;
#pragma GCC unroll 12
  for (int r = 0; r < kMR; ++r) {
    float* cr = c + r * ldc;
    __m512 v0 = _mm512_mul_ps(acc[r][0], valpha);
    __m512 v1 = _mm512_mul_ps(acc[r][1], valpha);
    if (beta != 0.0f) {
      v0 = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(cr), v0);
      v1 = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(cr + 16), v1);
    }
    v0 = _mm512_add_ps(v0, bias0);
    v1 = _mm512_add_ps(v1, bias1);
    if (act == Activation::Relu) {  // max(0, v): VMAXPS returns v when v is NaN
      // maskz with all lanes set == _mm512_max_ps, minus GCC 12's false -Wmaybe-uninitialized
      // on the latter's _mm512_undefined_ps pass-through (fatal under -Werror).
      v0 = _mm512_maskz_max_ps(Mask16(0xffff), zero, v0);
      v1 = _mm512_maskz_max_ps(Mask16(0xffff), zero, v1);
    }
    _mm512_storeu_ps(cr, v0);
    _mm512_storeu_ps(cr + 16, v1);
  }
}

const F32GemmKernels& f32_gemm_kernels() {
  static const F32GemmKernels k{
      EMBER_AVX512_NAME, kMR, kNR, packed_b_size_t<kNR>, pack_b_t<kNR, kKC>,
      gemm_packed_t<kMR, kNR, kKC, kMC, kNC, f32_gemm_12x32__avx512f>};
  return k;
}

}  // namespace ember::kernels::EMBER_AVX512_NS
