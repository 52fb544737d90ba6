// Static INT8 quantization of the level-1 graph with calibrated activation ranges (see
// rewrites.h for the shapes it produces). Nodes are visited in topological order; each float
// value that becomes uint8 is remembered with its scale and zero point, so a quantized
// consumer (or a pass-through such as MaxPool) takes the uint8 value directly. At the end
// every replaced float value that still has a float reader gets a DequantizeLinear.
#include <map>
#include <set>

#include "opt/pattern.h"
#include "opt/quantize/quant_params.h"
#include "opt/quantize/rewrites.h"
#include "opt/quantize/rewrite_util.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// Ops that move or select uint8 elements without arithmetic: quantization commutes with them,
// so their output shares the input's scale and zero point. (MaxPool: max is monotonic.)
bool is_pass_through(const ir::Node* n, int opset) {
  static const std::set<std::string> kOps = {"Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Identity"};
  if (!n->domain.empty() || n->outputs.empty() || !n->outputs[0] || n->inputs.empty() || !n->inputs[0]) return false;
  if (n->op_type == "MaxPool")  // uint8 MaxPool since opset 12; the Indices output needs float
    return opset >= 12 && (n->outputs.size() == 1 || !n->outputs[1]);
  return kOps.count(n->op_type) > 0;
}

// A Conv with constant weights (and bias) over float32.
bool conv_ok(const ir::Node* n) {
  if (!is_op(n, "Conv") || n->inputs.size() < 2 || n->outputs.size() != 1 || !is_float(n->inputs[0])) return false;
  const Tensor* w = float_constant(n->inputs[1]);
  if (!w || w->rank() < 3) return false;
  return n->inputs.size() < 3 || !n->inputs[2] || float_constant(n->inputs[2], 1);
}

// A dense layer y = x @ W (+ b): MatMul with a constant 2-D W, or Gemm (transA 0, alpha 1,
// beta 1 or no C) whose C is a constant [N] / [1, N].
struct Dense {
  ir::Node* node = nullptr;
  Tensor weight;          // [K, N]
  const Tensor* bias = nullptr;  // [N] or [1, N] elements, or null
  ir::Node* bias_add = nullptr;  // a MatMul's Add that supplied the bias
  ir::Value* output = nullptr;   // the value the layer (with its bias) produces
};

std::optional<Dense> match_dense(ir::Node* n) {
  if (!n->domain.empty() || n->inputs.size() < 2 || n->outputs.size() != 1 || !is_float(n->inputs[0])) return {};
  const Tensor* w = float_constant(n->inputs[1], 2);
  if (!w) return {};
  Dense d;
  d.node = n;
  d.output = n->outputs[0];
  if (n->op_type == "MatMul") {
    if (!n->inputs[0]->type.has_shape || n->inputs[0]->type.dims.size() < 2) return {};
    d.weight = *w;
    // A bias Add that only this MatMul feeds.
    ir::Node* add = sole_consumer(n->outputs[0]);
    if (is_op(add, "Add") && add->inputs.size() == 2 && add->outputs.size() == 1) {
      const Tensor* b = float_constant(other_input(add, n->outputs[0]), 1);
      if (b && b->numel() == w->dim(1) && static_shape(n->outputs[0]) == static_shape(add->outputs[0])) {
        d.bias = b;
        d.bias_add = add;
        d.output = add->outputs[0];
      }
    }
    return d;
  }
  if (n->op_type != "Gemm" || n->attr_int("transA", 0) != 0 || n->attr_float("alpha", 1.0f) != 1.0f) return {};
  d.weight = n->attr_int("transB", 0) ? transpose_2d(*w) : *w;
  if (n->inputs.size() > 2 && n->inputs[2]) {
    const Tensor* c = float_constant(n->inputs[2]);
    const int64_t N = d.weight.dim(1);
    if (!c || n->attr_float("beta", 1.0f) != 1.0f || c->numel() != N || c->rank() > 2 ||
        (c->rank() == 2 && c->dim(0) != 1))
      return {};
    d.bias = c;
  }
  return d;
}

// The activation a Conv's quantized output absorbs: a Relu, or a Clip with min 0 (ReLU6), that
// only the Conv feeds. The output range is calibrated after it and starts at 0, so uint8
// saturation at zero point 0 is the lower bound exactly; a Clip's upper bound is within the
// calibrated range's top (the range of a Clip output never exceeds max).
ir::Node* absorbed_relu(const ir::Node* conv) {
  ir::Node* c = sole_consumer(conv->outputs[0]);
  if (!c || !c->domain.empty() || c->outputs.size() != 1 || !c->outputs[0]) return nullptr;
  if (c->op_type == "Relu") return c;
  if (c->op_type != "Clip") return nullptr;
  if (c->opset < 11) return c->attr_float("min", -1.0f) == 0.0f && c->has_attr("max") ? c : nullptr;
  const bool min_zero = c->inputs.size() > 1 && c->inputs[1] && is_scalar(c->inputs[1], 0.0);
  const bool max_const = c->inputs.size() > 2 && c->inputs[2] && scalar_of(c->inputs[2]).has_value();
  return min_zero && max_const ? c : nullptr;
}

struct QValue {
  ir::Value* q = nullptr;  // uint8
  ir::Value* scale = nullptr;
  ir::Value* zero_point = nullptr;
  UInt8Params p;
};

class StaticRewriter {
 public:
  StaticRewriter(ir::Model& m, const std::map<std::string, Range>& ranges, bool per_channel, int qmax)
      : opset_(onnx_opset_at_least(m, 10, "static quantization (QLinearConv, MatMulInteger)")),
        g_(*m.graph), emit_(g_, opset_), ranges_(ranges), per_channel_(per_channel), qmax_(qmax) {}

  std::vector<std::string> run() {
    g_.rebuild_uses();
    g_.topo_sort();
    std::vector<ir::Node*> order;
    for (const auto& n : g_.nodes()) order.push_back(n.get());
    for (ir::Node* n : order) {
      if (removed_.count(n)) continue;
      if (conv_ok(n)) {
        rewrite_conv(n);
      } else if (std::optional<Dense> d = match_dense(n)) {
        rewrite_dense(*d);
      } else if (is_pass_through(n, opset_) && qv_.count(n->inputs[0])) {
        pass_through(n);
      }
    }
    dequantize_float_readers();
    return std::move(labels_);
  }

 private:
  // x's uint8 form: the one already made, or a QuantizeLinear with x's calibrated range.
  const QValue* quantized(ir::Value* x) {
    if (auto it = qv_.find(x); it != qv_.end()) return &it->second;
    const auto r = ranges_.find(x->name);
    if (r == ranges_.end()) return nullptr;
    QValue v = params_for(x, r->second);
    v.q = emit_.value(x->name + "_quantized", DType::UInt8);
    emit_.node(x->name + "_QuantizeLinear", "QuantizeLinear", {x, v.scale, v.zero_point}, {v.q});
    return &(qv_[x] = v);
  }

  QValue params_for(const ir::Value* x, Range r) {
    QValue v;
    v.p = uint8_params(r);
    v.scale = emit_.constant(x->name + "_scale", scalar_f32(v.p.scale));
    v.zero_point = emit_.constant(x->name + "_zero_point", scalar_u8(v.p.zero_point));
    return v;
  }

  void remove(ir::Node* n) {
    removed_.insert(n);
    g_.remove_node(n);
    g_.rebuild_uses();
  }

  void rewrite_conv(ir::Node* n) {
    ir::Node* relu = absorbed_relu(n);
    ir::Value* y = relu ? relu->outputs[0] : n->outputs[0];
    const auto yr = ranges_.find(y->name);
    if (yr == ranges_.end()) return;
    const QValue* x = quantized(n->inputs[0]);
    if (!x) return;
    const QuantizedWeight w = quantize_symmetric(*float_constant(n->inputs[1]), 0, per_channel_, qmax_);
    Tensor wzp = Tensor::zeros(DType::Int8, w.scale.shape());
    std::vector<ir::Value*> in = {x->q, x->scale, x->zero_point,
                                  emit_.constant(n->name + "_weight_quantized", w.q),
                                  emit_.constant(n->name + "_weight_scale", w.scale),
                                  emit_.constant(n->name + "_weight_zero_point", wzp)};
    QValue out = params_for(y, yr->second);
    in.push_back(out.scale);
    in.push_back(out.zero_point);
    if (n->inputs.size() > 2 && n->inputs[2])
      in.push_back(emit_.constant(n->name + "_bias_quantized",
                                  quantize_bias(*float_constant(n->inputs[2]), x->p.scale, w.scale)));
    out.q = emit_.value(y->name + "_quantized", DType::UInt8);
    std::vector<ir::Attribute> attrs;
    for (const auto& [k, a] : n->attrs) attrs.push_back(a);
    const std::string name = n->name, label = "quantize_static: Conv '" + n->name + "'" +
                                              (relu ? " + " + relu->op_type + " '" + relu->name + "'" : "") + " -> QLinearConv";
    remove(n);
    if (relu) remove(relu);
    emit_.node(name + "_quant", "QLinearConv", in, {out.q}, attrs);
    replace(y, out);
    labels_.push_back(label);
  }

  void rewrite_dense(const Dense& d) {
    ir::Node* n = d.node;
    const QValue* x = quantized(n->inputs[0]);
    if (!x) return;
    const QuantizedWeight w = quantize_symmetric(d.weight, 1, per_channel_, qmax_);
    // The integer product's scale per column: s_x * s_w.
    Tensor scale(DType::Float32, w.scale.shape());
    for (int64_t c = 0; c < scale.numel(); ++c) scale.data<float>()[c] = x->p.scale * w.scale.data<float>()[c];
    const std::string name = n->name;
    ir::Value* acc = emit_.value(name + "_int32", DType::Int32);
    emit_.node(name + "_MatMulInteger", "MatMulInteger",
               {x->q, emit_.constant(name + "_weight_quantized", w.q), x->zero_point}, {acc});
    if (d.bias) {
      const Tensor bias = d.bias->reshaped({d.bias->numel()});
      ir::Value* biased = emit_.value(name + "_int32_biased", DType::Int32);
      emit_.node(name + "_bias_Add", "Add",
                 {acc, emit_.constant(name + "_bias_quantized", quantize_bias(bias, x->p.scale, w.scale))}, {biased});
      acc = biased;
    }
    ir::Value* f = emit_.value(name + "_float", DType::Float32);
    emit_.node(name + "_Cast", "Cast", {acc}, {f}, {attr_int("to", int64_t(DType::Float32))});
    const std::string label = "quantize_static: " + n->op_type + " '" + name + "'" +
                              (d.bias_add ? " + Add '" + d.bias_add->name + "'" : "") + " -> MatMulInteger";
    remove(n);
    if (d.bias_add) remove(d.bias_add);
    emit_.node(name + "_scale_Mul", "Mul", {f, emit_.constant(name + "_scale", scale)}, {d.output});
    labels_.push_back(label);
  }

  void pass_through(ir::Node* n) {
    const QValue in = qv_.at(n->inputs[0]);
    ir::Value* y = n->outputs[0];
    QValue out = in;
    out.q = emit_.value(y->name + "_quantized", DType::UInt8);
    std::vector<ir::Value*> inputs = n->inputs;
    inputs[0] = in.q;
    std::vector<ir::Attribute> attrs;
    for (const auto& [k, a] : n->attrs) attrs.push_back(a);
    const std::string name = n->name, op = n->op_type;
    remove(n);
    emit_.node(name + "_quant", op, inputs, {out.q}, attrs);
    replace(y, out);
    labels_.push_back("quantize_static: " + op + " '" + name + "' on uint8");
  }

  // `y` is now computed as `q` (its float producer was removed).
  void replace(ir::Value* y, const QValue& q) {
    qv_[y] = q;
    replaced_.push_back(y);
  }

  // A float value whose producer became quantized and that a float node (or the graph
  // output) still reads is recomputed from its uint8 form.
  void dequantize_float_readers() {
    for (ir::Value* y : replaced_) {
      if (y->consumers.empty() && !y->is_output) continue;
      const QValue& q = qv_.at(y);
      emit_.node(y->name + "_DequantizeLinear", "DequantizeLinear", {q.q, q.scale, q.zero_point}, {y});
    }
  }

  int opset_;
  ir::Graph& g_;
  Emitter emit_;
  const std::map<std::string, Range>& ranges_;
  bool per_channel_;
  int qmax_;
  std::map<ir::Value*, QValue> qv_;
  std::vector<ir::Value*> replaced_;
  std::set<ir::Node*> removed_;
  std::vector<std::string> labels_;
};

}  // namespace

std::vector<std::string> static_calibration_tensors(const ir::Graph& g) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  auto add = [&](const ir::Value* v) {
    if (v && is_float(v) && seen.insert(v->name).second) names.push_back(v->name);
  };
  for (const auto& up : g.nodes()) {
    ir::Node* n = up.get();
    if (conv_ok(n)) {
      add(n->inputs[0]);
      const ir::Node* relu = absorbed_relu(n);
      add(relu ? relu->outputs[0] : n->outputs[0]);
    } else if (match_dense(n)) {
      add(n->inputs[0]);
    }
  }
  return names;
}

std::vector<std::string> quantize_static(ir::Model& m, const std::map<std::string, Range>& ranges, bool per_channel,
                                         int weight_qmax) {
  std::vector<std::string> labels = StaticRewriter(m, ranges, per_channel, weight_qmax).run();
  finish_rewrite(m, "static quantization");
  return labels;
}

}  // namespace ember::opt::quantize
