// LpNormalization, MeanVarianceNormalization and Shrink: small element-wise or
// reduce-then-map ops over float tensors, computed in double and rounded back.
//   LpNormalization:   y = x / (sum over axis |x|^p)^(1/p), p in {1, 2}; a zero norm gives 0.
//   MVN:               y = (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (the ONNX
//                      function body's formula, including where the epsilon goes).
//   Shrink:            y = x + bias if x < -lambd, x - bias if x > lambd, else 0.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

void require_float(const std::string& node, const Tensor& x) {
  EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node, ": element type ", dtype_name(x.dtype()),
              " is not supported (floating point only)");
}

// Maps a possibly negative axis into [0, rank); InvalidModel naming the node otherwise.
int64_t axis_in(const std::string& node, int64_t axis, int64_t rank) {
  EMBER_CHECK(axis >= -rank && axis < rank, InvalidModel, node, ": axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

class LpNormKernel final : public Kernel {
 public:
  LpNormKernel(const ir::Node& node, int64_t axis, int64_t p) : node_(node.describe()), axis_(axis), p_(p) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_float(node_, x);
    EMBER_CHECK(x.rank() >= 1, ShapeMismatch, node_, ": input must have rank >= 1");
    const int64_t axis = axis_in(node_, axis_, int64_t(x.rank()));
    const Dims& s = x.shape();
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
    for (size_t i = size_t(axis) + 1; i < s.size(); ++i) inner *= s[i];
    const int64_t len = s[size_t(axis)];
    std::vector<double> v = read_doubles(x);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t in = 0; in < inner; ++in) {
        double acc = 0;
        for (int64_t l = 0; l < len; ++l) {
          const double a = std::fabs(v[size_t((o * len + l) * inner + in)]);
          acc += p_ == 1 ? a : a * a;
        }
        const double norm = p_ == 1 ? acc : std::sqrt(acc);
        for (int64_t l = 0; l < len; ++l) {
          double& e = v[size_t((o * len + l) * inner + in)];
          e = norm == 0 ? 0 : e / norm;
        }
      }
    }
    Tensor& y = ctx.output(0, x.dtype(), s);
    store_doubles(v, y);
  }

 private:
  std::string node_;
  int64_t axis_, p_;
};

std::unique_ptr<Kernel> make_lp_norm(const ir::Node& node, KernelFactoryContext&) {
  const int64_t p = node.attr_int("p", 2);
  EMBER_CHECK(p == 1 || p == 2, InvalidModel, node.describe(), ": p must be 1 or 2, given ", p);
  return std::make_unique<LpNormKernel>(node, node.attr_int("axis", -1), p);
}

class MvnKernel final : public Kernel {
 public:
  MvnKernel(const ir::Node& node, std::vector<int64_t> axes) : node_(node.describe()), axes_(std::move(axes)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_float(node_, x);
    const int64_t rank = int64_t(x.rank());
    std::vector<bool> red(size_t(rank), false);
    for (int64_t a : axes_) red[size_t(axis_in(node_, a, rank))] = true;
    // Group elements by their index on the kept axes.
    const Dims& s = x.shape();
    Dims keep_shape;
    for (int64_t i = 0; i < rank; ++i) keep_shape.push_back(red[size_t(i)] ? 1 : s[size_t(i)]);
    const Dims kstr = dims_strides(keep_shape);
    const int64_t groups = dims_numel(keep_shape), n = x.numel();
    std::vector<int64_t> gid(static_cast<size_t>(n));
    Dims idx(size_t(rank), 0);
    for (int64_t e = 0; e < n; ++e) {
      int64_t g = 0;
      for (int64_t i = 0; i < rank; ++i) g += red[size_t(i)] ? 0 : idx[size_t(i)] * kstr[size_t(i)];
      gid[size_t(e)] = g;
      for (int64_t i = rank - 1; i >= 0; --i) {
        if (++idx[size_t(i)] < s[size_t(i)]) break;
        idx[size_t(i)] = 0;
      }
    }
    std::vector<double> v = read_doubles(x), sum(size_t(groups), 0), sq(size_t(groups), 0),
                        cnt(size_t(groups), 0);
    for (int64_t e = 0; e < n; ++e) {
      const size_t g = size_t(gid[size_t(e)]);
      sum[g] += v[size_t(e)];
      sq[g] += v[size_t(e)] * v[size_t(e)];
      cnt[g] += 1;
    }
    for (int64_t e = 0; e < n; ++e) {
      const size_t g = size_t(gid[size_t(e)]);
      const double mean = sum[g] / cnt[g], var = sq[g] / cnt[g] - mean * mean;
      v[size_t(e)] = (v[size_t(e)] - mean) / (std::sqrt(std::max(var, 0.0)) + 1e-9);
    }
    Tensor& y = ctx.output(0, x.dtype(), s);
    store_doubles(v, y);
  }

 private:
  std::string node_;
  std::vector<int64_t> axes_;
};

std::unique_ptr<Kernel> make_mvn(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<MvnKernel>(node, node.attr_ints("axes", {0, 2, 3}));
}

class ShrinkKernel final : public Kernel {
 public:
  ShrinkKernel(const ir::Node& node, double bias, double lambd)
      : node_(node.describe()), bias_(bias), lambd_(lambd) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // Integer Shrink would need wrap-around semantics for x +- bias; only floats are done.
    EMBER_CHECK(dtype_is_float(x.dtype()), Unsupported, node_, ": element type ", dtype_name(x.dtype()),
                " is not supported (floating point only)");
    std::vector<double> v = read_doubles(x);
    for (double& e : v) e = e < -lambd_ ? e + bias_ : e > lambd_ ? e - bias_ : 0.0;
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    store_doubles(v, y);
  }

 private:
  std::string node_;
  double bias_, lambd_;
};

std::unique_ptr<Kernel> make_shrink(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<ShrinkKernel>(node, node.attr_float("bias", 0.0f), node.attr_float("lambd", 0.5f));
}

}  // namespace

void add_normalize_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"LpNormalization", "", 1, 1 << 30, infer_same_as_input, make_lp_norm, f});
  r.add({"MeanVarianceNormalization", "", 9, 1 << 30, infer_same_as_input, make_mvn, f});
  r.add({"Shrink", "", 9, 1 << 30, infer_same_as_input, make_shrink, f});
}

}  // namespace ember::ops
