// LayerNormalization (opset 17: axis, epsilon, stash_type, optional Mean / InvStdDev outputs)
// and GroupNormalization (opset 18: per-group scale/bias, opset 21: per-channel). Statistics
// are computed in double whatever the stash type; the stash type decides the dtype of the
// Mean / InvStdDev outputs.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

DType stash_dtype(const ir::Node& node) {
  const int64_t s = node.attr_int("stash_type", 1);
  if (s == 1) return DType::Float32;
  if (s == 11) return DType::Float64;
  fail(Status::Unsupported, node.describe(), ": stash_type ", s, " is not supported (1 or 11)");
}

// Normalises `rows` rows of `len` elements: y = (x - mean) * inv_std * scale + bias, where
// param_of(row, i) gives the (scale, bias) pair for element i of that row.
template <class T, class ParamFn>
void normalize_rows(ThreadPool& pool, const T* x, T* y, int64_t rows, int64_t len, double eps,
                    double* mean_out, double* inv_out, ParamFn&& param_of) {
  pool.parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(len, 1)), [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const T* xr = x + r * len;
      T* yr = y + r * len;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < len; ++i) mean += double(xr[i]);
      mean /= double(std::max<int64_t>(len, 1));
      for (int64_t i = 0; i < len; ++i) var += (double(xr[i]) - mean) * (double(xr[i]) - mean);
      var /= double(std::max<int64_t>(len, 1));
      const double inv = 1.0 / std::sqrt(var + eps);
      for (int64_t i = 0; i < len; ++i) {
        const auto [sc, bi] = param_of(r, i);
        yr[i] = T((double(xr[i]) - mean) * inv * sc + bi);
      }
      if (mean_out) mean_out[r] = mean;
      if (inv_out) inv_out[r] = inv;
    }
  });
}

template <class F>
void visit_float(DType t, const std::string& node, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Float16: return f(half{});
    case DType::BFloat16: return f(bfloat16{});
    default: break;
  }
  fail(Status::Unsupported, node, ": element type ", dtype_name(t), " is not supported");
}

void store_doubles(const std::vector<double>& v, Tensor& t) {
  visit_float(t.dtype(), "", [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw());
    for (size_t i = 0; i < v.size(); ++i) p[i] = T(v[i]);
  });
}

// ---- LayerNormalization -----------------------------------------------------------------

void infer_layer_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, x);
  const DType u = stash_dtype(ctx.node());
  TypeInfo stats = TypeInfo::tensor_unknown_shape(u);
  if (x.has_shape) {
    const int64_t rank = int64_t(x.dims.size());
    const int64_t axis = normalize_axis(ctx.node().attr_int("axis", -1), rank, ctx.node());
    stats.has_shape = true;
    stats.dims = x.dims;
    for (int64_t i = axis; i < rank; ++i) stats.dims[size_t(i)] = ir::Dim::of(1);
  }
  for (size_t i = 1; i < ctx.output_count() && i < 3; ++i) ctx.set_output(i, stats);
}

// Expands a parameter broadcastable to `shape` (unidirectionally) into a dense vector.
std::vector<double> expand_param(const std::string& node, const Tensor& p, const Dims& shape, const char* what) {
  bool ok = p.rank() <= shape.size();
  for (size_t i = 0; ok && i < p.rank(); ++i) {
    const int64_t want = shape[shape.size() - p.rank() + i];
    ok = p.dim(i) == 1 || p.dim(i) == want;
  }
  EMBER_CHECK(ok, ShapeMismatch, node, ": ", what, " of shape ", dims_str(p.shape()),
              " cannot be broadcast to the normalized shape ", dims_str(shape));
  const std::vector<double> v = read_doubles(p);
  std::vector<double> out(static_cast<size_t>(dims_numel(shape)));
  StridedCounter it(shape, {broadcast_strides(p.shape(), shape)});
  for (size_t i = 0; i < out.size(); ++i, it.next()) out[i] = v[size_t(it.offset(0))];
  return out;
}

class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(const ir::Node& node, int64_t axis, double eps, DType stash)
      : node_(node.describe()), axis_(axis), eps_(eps), stash_(stash) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = int64_t(x.rank());
    EMBER_CHECK(axis_ >= -rank && axis_ < rank, InvalidModel, node_, ": axis ", axis_,
                " is out of range for rank ", rank);
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    const Dims norm(x.shape().begin() + axis, x.shape().end());
    const int64_t len = dims_numel(norm), rows = len ? x.numel() / len : 0;
    const std::vector<double> scale = expand_param(node_, ctx.input(1), norm, "Scale");
    const std::vector<double> bias = ctx.has_input(2) ? expand_param(node_, ctx.input(2), norm, "B")
                                                       : std::vector<double>(size_t(len), 0.0);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    Dims stat_shape = x.shape();
    for (int64_t i = axis; i < rank; ++i) stat_shape[size_t(i)] = 1;
    std::vector<double> mean(static_cast<size_t>(rows)), inv(static_cast<size_t>(rows));
    visit_float(x.dtype(), node_, [&](auto tag) {
      using T = decltype(tag);
      normalize_rows<T>(ctx.pool(), static_cast<const T*>(x.raw()), static_cast<T*>(y.raw()), rows, len, eps_,
                        mean.data(), inv.data(), [&](int64_t, int64_t i) {
                          return std::pair<double, double>(scale[size_t(i)], bias[size_t(i)]);
                        });
    });
    for (size_t k = 1; k < 3; ++k)
      if (ctx.output_count() > k && ctx.wants_output(k))
        store_doubles(k == 1 ? mean : inv, ctx.output(k, stash_, stat_shape));
  }

 private:
  std::string node_;
  int64_t axis_;
  double eps_;
  DType stash_;
};

std::unique_ptr<Kernel> make_layer_norm(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<LayerNormKernel>(node, node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f),
                                           stash_dtype(node));
}

// ---- GroupNormalization -----------------------------------------------------------------

void infer_group_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  EMBER_CHECK(!x.has_shape || x.dims.size() >= 2, ShapeMismatch, ctx.node().describe(),
              ": input X must be [N, C, ...], given ", x.str());
  ctx.set_output(0, x);
}

class GroupNormKernel final : public Kernel {
 public:
  GroupNormKernel(const ir::Node& node, int64_t groups, double eps, bool per_channel_only)
      : node_(node.describe()), groups_(groups), eps_(eps), per_channel_only_(per_channel_only) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 2, ShapeMismatch, node_, ": input X must be [N, C, ...], given ", dims_str(x.shape()));
    const int64_t N = x.dim(0), C = x.dim(1), G = groups_;
    EMBER_CHECK(C % G == 0, ShapeMismatch, node_, ": channel count C=", C, " is not divisible by num_groups=", G);
    const int64_t spatial = N * C > 0 ? x.numel() / (N * C) : 0, cg = C / G, len = cg * spatial;
    const Tensor& sc = ctx.input(1);
    const Tensor& bi = ctx.input(2);
    // Opset 18 gave one scale/bias per group; opset 21 one per channel.
    const bool per_channel = sc.numel() == C && bi.numel() == C;
    EMBER_CHECK(per_channel || (!per_channel_only_ && sc.numel() == G && bi.numel() == G), ShapeMismatch, node_,
                ": scale and bias must have shape [", C, "]", per_channel_only_ ? "" : str_cat(" or [", G, "]"),
                ", given ", dims_str(sc.shape()), " and ", dims_str(bi.shape()));
    const std::vector<double> s = read_doubles(sc), b = read_doubles(bi);
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    visit_float(x.dtype(), node_, [&](auto tag) {
      using T = decltype(tag);
      normalize_rows<T>(ctx.pool(), static_cast<const T*>(x.raw()), static_cast<T*>(y.raw()), N * G, len, eps_,
                        nullptr, nullptr, [&](int64_t r, int64_t i) {
                          const size_t k = per_channel ? size_t((r % G) * cg + i / std::max<int64_t>(spatial, 1))
                                                       : size_t(r % G);
                          return std::pair<double, double>(s[k], b[k]);
                        });
    });
  }

 private:
  std::string node_;
  int64_t groups_;
  double eps_;
  bool per_channel_only_;
};

std::unique_ptr<Kernel> make_group_norm(const ir::Node& node, KernelFactoryContext&) {
  const int64_t g = node.attr_int("num_groups");
  EMBER_CHECK(g >= 1, InvalidModel, node.describe(), ": num_groups must be >= 1, given ", g);
  stash_dtype(node);  // validates the attribute
  return std::make_unique<GroupNormKernel>(node, g, node.attr_float("epsilon", 1e-5f), node.opset >= 21);
}

}  // namespace

void add_layer_norm_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"LayerNormalization", "", 17, 1 << 30, infer_layer_norm, make_layer_norm, f});
  r.add({"GroupNormalization", "", 18, 1 << 30, infer_group_norm, make_group_norm, f});
}

}  // namespace ember::ops
