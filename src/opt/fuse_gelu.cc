// fuse_gelu: GELU spelled with elementary ops becomes one ai.ember Gelu.
//   erf form:  x * 0.5 * (1 + Erf(x / sqrt 2))        (x * (1/sqrt 2) also accepted)
//   tanh form: x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))   (x^3: Pow(x, 3),
//              x * (x * x) or (x * x) * x)
// The final product x * 0.5 * (1 + f) is matched in its three associations:
//   (x * (1 + f)) * 0.5,  x * ((1 + f) * 0.5),  (x * 0.5) * (1 + f)  (operands either way round).
#include <cmath>

#include "opt/pattern.h"

namespace ember::opt {
namespace {

struct GeluMatch {
  std::vector<const ir::Node*> nodes;
  ir::Value* x = nullptr;
  ir::Value* y = nullptr;
};

// The single consumer of `v` when it is `op`.
const ir::Node* next(const ir::Value* v, const char* op) {
  const ir::Node* n = sole_consumer(v);
  return is_op(n, op) && n->inputs.size() == 2 ? n : nullptr;
}

// From `f` (Erf or Tanh output): 1 + f, then the product with x and 0.5. Appends to m.
bool match_tail(const ir::Value* f, GeluMatch& m) {
  const ir::Node* add = next(f, "Add");
  if (!add || !is_scalar(other_input(add, f), 1.0)) return false;
  const ir::Value* p = add->outputs[0];
  const ir::Node* m1 = next(p, "Mul");
  if (!m1) return false;
  m.nodes.insert(m.nodes.end(), {add, m1});
  const ir::Value* o = other_input(m1, p);
  if (is_scalar(o, 0.5)) {  // x * ((1 + f) * 0.5)
    const ir::Node* m2 = next(m1->outputs[0], "Mul");
    if (!m2 || other_input(m2, m1->outputs[0]) != m.x) return false;
    m.nodes.push_back(m2);
    m.y = m2->outputs[0];
    return true;
  }
  if (o == m.x) {  // (x * (1 + f)) * 0.5
    const ir::Node* m2 = next(m1->outputs[0], "Mul");
    if (!m2 || !is_scalar(other_input(m2, m1->outputs[0]), 0.5)) return false;
    m.nodes.push_back(m2);
    m.y = m2->outputs[0];
    return true;
  }
  // (x * 0.5) * (1 + f)
  const ir::Node* half = o ? o->producer : nullptr;
  if (!is_op(half, "Mul") || !has_single_use(o) || !is_scalar(other_input(half, m.x), 0.5)) return false;
  m.nodes.push_back(half);
  m.y = m1->outputs[0];
  return true;
}

// Erf(x / sqrt 2) or Erf(x * (1 / sqrt 2)).
std::optional<GeluMatch> match_erf(const ir::Node* erf) {
  const ir::Value* u = erf->inputs.empty() ? nullptr : erf->inputs[0];
  const ir::Node* scale = u ? u->producer : nullptr;
  if (!scale || !has_single_use(u) || scale->inputs.size() != 2) return std::nullopt;
  GeluMatch m;
  if (is_op(scale, "Div") && is_scalar(scale->inputs[1], std::sqrt(2.0))) m.x = scale->inputs[0];
  else if (is_op(scale, "Mul") && is_scalar(scale->inputs[1], std::sqrt(0.5))) m.x = scale->inputs[0];
  else if (is_op(scale, "Mul") && is_scalar(scale->inputs[0], std::sqrt(0.5))) m.x = scale->inputs[1];
  else return std::nullopt;
  m.nodes = {scale, erf};
  if (!has_single_use(erf->outputs[0]) || !match_tail(erf->outputs[0], m)) return std::nullopt;
  return m;
}

// x^3 as Pow(x, 3), x * (x * x) or (x * x) * x; appends its nodes.
bool is_cube_of(const ir::Value* c, const ir::Value* x, std::vector<const ir::Node*>& nodes) {
  const ir::Node* n = c ? c->producer : nullptr;
  if (!n || !has_single_use(c) || n->inputs.size() != 2) return false;
  if (is_op(n, "Pow")) {
    if (n->inputs[0] != x || !is_scalar(n->inputs[1], 3.0)) return false;
    nodes.push_back(n);
    return true;
  }
  if (!is_op(n, "Mul")) return false;
  const ir::Value* sq = other_input(n, x);
  const ir::Node* s = sq ? sq->producer : nullptr;
  if (!is_op(s, "Mul") || !has_single_use(sq) || s->inputs[0] != x || s->inputs[1] != x) return false;
  nodes.insert(nodes.end(), {s, n});
  return true;
}

// Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)).
std::optional<GeluMatch> match_tanh(const ir::Node* tanh) {
  const ir::Value* t = tanh->inputs.empty() ? nullptr : tanh->inputs[0];
  const ir::Node* k = t ? t->producer : nullptr;
  if (!is_op(k, "Mul") || !has_single_use(t) || k->inputs.size() != 2) return std::nullopt;
  const double c = std::sqrt(2.0 / M_PI);
  const ir::Value* s = is_scalar(k->inputs[1], c) ? k->inputs[0] : is_scalar(k->inputs[0], c) ? k->inputs[1] : nullptr;
  const ir::Node* add = s ? s->producer : nullptr;
  if (!is_op(add, "Add") || !has_single_use(s) || add->inputs.size() != 2) return std::nullopt;
  for (size_t i = 0; i < 2; ++i) {
    GeluMatch m;
    m.x = add->inputs[i];
    const ir::Value* cv = add->inputs[1 - i];
    const ir::Node* cm = cv->producer;
    if (!is_op(cm, "Mul") || !has_single_use(cv) || cm->inputs.size() != 2) continue;
    const ir::Value* cube = is_scalar(cm->inputs[1], 0.044715) ? cm->inputs[0]
                            : is_scalar(cm->inputs[0], 0.044715) ? cm->inputs[1] : nullptr;
    if (!is_cube_of(cube, m.x, m.nodes)) continue;
    m.nodes.insert(m.nodes.end(), {cm, add, k, tanh});
    if (!has_single_use(tanh->outputs[0]) || !match_tail(tanh->outputs[0], m)) return std::nullopt;
    return m;
  }
  return std::nullopt;
}

class FuseGelu final : public Pass {
 public:
  const char* name() const override { return "fuse_gelu"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* n = up.get();
      const bool erf = is_op(n, "Erf");
      if (!erf && !is_op(n, "Tanh")) continue;
      std::optional<GeluMatch> m = erf ? match_erf(n) : match_tanh(n);
      if (!m || !m->x || m->x->type.dtype != DType::Float32 || !claims.claim(m->nodes)) continue;
      out.push_back({std::string(name()) + ": " + join_names(m->nodes), [m = *m, erf](ir::Graph& gr) {
                       replace_with(gr, m.nodes, NewNode{"Gelu", kEmberDomain, 1, {m.x}, {m.y},
                                                         {attr_string("approximate", erf ? "none" : "tanh")}});
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_gelu() { return std::make_unique<FuseGelu>(); }

}  // namespace ember::opt
