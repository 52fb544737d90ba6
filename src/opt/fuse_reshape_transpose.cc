// fuse_reshape_transpose (collapse_reshape_transpose): chains of layout-only ops collapse.
//   Reshape(Reshape(x, s1), s2)        => Reshape(x, s2)      (s2 constant, no 0 entries: a 0
//                                                              copies a dim of the input, which
//                                                              changes when s1 goes)
//   Transpose(Transpose(x, p1), p2)    => Transpose(x, p1[p2]), or x itself when that is the
//                                         identity and the result is not a graph output
//   Reshape(Transpose(Reshape(x, merge), p), split) => Transpose(x, q)
//                                         when the first Reshape merges x's k leading dims into
//                                         one, p keeps that axis first and the last Reshape splits
//                                         it back (static shapes; PyTorch's dynamo exporter writes
//                                         attention's K^T this way: [B,H,T,D] -> [B*H,T,D] ->
//                                         [B*H,D,T] -> [B,H,D,T], i.e. Transpose(x, 0 1 3 2))
// The inner nodes must have no other use.
#include "opt/graph_edit.h"
#include "opt/pattern.h"

namespace ember::opt {
namespace {

// For Reshape `outer` of Transpose of Reshape: the permutation of the innermost Reshape's input
// that the three nodes amount to, or nothing (see the header comment).
std::optional<std::vector<int64_t>> merged_leading_transpose(const ir::Node* split, const ir::Node** t_out,
                                                             const ir::Node** merge_out) {
  const ir::Node* t = producer_of(split->inputs[0], "Transpose");
  if (!t || !has_single_use(split->inputs[0])) return std::nullopt;
  const ir::Node* merge = producer_of(t->inputs[0], "Reshape");
  if (!merge || !has_single_use(t->inputs[0])) return std::nullopt;
  const std::optional<Dims> x = static_shape(merge->inputs[0]), m = static_shape(merge->outputs[0]),
                            y = static_shape(split->outputs[0]);
  const std::vector<int64_t> p = t->attr_ints("perm");
  if (!x || !m || !y || m->empty() || p.size() != m->size() || p[0] != 0) return std::nullopt;
  if (m->size() >= x->size() || y->size() != x->size()) return std::nullopt;  // a merge, split back
  const size_t k = x->size() + 1 - m->size();  // leading dims merged into m[0], >= 2
  int64_t lead = 1;
  for (size_t i = 0; i < k; ++i) lead *= (*x)[i];
  if ((*m)[0] != lead) return std::nullopt;
  for (size_t i = 1; i < m->size(); ++i)
    if ((*m)[i] != (*x)[i + k - 1]) return std::nullopt;
  std::vector<int64_t> q;
  for (size_t i = 0; i < k; ++i) q.push_back(int64_t(i));
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i] < 1 || p[i] >= int64_t(m->size())) return std::nullopt;
    q.push_back(p[i] + int64_t(k) - 1);
  }
  for (size_t i = 0; i < y->size(); ++i)  // the split restores the leading dims, the rest permuted
    if ((*y)[i] != (*x)[size_t(q[i])]) return std::nullopt;
  *t_out = t;
  *merge_out = merge;
  return q;
}

bool shape_without_zero(const ir::Value* s) {
  const Tensor* t = constant_of(s);
  if (!t) return false;
  for (int64_t d : t->to_int64_vector())
    if (d == 0) return false;
  return true;
}

class FuseReshapeTranspose final : public Pass {
 public:
  const char* name() const override { return "fuse_reshape_transpose"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* outer = up.get();
      if (is_op(outer, "Reshape") && outer->inputs.size() == 2 && outer->inputs[1]) {
        const ir::Node *t = nullptr, *merge = nullptr;
        if (const auto q = merged_leading_transpose(outer, &t, &merge)) {
          if (!claims.claim({merge, t, outer})) continue;
          out.push_back({std::string(name()) + ": " + join_names({merge, t, outer}) + " (one Transpose)",
                         [merge, t, outer, q = *q](ir::Graph& gr) {
                           replace_with(gr, {merge, t, outer},
                                        NewNode{"Transpose", "", t->opset, {merge->inputs[0]}, {outer->outputs[0]},
                                                {attr_ints("perm", q)}});
                         }});
          continue;
        }
        const ir::Node* inner = producer_of(outer->inputs[0], "Reshape");
        if (!inner || !has_single_use(outer->inputs[0]) || !shape_without_zero(outer->inputs[1]) ||
            !claims.claim({inner, outer}))
          continue;
        out.push_back({std::string(name()) + ": " + join_names({inner, outer}), [inner, outer](ir::Graph& gr) {
                         std::vector<ir::Attribute> attrs;
                         for (const auto& [k, a] : outer->attrs) attrs.push_back(a);
                         replace_with(gr, {inner, outer},
                                      NewNode{"Reshape", "", outer->opset, {inner->inputs[0], outer->inputs[1]},
                                              {outer->outputs[0]}, attrs});
                       }});
        continue;
      }
      if (!is_op(outer, "Transpose") || outer->inputs.size() != 1) continue;
      const ir::Node* inner = producer_of(outer->inputs[0], "Transpose");
      if (!inner || !has_single_use(outer->inputs[0])) continue;
      const std::vector<int64_t> p1 = inner->attr_ints("perm"), p2 = outer->attr_ints("perm");
      // An absent perm reverses the dims; leave those to shape-aware passes.
      if (p1.empty() || p1.size() != p2.size()) continue;
      std::vector<int64_t> p(p1.size());
      bool identity = true, valid = true;
      for (size_t i = 0; i < p.size() && valid; ++i) {
        valid = p2[i] >= 0 && p2[i] < int64_t(p1.size());
        p[i] = valid ? p1[size_t(p2[i])] : 0;
        identity = identity && p[i] == int64_t(i);
      }
      if (!valid || !claims.claim({inner, outer})) continue;
      // Graph outputs and values subgraphs read are found by name: those cannot be redirected.
      const bool drop = identity && edit::can_redirect(outer->outputs[0]);
      out.push_back({std::string(name()) + ": " + join_names({inner, outer}) + (drop ? " (identity)" : ""),
                     [inner, outer, p, drop](ir::Graph& gr) {
                       ir::Value* x = inner->inputs[0];
                       ir::Value* y = outer->outputs[0];
                       if (drop) {
                         edit::remove_nodes(gr, {inner, outer});
                         edit::redirect_uses(gr, y, x);
                         return;
                       }
                       replace_with(gr, {inner, outer}, NewNode{"Transpose", "", outer->opset, {x}, {y}, {attr_ints("perm", p)}});
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_reshape_transpose() { return std::make_unique<FuseReshapeTranspose>(); }

}  // namespace ember::opt
