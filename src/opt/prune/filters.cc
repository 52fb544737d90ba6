// Structured (filter) pruning: decides which channels each tied group keeps (largest L1 norms,
// summed over the group's producers), then cuts every constant that indexes those channels
// (channel_spaces.h says which) and re-infers the types of the changed values.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/graph_inference.h"
#include "opt/prune/channel_spaces.h"
#include "opt/prune/prune.h"
#include "opt/graph_edit.h"
#include "opt/prune/tensor_take.h"
#include "support/error.h"

namespace ember::opt::prune {
namespace {

// Old channel indices kept, for a channel description.
std::vector<int64_t> kept_channels(const ChannelDesc& d, ChannelPlan& plan, const std::vector<std::vector<int64_t>>& keep) {
  std::vector<int64_t> out;
  int64_t offset = 0;
  for (const Segment& s : d) {
    if (s.space < 0) {
      for (int64_t c = 0; c < s.length; ++c) out.push_back(offset + c);
    } else {
      for (int64_t c : keep[size_t(plan.find(s.space))]) out.push_back(offset + c);
    }
    offset += s.length;
  }
  return out;
}

// Points input `i` of `n` at a new initializer holding take(input, axis, idx).
void cut_input(ir::Graph& g, ir::Node* n, size_t i, int axis, const std::vector<int64_t>& idx) {
  ir::Value* v = n->inputs[i];
  if (!v) return;
  n->inputs[i] = edit::add_initializer(g, v->name + "_pruned", take(*v->constant, axis, idx));
}

std::vector<int64_t> expand(const std::vector<int64_t>& channels, int64_t inner) {
  std::vector<int64_t> out;
  for (int64_t c : channels)
    for (int64_t j = 0; j < inner; ++j) out.push_back(c * inner + j);
  return out;
}

// Per channel group (root space): the channels kept, by summed L1 norm of the producers' filters.
std::vector<std::vector<int64_t>> decide(ChannelPlan& plan, double sparsity, std::vector<LayerPruning>& report) {
  const size_t n = plan.producers.size();
  std::vector<std::vector<int64_t>> keep(n);
  std::vector<std::vector<int>> members(n);
  for (size_t s = 0; s < n; ++s) members[size_t(plan.find(int(s)))].push_back(int(s));
  for (size_t root = 0; root < n; ++root) {
    if (members[root].empty()) continue;
    LayerPruning l;
    std::vector<double> l1;
    for (int s : members[root]) {
      const ir::Node* p = plan.producers[size_t(s)];
      l.name += (l.name.empty() ? "" : " + ") + p->name;
      if (l.note.empty()) l.note = plan.why_not[size_t(s)];
      const Tensor& w = *p->inputs[1]->constant;
      const int64_t C = w.dim(0), per = w.numel() / std::max<int64_t>(C, 1);
      if (l1.empty()) l1.assign(size_t(C), 0.0);
      const float* d = w.data<float>();
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < per; ++k) l1[size_t(c)] += std::fabs(d[c * per + k]);
    }
    const int64_t C = int64_t(l1.size());
    l.total = C;
    std::vector<int64_t> order(static_cast<size_t>(C));
    std::iota(order.begin(), order.end(), 0);
    const int64_t remove = l.note.empty() ? std::min<int64_t>(int64_t(std::floor(sparsity * double(C))), C - 1) : 0;
    // Largest norms first; equal norms keep the lower index (a deterministic choice).
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return l1[size_t(a)] > l1[size_t(b)]; });
    order.resize(size_t(C - remove));
    std::sort(order.begin(), order.end());
    keep[root] = order;
    l.removed = remove;
    report.push_back(l);
  }
  return keep;
}

}  // namespace

std::vector<LayerPruning> prune_filters(ir::Model& model, const FilterOptions& options) {
  EMBER_CHECK(options.sparsity >= 0.0 && options.sparsity < 1.0, InvalidArgument,
              "sparsity must be in [0, 1), given ", options.sparsity);
  ir::Graph& g = *model.graph;
  g.topo_sort();
  g.rebuild_uses();
  ops::infer_graph(g, ops::OpRegistry::global());
  ChannelPlan plan = analyse_channels(g);
  std::vector<LayerPruning> report;
  const auto keep = decide(plan, options.sparsity, report);
  for (const Rewire& r : plan.rewires) {
    const std::vector<int64_t> ch = kept_channels(r.desc, plan, keep);
    switch (r.kind) {
      case Rewire::ConvInput: cut_input(g, r.node, 1, 1, ch); break;
      case Rewire::Depthwise:
        cut_input(g, r.node, 1, 0, ch);
        if (r.node->inputs.size() > 2) cut_input(g, r.node, 2, 0, ch);
        r.node->attrs["group"].i = int64_t(ch.size());
        break;
      case Rewire::BatchNorm:
        for (size_t i = 1; i < 5; ++i) cut_input(g, r.node, i, 0, ch);
        break;
      case Rewire::FlattenGemm: {
        const bool trans_b = r.node->op_type == "Gemm" && r.node->attr_int("transB", 0) == 1;
        cut_input(g, r.node, 1, trans_b ? 1 : 0, expand(ch, r.inner));
        break;
      }
    }
  }
  for (size_t s = 0; s < plan.producers.size(); ++s) {
    ir::Node* p = plan.producers[s];
    const std::vector<int64_t>& ch = keep[size_t(plan.find(int(s)))];
    if (int64_t(ch.size()) == p->inputs[1]->constant->dim(0)) continue;
    cut_input(g, p, 1, 0, ch);
    if (p->inputs.size() > 2) cut_input(g, p, 2, 0, ch);
  }
  g.rebuild_uses();
  drop_unused_initializers(g);
  // Intermediate shapes changed: forget them (graph outputs keep theirs) and infer again.
  for (const auto& n : g.nodes())
    for (ir::Value* v : n->outputs)
      if (v && !v->is_output && v->type.kind == ir::ValueKind::Tensor)
        v->type = ir::TypeInfo::tensor_unknown_shape(v->type.dtype);
  ops::infer_graph(g, ops::OpRegistry::global());
  return report;
}

}  // namespace ember::opt::prune
