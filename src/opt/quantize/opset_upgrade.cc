// Raising a model's ai.onnx opset so that a rewrite can use a newer operator form (blocked,
// int4 DequantizeLinear needs 21). One opset import covers the whole file, so every node
// moves with it: the forms that changed since opset 13 are rewritten, the semantic changes
// this does not handle are refused by name rather than silently reinterpreted.
#include <set>

#include "opt/pattern.h"
#include "opt/quantize/rewrites.h"
#include "opt/quantize/rewrite_util.h"
#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// The reductions whose `axes` attribute became an input at opset 18 (ReduceSum did at 13).
bool axes_moved_at_18(const std::string& op) {
  static const std::set<std::string> kOps = {"ReduceMax", "ReduceMin", "ReduceMean", "ReduceProd",
                                             "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                                             "ReduceSumSquare"};
  return kOps.count(op) > 0;
}

// Ops whose meaning (not just form) changed between opset 13 and 21, with the opset where it
// did: GridSample's mode names (20), DFT's axis attribute becoming an input (20),
// GroupNormalization's scale/bias per channel instead of per group (21).
int semantics_changed_at(const std::string& op) {
  if (op == "GridSample" || op == "DFT") return 20;
  if (op == "GroupNormalization") return 21;
  return 0;
}

void upgrade_graph(ir::Graph& g, int target) {
  Emitter emit(g, target);
  for (const auto& up : g.nodes()) {
    ir::Node* n = up.get();
    if (!n->domain.empty()) continue;
    const int changed = semantics_changed_at(n->op_type);
    EMBER_CHECK(changed == 0 || n->opset >= changed || changed > target, Unsupported, n->describe(),
                " changed meaning at opset ", changed, "; the model cannot be moved to opset ", target,
                " automatically");
    if (axes_moved_at_18(n->op_type) && n->opset < 18 && target >= 18 && n->has_attr("axes")) {
      Tensor axes(DType::Int64, {int64_t(n->attr_ints("axes").size())});
      const std::vector<int64_t> a = n->attr_ints("axes");
      std::copy(a.begin(), a.end(), axes.data<int64_t>());
      n->attrs.erase("axes");
      n->inputs.insert(n->inputs.begin() + 1, emit.constant(n->name + "_axes", std::move(axes)));
    }
    n->opset = target;
  }
  g.rebuild_uses();
  for (const auto& up : g.nodes())
    for (auto& [k, a] : up->attrs) {
      if (a.g) upgrade_graph(*a.g, target);
      for (auto& sg : a.graphs) upgrade_graph(*sg, target);
    }
}

}  // namespace

void upgrade_onnx_opset(ir::Model& m, int target, const char* why) {
  const int from = onnx_opset_at_least(m, 13, why);
  if (from >= target) return;
  upgrade_graph(*m.graph, target);
  m.opset_imports[""] = target;
  // ONNX ties opsets to IR versions: opset 21 files are IR version 10.
  if (m.ir_version < 10) m.ir_version = 10;
}

}  // namespace ember::opt::quantize
