// fuse_matmul_add: dense layers into ai.ember FusedMatMul.
//   MatMul -> Add(bias [N])              => FusedMatMul(bias)
//   MatMul / FusedMatMul -> activation   => FusedMatMul(activation)   (none set yet)
//   Transpose(swap last two dims) -> A/B of MatMul, FusedMatMul or Gemm (2-D [1, 0])
//                                        => transA / transB toggled, Transpose dropped when
//                                           nothing else reads it
// The bias goes before the activation: act(A @ B + bias), so a node with an activation
// takes no bias.
#include <array>

#include "opt/pattern.h"

namespace ember::opt {
namespace {

bool is_matmul(const ir::Node* n) {
  return (is_op(n, "MatMul") || is_op(n, "FusedMatMul", kEmberDomain)) && n->explicit_input_count() >= 2 &&
         n->inputs[0] && n->inputs[1] && n->outputs.size() == 1 && n->outputs[0] &&
         n->outputs[0]->type.dtype == DType::Float32 && n->inputs[0]->type.dtype == DType::Float32;
}
bool has_input(const ir::Node* n, size_t i) { return n->inputs.size() > i && n->inputs[i]; }

NewNode as_fused(const ir::Node* mm) {
  NewNode n = ember_node_from("FusedMatMul", mm, 2);
  n.outputs = {mm->outputs[0]};
  return n;
}

// True when `t` is a Transpose that swaps the last two dims of a rank >= 2 tensor and keeps the rest.
bool swaps_last_two(const ir::Node* t) {
  if (!is_op(t, "Transpose") || t->inputs.size() != 1 || !t->inputs[0]) return false;
  const std::vector<int64_t> perm = t->attr_ints("perm");
  const size_t r = perm.size();
  if (r < 2 || !t->inputs[0]->type.has_shape || t->inputs[0]->type.dims.size() != r) return false;
  for (size_t i = 0; i + 2 < r; ++i)
    if (perm[i] != int64_t(i)) return false;
  return perm[r - 2] == int64_t(r - 1) && perm[r - 1] == int64_t(r - 2);
}

// The bias value of Add `add` after `y`: [N] with N the last dim of y, and y's shape kept.
ir::Value* bias_of(const ir::Node* add, const ir::Value* y) {
  if (!is_op(add, "Add") || add->inputs.size() != 2) return nullptr;
  ir::Value* b = other_input(add, y);
  const std::optional<Dims> bs = static_shape(b);
  const std::optional<int64_t> n = known_dim(y, -1);  // leading dims may be symbolic (batch, sequence)
  if (!b || b == y || !bs || !n || b->type.dtype != DType::Float32) return nullptr;
  return bs->size() == 1 && (*bs)[0] == *n ? b : nullptr;
}

class FuseMatMulAdd final : public Pass {
 public:
  const char* name() const override { return "fuse_matmul_add"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* mm = up.get();
      if (is_op(mm, "Gemm") && mm->inputs.size() >= 2) {
        fold_transposes(mm, {"transA", "transB"}, claims, out);
        continue;
      }
      if (!is_matmul(mm)) continue;
      if (fold_transposes(mm, {"transA", "transB"}, claims, out)) continue;
      if (has_activation(mm)) continue;
      const ir::Value* y = mm->outputs[0];
      if (const std::optional<ActivationMatch> act = match_activation(y)) {
        std::vector<const ir::Node*> nodes = {mm};
        nodes.insert(nodes.end(), act->nodes.begin(), act->nodes.end());
        if (!claims.claim(nodes)) continue;
        out.push_back({std::string(name()) + ": " + join_names(nodes), [mm, nodes, act = *act](ir::Graph& gr) {
                         NewNode n = as_fused(mm);
                         set_attr(n, attr_string("activation", act.name));
                         set_attr(n, attr_floats("activation_params", act.params));
                         n.outputs = {act.output};
                         replace_with(gr, nodes, std::move(n));
                       }});
        continue;
      }
      if (has_input(mm, 2) || has_input(mm, 3) || mm->attr_float("alpha", 1.0f) != 1.0f) continue;
      const ir::Node* add = sole_consumer(y);
      ir::Value* bias = bias_of(add, y);
      if (!bias || !claims.claim({mm, add})) continue;
      out.push_back({std::string(name()) + ": " + join_names({mm, add}), [mm, add, bias](ir::Graph& gr) {
                       NewNode n = as_fused(mm);
                       n.inputs.resize(3, nullptr);
                       n.inputs[2] = bias;
                       n.outputs = {add->outputs[0]};
                       replace_with(gr, {mm, add}, std::move(n));
                     }});
    }
    return out;
  }

 private:
  // Proposes folding a last-two-dims Transpose feeding input 0 or 1 of `mm` into its
  // trans flags; true when it did.
  bool fold_transposes(const ir::Node* mm, std::array<const char*, 2> flags, Claims& claims,
                       std::vector<Rewrite>& out) const {
    const bool gemm = mm->op_type == "Gemm";
    for (size_t i = 0; i < 2; ++i) {
      const ir::Node* t = mm->inputs[i] ? mm->inputs[i]->producer : nullptr;
      if (!swaps_last_two(t) || (gemm && t->attr_ints("perm").size() != 2)) continue;
      const bool drop = has_single_use(t->outputs[0]);
      std::vector<const ir::Node*> nodes = {mm};
      if (drop) nodes.push_back(t);
      if (!claims.claim(nodes)) return false;
      out.push_back({std::string(name()) + ": " + join_names({t, mm}) + " (" + flags[i] + ")",
                     [mm, t, i, drop, flag = std::string(flags[i]), gemm](ir::Graph& gr) {
                       NewNode n = gemm ? NewNode{"Gemm", "", mm->opset, mm->inputs, mm->outputs, {}} : as_fused(mm);
                       if (gemm)
                         for (const auto& [k, a] : mm->attrs) n.attrs.push_back(a);
                       n.inputs[i] = t->inputs[0];
                       set_attr(n, attr_int(flag, 1 - mm->attr_int(flag, 0)));
                       std::vector<const ir::Node*> replaced = {mm};
                       if (drop) replaced.insert(replaced.begin(), t);
                       replace_with(gr, replaced, std::move(n), !gemm || drop);
                     }});
      return true;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_add() { return std::make_unique<FuseMatMulAdd>(); }

}  // namespace ember::opt
