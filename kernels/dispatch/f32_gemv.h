// f32 matrix-vector product with a weight stored as rows of K, read where it lies (no packing):
//
//   y[n] = act(alpha * sum_k a[k] * w[n * ldw + k] + bias + residual[n])      n in [0, N)
//
// The layout of Gemm with transB (the [N, K] classifier of a CNN): y[n] is a dot product of a
// with one contiguous row. Why not the GEMM with M = 1: with one row of A every weight is used
// once, so the product is bound by reading W, which packing would read (and write) once more
// at session creation; a weight memory-mapped from a saved model is then used in place
// (MobileNetV2's classifier: 5 MB packed in ~1 ms of its session creation, see
// benchmarks/RESULTS.md). A [K, N] weight (MatMul) keeps the packed GEMM: the matching
// y += a[k] * W[k, :] loop measured 1.02-1.12x its run time (ember_gemv_bench, W from DRAM).
//
// The epilogue is GemmEpilogue's for the one row of the output: a per-column bias (bias[n]) or
// a per-row one (bias[0] for every n), residual[n], then the activation. Callers split columns
// across threads by offsetting w by n0 * ldw, y, a per-column bias and the residual by n0.
// Single-threaded, no allocation; y must not overlap a, W, bias or residual.
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

using F32GemvFn = void (*)(int64_t N, int64_t K, const float* a, const float* w, int64_t ldw, float* y,
                           float alpha, const GemmEpilogue& ep);

struct F32GemvKernels {
  const char* name = nullptr;  // e.g. "f32_gemv__avx512f"
  F32GemvFn gemv_rows = nullptr;
};

F32GemvKernels make_f32_gemv_kernels(uint32_t cpu_features, Isa cap);
// make_f32_gemv_kernels(cpu_features(), isa_cap_from_env()), built once.
const F32GemvKernels& f32_gemv_kernels();

// Per-ISA entries (kernels/generic/gemv.cc, kernels/x86/*/f32_gemv__*.cc).
const F32GemvKernels& f32_gemv_generic_kernels();
namespace avx2 {
const F32GemvKernels& f32_gemv_kernels();
}
namespace avx512 {
const F32GemvKernels& f32_gemv_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32GemvKernels& f32_gemv_kernels();
}

}  // namespace ember::kernels
