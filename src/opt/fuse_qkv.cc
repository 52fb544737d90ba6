// fuse_qkv: the three projections of a self-attention block as one GEMM.
//   q = FusedMatMul(x, Wq, bq), k = FusedMatMul(x, Wk, bk), v = FusedMatMul(x, Wv, bv)
//   y = Attention(q, k, v[, mask])
// becomes
//   qkv = FusedMatMul(x, [Wq | Wk | Wv], [bq | bk | bv])      (weights concatenated by columns)
//   y   = Attention(qkv, -, -[, mask])                        (the packed form, ember_ops.md)
// so x is read and packed once, and at 2 threads one parallel GEMM of N = 3*768 replaces three
// of N = 768 each waiting for its slower half (BERT-base: benchmarks/RESULTS.md, level 3).
// Level 3: only the packed Attention kernel reads the merged output.
#include <algorithm>
#include <array>
#include <cstring>

#include "opt/pattern.h"

namespace ember::opt {
namespace {

// A plain projection of `x`: FusedMatMul(x, W [K, N] constant) with an optional constant bias
// [N], no transposes, scale, residual or activation, read only by the Attention.
struct Projection {
  const ir::Node* node = nullptr;
  const Tensor* weight = nullptr;
  const Tensor* bias = nullptr;  // null: none
};

std::optional<Projection> projection(const ir::Value* out) {
  const ir::Node* p = out ? producer_of(out, "FusedMatMul", kEmberDomain) : nullptr;
  if (!p || !has_single_use(out) || p->outputs.size() != 1 || p->explicit_input_count() < 2) return std::nullopt;
  if (p->attr_int("transA", 0) != 0 || p->attr_int("transB", 0) != 0 || p->attr_float("alpha", 1.0f) != 1.0f ||
      has_activation(p) || (p->inputs.size() > 3 && p->inputs[3]))
    return std::nullopt;
  Projection r{p, constant_of(p->inputs[1]), nullptr};
  if (!r.weight || r.weight->dtype() != DType::Float32 || r.weight->rank() != 2) return std::nullopt;
  if (p->inputs.size() > 2 && p->inputs[2]) {
    r.bias = constant_of(p->inputs[2]);
    if (!r.bias || r.bias->dtype() != DType::Float32 || r.bias->shape() != Dims{r.weight->dim(1)})
      return std::nullopt;
  }
  return rank_of(out) == 3u ? std::optional<Projection>(r) : std::nullopt;
}

// [W0 | W1 | W2] by columns, and the biases likewise (zeros for a missing one). The weights are
// read through read_rows, so one left in the model file as an unaligned view (ir/tensor.h) is
// copied from there straight into its columns, never materialised first (BERT-base: 85 MB).
Tensor concat_columns(const std::array<Projection, 3>& p) {
  const int64_t K = p[0].weight->dim(0), N = p[0].weight->dim(1);
  Tensor w(DType::Float32, {K, 3 * N});
  float* dst = w.data<float>();
  for (int64_t r = 0; r < K; ++r)
    for (int i = 0; i < 3; ++i) p[size_t(i)].weight->read_rows(r, 1, 0, N, dst + r * 3 * N + i * N);
  return w;
}
Tensor concat_biases(const std::array<Projection, 3>& p) {
  const int64_t N = p[0].weight->dim(1);
  Tensor b(DType::Float32, {3 * N});
  float* dst = b.data<float>();
  for (int i = 0; i < 3; ++i) {
    if (p[size_t(i)].bias) std::memcpy(dst + i * N, p[size_t(i)].bias->data<float>(), size_t(N) * sizeof(float));
    else std::fill(dst + i * N, dst + (i + 1) * N, 0.0f);
  }
  return b;
}

class FuseQkv final : public Pass {
 public:
  const char* name() const override { return "fuse_qkv"; }
  int level() const override { return 3; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* attn = up.get();
      if (!is_op(attn, "Attention", kEmberDomain) || attn->explicit_input_count() < 3) continue;
      const std::vector<ir::Value*>& in = attn->inputs;
      if (!in[0] || !in[1] || !in[2] || in[0] == in[1] || in[1] == in[2] || in[0] == in[2]) continue;
      std::array<Projection, 3> p;
      bool ok = true;
      for (size_t i = 0; i < 3 && ok; ++i) {
        const std::optional<Projection> pr = projection(in[i]);
        ok = pr.has_value();
        if (ok) p[i] = *pr;
      }
      for (size_t i = 1; i < 3 && ok; ++i)
        ok = p[i].node->inputs[0] == p[0].node->inputs[0] && p[i].weight->shape() == p[0].weight->shape();
      if (!ok) continue;
      if (p[0].weight->dim(1) % attn->attr_int("num_heads", 0) != 0) continue;
      if (!claims.claim({attn, p[0].node, p[1].node, p[2].node})) continue;
      out.push_back({std::string(name()) + ": " + join_names({p[0].node, p[1].node, p[2].node}) + " -> " + attn->name,
                     [attn, p](ir::Graph& gr) { apply(gr, attn, p); }});
    }
    return out;
  }

 private:
  static void apply(ir::Graph& g, const ir::Node* attn, const std::array<Projection, 3>& p) {
    const ir::Node* q = p[0].node;
    ir::Value* x = q->inputs[0];
    ir::Value* w = edit::add_initializer(g, q->name + "_qkv_weight", concat_columns(p));
    ir::Value* b = edit::add_initializer(g, q->name + "_qkv_bias", concat_biases(p));
    ir::Value* qkv = g.add_temp_value(q->name + "_qkv");
    qkv->type = q->outputs[0]->type;
    if (qkv->type.dims.back().known()) qkv->type.dims.back() = ir::Dim::of(3 * qkv->type.dims.back().value);
    else qkv->type.dims.back() = ir::Dim{};
    const std::vector<const ir::Node*> projections = {p[0].node, p[1].node, p[2].node};
    NewNode mm{"FusedMatMul", kEmberDomain, 1, {x, w, b}, {qkv},
               {attr_strings("source_nodes", source_names(projections))}, q->name + "_qkv"};
    ir::Node* added = edit::make_node(g, std::move(mm));
    added->fused_from = source_names(projections);
    // The Attention keeps its own name and sources; its projections' outputs lose their last reader.
    NewNode n{"Attention", kEmberDomain, 1, {qkv, nullptr, nullptr}, attn->outputs, {}, attn->name};
    for (const auto& [key, a] : attn->attrs) n.attrs.push_back(a);
    if (attn->inputs.size() > 3 && attn->inputs[3]) n.inputs.push_back(attn->inputs[3]);
    std::vector<std::string> attn_sources = attn->fused_from;  // attn is gone after the replace
    ir::Node* fused = edit::replace_nodes(g, {attn}, std::move(n));
    fused->fused_from = std::move(attn_sources);
    edit::remove_nodes(g, projections);
    g.topo_sort();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_qkv() { return std::make_unique<FuseQkv>(); }

}  // namespace ember::opt
