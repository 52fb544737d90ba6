// fuse_reshape_transpose (collapse_reshape_transpose): chains of layout-only ops collapse.
//   Reshape(Reshape(x, s1), s2)        => Reshape(x, s2)      (s2 constant, no 0 entries: a 0
//                                                              copies a dim of the input, which
//                                                              changes when s1 goes)
//   Transpose(Transpose(x, p1), p2)    => Transpose(x, p1[p2]), or x itself when that is the
//                                         identity and the result is not a graph output
// The inner node must have no other use.
#include "opt/graph_edit.h"
#include "opt/pattern.h"

namespace ember::opt {
namespace {

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
                       ir::Attribute perm;
                       perm.name = "perm";
                       perm.type = ir::AttrType::Ints;
                       perm.ints = p;
                       replace_with(gr, {inner, outer}, NewNode{"Transpose", "", outer->opset, {x}, {y}, {perm}});
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_reshape_transpose() { return std::make_unique<FuseReshapeTranspose>(); }

}  // namespace ember::opt
