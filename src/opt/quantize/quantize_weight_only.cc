// Weight-only quantization: a dense layer's constant weight stored as int8 or int4, one scale
// per block of `block` elements along the reduction axis (K), and a DequantizeLinear (opset 21
// block_size) in front of the unchanged float MatMul / Gemm. The file shrinks 4x (int8) or
// about 8x (int4, packed two per byte); the arithmetic stays float.
#include "opt/pattern.h"
#include "opt/quantize/quant_params.h"
#include "opt/quantize/rewrites.h"
#include "opt/quantize/rewrite_util.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// DequantizeLinear's block_size and the int4 type arrive with opset 21.
constexpr int kBlockedOpset = 21;

// The axis of B that the product reduces over: K is B's first dim, or its second for a Gemm
// with transB. -1 when `n` is not a dense layer with a constant 2-D float weight.
int64_t reduction_axis(const ir::Node* n) {
  if (!n->domain.empty() || n->inputs.size() < 2 || !float_constant(n->inputs[1], 2)) return -1;
  if (n->op_type == "MatMul") return 0;
  if (n->op_type == "Gemm") return n->attr_int("transB", 0) ? 1 : 0;
  return -1;
}

}  // namespace

std::vector<std::string> quantize_weight_only(ir::Model& m, DType type, int64_t block) {
  EMBER_CHECK(type == DType::Int8 || type == DType::Int4, InvalidArgument,
              "weight-only quantization stores int8 or int4, not ", dtype_name(type));
  EMBER_CHECK(block >= 2, InvalidArgument, "weight-only block size must be at least 2, got ", block);
  upgrade_onnx_opset(m, kBlockedOpset, "weight-only quantization (DequantizeLinear with block_size)");
  ir::Graph& g = *m.graph;
  g.rebuild_uses();
  Emitter emit(g, kBlockedOpset);
  std::vector<ir::Node*> order;
  for (const auto& n : g.nodes()) order.push_back(n.get());
  std::vector<std::string> labels;
  for (ir::Node* n : order) {
    const int64_t axis = reduction_axis(n);
    if (axis < 0) continue;
    ir::Value* wv = n->inputs[1];
    const QuantizedWeight w = quantize_blockwise(*wv->constant, axis, block, type);
    ir::Value* deq = emit.value(wv->name + "_dequantized", DType::Float32);
    emit.node(n->name + "_weight_DequantizeLinear", "DequantizeLinear",
              {emit.constant(wv->name + "_quantized", w.q), emit.constant(wv->name + "_scale", w.scale)}, {deq},
              {attr_int("axis", axis), attr_int("block_size", block)});
    n->inputs[1] = deq;
    g.rebuild_uses();
    labels.push_back("quantize_weight_only: " + n->op_type + " '" + n->name + "' weight '" + wv->name + "' -> " +
                     dtype_name(type) + " blocks of " + std::to_string(block));
  }
  finish_rewrite(m, "weight-only quantization");
  return labels;
}

}  // namespace ember::opt::quantize
