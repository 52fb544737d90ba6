// fold_constants: a node whose inputs are all known before any run (initializers, Constant
// nodes, results of earlier folds, or just the static shape for Shape/Size) is evaluated once
// with its reference kernel (ops::run_node_eagerly, the one folding mechanism) and replaced by
// initializers holding its outputs.
//
// One find() evaluates whole constant chains in topological order, remembering what it
// computed, so a chain folds in one sweep; each node is still its own rewrite (bisectable).
#include <unordered_map>

#include "ops/eager.h"
#include "ops/graph_inference.h"
#include "opt/graph_edit.h"
#include "opt/level1_passes.h"
#include "support/thread_pool.h"

namespace ember::opt {

namespace {

// Larger results are cheaper to compute at run time than to keep (ConstantOfShape/Expand/Tile
// of a big shape); a Constant node's tensor is in memory already, so it is always folded.
constexpr size_t kMaxFoldedBytes = size_t(1) << 20;

bool foldable(const ir::Node& node) {
  for (const auto& [name, a] : node.attrs)
    if (a.g || !a.graphs.empty()) return false;
  return node.implicit_inputs == 0;
}

// Shape and Size only need the input's shape, which a static type already gives.
bool shape_only_op(const ir::Node& node) {
  return node.domain.empty() && (node.op_type == "Shape" || node.op_type == "Size");
}

std::string label_of(const ir::Node& n) { return "fold_constants: " + n.op_type + " '" + n.name + "'"; }

class FoldConstants final : public Pass {
 public:
  const char* name() const override { return "fold_constants"; }
  int level() const override { return 1; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext& ctx) const override {
    // At the top level a failing constant expression would fail every run, so it is reported
    // now, naming the node. Inside a body the node may never run (an untaken If branch).
    const bool top = ctx.model && ctx.model->graph.get() == &g;
    ThreadPool pool(1);
    std::unordered_map<const ir::Value*, Tensor> folded;
    std::vector<Rewrite> rewrites;
    for (const auto& up : g.nodes()) {
      const ir::Node& node = *up;
      if (!foldable(node)) continue;
      std::vector<ops::RtValue> held;
      held.reserve(node.inputs.size());
      bool known = true;
      for (const ir::Value* in : node.inputs) {
        if (!in) {
          held.emplace_back();
        } else if (in->constant && !in->is_input) {
          held.push_back(ops::RtValue{*in->constant, nullptr, false});
        } else if (auto it = folded.find(in); it != folded.end()) {
          held.push_back(ops::RtValue{it->second, nullptr, false});
        } else if (shape_only_op(node) && in->type.is_static()) {
          // A data-less tensor of the right shape: Shape/Size never read elements.
          held.push_back(ops::RtValue{Tensor::wrap(in->type.dtype, in->type.static_dims(), nullptr), nullptr, false});
        } else {
          known = false;
          break;
        }
      }
      if (!known) continue;
      std::vector<const ops::RtValue*> inputs;
      for (size_t k = 0; k < node.inputs.size(); ++k) inputs.push_back(node.inputs[k] ? &held[k] : nullptr);
      std::vector<ops::RtValue> outs;
      try {
        outs = ops::run_node_eagerly(node, ops::require_schema(node, ops::OpRegistry::global()), inputs, pool);
      } catch (const Error& e) {
        if (!top) continue;
        const std::string where = node.describe();
        if (std::string(e.what()).find(where) != std::string::npos) throw;
        fail(e.status(), where, ": ", e.what());
      }
      std::vector<std::pair<ir::Value*, Tensor>> results;
      bool complete = true;
      for (size_t i = 0; i < node.outputs.size() && complete; ++i) {
        ir::Value* o = node.outputs[i];
        if (!o) continue;
        const ops::RtValue* r = i < outs.size() ? &outs[i] : nullptr;
        complete = r && !r->is_sequence() && !r->is_none && r->tensor.defined() &&
                   (r->tensor.nbytes() <= kMaxFoldedBytes || node.op_type == "Constant");
        if (complete) results.emplace_back(o, r->tensor);
      }
      if (!complete || results.empty()) continue;
      for (const auto& [v, t] : results) folded[v] = t;
      const ir::Node* target = &node;
      rewrites.push_back({label_of(node), [target, results](ir::Graph& graph) {
                            if (!edit::contains(graph, target)) return;
                            for (const auto& [v, t] : results) edit::make_constant(graph, v, t);
                            edit::remove_node(graph, const_cast<ir::Node*>(target));
                          }});
    }
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_constants() { return std::make_unique<FoldConstants>(); }

}  // namespace ember::opt
