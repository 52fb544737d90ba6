// Ops whose output is (mostly) known before running: Shape, Size, Constant,
// ConstantOfShape, EyeLike, Range. Their inference reads constant inputs so static models get
// static shapes downstream.
#include <algorithm>
#include <cmath>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

// Shape's [start, end) window (opset 15), clamped like a slice.
std::pair<int64_t, int64_t> shape_window(const ir::Node& n, int64_t r) {
  auto clamp = [r](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + r : v, 0, r); };
  const int64_t s = clamp(n.attr_int("start", 0));
  const int64_t e = n.has_attr("end") ? clamp(n.attr_int("end")) : r;
  return {s, std::max(s, e)};
}

void infer_shape(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) return ctx.set_output(0, unknown_dims(DType::Int64, 1));
  auto [s, e] = shape_window(ctx.node(), int64_t(in.dims.size()));
  ctx.set_output(0, TypeInfo::tensor(DType::Int64, {e - s}));
  ctx.set_output_dims_value(0, std::vector<ir::Dim>(in.dims.begin() + s, in.dims.begin() + e));
}

class ShapeKernel : public Kernel {
 public:
  explicit ShapeKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    auto [s, e] = shape_window(node_, int64_t(in.rank()));
    Tensor& out = ctx.output(0, DType::Int64, {e - s});
    for (int64_t i = s; i < e; ++i) out.data<int64_t>()[i - s] = in.dim(size_t(i));
  }
 private:
  ir::Node node_;
};

void infer_size(InferContext& ctx) { ctx.set_output(0, TypeInfo::tensor(DType::Int64, {})); }

class SizeKernel : public Kernel {
 public:
  explicit SizeKernel(const ir::Node&) {}
  void run(KernelContext& ctx) const override {
    const int64_t n = ctx.input(0).numel();
    *ctx.output(0, DType::Int64, {}).data<int64_t>() = n;
  }
};

// The tensor a Constant node holds, whichever of its attribute forms is set.
Tensor constant_value(const ir::Node& n) {
  EMBER_CHECK(!n.has_attr("sparse_value"), Unsupported, n.describe(), ": attribute 'sparse_value' is not supported");
  if (const Tensor* t = n.attr_tensor("value")) return *t;
  if (n.has_attr("value_float")) return Tensor::scalar(n.attr_float("value_float", 0));
  if (n.has_attr("value_int")) return Tensor::scalar(n.attr_int("value_int"));
  if (n.has_attr("value_string")) return Tensor::scalar(n.attr_string("value_string", ""));
  if (n.has_attr("value_floats")) {
    const auto v = n.attr_floats("value_floats");
    Tensor t(DType::Float32, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.data<float>());
    return t;
  }
  if (n.has_attr("value_ints")) {
    const auto v = n.attr_ints("value_ints");
    Tensor t(DType::Int64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.data<int64_t>());
    return t;
  }
  if (n.has_attr("value_strings")) {
    const auto v = n.attr_strings("value_strings");
    Tensor t(DType::String, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), t.data<std::string>());
    return t;
  }
  fail(Status::InvalidModel, n.describe(), ": Constant has no value attribute");
}

void infer_constant(InferContext& ctx) {
  const Tensor t = constant_value(ctx.node());
  ctx.set_output(0, TypeInfo::tensor(t.dtype(), t.shape()));
}

class ConstantKernel : public Kernel {
 public:
  explicit ConstantKernel(const ir::Node& n) : value_(constant_value(n)) {}
  void run(KernelContext& ctx) const override {
    Tensor& out = ctx.output(0, value_.dtype(), value_.shape());
    copy_elems(value_.dtype(), out.raw(), 0, value_.raw(), 0, value_.numel());
  }
 private:
  Tensor value_;
};

// ConstantOfShape's fill value: a one-element tensor, float32 0 by default.
Tensor fill_value(const ir::Node& n) {
  const Tensor* t = n.attr_tensor("value");
  if (!t) return Tensor::scalar(0.0f);
  EMBER_CHECK(t->numel() == 1, InvalidModel, n.describe(), ": 'value' must hold one element, it has ", t->numel());
  return *t;
}

Dims checked_shape(const std::vector<int64_t>& v, const ir::Node& n) {
  for (int64_t d : v)
    EMBER_CHECK(d >= 0, InvalidArgument, n.describe(), ": negative dimension in shape ", dims_str(v));
  return v;
}

void infer_constant_of_shape(InferContext& ctx) {
  const DType dt = fill_value(ctx.node()).dtype();
  if (auto v = const_ints(ctx, 0)) return ctx.set_output(0, TypeInfo::tensor(dt, checked_shape(*v, ctx.node())));
  const TypeInfo& st = ctx.input_type(0);
  if (st.has_shape && st.dims.size() == 1 && st.dims[0].known())
    return ctx.set_output(0, unknown_dims(dt, size_t(st.dims[0].value)));
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(dt));
}

class ConstantOfShapeKernel : public Kernel {
 public:
  explicit ConstantOfShapeKernel(const ir::Node& n) : node_(n), value_(fill_value(n)) {}
  void run(KernelContext& ctx) const override {
    const Dims shape = checked_shape(input_ints(ctx, 0, &node_), node_);
    Tensor& out = ctx.output(0, value_.dtype(), shape);
    visit_storage(value_.dtype(), [&](auto tag) {
      using S = decltype(tag);
      const S v = *static_cast<const S*>(value_.raw());
      std::fill_n(static_cast<S*>(out.raw()), out.numel(), v);
    });
  }
 private:
  ir::Node node_;
  Tensor value_;
};

DType eye_dtype(const ir::Node& n, DType in) {
  if (!n.has_attr("dtype")) return in;
  const int64_t code = n.attr_int("dtype");
  EMBER_CHECK(dtype_is_valid(int32_t(code)) && code != int64_t(DType::String), Unsupported, n.describe(),
              ": dtype ", code, " is not supported");
  return DType(code);
}

void infer_eye_like(InferContext& ctx) {
  TypeInfo t = ctx.input_type(0);
  t.dtype = eye_dtype(ctx.node(), t.dtype);
  ctx.set_output(0, t);
}

class EyeLikeKernel : public Kernel {
 public:
  explicit EyeLikeKernel(const ir::Node& n) : node_(n), k_(n.attr_int("k", 0)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    EMBER_CHECK(in.rank() == 2, ShapeMismatch, node_.describe(), ": expected a 2-D input, got ", dims_str(in.shape()));
    const DType dt = eye_dtype(node_, in.dtype());
    Tensor& out = ctx.output(0, dt, in.shape());
    visit_numeric_dtype(dt, [&](auto tag) {
      using T = decltype(tag);
      T* o = out.data<T>();
      const int64_t rows = in.dim(0), cols = in.dim(1);
      std::fill_n(o, rows * cols, T(0));
      for (int64_t i = 0; i < rows; ++i)
        if (i + k_ >= 0 && i + k_ < cols) o[i * cols + i + k_] = T(1);
    });
  }
 private:
  ir::Node node_;
  int64_t k_;
};

// Range: element count from start/limit/delta, max(ceil((limit - start) / delta), 0).
int64_t range_count(double start, double limit, double delta, const ir::Node& n) {
  EMBER_CHECK(delta != 0, InvalidArgument, n.describe(), ": delta cannot be 0");
  const double count = std::ceil((limit - start) / delta);
  // Checked before the integer cast: NaN or a huge count would be undefined behaviour there.
  EMBER_CHECK(!std::isnan(count) && count < 0x1p40, InvalidArgument, n.describe(), ": start ", start, ", limit ",
              limit, ", delta ", delta, " give an invalid or too large element count");
  return std::max<int64_t>(0, int64_t(count));
}

double scalar_as_double(const Tensor& t, const ir::Node& n, const char* what) {
  EMBER_CHECK(t.numel() == 1, ShapeMismatch, n.describe(), ": ", what, " must be a scalar, got shape ",
              dims_str(t.shape()));
  return visit_numeric_dtype(t.dtype(), [&](auto tag) { return double(static_cast<const decltype(tag)*>(t.raw())[0]); });
}

void infer_range(InferContext& ctx) {
  const DType dt = ctx.input_type(0).dtype;
  const Tensor *s = ctx.input_value(0), *l = ctx.input_value(1), *d = ctx.input_value(2);
  const ir::Node& n = ctx.node();
  if (s && d && !l) {
    // Range(0, size, 1) with the size a named dim (Shape(x)[i]): exactly `size` elements.
    // Exporters build position and mask indices this way from dynamic axes.
    const auto limit = ctx.input_dims_value(1);
    if (limit && limit->size() == 1 && is_named_dim((*limit)[0]) && scalar_as_double(*s, n, "start") == 0.0 &&
        scalar_as_double(*d, n, "delta") == 1.0)
      return ctx.set_output(0, type_from_dims(dt, {(*limit)[0]}));
  }
  if (!s || !l || !d) return ctx.set_output(0, unknown_dims(dt, 1));
  ctx.set_output(0, TypeInfo::tensor(dt, {range_count(scalar_as_double(*s, n, "start"), scalar_as_double(*l, n, "limit"),
                                                      scalar_as_double(*d, n, "delta"), n)}));
}

class RangeKernel : public Kernel {
 public:
  explicit RangeKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor &s = ctx.input(0), &l = ctx.input(1), &d = ctx.input(2);
    require_dtype(node_, "start", s.dtype(),
                  {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int16, DType::Int32, DType::Int64});
    EMBER_CHECK(l.dtype() == s.dtype() && d.dtype() == s.dtype(), TypeMismatch, node_.describe(),
                ": start, limit and delta must have one type");
    const double start = scalar_as_double(s, node_, "start"), delta = scalar_as_double(d, node_, "delta");
    const int64_t n = range_count(start, scalar_as_double(l, node_, "limit"), delta, node_);
    Tensor& out = ctx.output(0, s.dtype(), {n});
    visit_numeric_dtype(s.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T st = static_cast<const T*>(s.raw())[0], dl = static_cast<const T*>(d.raw())[0];
      for (int64_t i = 0; i < n; ++i) out.data<T>()[i] = T(st + T(i) * dl);
    });
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_constant_ops(OpRegistry& r) {
  add_schema(r, "Shape", 1, kMaxOpset, infer_shape, make_kernel<ShapeKernel>);
  add_schema(r, "Size", 1, kMaxOpset, infer_size, make_kernel<SizeKernel>);
  add_schema(r, "Constant", 1, kMaxOpset, infer_constant, make_kernel<ConstantKernel>);
  add_schema(r, "ConstantOfShape", 9, kMaxOpset, infer_constant_of_shape, make_kernel<ConstantOfShapeKernel>);
  add_schema(r, "EyeLike", 9, kMaxOpset, infer_eye_like, make_kernel<EyeLikeKernel>);
  add_schema(r, "Range", 11, kMaxOpset, infer_range, make_kernel<RangeKernel>);
}

}  // namespace ember::ops
