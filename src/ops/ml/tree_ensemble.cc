// TreeEnsemble (ai.onnx.ml 5): sums (or averages, mins, maxes) leaf weights of every tree
// into n_targets outputs per row of X [N, F].
//
// Node i compares X[row, nodes_featureids[i]] with nodes_splits[i] (mode LEQ, LT, GTE, GT,
// EQ, NEQ, or MEMBER: in the set given by membership_values, one NaN-terminated run per
// MEMBER node in node order); true goes to nodes_truenodeids[i], which is a leaf index when
// nodes_trueleafs[i] (likewise for false). A NaN feature goes the true way when
// nodes_missing_value_tracks_true[i]. Only post_transform NONE is implemented.
#include <cmath>
#include <limits>
#include <set>

#include "ops/ml/ml_ops.h"
#include "ops/op_util.h"

namespace ember::ops::ml {
namespace {

enum Mode { LEQ = 0, LT, GTE, GT, EQ, NEQ, MEMBER };
enum Agg { AVERAGE = 0, SUM, MIN, MAX };

struct Ensemble {
  std::vector<double> splits, leaf_weights;
  std::vector<int64_t> features, modes, true_ids, false_ids, true_leaf, false_leaf, missing_true, leaf_targets;
  std::vector<std::set<double>> members;  // per node (MEMBER nodes only)
  std::vector<int64_t> roots;
  int64_t targets = 0;
  int64_t agg = SUM;
};

std::vector<double> tensor_doubles(const ir::Node& node, const char* name) {
  const Tensor* t = node.attr_tensor(name);
  EMBER_CHECK(t, InvalidModel, node.describe(), ": attribute '", name, "' is required");
  std::vector<double> v(static_cast<size_t>(t->numel()));
  for (int64_t i = 0; i < t->numel(); ++i) v[size_t(i)] = float_at(*t, i);
  return v;
}

Ensemble parse(const ir::Node& node) {
  const std::string d = node.describe();
  Ensemble e;
  e.splits = tensor_doubles(node, "nodes_splits");
  e.leaf_weights = tensor_doubles(node, "leaf_weights");
  e.features = node.attr_ints("nodes_featureids");
  const Tensor* modes = node.attr_tensor("nodes_modes");
  EMBER_CHECK(modes, InvalidModel, d, ": attribute 'nodes_modes' is required");
  for (int64_t i = 0; i < modes->numel(); ++i) e.modes.push_back(modes->int_at(i));
  e.true_ids = node.attr_ints("nodes_truenodeids");
  e.false_ids = node.attr_ints("nodes_falsenodeids");
  e.true_leaf = node.attr_ints("nodes_trueleafs");
  e.false_leaf = node.attr_ints("nodes_falseleafs");
  e.missing_true = node.attr_ints("nodes_missing_value_tracks_true");
  e.leaf_targets = node.attr_ints("leaf_targetids");
  e.roots = node.attr_ints("tree_roots");
  e.targets = node.attr_int("n_targets", -1);
  e.agg = node.attr_int("aggregate_function", SUM);
  const int64_t post = node.attr_int("post_transform", 0);
  EMBER_CHECK(post == 0, Unsupported, d, ": post_transform=", post, " is not supported (only 0, NONE)");
  EMBER_CHECK(e.agg >= AVERAGE && e.agg <= MAX, InvalidModel, d, ": aggregate_function=", e.agg, " is invalid");
  EMBER_CHECK(e.targets >= 1, InvalidModel, d, ": n_targets must be positive");

  const size_t n = e.splits.size();
  EMBER_CHECK(e.features.size() == n && e.modes.size() == n && e.true_ids.size() == n && e.false_ids.size() == n &&
                  e.true_leaf.size() == n && e.false_leaf.size() == n &&
                  (e.missing_true.empty() || e.missing_true.size() == n),
              InvalidModel, d, ": the nodes_* attributes must all have ", n, " entries");
  EMBER_CHECK(e.leaf_targets.size() == e.leaf_weights.size(), InvalidModel, d,
              ": leaf_targetids and leaf_weights differ in length");
  for (int64_t t : e.leaf_targets)
    EMBER_CHECK(t >= 0 && t < e.targets, InvalidModel, d, ": leaf target ", t, " is outside [0, ", e.targets, ")");
  for (size_t i = 0; i < n; ++i) {
    EMBER_CHECK(e.modes[i] >= LEQ && e.modes[i] <= MEMBER, InvalidModel, d, ": node ", i, " has mode ", e.modes[i]);
    EMBER_CHECK(e.features[i] >= 0, InvalidModel, d, ": node ", i, " has a negative feature id");
    for (bool side : {true, false}) {
      const int64_t id = side ? e.true_ids[i] : e.false_ids[i];
      const bool leaf = (side ? e.true_leaf[i] : e.false_leaf[i]) != 0;
      EMBER_CHECK(id >= 0 && id < int64_t(leaf ? e.leaf_weights.size() : n), InvalidModel, d, ": node ", i,
                  " points to ", leaf ? "leaf " : "node ", id, ", which does not exist");
    }
  }
  for (int64_t r : e.roots)
    EMBER_CHECK(r >= 0 && r < int64_t(n), InvalidModel, d, ": tree root ", r, " is not a node");

  e.members.resize(n);
  std::vector<double> mv;
  if (node.attr_tensor("membership_values")) mv = tensor_doubles(node, "membership_values");
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    if (e.modes[i] != MEMBER) continue;
    EMBER_CHECK(at < mv.size(), InvalidModel, d, ": membership_values has no set for MEMBER node ", i);
    while (at < mv.size() && !std::isnan(mv[at])) e.members[i].insert(mv[at++]);
    ++at;  // the NaN separator
  }
  return e;
}

bool goes_true(const Ensemble& e, size_t i, double x) {
  if (std::isnan(x)) return !e.missing_true.empty() && e.missing_true[i] != 0;
  const double s = e.splits[i];
  switch (e.modes[i]) {
    case LEQ: return x <= s;
    case LT: return x < s;
    case GTE: return x >= s;
    case GT: return x > s;
    case EQ: return x == s;
    case NEQ: return x != s;
    default: return e.members[i].count(x) > 0;
  }
}

class TreeEnsembleKernel final : public Kernel {
 public:
  explicit TreeEnsembleKernel(const ir::Node& node) : desc_(node.describe()), e_(parse(node)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, Unsupported, desc_,
                ": element type ", dtype_name(x.dtype()), " is not supported (float32, float64)");
    EMBER_CHECK(x.rank() == 2, ShapeMismatch, desc_, ": X must be [N, F], got ", dims_str(x.shape()));
    const int64_t rows = x.dim(0), feats = x.dim(1);
    for (int64_t f : e_.features)
      EMBER_CHECK(f < feats, ShapeMismatch, desc_, ": a node reads feature ", f, " but X has ", feats);
    const double init = e_.agg == MIN ? std::numeric_limits<double>::max()
                        : e_.agg == MAX ? std::numeric_limits<double>::lowest() : 0.0;
    std::vector<double> acc(static_cast<size_t>(rows * e_.targets), init);
    const size_t n = e_.splits.size();
    for (int64_t r = 0; r < rows; ++r) {
      double* out = acc.data() + r * e_.targets;
      for (int64_t root : e_.roots) {
        const int64_t leaf = find_leaf(x, r * feats, size_t(root), n);
        const double w = e_.leaf_weights[size_t(leaf)];
        double& o = out[e_.leaf_targets[size_t(leaf)]];
        switch (e_.agg) {
          case SUM: o += w; break;
          case AVERAGE: o += w / double(e_.roots.size()); break;
          case MIN: o = std::min(o, w); break;
          default: o = std::max(o, w); break;
        }
      }
    }
    Tensor& y = ctx.output(0, x.dtype(), {rows, e_.targets});
    for (size_t i = 0; i < acc.size(); ++i) {
      if (x.dtype() == DType::Float32) y.data<float>()[i] = float(acc[i]);
      else y.data<double>()[i] = acc[i];
    }
  }

 private:
  int64_t find_leaf(const Tensor& x, int64_t row_offset, size_t i, size_t n) const {
    // A root whose both branches are the same leaf is that leaf.
    if (e_.true_leaf[i] && e_.false_leaf[i] && e_.true_ids[i] == e_.false_ids[i]) return e_.true_ids[i];
    for (size_t steps = 0; steps <= n; ++steps) {
      const double v = float_at(x, row_offset + e_.features[i]);
      const bool t = goes_true(e_, i, v);
      const int64_t next = t ? e_.true_ids[i] : e_.false_ids[i];
      if (t ? e_.true_leaf[i] : e_.false_leaf[i]) return next;
      i = size_t(next);
    }
    fail(Status::InvalidModel, desc_, ": a tree has a cycle");
  }

  std::string desc_;
  Ensemble e_;
};

void infer_tree_ensemble(InferContext& ctx) {
  const Ensemble e = parse(ctx.node());
  const TypeInfo& x = ctx.input_type(0);
  TypeInfo out = TypeInfo::tensor_unknown_shape(x.dtype);
  if (x.has_shape) {
    EMBER_CHECK(x.dims.size() == 2, ShapeMismatch, ctx.node().describe(), ": X must be [N, F], got ", x.str());
    out.has_shape = true;
    out.dims = {x.dims[0], ir::Dim::of(e.targets)};
  }
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_tree_ensemble(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<TreeEnsembleKernel>(node);
}

}  // namespace

void add_tree_ensemble_ops(OpRegistry& r) {
  r.add(OpSchema{"TreeEnsemble", kDomain, 5, 1 << 30, infer_tree_ensemble, make_tree_ensemble,
                 {DType::Float32, DType::Float64}});
}

}  // namespace ember::ops::ml
