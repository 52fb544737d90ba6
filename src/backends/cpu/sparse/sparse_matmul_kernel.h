// Native ai.ember SparseMatMul: the CSR weight copied once at session creation, the product by
// the dispatched sparse kernel (kernels/dispatch/f32_spmm.h), rows split over the pool.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends::sparse {

// Null (the reference kernel runs) when the weight inputs are not constants.
std::unique_ptr<ops::Kernel> make_sparse_matmul(const ir::Node& node, const runtime::BackendOptions& options);

}  // namespace ember::backends::sparse
