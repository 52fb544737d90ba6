// The oneDNN kernel factories, one per primitive family (conv.cc, matmul.cc); registry.cc
// dispatches on the node's op type. Each returns null when it does not take the node.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends::onednn {

// Conv (ai.onnx) or, with `fused`, ai.ember FusedConv.
std::unique_ptr<ops::Kernel> make_conv(const ir::Node& node, const runtime::BackendOptions& options, bool fused);

enum class MatmulOp { MatMul, Gemm, FusedMatMul };
std::unique_ptr<ops::Kernel> make_matmul(const ir::Node& node, const runtime::BackendOptions& options, MatmulOp op);

}  // namespace ember::backends::onednn
