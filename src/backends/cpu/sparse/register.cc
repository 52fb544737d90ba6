// Registers the native ai.ember SparseMatMul (pruned MatMul / Gemm / 1x1 Conv, CSR weights).
#include "backends/cpu/native_registry.h"
#include "backends/cpu/sparse/sparse_matmul_kernel.h"

namespace ember::backends {

void register_sparse_kernels(NativeRegistry& r) { r.add("ai.ember", "SparseMatMul", sparse::make_sparse_matmul); }

}  // namespace ember::backends
