// Which nodes oneDNN takes: Conv, MatMul, Gemm (ai.onnx) and FusedConv, FusedMatMul (ai.ember).
#include "backends/onednn/factories.h"
#include "backends/onednn/onednn_kernels.h"

namespace ember::backends {

bool onednn_available() { return true; }

std::unique_ptr<ops::Kernel> make_onednn_kernel(const ir::Node& node, const runtime::BackendOptions& options) {
  using onednn::MatmulOp;
  const bool onnx = node.domain.empty() || node.domain == "ai.onnx";
  if (onnx && node.op_type == "Conv") return onednn::make_conv(node, options, false);
  if (onnx && node.op_type == "MatMul") return onednn::make_matmul(node, options, MatmulOp::MatMul);
  if (onnx && node.op_type == "Gemm") return onednn::make_matmul(node, options, MatmulOp::Gemm);
  if (node.domain == "ai.ember" && node.op_type == "FusedConv") return onednn::make_conv(node, options, true);
  if (node.domain == "ai.ember" && node.op_type == "FusedMatMul")
    return onednn::make_matmul(node, options, MatmulOp::FusedMatMul);
  return nullptr;
}

}  // namespace ember::backends
