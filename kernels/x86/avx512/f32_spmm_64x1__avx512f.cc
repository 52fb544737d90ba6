// Sparse x dense for AVX-512F: 64 columns (4 vectors of 16) per nonzero, the remainder in
// one pass with a k-masked last vector (kernels/x86/f32_spmm_rows.h). Compiled twice:
// natively with -mavx512f for the library (dispatched only when the CPU has it), and with
// EMBER_AVX512_SIMDE against SIMDe into a test-only object (f32_spmm_64x1__avx512f_simde.cc),
// so it is tested without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_SP512_NS avx512_simde
#define EMBER_SP512_NAME "f32_spmm_64x1__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_SP512_NS avx512
#define EMBER_SP512_NAME "f32_spmm_64x1__avx512f"
#endif

#include "kernels/dispatch/f32_spmm.h"
#include "kernels/x86/avx512/masked_io_avx512.h"

namespace ember::kernels::EMBER_SP512_NS {
namespace {

struct SpAvx512 {
  using vec = __m512;
  static constexpr int L = 16;
  static vec set1(float x) { return _mm512_set1_ps(x); }
  static vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static vec fmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec load_first(const float* p, int n) { return load_first16(p, n); }
  static void store_first(float* p, int n, vec v) { store_first16(p, n, v); }
};

}  // namespace
}  // namespace ember::kernels::EMBER_SP512_NS

#include "kernels/x86/f32_spmm_rows.h"

namespace ember::kernels::EMBER_SP512_NS {

const F32SpmmKernels& f32_spmm_kernels() {
  static const F32SpmmKernels k{EMBER_SP512_NAME, spmm_rows<SpAvx512>};
  return k;
}

}  // namespace ember::kernels::EMBER_SP512_NS
