// Unstructured magnitude pruning: the k smallest |w| become 0 (k = floor(sparsity * count)).
// Exactly k per weight (per layer) or in total (global), ties broken by position, so the
// reported sparsity is the one asked for whatever duplicates the weights hold.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "opt/prune/prune.h"
#include "support/error.h"

namespace ember::opt::prune {
namespace {

bool is_f32_constant(const ir::Value* v, size_t min_rank, size_t max_rank) {
  if (!v || !v->constant || v->is_input) return false;
  const Tensor& t = *v->constant;
  return t.dtype() == DType::Float32 && t.rank() >= min_rank && t.rank() <= max_rank && t.numel() > 0;
}

// A writable copy of the constant behind `v` (constants may be mapped read-only from the file,
// and are replaced, never edited in place).
float* own_copy(ir::Value* v) {
  Tensor copy(DType::Float32, v->constant->shape());
  std::copy_n(v->constant->data<float>(), copy.numel(), copy.data<float>());
  v->constant = std::move(copy);
  return v->constant->data<float>();
}

struct Entry {
  float mag;
  uint32_t weight;  // index into the list of weights
  int64_t pos;
};

void zero_smallest(std::vector<Entry>& all, int64_t k, std::vector<float*>& data) {
  if (k <= 0) return;
  auto less = [](const Entry& a, const Entry& b) {
    return a.mag != b.mag ? a.mag < b.mag : (a.weight != b.weight ? a.weight < b.weight : a.pos < b.pos);
  };
  std::nth_element(all.begin(), all.begin() + (k - 1), all.end(), less);
  for (int64_t i = 0; i < k; ++i) data[all[size_t(i)].weight][all[size_t(i)].pos] = 0.0f;
}

}  // namespace

std::vector<WeightUse> prunable_weights(const ir::Graph& g) {
  std::vector<WeightUse> out;
  for (const auto& n : g.nodes()) {
    if (!n->domain.empty() || n->inputs.size() < 2) continue;
    const ir::Value* w = n->inputs[1];
    if ((n->op_type == "Conv" && is_f32_constant(w, 3, 8)) ||
        ((n->op_type == "Gemm" || n->op_type == "MatMul") && is_f32_constant(w, 2, 2)))
      out.push_back({n.get(), 1});
  }
  return out;
}

ModelCounts count_params(const ir::Graph& g) {
  ModelCounts c;
  for (const ir::Value* v : g.initializers) {
    if (!v->constant || v->constant->dtype() != DType::Float32) continue;
    const float* p = v->constant->data<float>();
    c.params += v->constant->numel();
    for (int64_t i = 0; i < v->constant->numel(); ++i) c.nonzero += p[i] != 0.0f;
  }
  return c;
}

std::vector<LayerPruning> prune_magnitude(ir::Model& model, const MagnitudeOptions& options) {
  EMBER_CHECK(options.sparsity >= 0.0 && options.sparsity < 1.0, InvalidArgument,
              "sparsity must be in [0, 1), given ", options.sparsity);
  ir::Graph& g = *model.graph;
  // A weight shared by several nodes is pruned once.
  std::vector<ir::Value*> weights;
  std::vector<std::string> names;
  std::set<ir::Value*> seen;
  for (const WeightUse& u : prunable_weights(g)) {
    ir::Value* w = u.node->inputs[u.input];
    if (seen.insert(w).second) {
      weights.push_back(w);
      names.push_back(u.node->name.empty() ? w->name : u.node->name);
    } else {
      for (size_t i = 0; i < weights.size(); ++i)
        if (weights[i] == w) names[i] += " + " + u.node->name;
    }
  }
  std::vector<float*> data;
  for (ir::Value* w : weights) data.push_back(own_copy(w));
  std::vector<LayerPruning> report;
  auto entries = [&](size_t i, std::vector<Entry>& out) {
    const int64_t n = weights[i]->constant->numel();
    for (int64_t p = 0; p < n; ++p) out.push_back({std::fabs(data[i][p]), uint32_t(i), p});
  };
  if (options.global) {
    std::vector<Entry> all;
    for (size_t i = 0; i < weights.size(); ++i) entries(i, all);
    zero_smallest(all, int64_t(std::floor(options.sparsity * double(all.size()))), data);
  } else {
    for (size_t i = 0; i < weights.size(); ++i) {
      std::vector<Entry> one;
      entries(i, one);
      zero_smallest(one, int64_t(std::floor(options.sparsity * double(one.size()))), data);
    }
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    const int64_t n = weights[i]->constant->numel();
    LayerPruning l;
    l.name = names[i];
    l.total = n;
    l.removed = int64_t(std::count(data[i], data[i] + n, 0.0f));
    report.push_back(l);
  }
  return report;
}

}  // namespace ember::opt::prune
