// x86 f32 GEMM entries (see kernels/dispatch/f32_gemm.h for the contract). Each is compiled in
// its own file with its own -m flags; call one only when cpu_features() has its ISA, which
// kernel_table() takes care of.
#pragma once

#include "kernels/dispatch/f32_gemm.h"

namespace ember::kernels {

namespace avx2 {
// 6x16 register tile (12 ymm accumulators), FMA, edge tiles through vmaskmov.
const F32GemmKernels& f32_gemm_kernels();  // AVX2 + FMA
}  // namespace avx2

namespace avx512 {
// 12x32 register tile (24 zmm accumulators), edge tiles through k-masks.
const F32GemmKernels& f32_gemm_kernels();  // AVX-512F
}  // namespace avx512

// The same AVX-512 source compiled against SIMDe (portable emulation): a test-only object
// (ember_kernels_avx512_simde), never in the library, so the AVX-512 code is checked on
// machines without AVX-512.
namespace avx512_simde {
const F32GemmKernels& f32_gemm_kernels();
}  // namespace avx512_simde

}  // namespace ember::kernels
