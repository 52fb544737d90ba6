// fuse_attention: multi-head self-attention as transformer exporters write it,
//   qh = Transpose(Reshape(q, [B, S, H, Dh]), 0 2 1 3)      (likewise vh)
//   kt = Transpose(Reshape(k, [B, T, H, Dh]), 0 2 3 1)
//   p  = Softmax(scale * (qh @ kt) [+ mask], last axis)      (scale: Div or Mul by a constant,
//                                                             on qh, on kt or after the MatMul)
//   p  = Where(IsNaN(p), 0, p)                             (optional: PyTorch's export of
//                                                             scaled_dot_product_attention)
//   y  = Reshape(Transpose(p @ vh, 0 2 1 3), [B, S, H*Dv])
// becomes ai.ember Attention(q, k, v[, mask]) with num_heads = H, the product of the scales and,
// with the NaN guard, nan_probs_to_zero = 1.
// The projections that produce q, k, v stay (FusedMatMul after fuse_matmul_add).
#include <algorithm>

#include "opt/pattern.h"

namespace ember::opt {
namespace {

bool perm_is(const ir::Node* t, std::vector<int64_t> perm) {
  return is_op(t, "Transpose") && t->attr_ints("perm") == perm;
}

// A constant scale applied by `n` to `v`: Mul(v, c) / Mul(c, v) -> c, Div(v, c) -> 1/c.
std::optional<double> scale_by(const ir::Node* n, const ir::Value* v) {
  if (!n || n->inputs.size() != 2) return std::nullopt;
  if (is_op(n, "Mul")) return scalar_of(other_input(n, v));
  if (is_op(n, "Div") && n->inputs[0] == v) {
    const std::optional<double> c = scalar_of(n->inputs[1]);
    if (c && *c != 0) return 1.0 / *c;
  }
  return std::nullopt;
}

// True when `v` is a MatMul's output, possibly scaled once by Mul / Div.
bool leads_to_scores(const ir::Value* v) {
  const ir::Node* p = v ? v->producer : nullptr;
  if (is_op(p, "MatMul")) return true;
  if (!is_op(p, "Mul") && !is_op(p, "Div")) return false;
  for (const ir::Value* in : p->inputs)
    if (in && is_op(in->producer, "MatMul")) return true;
  return false;
}

struct AttnMatch {
  std::vector<const ir::Node*> nodes;
  ir::Value *q = nullptr, *k = nullptr, *v = nullptr, *mask = nullptr, *y = nullptr;
  int64_t heads = 0;
  double scale = 1.0;
  bool nan_probs_to_zero = false;
  // Shape nodes reading the merged heads [B, S, H, Dv] (exports with dynamic axes compute the
  // merge Reshape's target from them); the rewrite feeds their users an equivalent value.
  std::vector<const ir::Node*> merge_shapes;
  int64_t head_size_v = 0;
};

// The consumers of the merged heads: exactly one Reshape, plus plain Shape nodes (no start /
// end), which only read its dims. Returns the Reshape, or null.
const ir::Node* merge_reshape(const ir::Value* merged, AttnMatch& m) {
  if (merged->is_output) return nullptr;
  const ir::Node* flat = nullptr;
  for (const ir::Node* c : merged->consumers) {
    if (is_op(c, "Shape") && !c->has_attr("start") && !c->has_attr("end") && edit::can_redirect(c->outputs[0])) {
      if (std::find(m.merge_shapes.begin(), m.merge_shapes.end(), c) == m.merge_shapes.end()) m.merge_shapes.push_back(c);
    } else if (is_op(c, "Reshape") && c->inputs[0] == merged && (!flat || flat == c)) {
      flat = c;
    } else {
      return nullptr;
    }
  }
  // The replacement value needs Slice with inputs (opset 10).
  return flat && (m.merge_shapes.empty() || flat->opset >= 10) ? flat : nullptr;
}

// [B, S, H, Dv] as Concat(Slice(Shape(q), 0, 2), [H, Dv]): the value the merged heads' Shape
// nodes produced, rebuilt from q (which the fused node keeps), so they can go with the heads.
ir::Value* merged_heads_shape(ir::Graph& g, const AttnMatch& m, int opset) {
  auto node = [&](const char* op, std::vector<ir::Value*> in, std::vector<ir::Attribute> attrs = {}) {
    ir::Value* out = g.add_temp_value(m.y->name + "_shape");
    edit::make_node(g, {op, "", opset, std::move(in), {out}, std::move(attrs), out->name});
    return out;
  };
  auto ints = [&](const char* hint, std::vector<int64_t> v) {
    Tensor t(DType::Int64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.data<int64_t>());
    return edit::add_initializer(g, m.y->name + hint, std::move(t));
  };
  ir::Value* lead = node("Slice", {node("Shape", {m.q}), ints("_zero", {0}), ints("_two", {2})});
  return node("Concat", {lead, ints("_heads", {m.heads, m.head_size_v})}, {attr_int("axis", 0)});
}

// Walks up from a MatMul operand through an optional scale to Transpose(Reshape(x)) with
// the given perm; returns x (rank 3, [B, S, H*D]) and records the nodes, heads and scale.
ir::Value* split_heads(ir::Value* operand, const std::vector<int64_t>& perm, AttnMatch& m) {
  ir::Value* cur = operand;
  const ir::Node* s = cur->producer;
  if (s && (is_op(s, "Mul") || is_op(s, "Div")) && has_single_use(cur)) {
    for (ir::Value* in : s->inputs) {
      const std::optional<double> c = in ? scale_by(s, in) : std::nullopt;
      if (c && in->producer && is_op(in->producer, "Transpose")) {
        m.scale *= *c;
        m.nodes.push_back(s);
        cur = in;
        break;
      }
    }
  }
  const ir::Node* t = cur->producer;
  if (!perm_is(t, perm) || !has_single_use(cur)) return nullptr;
  ir::Value* r4 = t->inputs[0];
  const ir::Node* r = producer_of(r4, "Reshape");
  if (!r || !has_single_use(r4)) return nullptr;
  ir::Value* x = r->inputs[0];
  // Batch and sequence may be symbolic (dynamic axes); heads, head size and width must be known.
  if (rank_of(x) != 3u || rank_of(r4) != 4u || x->type.dtype != DType::Float32) return nullptr;
  const std::vector<ir::Dim>&xd = x->type.dims, &rd = r4->type.dims;
  const std::optional<int64_t> width = known_dim(x, 2), heads = known_dim(r4, 2), size = known_dim(r4, 3);
  if (!same_dim(rd[0], xd[0]) || !same_dim(rd[1], xd[1]) || !width || !heads || !size || *heads * *size != *width)
    return nullptr;
  if (m.heads && m.heads != *heads) return nullptr;
  m.heads = *heads;
  m.nodes.insert(m.nodes.end(), {r, t});
  return x;
}

// Where(IsNaN(p), 0, p) reading the Softmax output p, as the only two consumers of p: PyTorch
// writes it after the Softmax of scaled_dot_product_attention, because a query whose keys are all
// masked with -inf gets a row of NaN there. Returns the Where (its IsNaN into `isnan`), or null.
const ir::Node* nan_guard(const ir::Value* p, const ir::Node** isnan) {
  if (p->is_output || p->consumers.size() != 2) return nullptr;
  const ir::Node* test = nullptr;
  const ir::Node* where = nullptr;
  for (const ir::Node* c : p->consumers) {
    if (is_op(c, "IsNaN")) test = c;
    else if (is_op(c, "Where")) where = c;
  }
  if (!test || !where || !has_single_use(test->outputs[0]) || where->inputs.size() != 3) return nullptr;
  if (where->inputs[0] != test->outputs[0] || where->inputs[2] != p) return nullptr;
  const std::optional<double> zero = scalar_of(where->inputs[1]);
  if (!zero || *zero != 0.0) return nullptr;
  if (!same_shape(p, where->outputs[0])) return nullptr;  // no broadcast
  *isnan = test;
  return where;
}

std::optional<AttnMatch> match(const ir::Node* sm) {
  ir::Value* in = sm->inputs.empty() ? nullptr : sm->inputs[0];
  if (rank_of(in) != 4u || in->type.dtype != DType::Float32) return std::nullopt;
  const int64_t axis = sm->attr_int("axis", sm->opset < 13 ? 1 : -1);
  if (axis != -1 && axis != 3) return std::nullopt;
  AttnMatch m;
  m.nodes = {sm};
  // Optional mask Add: the side that leads back to the score MatMul is the scores.
  ir::Value* scores = in;
  if (const ir::Node* add = producer_of(in, "Add"); add && has_single_use(in) && add->inputs.size() == 2) {
    for (size_t i = 0; i < 2; ++i) {
      if (leads_to_scores(add->inputs[i])) {
        scores = add->inputs[i];
        m.mask = add->inputs[1 - i];
        break;
      }
    }
    if (!m.mask) return std::nullopt;
    // Each mask dim broadcasts (1) or matches the scores' dim. Dims known only at run time
    // (symbolic) pass here: the Attention kernel checks the same broadcast rule on every run
    // and fails with ShapeMismatch, never a wrong answer.
    const std::optional<size_t> mr = rank_of(m.mask);
    if (!mr || *mr > 4 || m.mask->type.dtype != DType::Float32) return std::nullopt;
    for (size_t d = 0; d < *mr; ++d) {
      const ir::Dim &md = m.mask->type.dims[*mr - 1 - d], &sd = in->type.dims[3 - d];
      if (md.known() && sd.known() && md.value != 1 && md.value != sd.value) return std::nullopt;
    }
    m.nodes.push_back(add);
  }
  if (!has_single_use(scores)) return std::nullopt;
  // Optional scale after the MatMul.
  const ir::Node* mm = scores->producer;
  if (!is_op(mm, "MatMul")) {
    ir::Value* mm_out = nullptr;
    for (ir::Value* x : mm ? mm->inputs : std::vector<ir::Value*>{})
      if (x && is_op(x->producer, "MatMul") && scale_by(mm, x)) mm_out = x;
    if (!mm_out || !has_single_use(mm_out)) return std::nullopt;
    m.scale *= *scale_by(mm, mm_out);
    m.nodes.push_back(mm);
    mm = mm_out->producer;
  }
  m.nodes.push_back(mm);
  m.q = split_heads(mm->inputs[0], {0, 2, 1, 3}, m);
  m.k = m.q ? split_heads(mm->inputs[1], {0, 2, 3, 1}, m) : nullptr;
  if (!m.k) return std::nullopt;
  // Softmax [-> NaN guard] -> MatMul(p, vh) -> Transpose(0 2 1 3) -> Reshape [B, S, H*Dv].
  const ir::Value* probs = sm->outputs[0];
  const ir::Node* isnan = nullptr;
  if (const ir::Node* guard = nan_guard(probs, &isnan)) {
    m.nodes.insert(m.nodes.end(), {isnan, guard});
    m.nan_probs_to_zero = true;
    probs = guard->outputs[0];
  }
  const ir::Node* pv = sole_consumer(probs);
  if (!is_op(pv, "MatMul") || pv->inputs[0] != probs) return std::nullopt;
  m.nodes.push_back(pv);
  m.v = split_heads(pv->inputs[1], {0, 2, 1, 3}, m);
  if (!m.v) return std::nullopt;
  const ir::Node* merge = sole_consumer(pv->outputs[0]);
  if (!perm_is(merge, {0, 2, 1, 3})) return std::nullopt;
  const ir::Node* flat = merge_reshape(merge->outputs[0], m);
  if (!flat) return std::nullopt;
  const ir::Value* y = flat->outputs[0];
  if (rank_of(y) != 3u || !same_dim(y->type.dims[0], m.q->type.dims[0]) ||
      !same_dim(y->type.dims[1], m.q->type.dims[1]) || !same_dim(y->type.dims[2], m.v->type.dims[2]))
    return std::nullopt;
  m.nodes.insert(m.nodes.end(), {merge, flat});
  m.y = flat->outputs[0];
  m.head_size_v = *known_dim(m.v, 2) / m.heads;
  return m;
}

class FuseAttention final : public Pass {
 public:
  const char* name() const override { return "fuse_attention"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      if (!is_op(up.get(), "Softmax")) continue;
      std::optional<AttnMatch> m = match(up.get());
      if (!m || !claims.claim(m->nodes)) continue;
      out.push_back({std::string(name()) + ": " + m->nodes.front()->name + " (" + std::to_string(m->nodes.size()) +
                         " nodes)",
                     [m = *m](ir::Graph& gr) {
                       if (!m.merge_shapes.empty()) {
                         ir::Value* shape = merged_heads_shape(gr, m, m.nodes.back()->opset);
                         for (const ir::Node* s : m.merge_shapes) {
                           edit::redirect_uses(gr, s->outputs[0], shape);
                           edit::remove_node(gr, const_cast<ir::Node*>(s));
                         }
                       }
                       NewNode n{"Attention", kEmberDomain, 1, {m.q, m.k, m.v}, {m.y},
                                 {attr_int("num_heads", m.heads), attr_float("scale", float(m.scale))}};
                       if (m.mask) n.inputs.push_back(m.mask);
                       if (m.nan_probs_to_zero) n.attrs.push_back(attr_int("nan_probs_to_zero", 1));
                       replace_with(gr, m.nodes, std::move(n));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_attention() { return std::make_unique<FuseAttention>(); }

}  // namespace ember::opt
