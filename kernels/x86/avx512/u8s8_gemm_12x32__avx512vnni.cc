// int8 GEMM for AVX-512 VNNI: 12x32 register tile (24 zmm accumulators + 2 B vectors + 1 A
// broadcast), one vpdpbusd per 4 k values: u8 x s8 products summed four at a time straight into
// int32 (no int16 intermediate, so nothing saturates; the int32 accumulator wraps, as the
// contract's modulo-2^32 result allows). Operands stay 8-bit: A raw u8, B as b' in int8.
// Compiled twice: natively with -mavx512vnni for the library, and with EMBER_AVX512_SIMDE
// against SIMDe into a test-only object.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_U8S8_NS avx512_simde
#define EMBER_U8S8_NAME "u8s8_gemm_12x32__avx512vnni (simde)"
#else
#include <immintrin.h>
#define EMBER_U8S8_NS avx512
#define EMBER_U8S8_NAME "u8s8_gemm_12x32__avx512vnni"
#endif

#include "kernels/x86/u8s8_gemm_driver.h"

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

struct Avx512Vnni {
  using vec = __m512i;
  using AElem = uint8_t;
  using BElem = int8_t;
  static constexpr int L = 16, KG = 4;
  static vec zero() { return _mm512_setzero_si512(); }
  static vec bcast(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
  }
  static vec load(const int8_t* p) { return _mm512_loadu_si512(p); }
  static void store(int32_t* p, vec v) { _mm512_storeu_si512(p, v); }
  static vec dot(vec acc, vec a, vec b) { return _mm512_dpbusd_epi32(acc, a, b); }
};

struct Cfg {
  using V = Avx512Vnni;
  static constexpr int MR = 12, NV = 2;
  static constexpr int64_t L2_BYTES = 512 * 1024;
};

}  // namespace

const U8S8GemmKernels& u8s8_gemm_vnni_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg>::kernels(EMBER_U8S8_NAME);
  return k;
}

}  // namespace ember::kernels::EMBER_U8S8_NS
