// int8 GEMM for AVX2: 6x16 register tile (12 ymm accumulators + 2 B vectors + 1 A broadcast;
// the narrow form also holds the int16 ones, so GCC keeps one accumulator on the stack: a 5x16
// tile without the spill measured no faster),
// in two forms chosen per weight matrix when it is packed (u8s8_gemm_kernels_for_weights):
//
// u8s8_gemm_6x16__avx2: any weights. vpmaddubsw would multiply u8 x s8 and add adjacent pairs
// into a SATURATING int16, and 255 * 127 * 2 = 64770 > 32767, so for full 8-bit weights both
// operands are widened to int16 when packed (a in [0, 255], b' in [-128, 127]) and multiplied
// with vpmaddwd, whose pair sums (at most 2 * 255 * 128 = 65280 in magnitude) are exact in int32.
// B packed at int16 costs 2x the memory of int8 weights, and each vpmaddwd does 16 products.
//
// u8s8_gemm_6x16__avx2_7bit: weights whose every b' is in [-64, 64] (what reduce-range
// quantizers produce). Then a vpmaddubsw pair sum is at most 2 * 255 * 64 = 32640 and cannot
// saturate, so it is exact: vpmaddubsw (32 products into int16 pairs) + vpmaddwd with ones (to
// int32) + vpaddd, with A and B packed as bytes (half the memory traffic of the widened form).
#include <immintrin.h>

#define EMBER_U8S8_NS avx2
#include "kernels/x86/u8s8_gemm_driver.h"

namespace ember::kernels::avx2 {
namespace {

template <class Dot>
struct Cfg {
  using V = U8S8Vec<Ymm, Dot>;
  static constexpr int MR = 6, NV = 2;
  static constexpr int64_t L2_BYTES = 256 * 1024;  // half of a 512 KB L2
};

const U8S8GemmKernels& narrow_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg<Bytes7>>::kernels("u8s8_gemm_6x16__avx2_7bit");
  return k;
}

}  // namespace

const U8S8GemmKernels& u8s8_gemm_kernels() {
  static constexpr U8S8GemmKernels k = U8S8Driver<Cfg<Widen16>>::kernels("u8s8_gemm_6x16__avx2", narrow_kernels);
  return k;
}

const U8S8GemmKernels& u8s8_gemm_7bit_kernels() { return narrow_kernels(); }

}  // namespace ember::kernels::avx2
