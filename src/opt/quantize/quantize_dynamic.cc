// Dynamic INT8 for dense layers: the weights are quantized now (int8, symmetric, per column or
// per tensor), the activations at run time by DynamicQuantizeLinear (uint8, one scale per
// tensor from its current range). The float result is MatMulInteger's int32 output times
// x_scale * w_scale; a Gemm's bias is added in float afterwards.
#include "opt/pattern.h"
#include "opt/quantize/quant_params.h"
#include "opt/quantize/rewrites.h"
#include "opt/quantize/rewrite_util.h"

namespace ember::opt::quantize {

namespace {

// A MatMul / Gemm whose B is a constant 2-D float32 weight, and that weight as [K, N]. Gemm:
// transA 0, alpha 1, and a C (with beta 1) (if any) that broadcasts as a row: [N], [1, N] or a scalar.
bool dense_weight(const ir::Node* n, Tensor& w) {
  if (!n->domain.empty() || n->inputs.size() < 2 || n->outputs.size() != 1 || !is_float(n->inputs[0])) return false;
  const Tensor* b = float_constant(n->inputs[1], 2);
  if (!b) return false;
  if (n->op_type == "MatMul") {
    if (!n->inputs[0]->type.has_shape || n->inputs[0]->type.dims.size() < 2) return false;
    w = *b;
    return true;
  }
  if (n->op_type != "Gemm" || n->attr_int("transA", 0) != 0 || n->attr_float("alpha", 1.0f) != 1.0f) return false;
  w = n->attr_int("transB", 0) ? transpose_2d(*b) : *b;
  if (n->inputs.size() > 2 && n->inputs[2]) {
    const std::optional<Dims> c = static_shape(n->inputs[2]);
    if (n->attr_float("beta", 1.0f) != 1.0f) return false;
    if (!c || c->size() > 2 || (c->size() == 2 && (*c)[0] != 1)) return false;
    if (!c->empty() && c->back() != 1 && c->back() != w.dim(1)) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> quantize_dynamic(ir::Model& m, bool per_channel, int weight_qmax) {
  const int opset = onnx_opset_at_least(m, 11, "dynamic quantization (DynamicQuantizeLinear)");
  ir::Graph& g = *m.graph;
  g.rebuild_uses();
  Emitter emit(g, opset);
  std::vector<ir::Node*> order;
  for (const auto& n : g.nodes()) order.push_back(n.get());
  std::vector<std::string> labels;
  for (ir::Node* n : order) {
    Tensor weight;
    if (!dense_weight(n, weight)) continue;
    const std::string name = n->name, op = n->op_type;
    ir::Value* x = n->inputs[0];
    ir::Value* y = n->outputs[0];
    ir::Value* bias = op == "Gemm" && n->inputs.size() > 2 ? n->inputs[2] : nullptr;
    const QuantizedWeight w = quantize_symmetric(weight, 1, per_channel, weight_qmax);

    ir::Value* xq = emit.value(name + "_input_quantized", DType::UInt8);
    ir::Value* xs = emit.value(name + "_input_scale", DType::Float32);
    ir::Value* xzp = emit.value(name + "_input_zero_point", DType::UInt8);
    emit.node(name + "_DynamicQuantizeLinear", "DynamicQuantizeLinear", {x}, {xq, xs, xzp});
    ir::Value* acc = emit.value(name + "_int32", DType::Int32);
    emit.node(name + "_MatMulInteger", "MatMulInteger", {xq, emit.constant(name + "_weight_quantized", w.q), xzp},
              {acc});
    ir::Value* f = emit.value(name + "_float", DType::Float32);
    emit.node(name + "_Cast", "Cast", {acc}, {f}, {attr_int("to", int64_t(DType::Float32))});
    ir::Value* scale = emit.value(name + "_scale", DType::Float32);
    emit.node(name + "_scale_Mul", "Mul", {xs, emit.constant(name + "_weight_scale", w.scale)}, {scale});
    g.remove_node(n);
    g.rebuild_uses();
    if (bias) {
      ir::Value* unbiased = emit.value(name + "_unbiased", DType::Float32);
      emit.node(name + "_Mul", "Mul", {f, scale}, {unbiased});
      emit.node(name + "_bias_Add", "Add", {unbiased, bias}, {y});
    } else {
      emit.node(name + "_Mul", "Mul", {f, scale}, {y});
    }
    labels.push_back("quantize_dynamic: " + op + " '" + name + "' -> DynamicQuantizeLinear + MatMulInteger");
  }
  finish_rewrite(m, "dynamic quantization");
  return labels;
}

}  // namespace ember::opt::quantize
