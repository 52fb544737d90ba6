// int8 GEMM for AVX-512 VNNI: 12x32 register tile (24 zmm accumulators + 2 B vectors + 1 A
// broadcast), one vpdpbusd per 4 k values: u8 x s8 products summed four at a time straight into
// int32 (no int16 intermediate, so nothing saturates and no narrow-weight form is needed; the
// int32 accumulator wraps, as the contract's modulo-2^32 result allows). Operands stay 8-bit:
// A raw u8, B as b' in int8.
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

struct Cfg {
  using V = U8S8Vec<Zmm, Vnni>;
  static constexpr int MR = 12, NV = 2;
  static constexpr int64_t L2_BYTES = 512 * 1024;
};

}  // namespace

const U8S8GemmKernels& u8s8_gemm_vnni_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg>::kernels(EMBER_U8S8_NAME);
  return k;
}

}  // namespace ember::kernels::EMBER_U8S8_NS
