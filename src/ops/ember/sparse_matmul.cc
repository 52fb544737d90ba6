// SparseMatMul reference kernel: a plain loop over the CSR nonzeros in double precision (the
// fast kernel is kernels/dispatch/f32_spmm.h through src/backends/cpu/sparse).
#include "ops/ember/sparse_matmul.h"

#include <vector>

#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"

namespace ember::ops {

SparseMatMulAttrs parse_sparse_matmul(const ir::Node& node) {
  SparseMatMulAttrs a;
  const std::vector<int64_t> ws = node.attr_ints("weight_shape");
  EMBER_CHECK(ws.size() == 2 && ws[0] > 0 && ws[1] > 0 && ws[0] < (int64_t(1) << 31) && ws[1] < (int64_t(1) << 31),
              InvalidModel, node.describe(), ": weight_shape must be two positive int32-range values [rows, cols]");
  a.rows = ws[0];
  a.cols = ws[1];
  const std::string layout = node.attr_string("layout", "rows");
  EMBER_CHECK(layout == "rows" || layout == "nchw", InvalidModel, node.describe(),
              ": layout must be \"rows\" or \"nchw\", given \"", layout, "\"");
  a.nchw = layout == "nchw";
  return a;
}

void check_sparse_weight(const std::string& node, const SparseMatMulAttrs& a, const Tensor& values,
                         const Tensor& col_idx, const Tensor& row_ptr) {
  EMBER_CHECK(values.dtype() == DType::Float32 && values.rank() == 1, InvalidModel, node,
              ": values must be a float32 vector, given ", dtype_name(values.dtype()), dims_str(values.shape()));
  EMBER_CHECK(col_idx.dtype() == DType::Int32 && col_idx.rank() == 1 && col_idx.numel() == values.numel(),
              InvalidModel, node, ": col_idx must be an int32 vector as long as values (", values.numel(), ")");
  EMBER_CHECK(row_ptr.dtype() == DType::Int32 && row_ptr.rank() == 1 && row_ptr.numel() == a.rows + 1, InvalidModel,
              node, ": row_ptr must be an int32 vector of rows + 1 = ", a.rows + 1, " entries");
  const int32_t* p = row_ptr.data<int32_t>();
  const int32_t* c = col_idx.data<int32_t>();
  EMBER_CHECK(p[0] == 0 && p[a.rows] == values.numel(), InvalidModel, node,
              ": row_ptr must start at 0 and end at the number of values (", values.numel(), ")");
  for (int64_t r = 0; r < a.rows; ++r)
    EMBER_CHECK(p[r] <= p[r + 1], InvalidModel, node, ": row_ptr decreases at row ", r);
  for (int64_t j = 0; j < col_idx.numel(); ++j)
    EMBER_CHECK(c[j] >= 0 && c[j] < a.cols, InvalidModel, node, ": col_idx[", j, "] = ", c[j], " is outside [0, ",
                a.cols, ")");
}

Dims sparse_matmul_output_shape(const std::string& node, const SparseMatMulAttrs& a, const Dims& x) {
  if (a.nchw) {
    EMBER_CHECK(x.size() >= 3 && x[1] == a.cols, ShapeMismatch, node, ": X must be [N, ", a.cols,
                ", spatial...] (layout nchw), given ", dims_str(x));
    Dims y = x;
    y[1] = a.rows;
    return y;
  }
  EMBER_CHECK(!x.empty() && x.back() == a.cols, ShapeMismatch, node, ": X must be [..., ", a.cols, "], given ",
              dims_str(x));
  Dims y = x;
  y.back() = a.rows;
  return y;
}

namespace {

void infer_sparse_matmul(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const SparseMatMulAttrs a = parse_sparse_matmul(node);
  ember_op::require_f32(node, ctx.input_type(0), "X");
  const TypeInfo& x = ctx.input_type(0);
  if (!x.has_shape) {
    ctx.set_output(0, TypeInfo::tensor_unknown_shape(DType::Float32));
    return;
  }
  TypeInfo y = x;
  const size_t axis = a.nchw ? 1 : x.dims.size() - 1;
  EMBER_CHECK(!x.dims.empty() && (!a.nchw || x.dims.size() >= 3), ShapeMismatch, node.describe(),
              ": X has rank ", x.dims.size(), ", too small for layout ", a.nchw ? "nchw" : "rows");
  EMBER_CHECK(!x.dims[axis].known() || x.dims[axis].value == a.cols, ShapeMismatch, node.describe(), ": X ", x.str(),
              " must have ", a.cols, " features on axis ", axis);
  y.dims[axis] = ir::Dim::of(a.rows);
  ctx.set_output(0, y);
}

class SparseMatMulRef final : public Kernel {
 public:
  explicit SparseMatMulRef(const ir::Node& node) : node_(node.describe()), a_(parse_sparse_matmul(node)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    ember_op::require_f32(node_, x, "X");
    check_sparse_weight(node_, a_, ctx.input(1), ctx.input(2), ctx.input(3));
    const float* bias = nullptr;
    if (ctx.has_input(4)) {
      const Tensor& b = ctx.input(4);
      EMBER_CHECK(b.dtype() == DType::Float32 && b.rank() == 1 && b.numel() == a_.rows, ShapeMismatch, node_,
                  ": bias must be float32 [", a_.rows, "], given ", dims_str(b.shape()));
      bias = b.data<float>();
    }
    const Dims ys = sparse_matmul_output_shape(node_, a_, x.shape());
    Tensor& y = ctx.output(0, DType::Float32, ys);
    const float* v = ctx.input(1).data<float>();
    const int32_t* col = ctx.input(2).data<int32_t>();
    const int32_t* ptr = ctx.input(3).data<int32_t>();
    const float* X = x.data<float>();
    float* Y = y.data<float>();
    // Both layouts as X[item, feature, inner]: rows has inner = 1 (items = leading dims),
    // nchw has inner = the spatial size (items = N).
    int64_t inner = 1;
    if (a_.nchw)
      for (size_t i = 2; i < ys.size(); ++i) inner *= ys[i];
    const int64_t items = inner ? x.numel() / (a_.cols * inner) : 0;
    for (int64_t it = 0; it < items; ++it)
      for (int64_t r = 0; r < a_.rows; ++r)
        for (int64_t p = 0; p < inner; ++p) {
          double acc = bias ? bias[r] : 0.0;
          for (int32_t j = ptr[r]; j < ptr[r + 1]; ++j) acc += double(v[j]) * X[(it * a_.cols + col[j]) * inner + p];
          Y[(it * a_.rows + r) * inner + p] = float(acc);
        }
  }

 private:
  std::string node_;
  SparseMatMulAttrs a_;
};

std::unique_ptr<Kernel> make_sparse_matmul(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<SparseMatMulRef>(node);
}

}  // namespace

void add_sparse_matmul_op(OpRegistry& r) {
  r.add({"SparseMatMul", kEmberDomain, 1, 1 << 30, infer_sparse_matmul, make_sparse_matmul, {DType::Float32}});
}

}  // namespace ember::ops
