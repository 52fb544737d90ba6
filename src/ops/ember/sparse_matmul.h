// SparseMatMul (ai.ember): a MatMul / Gemm / 1x1 Conv whose constant weight is stored as CSR
// (written by `ember prune --sparse-ops`; contract in docs/ember_ops.md). The parsing and
// checks here are shared by the reference kernel and the native one (src/backends/cpu/sparse).
#pragma once

#include <cstdint>
#include <string>

#include "ops/op_registry.h"

namespace ember::ops {

struct SparseMatMulAttrs {
  int64_t rows = 0, cols = 0;  // weight_shape: W is [rows, cols] = [output features, input features]
  bool nchw = false;           // layout "nchw": X [N, cols, spatial...]; "rows": X [..., cols]
};
SparseMatMulAttrs parse_sparse_matmul(const ir::Node& node);

// InvalidModel naming the node unless values/col_idx (nnz) and row_ptr (rows + 1) form a valid
// CSR of a [rows, cols] matrix: float32 values, int32 indices, row_ptr non-decreasing from 0 to
// nnz, every column index in [0, cols).
void check_sparse_weight(const std::string& node, const SparseMatMulAttrs& a, const Tensor& values,
                         const Tensor& col_idx, const Tensor& row_ptr);

// The output shape for input shape `x` (ShapeMismatch naming the node when X does not fit).
Dims sparse_matmul_output_shape(const std::string& node, const SparseMatMulAttrs& a, const Dims& x);

void add_sparse_matmul_op(OpRegistry& r);

}  // namespace ember::ops
