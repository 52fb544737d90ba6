// int8 GEMM for AVX2: 6x16 register tile (12 ymm accumulators + 2 B vectors + 1 A broadcast).
//
// Why not vpmaddubsw: it multiplies u8 x s8 and adds adjacent pairs into a SATURATING int16,
// and 255 * 127 * 2 = 64770 > 32767, so real weights (not restricted to 7 bits) give wrong sums.
// Restricting weights to [-64, 63] at quantization time would break models quantized by other
// tools. Instead both operands are widened to int16 when they are packed (a in [0, 255], b' in
// [-128, 127]) and multiplied with vpmaddwd, whose pair sums (at most 2 * 255 * 128 = 65280 in
// magnitude) are exact in int32: no input can saturate it. Packing B once at int16 costs 2x
// the memory of int8 weights (still half of f32) and A is widened as it is packed per call.
#include <immintrin.h>

#define EMBER_U8S8_NS avx2
#include "kernels/x86/u8s8_gemm_driver.h"

namespace ember::kernels::avx2 {
namespace {

struct Avx2Widen {
  using vec = __m256i;
  using AElem = int16_t;
  using BElem = int16_t;
  static constexpr int L = 8, KG = 2;
  static vec zero() { return _mm256_setzero_si256(); }
  static vec bcast(const int16_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
  }
  static vec load(const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(int32_t* p, vec v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static vec dot(vec acc, vec a, vec b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
};

struct Cfg {
  using V = Avx2Widen;
  static constexpr int MR = 6, NV = 2;
  static constexpr int64_t L2_BYTES = 256 * 1024;  // half of a 512 KB L2
};

}  // namespace

const U8S8GemmKernels& u8s8_gemm_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg>::kernels("u8s8_gemm_6x16__avx2");
  return k;
}

}  // namespace ember::kernels::avx2
