// int8 GEMM for AVX-512BW (no VNNI): 12x32 register tile (24 zmm accumulators + 2 B vectors +
// 1 A broadcast), in the AVX2 entry's two forms on zmm (see u8s8_gemm_6x16__avx2.cc): operands
// widened to int16 with vpmaddwd for any weights, and vpmaddubsw + vpmaddwd with ones on bytes
// for weights whose every b' is in [-64, 64] (then the int16 pair sums cannot saturate).
// Compiled twice: natively with -mavx512bw for the library, and with EMBER_AVX512_SIMDE against
// SIMDe into a test-only object.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_U8S8_NS avx512_simde
#define EMBER_U8S8_SUFFIX " (simde)"
#else
#include <immintrin.h>
#define EMBER_U8S8_NS avx512
#define EMBER_U8S8_SUFFIX ""
#endif

#include "kernels/x86/u8s8_gemm_driver.h"

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

template <class Dot>
struct Cfg {
  using V = U8S8Vec<Zmm, Dot>;
  static constexpr int MR = 12, NV = 2;
  static constexpr int64_t L2_BYTES = 512 * 1024;  // half of a >= 1 MB L2
};

const U8S8GemmKernels& narrow_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg<Bytes7>>::kernels("u8s8_gemm_12x32__avx512bw_7bit" EMBER_U8S8_SUFFIX);
  return k;
}

}  // namespace

const U8S8GemmKernels& u8s8_gemm_bw_kernels() {
  static constexpr U8S8GemmKernels k =
      U8S8Driver<Cfg<Widen16>>::kernels("u8s8_gemm_12x32__avx512bw" EMBER_U8S8_SUFFIX, narrow_kernels);
  return k;
}

const U8S8GemmKernels& u8s8_gemm_bw_7bit_kernels() { return narrow_kernels(); }

}  // namespace ember::kernels::EMBER_U8S8_NS
