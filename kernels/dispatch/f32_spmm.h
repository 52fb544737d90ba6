// Sparse weights x dense activations (pruned MatMul / Gemm / 1x1 Conv):
//
//   C[r, p] = bias[r] + sum_k W[r, k] * B[k, p]      r in [r0, r1), p in [0, P)
//
// W [rows, K] is held in CSR (compressed sparse rows): row r's nonzeros are values[j] at column
// cols[j] for j in [row_ptr[r], row_ptr[r+1]). B [K, P] and C [rows, P] are dense row-major
// with leading dimensions ldb, ldc.
//
// Why this layout: it is the NCHW 1x1 convolution as it stands (W = [Cout, Cin], B = X[Cin,
// H*W], C = Y[Cout, H*W]), and the vector runs along P, so every stored nonzero is one
// broadcast + one FMA per vector of P with no gather and no wasted lanes, whatever the
// pattern of the zeros (unstructured magnitude pruning leaves no blocks to exploit: at 90%
// sparsity a 1x8 block of W is entirely zero only 0.9^8 = 43% of the time). MatMul
// Y[M,N] = X[M,K] W[K,N] uses it transposed (Y^T = W^T X^T, rows = N, P = M).
//
// The work is split by the caller: rows [r0, r1) by argument, columns by offsetting B and C
// (any p0, no alignment needed). Kernels are single-threaded and allocate nothing. The table is
// chosen once from cpu_features() and the EMBER_ISA cap (like kernel_table()).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct CsrMatrix {
  int64_t rows = 0, cols = 0;
  const int32_t* row_ptr = nullptr;  // rows + 1 entries, row_ptr[0] == 0
  const int32_t* col_idx = nullptr;  // row_ptr[rows] entries, each in [0, cols)
  const float* values = nullptr;     // row_ptr[rows] entries
};

// bias: rows values, or null for none. C is write-only (never read).
using F32SpmmFn = void (*)(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t P, const float* B, int64_t ldb,
                           const float* bias, float* C, int64_t ldc);

struct F32SpmmKernels {
  const char* name = nullptr;  // e.g. "f32_spmm_32x1__avx2_fma"
  F32SpmmFn spmm = nullptr;
};

F32SpmmKernels make_f32_spmm_kernels(uint32_t cpu_features, Isa cap);
// make_f32_spmm_kernels(cpu_features(), isa_cap_from_env()), built once.
const F32SpmmKernels& f32_spmm_kernels();

// Per-ISA entries (kernels/generic/spmm.cc, kernels/x86/*/f32_spmm_*.cc).
const F32SpmmKernels& f32_spmm_generic_kernels();
namespace avx2 {
const F32SpmmKernels& f32_spmm_kernels();
}
namespace avx512 {
const F32SpmmKernels& f32_spmm_kernels();
}
namespace avx512_simde {  // test-only object (ember_kernels_avx512_simde)
const F32SpmmKernels& f32_spmm_kernels();
}

}  // namespace ember::kernels
