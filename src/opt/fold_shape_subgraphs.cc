// fold_shape_subgraphs: the start of Shape -> Gather/Slice -> Unsqueeze -> Concat -> Reshape
// chains when only part of a shape is static. With x: float32[N, 128, 768] (N symbolic),
// Shape(x) is not a constant, but Gather(Shape(x), 1) = 128 and Slice(Shape(x), 1, 3) =
// [128, 768] are; so is Shape(x, start=1). They become initializers, and fold_constants
// then evaluates the rest of the chain (Unsqueeze, Concat...) so Reshape gets a constant shape.
#include <algorithm>
#include <optional>

#include "opt/graph_edit.h"
#include "opt/level1_passes.h"

namespace ember::opt {

namespace {

// The source tensor's dims when `v` is Shape(source) of a ranked tensor (without start/end),
// with -1 where unknown.
std::optional<std::vector<int64_t>> shape_dims(const ir::Value* v) {
  const ir::Node* p = v ? v->producer : nullptr;
  if (!p || p->op_type != "Shape" || !p->domain.empty() || p->has_attr("start") || p->has_attr("end")) return {};
  const ir::Value* src = p->inputs.empty() ? nullptr : p->inputs[0];
  if (!src || src->type.kind != ir::ValueKind::Tensor || !src->type.has_shape) return {};
  std::vector<int64_t> dims;
  for (const ir::Dim& d : src->type.dims) dims.push_back(d.known() ? d.value : -1);
  return dims;
}

std::optional<std::vector<int64_t>> const_ints(const ir::Value* v) {
  if (!v || !v->constant || v->is_input) return {};
  const DType t = v->constant->dtype();
  if (t != DType::Int64 && t != DType::Int32) return {};
  return v->constant->to_int64_vector();
}

// Python-style slice bounds, as ONNX Slice/Shape clamp them.
int64_t clamp_index(int64_t i, int64_t n, int64_t step) {
  if (i < 0) i += n;
  return step > 0 ? std::clamp<int64_t>(i, 0, n) : std::clamp<int64_t>(i, -1, n - 1);
}

// The selected dims, or nothing when one is unknown or the node is not a supported form.
std::optional<Tensor> partial_shape_value(const ir::Node& n) {
  if (!n.domain.empty() || n.outputs.empty() || !n.outputs[0]) return {};
  std::vector<int64_t> picked;
  Dims out_shape;
  if (n.op_type == "Shape" && (n.has_attr("start") || n.has_attr("end"))) {
    const ir::Value* src = n.inputs.empty() ? nullptr : n.inputs[0];
    if (!src || src->type.kind != ir::ValueKind::Tensor || !src->type.has_shape) return {};
    const int64_t r = int64_t(src->type.dims.size());
    const int64_t s = clamp_index(n.attr_int("start", 0), r, 1);
    const int64_t e = clamp_index(n.attr_int("end", r), r, 1);
    for (int64_t k = s; k < e; ++k) picked.push_back(src->type.dims[k].known() ? src->type.dims[k].value : -1);
    out_shape = {int64_t(picked.size())};
  } else if (n.op_type == "Gather" && n.inputs.size() == 2) {
    auto dims = shape_dims(n.inputs[0]);
    auto idx = const_ints(n.inputs[1]);
    if (!dims || !idx || n.attr_int("axis", 0) != 0) return {};
    const int64_t r = int64_t(dims->size());
    for (int64_t i : *idx) {
      if (i < -r || i >= r) return {};  // out of range: leave the error to the kernel
      picked.push_back((*dims)[i < 0 ? i + r : i]);
    }
    out_shape = n.inputs[1]->constant->shape();
  } else if (n.op_type == "Slice" && n.opset >= 10 && n.inputs.size() >= 3) {
    auto dims = shape_dims(n.inputs[0]);
    auto starts = const_ints(n.inputs[1]);
    auto ends = const_ints(n.inputs[2]);
    auto axes = n.inputs.size() > 3 && n.inputs[3] ? const_ints(n.inputs[3]) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{0});
    auto steps = n.inputs.size() > 4 && n.inputs[4] ? const_ints(n.inputs[4]) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{1});
    if (!dims || !starts || !ends || !axes || !steps || starts->size() != 1 || ends->size() != 1 ||
        axes->size() != 1 || steps->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1) || (*steps)[0] == 0)
      return {};
    const int64_t r = int64_t(dims->size()), step = (*steps)[0];
    const int64_t s = clamp_index((*starts)[0], r, step), e = clamp_index((*ends)[0], r, step);
    for (int64_t k = s; step > 0 ? k < e : k > e; k += step) picked.push_back((*dims)[k]);
    out_shape = {int64_t(picked.size())};
  } else {
    return {};
  }
  if (std::count(picked.begin(), picked.end(), -1)) return {};
  Tensor t(DType::Int64, out_shape);
  std::copy(picked.begin(), picked.end(), t.data<int64_t>());
  return t;
}

class FoldShapeSubgraphs final : public Pass {
 public:
  const char* name() const override { return "fold_shape_subgraphs"; }
  int level() const override { return 1; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> rewrites;
    for (const auto& up : g.nodes()) {
      const ir::Node* n = up.get();
      std::optional<Tensor> value = partial_shape_value(*n);
      if (!value) continue;
      rewrites.push_back({"fold_shape_subgraphs: " + n->op_type + " '" + n->name + "' = " + dims_str(value->to_int64_vector()),
                          [n, t = *value](ir::Graph& graph) {
                            if (!edit::contains(graph, n)) return;
                            edit::make_constant(graph, n->outputs[0], t);
                            edit::remove_node(graph, const_cast<ir::Node*>(n));
                          }});
    }
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_shape_subgraphs() { return std::make_unique<FoldShapeSubgraphs>(); }

}  // namespace ember::opt
