// fuse_conv_activation: Conv (+ bias) followed by an activation, or by a residual Add of a
// same-shaped value (then optionally an activation), becomes one ai.ember FusedConv:
//   Conv -> act          => FusedConv(act)
//   Conv -> Add(z)       => FusedConv(Z = z)        (z cannot depend on the Conv: the Conv's
//                                                    output has no other use)
//   FusedConv -> act     => FusedConv(act)           when it has no activation yet
// The residual must come before the activation (act(conv + Z)), so a Conv that already has
// an activation takes no Z.
#include "opt/pattern.h"

namespace ember::opt {
namespace {

bool is_conv(const ir::Node* n) {
  return (is_op(n, "Conv") || is_op(n, "FusedConv", kEmberDomain)) && !n->implicit_inputs &&
         n->explicit_input_count() >= 2 && n->outputs.size() == 1 && n->outputs[0] &&
         n->outputs[0]->type.dtype == DType::Float32;
}

bool has_residual(const ir::Node* n) { return n->inputs.size() > 3 && n->inputs[3]; }

// The FusedConv equivalent of `conv` (a Conv or FusedConv): its inputs padded to [X, W, B, Z]
// and its attributes without activation/source_nodes.
NewNode as_fused(const ir::Node* conv) { return ember_node_from("FusedConv", conv, 3); }

class FuseConvActivation final : public Pass {
 public:
  const char* name() const override { return "fuse_conv_activation"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* conv = up.get();
      if (!is_conv(conv) || has_activation(conv)) continue;
      const ir::Value* y = conv->outputs[0];
      if (const std::optional<ActivationMatch> act = match_activation(y)) {
        std::vector<const ir::Node*> nodes = {conv};
        nodes.insert(nodes.end(), act->nodes.begin(), act->nodes.end());
        if (!claims.claim(nodes)) continue;
        out.push_back({std::string(name()) + ": " + join_names(nodes), [conv, nodes, act = *act](ir::Graph& gr) {
                         NewNode n = as_fused(conv);
                         set_attr(n, attr_string("activation", act.name));
                         set_attr(n, attr_floats("activation_params", act.params));
                         n.outputs = {act.output};
                         replace_with(gr, nodes, std::move(n));
                       }});
        continue;
      }
      if (has_residual(conv)) continue;
      const ir::Node* add = sole_consumer(y);
      if (!is_op(add, "Add") || add->inputs.size() != 2) continue;
      ir::Value* z = other_input(add, y);
      if (!z || z == y || !same_shape(y, z) || z->type.dtype != DType::Float32) continue;
      if (!claims.claim({conv, add})) continue;
      out.push_back({std::string(name()) + ": " + join_names({conv, add}) + " (residual)",
                     [conv, add, z](ir::Graph& gr) {
                       NewNode n = as_fused(conv);
                       n.inputs.resize(4, nullptr);
                       n.inputs[3] = z;
                       n.outputs = {add->outputs[0]};
                       replace_with(gr, {conv, add}, std::move(n));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_conv_activation() { return std::make_unique<FuseConvActivation>(); }

}  // namespace ember::opt
