// Det: determinant of each square matrix in the trailing two dims ([..., M, M] -> [...]), by
// Gaussian elimination with partial pivoting in double.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

double determinant(double* a, int64_t m) {
  double det = 1;
  for (int64_t k = 0; k < m; ++k) {
    int64_t piv = k;
    for (int64_t i = k + 1; i < m; ++i)
      if (std::fabs(a[i * m + k]) > std::fabs(a[piv * m + k])) piv = i;
    if (a[piv * m + k] == 0) return 0;
    if (piv != k) {
      for (int64_t j = 0; j < m; ++j) std::swap(a[k * m + j], a[piv * m + j]);
      det = -det;
    }
    det *= a[k * m + k];
    for (int64_t i = k + 1; i < m; ++i) {
      const double f = a[i * m + k] / a[k * m + k];
      for (int64_t j = k; j < m; ++j) a[i * m + j] -= f * a[k * m + j];
    }
  }
  return det;
}

class DetKernel final : public Kernel {
 public:
  explicit DetKernel(const ir::Node& node) : node_(node.describe()) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node_, ": element type ", dtype_name(x.dtype()),
                " is not supported (floating point only)");
    EMBER_CHECK(x.rank() >= 2 && x.dim(x.rank() - 1) == x.dim(x.rank() - 2), ShapeMismatch, node_,
                ": input must be [..., M, M], given ", dims_str(x.shape()));
    const int64_t m = x.dim(x.rank() - 1);
    Dims out_shape(x.shape().begin(), x.shape().end() - 2);
    std::vector<double> v = read_doubles(x);
    const int64_t count = dims_numel(out_shape);
    std::vector<double> out(static_cast<size_t>(count));
    for (int64_t b = 0; b < count; ++b) out[size_t(b)] = determinant(v.data() + b * m * m, m);
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    store_doubles(out, y);
  }

 private:
  std::string node_;
};

void infer_det(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  if (!x.has_shape) {
    ctx.set_output(0, TypeInfo::tensor_unknown_shape(x.dtype));
    return;
  }
  EMBER_CHECK(x.dims.size() >= 2, ShapeMismatch, ctx.node().describe(), ": input must be [..., M, M], given ",
              x.str());
  TypeInfo out = x;
  out.dims.resize(x.dims.size() - 2);
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_det(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<DetKernel>(node);
}

}  // namespace

void add_det_ops(OpRegistry& r) {
  r.add({"Det", "", 11, 1 << 30, infer_det, make_det,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
