// fuse_dequantize_residual_add: the float tail of an int8 residual block as one node.
//   DequantizeLinear(x: 8-bit [N, C, ...]) [-> Mul by a per-channel constant]
//   [-> Add of a per-channel constant] -> Add(., R: float, x's shape) [-> Relu]
//   [-> QuantizeLinear per tensor]                  => ai.ember DequantizeResidualAdd
// onnxruntime's static quantizer (QOperator, Conv only) leaves each ResNet bottleneck's end in
// float: QLinearConv -> DQ -> batch-norm Mul / Add -> residual Add -> Relu -> Q (for the next
// block's convolutions), the float result also being the next block's residual. Six passes
// over the block's output took ~18 % of an int8 ResNet-50 run (`ember bench --profile`, 1
// thread, VNNI), as much as a third of its convolutions. The fused node does the same float
// operations in the same order (op: src/ops/quant/dequantize_residual_add.h), so its outputs
// are bit for bit the chain's; the quantized output takes over the QuantizeLinear's value.
#include "opt/pattern.h"

namespace ember::opt {
namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

bool is_float(const ir::Value* v) { return v && v->type.dtype == DType::Float32; }

// A one-element constant of type t.
bool scalar_constant(const ir::Value* v, DType t) {
  const Tensor* c = constant_of(v);
  return c && c->numel() == 1 && c->dtype() == t;
}

// DequantizeLinear of an 8-bit [N, C, ...] value of static shape, per tensor, constants only.
bool is_start(const ir::Node* dq) {
  if (!is_op(dq, "DequantizeLinear") || dq->inputs.size() < 2 || !dq->inputs[0] || dq->outputs.size() != 1 ||
      !is_float(dq->outputs[0]) || dq->attr_int("block_size", 0) != 0)
    return false;
  const ir::Value* x = dq->inputs[0];
  if (!is_8bit(x->type.dtype) || !static_shape(x) || x->type.dims.size() < 2) return false;
  if (!scalar_constant(dq->inputs[1], DType::Float32)) return false;
  return dq->inputs.size() < 3 || !dq->inputs[2] || scalar_constant(dq->inputs[2], x->type.dtype);
}

// QuantizeLinear of v to 8 bits, per tensor, constants only.
bool is_end(const ir::Node* q, const ir::Value* v) {
  if (!is_op(q, "QuantizeLinear") || q->inputs.size() < 2 || q->inputs[0] != v || q->outputs.size() != 1) return false;
  if (q->has_attr("output_dtype") || q->has_attr("precision") || q->attr_int("block_size", 0) != 0) return false;
  if (!scalar_constant(q->inputs[1], DType::Float32)) return false;
  if (q->inputs.size() < 3 || !q->inputs[2]) return true;
  const Tensor* zp = constant_of(q->inputs[2]);
  return zp && zp->numel() == 1 && is_8bit(zp->dtype());
}

// When `n` is op_type of a computed float value and a per-channel float constant: that constant.
const ir::Value* channel_operand(const ir::Node* n, const char* op_type, size_t rank) {
  if (!is_op(n, op_type) || n->inputs.size() != 2 || n->outputs.size() != 1 || !is_float(n->outputs[0])) return nullptr;
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value* c = n->inputs[i];
    const ir::Value* v = n->inputs[1 - i];
    if (c && v && is_float(c) && is_float(v) && per_channel_constant(c, rank) && !constant_of(v)) return c;
  }
  return nullptr;
}

// The constant's values as a 1-D tensor (1 or C elements), or an undefined tensor when it has
// another count.
Tensor channel_vector(const ir::Value* v, int64_t C) {
  const Tensor& t = *constant_of(v);
  if (t.numel() != 1 && t.numel() != C) return Tensor();
  Tensor out(DType::Float32, {t.numel()});
  for (int64_t i = 0; i < t.numel(); ++i) out.data<float>()[i] = t.data<float>()[i];
  return out;
}

struct Match {
  std::vector<const ir::Node*> nodes;  // DQ [Mul] [Add] Add [Relu] [Q], in order
  const ir::Node* dq = nullptr;
  const ir::Value* mul = nullptr;
  const ir::Value* shift = nullptr;
  ir::Value* residual = nullptr;
  ir::Value* y = nullptr;  // the float result
  const ir::Node* q = nullptr;
  bool relu = false;
};

// The chain feeding input `side` of the residual Add `add`, backwards to a DequantizeLinear.
std::optional<Match> match_side(const ir::Node* add, size_t side) {
  Match m;
  const ir::Value* v = add->inputs[side];
  ir::Value* r = add->inputs[1 - side];
  if (!is_float(v) || !is_float(r) || constant_of(r) || !has_single_use(v)) return std::nullopt;
  std::vector<const ir::Node*> back;
  const ir::Node* p = v->producer;
  const size_t rank = r->type.dims.size();
  if ((m.shift = channel_operand(p, "Add", rank))) {
    back.push_back(p);
    v = other_input(p, m.shift);
    if (!has_single_use(v)) return std::nullopt;
    p = v->producer;
  }
  if ((m.mul = channel_operand(p, "Mul", rank))) {
    back.push_back(p);
    v = other_input(p, m.mul);
    if (!has_single_use(v)) return std::nullopt;
    p = v->producer;
  }
  if (!is_start(p) || p->outputs[0] != v) return std::nullopt;
  const std::optional<Dims> xs = static_shape(p->inputs[0]), rs = static_shape(r), ys = static_shape(add->outputs[0]);
  if (!rs || !ys || *xs != *rs || *xs != *ys) return std::nullopt;  // no broadcasting
  m.dq = p;
  m.residual = r;
  m.nodes.push_back(p);
  m.nodes.insert(m.nodes.end(), back.rbegin(), back.rend());
  m.nodes.push_back(add);
  return m;
}

class FuseDequantizeResidualAdd final : public Pass {
 public:
  const char* name() const override { return "fuse_dequantize_residual_add"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* add = up.get();
      if (!is_op(add, "Add") || add->inputs.size() != 2 || add->outputs.size() != 1 || !is_float(add->outputs[0]))
        continue;
      std::optional<Match> m = match_side(add, 0);
      if (!m) m = match_side(add, 1);
      if (!m) continue;
      m->y = add->outputs[0];
      if (const ir::Node* relu = sole_consumer(m->y); is_op(relu, "Relu") && relu->outputs.size() == 1) {
        m->nodes.push_back(relu);
        m->y = relu->outputs[0];
        m->relu = true;
      }
      for (const ir::Node* c : m->y->consumers)
        if (is_end(c, m->y) && claims.free({c})) {
          m->q = c;
          m->nodes.push_back(c);
          break;
        }
      const int64_t C = m->dq->inputs[0]->type.dims[1].value;
      const Tensor mul = m->mul ? channel_vector(m->mul, C) : Tensor(), shift = m->shift ? channel_vector(m->shift, C) : Tensor();
      if ((m->mul && !mul.defined()) || (m->shift && !shift.defined())) continue;
      if (!claims.claim(m->nodes)) continue;
      out.push_back({std::string(name()) + ": " + join_names(m->nodes), [m = *m, mul, shift](ir::Graph& gr) {
                       for (const ir::Node* n : m.nodes)
                         if (!edit::contains(gr, n)) return;
                       const ir::Node* dq = m.dq;
                       ir::Value* mv = m.mul ? edit::add_initializer(gr, dq->name + "_mul", mul) : nullptr;
                       ir::Value* sv = m.shift ? edit::add_initializer(gr, dq->name + "_shift", shift) : nullptr;
                       ir::Value* xzp = dq->inputs.size() > 2 ? dq->inputs[2] : nullptr;
                       std::vector<ir::Value*> in = {dq->inputs[0], dq->inputs[1], xzp, mv, sv, m.residual};
                       std::vector<ir::Value*> outs = {m.y};
                       if (m.q) {
                         in.push_back(m.q->inputs[1]);
                         in.push_back(m.q->inputs.size() > 2 ? m.q->inputs[2] : nullptr);
                         outs.push_back(m.q->outputs[0]);
                       }
                       NewNode f{"DequantizeResidualAdd", kEmberDomain, 1, in, outs, {attr_int("relu", m.relu)}};
                       replace_with(gr, m.nodes, std::move(f));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_dequantize_residual_add() { return std::make_unique<FuseDequantizeResidualAdd>(); }

}  // namespace ember::opt
