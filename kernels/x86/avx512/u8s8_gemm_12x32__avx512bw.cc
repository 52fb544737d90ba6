// int8 GEMM for AVX-512BW (no VNNI): 12x32 register tile (24 zmm accumulators + 2 B vectors +
// 1 A broadcast). Like the AVX2 entry, operands are widened to int16 when packed and multiplied
// with vpmaddwd, which cannot saturate for u8 x s8 values; vpmaddubsw would (255 * 127 * 2 >
// 32767) unless weights were cut to 7 bits. See u8s8_gemm_6x16__avx2.cc.
// Compiled twice: natively with -mavx512bw for the library, and with EMBER_AVX512_SIMDE against
// SIMDe into a test-only object.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_U8S8_NS avx512_simde
#define EMBER_U8S8_NAME "u8s8_gemm_12x32__avx512bw (simde)"
// SIMDe 0.7.4's native alias for _mm512_madd_epi16 takes the masked form's 4 arguments.
#define EMBER_MADD512(a, b) simde_mm512_madd_epi16(a, b)
#else
#include <immintrin.h>
#define EMBER_U8S8_NS avx512
#define EMBER_U8S8_NAME "u8s8_gemm_12x32__avx512bw"
#define EMBER_MADD512(a, b) _mm512_madd_epi16(a, b)
#endif

#include "kernels/x86/u8s8_gemm_driver.h"

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

struct Avx512Widen {
  using vec = __m512i;
  using AElem = int16_t;
  using BElem = int16_t;
  static constexpr int L = 16, KG = 2;
  static vec zero() { return _mm512_setzero_si512(); }
  static vec bcast(const int16_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
  }
  static vec load(const int16_t* p) { return _mm512_loadu_si512(p); }
  static void store(int32_t* p, vec v) { _mm512_storeu_si512(p, v); }
  static vec dot(vec acc, vec a, vec b) { return _mm512_add_epi32(acc, EMBER_MADD512(a, b)); }
};

struct Cfg {
  using V = Avx512Widen;
  static constexpr int MR = 12, NV = 2;
  static constexpr int64_t L2_BYTES = 512 * 1024;  // half of a >= 1 MB L2
};

}  // namespace

const U8S8GemmKernels& u8s8_gemm_bw_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg>::kernels(EMBER_U8S8_NAME);
  return k;
}

}  // namespace ember::kernels::EMBER_U8S8_NS
