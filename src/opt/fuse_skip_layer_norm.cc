// fuse_skip_layer_norm: a residual sum feeding a last-axis layer norm,
//   S = Add(X, skip) [with X = Add(X0, bias [C]) or skip = Add(skip0, bias)]; Y = LayerNorm(S)
// becomes ai.ember SkipLayerNormalization(X, skip, gamma, beta, bias). When S has other uses
// (the next residual), the fused node also produces it as output 1.
#include "opt/pattern.h"

namespace ember::opt {
namespace {

bool is_layer_norm(const ir::Node* n) {
  return (is_op(n, "LayerNormalization") || is_op(n, "LayerNormalization", kEmberDomain)) && n->inputs.size() >= 2 &&
         n->inputs[0] && n->inputs[1] && n->attr_int("stash_type", 1) == 1;
}

bool channel_vector(const ir::Value* v, int64_t C) {
  const std::optional<Dims> s = static_shape(v);
  return s && v->type.dtype == DType::Float32 && s->size() == 1 && (*s)[0] == C;
}

struct SkipMatch {
  std::vector<const ir::Node*> nodes;
  ir::Value *x = nullptr, *skip = nullptr, *bias = nullptr, *gamma = nullptr, *beta = nullptr;
  ir::Value *y = nullptr, *sum = nullptr;
  bool sum_used = false;
};

std::optional<SkipMatch> match(const ir::Node* ln) {
  ir::Value* s = ln->inputs[0];
  // The channel dim must be known; the leading ones may be symbolic (batch, sequence).
  const std::optional<int64_t> channels = known_dim(s, -1);
  if (!channels || s->type.dtype != DType::Float32) return std::nullopt;
  const int64_t rank = int64_t(*rank_of(s)), C = *channels;
  const int64_t axis = ln->attr_int("axis", -1);
  if (axis != -1 && axis != rank - 1) return std::nullopt;
  for (size_t i = 1; i < ln->outputs.size(); ++i)
    if (ln->outputs[i] && (ln->outputs[i]->is_output || !ln->outputs[i]->consumers.empty())) return std::nullopt;
  SkipMatch m;
  m.gamma = ln->inputs[1];
  m.beta = ln->inputs.size() > 2 ? ln->inputs[2] : nullptr;
  if (!channel_vector(m.gamma, C) || (m.beta && !channel_vector(m.beta, C))) return std::nullopt;
  const ir::Node* add = producer_of(s, "Add");
  if (!add || add->inputs.size() != 2 || add->inputs[0] == add->inputs[1]) return std::nullopt;
  for (const ir::Value* in : add->inputs)
    if (!same_shape(in, s) || in->type.dtype != DType::Float32) return std::nullopt;
  m.x = add->inputs[0];
  m.skip = add->inputs[1];
  m.sum = s;
  m.sum_used = s->is_output || s->consumers.size() > 1;
  m.nodes = {add, ln};
  // A bias Add on either side, folded in when its result has no other use.
  for (ir::Value** side : {&m.x, &m.skip}) {
    const ir::Node* b = producer_of(*side, "Add");
    if (!b || !has_single_use(*side) || b->inputs.size() != 2) continue;
    for (size_t i = 0; i < 2; ++i)
      if (channel_vector(b->inputs[i], C) && same_shape(b->inputs[1 - i], s)) {
        m.bias = b->inputs[i];
        *side = b->inputs[1 - i];
        m.nodes.insert(m.nodes.begin(), b);
        break;
      }
    if (m.bias) break;
  }
  m.y = ln->outputs[0];
  return m;
}

class FuseSkipLayerNorm final : public Pass {
 public:
  const char* name() const override { return "fuse_skip_layer_norm"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* ln = up.get();
      if (!is_layer_norm(ln)) continue;
      std::optional<SkipMatch> m = match(ln);
      if (!m || !claims.claim(m->nodes)) continue;
      out.push_back({std::string(name()) + ": " + join_names(m->nodes), [m = *m, ln](ir::Graph& gr) {
                       NewNode n{"SkipLayerNormalization", kEmberDomain, 1,
                                 {m.x, m.skip, m.gamma, m.beta, m.bias}, {m.y},
                                 {attr_float("epsilon", ln->attr_float("epsilon", 1e-5f))}};
                       while (!n.inputs.back()) n.inputs.pop_back();
                       if (m.sum_used) n.outputs.push_back(m.sum);
                       replace_with(gr, m.nodes, std::move(n));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_skip_layer_norm() { return std::make_unique<FuseSkipLayerNorm>(); }

}  // namespace ember::opt
