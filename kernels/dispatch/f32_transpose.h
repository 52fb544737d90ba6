// 2-D transpose of 32-bit elements: y[c * ldy + r] = x[r * ldx + c] for r < rows, c < cols.
// A pure bit move (no arithmetic), so it serves float, int32 and uint32 alike.
//
// Users: the sparse MatMul (which runs on X^T and produces Y^T) and the Transpose op when the
// innermost axis moves (NCHW <-> NHWC and [.., a, b] -> [.., b, a]). A plain strided loop does
// one scattered 4-byte store per element; the vector entry moves 8x8 register tiles, so each
// store is a whole 32-byte row (ember_spmm_bench: the two transposes were most of the sparse
// MatMul's time before, see benchmarks/RESULTS.md).
//
// Single-threaded, no allocation; callers split rows across threads. x and y must not overlap.
// There is no AVX-512 entry: a transpose is bound by memory traffic, and the AVX2 tiles already
// store whole 32-byte rows; AVX-512 machines use the AVX2 entry.
#pragma once

#include <cstdint>

#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

using F32TransposeFn = void (*)(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* y, int64_t ldy);

struct F32Transpose {
  const char* name = nullptr;  // e.g. "f32_transpose_8x8__avx2"
  F32TransposeFn fn = nullptr;
};

F32Transpose make_f32_transpose(uint32_t cpu_features, Isa cap);
// make_f32_transpose(cpu_features(), isa_cap_from_env()), chosen once.
const F32Transpose& f32_transpose();

// Per-ISA entries (kernels/generic/transpose.cc, kernels/x86/avx2/f32_transpose_8x8__avx2.cc).
void f32_transpose_generic(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* y, int64_t ldy);
namespace avx2 {
void f32_transpose_8x8__avx2(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* y, int64_t ldy);
}

}  // namespace ember::kernels
