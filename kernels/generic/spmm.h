// The portable sparse x dense entry (see kernels/dispatch/f32_spmm.h): scalar loops in the same
// order as the vector entries (nonzeros of a row accumulated in storage order), the reference
// the vector entries are tested against.
#pragma once

#include <vector>

#include "kernels/dispatch/f32_spmm.h"

namespace ember::kernels {

// CSR storage that owns its arrays (built once, at session creation or by a tool).
struct CsrStorage {
  int64_t rows = 0, cols = 0;
  std::vector<int32_t> row_ptr, col_idx;
  std::vector<float> values;
  CsrMatrix view() const { return {rows, cols, row_ptr.data(), col_idx.data(), values.data()}; }
  int64_t nnz() const { return int64_t(values.size()); }
};

// The nonzeros of a dense W [rows, cols] (row-major, leading dimension ld), or, with
// `transposed`, of the transpose of a stored [cols, rows] matrix (a MatMul weight [K, N] gives
// the CSR of W^T [N, K]). Exact zeros (and -0) are dropped; everything else is kept.
CsrStorage csr_from_dense(int64_t rows, int64_t cols, const float* w, int64_t ld, bool transposed);

void f32_spmm_generic(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t P, const float* B, int64_t ldb,
                      const float* bias, float* C, int64_t ldc);

}  // namespace ember::kernels
