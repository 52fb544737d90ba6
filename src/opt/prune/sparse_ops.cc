// MatMul / Gemm / 1x1 Conv with a sparse enough constant weight -> ai.ember SparseMatMul, the
// weight stored as CSR of W [output features, input features] (docs/ember_ops.md).
#include <cmath>
#include <cstring>
#include <optional>

#include "kernels/generic/spmm.h"
#include "ops/graph_inference.h"
#include "opt/graph_edit.h"
#include "opt/pattern.h"
#include "opt/prune/prune.h"
#include "opt/prune/tensor_take.h"

namespace ember::opt::prune {
namespace {

struct Candidate {
  ir::Node* node = nullptr;
  bool nchw = false;
  int64_t rows = 0, cols = 0;
  bool transposed = false;     // the stored weight is [cols, rows] (MatMul B, Gemm B without transB)
  ir::Value* bias = nullptr;   // Gemm C (1-D [rows]) or Conv B
};

bool ints_all(const ir::Node* n, const char* name, int64_t v) {
  for (int64_t x : n->attr_ints(name))
    if (x != v) return false;
  return true;
}

bool f32_vector(const ir::Value* v, int64_t n) {
  return v && v->constant && !v->is_input && v->constant->dtype() == DType::Float32 && v->constant->rank() == 1 &&
         v->constant->numel() == n;
}

std::optional<Candidate> candidate(ir::Node* n) {
  Candidate c;
  c.node = n;
  const Tensor& w = *n->inputs[1]->constant;
  const ir::Value* x = n->inputs[0];
  if (!x || x->type.dtype != DType::Float32) return std::nullopt;
  if (n->op_type == "MatMul") {
    if (!x->type.has_shape || x->type.dims.size() < 2) return std::nullopt;
    c.rows = w.dim(1);
    c.cols = w.dim(0);
    c.transposed = true;
    return c;
  }
  if (n->op_type == "Gemm") {
    if (n->attr_int("transA", 0) != 0 || n->attr_float("alpha", 1.0f) != 1.0f || n->has_attr("broadcast")) return std::nullopt;
    const bool tb = n->attr_int("transB", 0) == 1;
    c.rows = tb ? w.dim(0) : w.dim(1);
    c.cols = tb ? w.dim(1) : w.dim(0);
    c.transposed = !tb;
    if (n->inputs.size() > 2 && n->inputs[2]) {
      if (n->attr_float("beta", 1.0f) != 1.0f || !f32_vector(n->inputs[2], c.rows)) return std::nullopt;
      c.bias = n->inputs[2];
    }
    return c;
  }
  // Conv: 1x1, group 1, stride 1, no padding, no dilation.
  if (w.rank() != 4 || w.dim(2) != 1 || w.dim(3) != 1 || n->attr_int("group", 1) != 1) return std::nullopt;
  const std::string ap = n->attr_string("auto_pad", "NOTSET");
  if ((ap != "NOTSET" && ap != "VALID") || !ints_all(n, "strides", 1) || !ints_all(n, "pads", 0) ||
      !ints_all(n, "dilations", 1))
    return std::nullopt;
  c.nchw = true;
  c.rows = w.dim(0);
  c.cols = w.dim(1);
  if (n->inputs.size() > 2 && n->inputs[2]) {
    if (!f32_vector(n->inputs[2], c.rows)) return std::nullopt;
    c.bias = n->inputs[2];
  }
  return c;
}

Tensor vector_tensor(DType t, const void* data, size_t n, size_t elem) {
  Tensor out(t, {int64_t(n)});
  if (n) std::memcpy(out.raw(), data, n * elem);
  return out;
}

}  // namespace

SparseOpsReport to_sparse_ops(ir::Model& model, double max_density) {
  ir::Graph& g = *model.graph;
  ops::infer_graph(g, ops::OpRegistry::global());  // candidates need X's type
  SparseOpsReport report;
  std::vector<Candidate> todo;
  for (const WeightUse& u : prunable_weights(g))
    if (auto c = candidate(u.node)) todo.push_back(*c);
  for (const Candidate& c : todo) {
    const Tensor& w = *c.node->inputs[1]->constant;
    const kernels::CsrStorage csr =
        kernels::csr_from_dense(c.rows, c.cols, w.data<float>(), c.transposed ? c.rows : c.cols, c.transposed);
    if (double(csr.nnz()) > max_density * double(c.rows * c.cols)) continue;
    const std::string base = c.node->inputs[1]->name;
    ir::Value* values = edit::add_initializer(g, base + "_csr_values", vector_tensor(DType::Float32, csr.values.data(), csr.values.size(), 4));
    ir::Value* cols = edit::add_initializer(g, base + "_csr_cols", vector_tensor(DType::Int32, csr.col_idx.data(), csr.col_idx.size(), 4));
    ir::Value* ptr = edit::add_initializer(g, base + "_csr_rows", vector_tensor(DType::Int32, csr.row_ptr.data(), csr.row_ptr.size(), 4));
    NewNode spec;
    spec.op_type = "SparseMatMul";
    spec.domain = kEmberDomain;
    spec.opset = 1;
    spec.inputs = {c.node->inputs[0], values, cols, ptr};
    if (c.bias) spec.inputs.push_back(c.bias);
    spec.outputs = {c.node->outputs[0]};
    ir::Attribute shape;
    shape.name = "weight_shape";
    shape.type = ir::AttrType::Ints;
    shape.ints = {c.rows, c.cols};
    spec.attrs = {shape, attr_string("layout", c.nchw ? "nchw" : "rows")};
    report.converted.push_back(c.node->name);
    replace_with(g, {c.node}, spec, true);
  }
  if (!report.converted.empty()) {
    model.opset_imports[kEmberDomain] = 1;
    g.rebuild_uses();
    drop_unused_initializers(g);
  }
  return report;
}

}  // namespace ember::opt::prune
