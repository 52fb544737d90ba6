// Native f32 MatMul, Gemm and ai.ember FusedMatMul: a constant 2-D B is packed once at
// session creation; otherwise B is packed per run into a per-thread scratch buffer. Returns
// null (the reference kernel runs) for anything else: other element types, unknown ranks,
// legacy Gemm (opset < 7), 1-D operands of FusedMatMul.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends::gemm_conv {

std::unique_ptr<ops::Kernel> make_matmul(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_gemm(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_fused_matmul(const ir::Node& node, const runtime::BackendOptions& options);

}  // namespace ember::backends::gemm_conv
