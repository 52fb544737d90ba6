// fuse_layer_norm: layer normalisation as older exporters spell it,
//   mean = ReduceMean(x, trailing axes); d = x - mean; var = ReduceMean(d^2 or d*d)
//   y = d / Sqrt(var + eps) [* gamma] [+ beta]
// becomes ONNX LayerNormalization (axis = first reduced axis) when the model imports ai.onnx
// opset >= 17, else ai.ember LayerNormalization (same semantics, output Y only).
#include <algorithm>

#include "ops/op_util.h"
#include "opt/pattern.h"

namespace ember::opt {
namespace {

// The normalised axis of ReduceMean `n` over x of rank `rank` with keepdims: the reduced axes
// must be the trailing ones, contiguous; -1 otherwise.
int64_t trailing_axis(const ir::Node* n, size_t rank) {
  if (!is_op(n, "ReduceMean") || n->attr_int("keepdims", 1) != 1 || rank == 0) return -1;
  std::vector<int64_t> axes = n->attr_ints("axes");
  if (n->opset >= 18) {
    if (n->inputs.size() < 2 || !n->inputs[1]) return -1;
    const Tensor* t = constant_of(n->inputs[1]);
    if (!t) return -1;
    axes = t->to_int64_vector();
  }
  if (axes.empty()) return -1;
  for (int64_t& a : axes) a = a < 0 ? a + int64_t(rank) : a;
  std::sort(axes.begin(), axes.end());
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != int64_t(rank - axes.size() + i)) return -1;
  return axes[0];
}

struct LnMatch {
  std::vector<const ir::Node*> nodes;
  ir::Value* x = nullptr;
  ir::Value* gamma = nullptr;  // null: ones
  ir::Value* beta = nullptr;   // null: none
  ir::Value* y = nullptr;
  int64_t axis = -1;
  float eps = 0;
  Dims norm;  // normalised shape
};

// gamma / beta must be constants or values of the normalised shape (leading 1s allowed).
bool param_fits(const ir::Value* p, const Dims& norm) {
  std::optional<Dims> s = static_shape(p);
  if (!s || p->type.dtype != DType::Float32) return false;
  while (s->size() > norm.size() && s->front() == 1) s->erase(s->begin());
  return *s == norm;
}

std::optional<LnMatch> match(const ir::Node* mean) {
  LnMatch m;
  m.x = mean->inputs.empty() ? nullptr : mean->inputs[0];
  const std::optional<size_t> rank = rank_of(m.x);
  if (!rank || m.x->type.dtype != DType::Float32) return std::nullopt;
  m.axis = trailing_axis(mean, *rank);
  if (m.axis < 0 || !has_single_use(mean->outputs[0])) return std::nullopt;
  // The normalised dims must be known; the leading ones may be symbolic (batch, sequence).
  for (int64_t a = m.axis; a < int64_t(*rank); ++a) {
    const std::optional<int64_t> d = known_dim(m.x, a);
    if (!d) return std::nullopt;
    m.norm.push_back(*d);
  }
  const ir::Node* sub = sole_consumer(mean->outputs[0]);
  if (!is_op(sub, "Sub") || sub->inputs[0] != m.x || sub->inputs[1] != mean->outputs[0]) return std::nullopt;
  const ir::Value* d = sub->outputs[0];
  // d feeds the square and the division.
  std::vector<const ir::Node*> users;
  for (const ir::Node* c : d->consumers)
    if (std::find(users.begin(), users.end(), c) == users.end()) users.push_back(c);
  if (d->is_output || users.size() != 2) return std::nullopt;
  const ir::Node* div = is_op(users[0], "Div") ? users[0] : users[1];
  const ir::Node* sq = div == users[0] ? users[1] : users[0];
  const bool square = (is_op(sq, "Pow") && sq->inputs[0] == d && is_scalar(sq->inputs[1], 2.0)) ||
                      (is_op(sq, "Mul") && sq->inputs[0] == d && sq->inputs[1] == d);
  if (!square || !is_op(div, "Div") || div->inputs[0] != d || !has_single_use(sq->outputs[0])) return std::nullopt;
  const ir::Node* var = sole_consumer(sq->outputs[0]);
  if (trailing_axis(var, *rank) != m.axis || !has_single_use(var->outputs[0])) return std::nullopt;
  const ir::Node* add_eps = sole_consumer(var->outputs[0]);
  const std::optional<double> eps = is_op(add_eps, "Add") ? scalar_of(other_input(add_eps, var->outputs[0])) : std::nullopt;
  if (!eps || *eps < 0 || !has_single_use(add_eps->outputs[0])) return std::nullopt;
  const ir::Node* sqrt = sole_consumer(add_eps->outputs[0]);
  if (!is_op(sqrt, "Sqrt") || !has_single_use(sqrt->outputs[0]) || sole_consumer(sqrt->outputs[0]) != div ||
      div->inputs[1] != sqrt->outputs[0])
    return std::nullopt;
  m.eps = float(*eps);
  m.nodes = {mean, sub, sq, var, add_eps, sqrt, div};
  m.y = div->outputs[0];
  const ir::Node* mul = sole_consumer(m.y);
  if (is_op(mul, "Mul") && param_fits(other_input(mul, m.y), m.norm)) {
    m.gamma = other_input(mul, m.y);
    m.nodes.push_back(mul);
    m.y = mul->outputs[0];
  }
  const ir::Node* add = sole_consumer(m.y);
  if (is_op(add, "Add") && param_fits(other_input(add, m.y), m.norm)) {
    m.beta = other_input(add, m.y);
    m.nodes.push_back(add);
    m.y = add->outputs[0];
  }
  return m;
}

// `p` reshaped to the normalised shape when it had leading 1s (LayerNormalization's scale is
// broadcast unidirectionally, so [1, 1, C] would still work, but [C] is what kernels expect).
ir::Value* param_value(ir::Graph& g, ir::Value* p, const Dims& norm, float fill, const std::string& hint) {
  if (!p) {
    Tensor t(DType::Float32, norm);
    std::fill(t.data<float>(), t.data<float>() + t.numel(), fill);
    return edit::add_initializer(g, hint, std::move(t));
  }
  if (p->type.static_dims() == norm || !constant_of(p)) return p;
  return edit::add_initializer(g, hint, constant_of(p)->clone().reshaped(norm));
}

class FuseLayerNorm final : public Pass {
 public:
  const char* name() const override { return "fuse_layer_norm"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext& ctx) const override {
    std::vector<Rewrite> out;
    Claims claims;
    const bool onnx17 = onnx_opset(ctx) >= 17;
    for (const auto& up : g.nodes()) {
      if (!is_op(up.get(), "ReduceMean")) continue;
      std::optional<LnMatch> m = match(up.get());
      if (!m || !claims.claim(m->nodes)) continue;
      const int opset = onnx_opset(ctx);
      out.push_back({std::string(name()) + ": " + join_names(m->nodes), [m = *m, onnx17, opset](ir::Graph& gr) {
                       const std::string base = m.nodes.back()->name;
                       ir::Value* gamma = param_value(gr, m.gamma, m.norm, 1.0f, base + "_gamma");
                       ir::Value* beta = m.beta ? param_value(gr, m.beta, m.norm, 0.0f, base + "_beta") : nullptr;
                       NewNode n{"LayerNormalization", onnx17 ? "" : kEmberDomain, onnx17 ? opset : 1,
                                 {m.x, gamma}, {m.y},
                                 {attr_int("axis", m.axis), attr_float("epsilon", m.eps)}};
                       if (beta) n.inputs.push_back(beta);
                       replace_with(gr, m.nodes, std::move(n));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_layer_norm() { return std::make_unique<FuseLayerNorm>(); }

}  // namespace ember::opt
