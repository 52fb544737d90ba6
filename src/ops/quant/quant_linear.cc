// QuantizeLinear / DequantizeLinear (opsets 10-28): per-tensor, per-axis (1-D scale along
// `axis`) and blocked (scale with x's rank, `block_size` elements of x per scale along `axis`).
//   Q:  y = saturate(rint(x / scale) + zero_point)  for integer targets (rint: ties to even);
//       y = cast(x / scale) for float8 (saturate attr) and float4 (+ zero_point), as in the spec.
//   DQ: y = (x - zero_point) * scale, computed in float, stored as scale's type (or output_dtype).
// The quotient x / scale is rounded to x's type first, as the reference computes it there.
// The `precision` attribute (opset 23+) is accepted only when it names x's own type.
#include <cmath>

#include "ir/narrow_types.h"
#include "ops/op_util.h"
#include "ops/quant/quant_ops.h"

namespace ember::ops::quant {
namespace {

bool quant_type_ok(DType t) {
  return t == DType::UInt8 || t == DType::Int8 || t == DType::UInt16 || t == DType::Int16 ||
         t == DType::Int32 || (dtype_is_narrow(t) && t != DType::Float8E8M0);
}

// Reads element i of any quant-storage or float tensor as double.
double load(const Tensor& t, int64_t i) {
  if (dtype_is_narrow(t.dtype())) return narrow_to_float(t.dtype(), static_cast<const uint8_t*>(t.raw())[i]);
  return visit_numeric_dtype(t.dtype(), [&](auto tag) -> double {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) return double(float(t.data<T>()[i]));
    else return double(t.data<T>()[i]);
  });
}

// Which scale element each x element uses.
struct ScaleMap {
  int64_t inner = 1, dim = 1, block = 0;  // block 0: per-tensor (dim==0 marker) or per-axis
  bool per_tensor = true;
  int64_t scale_dim = 1;
  int64_t index(int64_t i) const {
    if (per_tensor) return 0;
    const int64_t o = i / (dim * inner), d = (i / inner) % dim, in = i % inner;
    if (block == 0) return d;
    return (o * scale_dim + d / block) * inner + in;
  }
};

ScaleMap plan_scale(const ir::Node& n, const Dims& x, const Dims& s, int64_t axis_attr, int64_t block,
                    const char* what) {
  ScaleMap m;
  EMBER_CHECK(block >= 0, InvalidModel, n.describe(), ": block_size must be >= 0, got ", block);
  if (dims_numel(s) == 1 && block == 0) return m;
  m.per_tensor = false;
  const int64_t rank = int64_t(x.size());
  EMBER_CHECK(rank >= 1, ShapeMismatch, n.describe(), ": a non-scalar ", what, " needs x of rank >= 1");
  const int64_t axis = normalize_axis(axis_attr, rank, n);
  m.dim = x[size_t(axis)];
  for (int64_t k = axis + 1; k < rank; ++k) m.inner *= x[size_t(k)];
  if (block == 0) {
    EMBER_CHECK(s.size() == 1 && s[0] == m.dim, ShapeMismatch, n.describe(), ": ", what, " of shape ",
                dims_str(s), " must be a scalar or 1-D of length ", m.dim, " (x's axis ", axis, ")");
    return m;
  }
  m.block = block;
  m.scale_dim = (m.dim + block - 1) / block;
  bool ok = int64_t(s.size()) == rank;
  for (int64_t k = 0; ok && k < rank; ++k)
    ok = s[size_t(k)] == (k == axis ? m.scale_dim : x[size_t(k)]);
  EMBER_CHECK(ok, ShapeMismatch, n.describe(), ": blocked ", what, " of shape ", dims_str(s),
              " does not match x ", dims_str(x), " with block_size ", block, " on axis ", axis);
  return m;
}

DType attr_dtype(const ir::Node& n, const char* name) {
  const int64_t v = n.attr_int(name, 0);
  if (v == 0) return DType::Undefined;
  EMBER_CHECK(v > 0 && v < 64 && dtype_is_valid(int32_t(v)), Unsupported, n.describe(), ": ", name, "=", v,
              " is not a supported element type");
  return DType(int32_t(v));
}

DType quant_out_type(const ir::Node& n, DType zp_type) {
  const DType od = attr_dtype(n, "output_dtype");
  if (zp_type != DType::Undefined) {
    EMBER_CHECK(od == DType::Undefined || od == zp_type, InvalidModel, n.describe(), ": output_dtype ",
                dtype_name(od), " differs from y_zero_point's type ", dtype_name(zp_type));
    return zp_type;
  }
  return od == DType::Undefined ? DType::UInt8 : od;
}

// Rounds the quotient to x's float type, as the reference divides in that type.
double round_to(DType t, double v) {
  switch (t) {
    case DType::Float32: return double(float(v));
    case DType::Float16: return double(float(half(float(v))));
    case DType::BFloat16: return double(float(bfloat16(float(v))));
    default: return v;
  }
}

void store_quant(Tensor& y, int64_t i, double q, double zp, bool saturate) {
  const DType t = y.dtype();
  if (t == DType::Float4E2M1) {
    static_cast<uint8_t*>(y.raw())[i] = float_to_narrow(t, q + zp, true);
    return;
  }
  if (dtype_is_narrow(t) && !dtype_is_narrow_int(t)) {  // float8: zero point is 0 by spec
    static_cast<uint8_t*>(y.raw())[i] = float_to_narrow(t, q, saturate);
    return;
  }
  double lo, hi;
  if (dtype_is_narrow_int(t)) { lo = narrow_int_min(t); hi = narrow_int_max(t); }
  else visit_numeric_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    lo = double(std::numeric_limits<T>::lowest()); hi = double(std::numeric_limits<T>::max());
  });
  double r = std::isnan(q) ? 0.0 : std::nearbyint(q) + zp;
  r = std::min(hi, std::max(lo, r));
  if (dtype_is_narrow_int(t)) {
    static_cast<uint8_t*>(y.raw())[i] = int_to_narrow_int(t, int64_t(r));
    return;
  }
  visit_numeric_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) y.data<T>()[i] = T(r);
  });
}

void check_precision(const ir::Node& n, DType x) {
  const DType p = attr_dtype(n, "precision");
  EMBER_CHECK(p == DType::Undefined || p == x, Unsupported, n.describe(), ": precision=",
              dtype_name(p), " other than x's type (", dtype_name(x), ") is not supported");
}

class QuantizeKernel final : public Kernel {
 public:
  explicit QuantizeKernel(const ir::Node& n)
      : node_(n.describe()), axis_(n.attr_int("axis", 1)), block_(n.attr_int("block_size", 0)),
        saturate_(n.attr_int("saturate", 1) != 0), label_(node_label(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    EMBER_CHECK(dtype_is_float(x.dtype()) || x.dtype() == DType::Int32, TypeMismatch, node_,
                ": x must be a float type or int32, got ", dtype_name(x.dtype()));
    EMBER_CHECK(dtype_is_float(s.dtype()) || s.dtype() == DType::Int32, TypeMismatch, node_,
                ": y_scale must be a float type, got ", dtype_name(s.dtype()));
    const bool has_zp = ctx.has_input(2);
    const DType out = has_zp ? ctx.input(2).dtype() : out_;
    EMBER_CHECK(quant_type_ok(out), Unsupported, node_, ": quantizing to ", dtype_name(out), " is not supported");
    const ScaleMap sm = plan_scale(label_, x.shape(), s.shape(), axis_, block_, "y_scale");
    if (has_zp) {
      const ScaleMap zm = plan_scale(label_, x.shape(), ctx.input(2).shape(), axis_, block_, "y_zero_point");
      EMBER_CHECK(zm.per_tensor == sm.per_tensor, ShapeMismatch, node_, ": y_scale and y_zero_point shapes differ");
    }
    for (int64_t i = 0; i < s.numel(); ++i)
      EMBER_CHECK(load(s, i) != 0.0, InvalidArgument, node_, ": y_scale element ", i, " is zero");
    Tensor& y = ctx.output(0, out, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t k = sm.index(i);
      const double q = round_to(x.dtype(), load(x, i) / load(s, k));
      store_quant(y, i, q, has_zp ? load(ctx.input(2), k) : 0.0, saturate_);
    }
  }
  DType out_ = DType::UInt8;

 private:
  std::string node_;
  int64_t axis_, block_;
  bool saturate_;
  ir::Node label_;  // name/op/opset for messages
};

void infer_quantize(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  check_precision(n, ctx.input_type(0).dtype);
  const DType zp = ctx.has_input(2) ? ctx.input_type(2).dtype : DType::Undefined;
  const DType out = quant_out_type(n, zp);
  EMBER_CHECK(out == DType::Undefined || quant_type_ok(out), Unsupported, n.describe(), ": quantizing to ",
              dtype_name(out), " is not supported");
  ctx.set_output(0, with_dtype(ctx.input_type(0), out));
}

std::unique_ptr<Kernel> make_quantize(const ir::Node& n, KernelFactoryContext&) {
  auto k = std::make_unique<QuantizeKernel>(n);
  k->out_ = quant_out_type(n, DType::Undefined);
  return k;
}

class DequantizeKernel final : public Kernel {
 public:
  explicit DequantizeKernel(const ir::Node& n)
      : node_(n.describe()), axis_(n.attr_int("axis", 1)), block_(n.attr_int("block_size", 0)),
        out_(attr_dtype(n, "output_dtype")), label_(node_label(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    EMBER_CHECK(quant_type_ok(x.dtype()), Unsupported, node_, ": dequantizing ", dtype_name(x.dtype()),
                " is not supported");
    EMBER_CHECK(dtype_is_float(s.dtype()), TypeMismatch, node_, ": x_scale must be a float type, got ",
                dtype_name(s.dtype()));
    const bool has_zp = ctx.has_input(2);
    const ScaleMap sm = plan_scale(label_, x.shape(), s.shape(), axis_, block_, "x_scale");
    if (has_zp) {
      const Tensor& z = ctx.input(2);
      EMBER_CHECK(z.dtype() == x.dtype(), TypeMismatch, node_, ": x_zero_point has type ",
                  dtype_name(z.dtype()), " but x has ", dtype_name(x.dtype()));
      plan_scale(label_, x.shape(), z.shape(), axis_, block_, "x_zero_point");
    }
    const DType out = out_ != DType::Undefined ? out_ : s.dtype();
    Tensor& y = ctx.output(0, out, x.shape());
    visit_numeric_dtype(out, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, half> ||
                    std::is_same_v<T, bfloat16>) {
        T* dst = y.data<T>();
        for (int64_t i = 0; i < x.numel(); ++i) {
          const int64_t k = sm.index(i);
          const float dx = float(load(x, i) - (has_zp ? load(ctx.input(2), k) : 0.0));
          dst[i] = T(dx * float(load(s, k)));
        }
      } else {
        fail(Status::Unsupported, node_, ": output type ", dtype_name(out), " is not supported");
      }
    });
  }

 private:
  std::string node_;
  int64_t axis_, block_;
  DType out_;
  ir::Node label_;
};

void infer_dequantize(InferContext& ctx) {
  const DType od = attr_dtype(ctx.node(), "output_dtype");
  const DType out = od != DType::Undefined ? od : ctx.input_type(1).dtype;
  EMBER_CHECK(out == DType::Undefined || dtype_is_float(out), Unsupported, ctx.node().describe(),
              ": output type ", dtype_name(out), " is not supported");
  ctx.set_output(0, with_dtype(ctx.input_type(0), out));
}

std::unique_ptr<Kernel> make_dequantize(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<DequantizeKernel>(n);
}

}  // namespace

void add_quant_linear_ops(OpRegistry& r) {
  // One entry each: later opsets only add attributes (saturate 19, block_size/output_dtype
  // 21, precision 23), which default to the earlier behaviour.
  r.add(OpSchema{"QuantizeLinear", "", 10, 1 << 30, &infer_quantize, &make_quantize, {}});
  r.add(OpSchema{"DequantizeLinear", "", 10, 1 << 30, &infer_dequantize, &make_dequantize, {}});
}

}  // namespace ember::ops::quant
