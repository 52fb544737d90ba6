// Depthwise 2-D convolution for AVX-512F: 16 output columns per vector (two vectors per step),
// tails through k-masks. Compiled twice: natively with -mavx512f for the library (dispatched
// only when the CPU has it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_dwconv__avx512f_simde.cc), so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_DW512_NS avx512_simde
#define EMBER_DW512_SUFFIX "__avx512f (simde)"
using DwMask16 = simde__mmask16;
#else
#include <immintrin.h>
#define EMBER_DW512_NS avx512
#define EMBER_DW512_SUFFIX "__avx512f"
using DwMask16 = __mmask16;
#endif

#include "kernels/dispatch/f32_conv.h"
#include "kernels/x86/avx512/masked_io_avx512.h"

namespace ember::kernels::EMBER_DW512_NS {
namespace {

struct DwAvx512 {
  using vec = __m512;
  static constexpr int L = 16;
  static DwMask16 first(int n) { return DwMask16((1u << n) - 1u); }
  static vec zero() { return _mm512_setzero_ps(); }
  static vec set1(float x) { return _mm512_set1_ps(x); }
  static vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static vec load_first(const float* p, int n) { return load_first16(p, n); }
  static void store_first(float* p, int n, vec v) { store_first16(p, n, v); }
  static vec fmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
  static vec max(vec a, vec b) { return _mm512_max_ps(a, b); }
  static vec min(vec a, vec b) { return _mm512_min_ps(a, b); }
  static vec select_ge0(vec v, vec if_ge, vec if_lt) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ), if_lt, if_ge);
  }
};

}  // namespace
}  // namespace ember::kernels::EMBER_DW512_NS

#include "kernels/x86/f32_dwconv_rows.h"

namespace ember::kernels::EMBER_DW512_NS {

const F32DwConvKernels& f32_dwconv_kernels() {
  static const F32DwConvKernels k = dwconv_table<DwAvx512>(
      "f32_dwconv3x3" EMBER_DW512_SUFFIX, "f32_dwconv5x5" EMBER_DW512_SUFFIX, "f32_dwconv" EMBER_DW512_SUFFIX);
  return k;
}

}  // namespace ember::kernels::EMBER_DW512_NS
