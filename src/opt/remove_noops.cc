// remove_noops: nodes that hand their input on unchanged are bypassed: Identity, inference
// Dropout, Cast to the same type, Reshape/Flatten/Squeeze/Unsqueeze/Expand whose static output
// shape equals the input's (Reshape/Flatten/Squeeze/Unsqueeze also when equal by dim names), Transpose with the identity permutation, single-input
// Concat/Sum/Max/Min/Mean. Graph outputs keep their names (edit::bypass).
#include "opt/graph_edit.h"
#include "opt/level1_passes.h"
#include "opt/pattern.h"

namespace ember::opt {

namespace {

bool same_static_type(const ir::Value* a, const ir::Value* b) {
  return a && b && a->type.kind == ir::ValueKind::Tensor && b->type.kind == ir::ValueKind::Tensor &&
         a->type.is_static() && b->type.is_static() && a->type.dtype == b->type.dtype &&
         a->type.static_dims() == b->type.static_dims();
}

bool same_dtype(const ir::Value* a, const ir::Value* b) {
  return a && b && a->type.kind == ir::ValueKind::Tensor && a->type.dtype != DType::Undefined &&
         a->type.dtype == b->type.dtype;
}

bool constant_false(const ir::Value* v) {
  if (!v) return true;
  if (!v->constant || v->is_input || v->constant->numel() != 1 || v->constant->dtype() != DType::Bool) return false;
  return !*v->constant->data<bool>();
}

bool unused(const ir::Value* v) { return !v || (!v->is_output && v->consumers.empty()); }

// Why `n` is a no-op ("" when it is not). The pass-through input is always input 0.
std::string noop_reason(const ir::Node& n) {
  if (!n.domain.empty() || n.explicit_input_count() == 0 || !n.inputs[0] || n.outputs.empty() || !n.outputs[0])
    return "";
  const ir::Value* in = n.inputs[0];
  const ir::Value* out = n.outputs[0];
  const std::string& op = n.op_type;
  if (op == "Identity") return "identity";
  if (op == "Dropout") {
    // Opsets before 7 describe training unless is_test=1; from 12 training_mode is an input.
    if (n.opset < 7 && n.attr_int("is_test", 0) != 1) return "";
    const bool training = n.explicit_input_count() > 2 && !constant_false(n.inputs[2]);
    if (training || (n.outputs.size() > 1 && !unused(n.outputs[1]))) return "";
    return "inference dropout";
  }
  if (op == "Cast" && same_dtype(in, out)) return "cast to its own type";
  if ((op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" || op == "Expand") &&
      same_static_type(in, out))
    return "same shape";
  // The same dims by name (a dynamic-axes export's Reshape(x, Shape-derived [batch, 12, seq, 64])
  // of an x that already is [batch, 12, seq, 64]): these ops never move elements.
  if ((op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") && same_dtype(in, out) &&
      same_shape(in, out))
    return "same symbolic shape";
  if (op == "Transpose") {
    const auto perm = n.attr_ints("perm");
    bool identity = !perm.empty();
    for (size_t k = 0; k < perm.size(); ++k) identity = identity && perm[k] == int64_t(k);
    if (identity || (perm.empty() && in->type.has_shape && in->type.dims.size() <= 1)) return "identity permutation";
    return "";
  }
  if ((op == "Concat" || op == "Sum" || op == "Max" || op == "Min" || op == "Mean") && n.explicit_input_count() == 1 &&
      same_dtype(in, out))
    return "single input";
  return "";
}

class RemoveNoops final : public Pass {
 public:
  const char* name() const override { return "remove_noops"; }
  int level() const override { return 1; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> rewrites;
    for (const auto& up : g.nodes()) {
      const ir::Node* n = up.get();
      const std::string why = noop_reason(*n);
      if (why.empty() || !edit::can_bypass(g, n)) continue;
      rewrites.push_back({"remove_noops: " + n->op_type + " '" + n->name + "' (" + why + ")", [n](ir::Graph& graph) {
                            if (edit::contains(graph, n) && edit::can_bypass(graph, n))
                              edit::bypass(graph, const_cast<ir::Node*>(n));
                          }});
    }
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<Pass> make_remove_noops() { return std::make_unique<RemoveNoops>(); }

}  // namespace ember::opt
