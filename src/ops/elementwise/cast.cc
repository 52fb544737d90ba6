// Cast and CastLike between all numeric types, bool, float16, bfloat16 and the narrow types
// (float8, float4, e8m0, int4/uint4, int2/uint2; see ew_convert.h for the float -> integer
// rule and ir/narrow_types.h for the narrow ones). Narrow values go through double: every
// narrow value is exact in it, and integer sources going to int4/int2 wrap like numpy.
// `saturate` (opset 19+) concerns float8 targets; `round_mode` (opset 24+) float8e8m0.
// Complex and string targets are Unsupported.
#include "ir/narrow_types.h"
#include "ops/elementwise/ew_convert.h"
#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

using CastTypes = TypeList<float, double, half, bfloat16, int8_t, uint8_t, int16_t, uint16_t,
                           int32_t, uint32_t, int64_t, uint64_t, bool>;

// Validates an element type Cast can produce or consume; `what` names it in the message.
void check_cast_type(const ir::Node& n, const char* what, DType t) {
  if (t == DType::Undefined) return;
  EMBER_CHECK(contains(CastTypes{}, t) || dtype_is_narrow(t), Unsupported, n.describe(), ": ", what, " type ",
              dtype_name(t), " is not supported");
}

DType parse_to(const ir::Node& n) {
  const int64_t to = n.attr_int("to");
  if (const char* name = onnx_only_type_name(to))
    fail(Status::Unsupported, n.describe(), ": casting to ", name, " (to=", to, ") is not supported");
  EMBER_CHECK(to > 0 && to < (1 << 30) && dtype_is_valid(int32_t(to)), InvalidModel, n.describe(),
              ": attribute 'to' = ", to, " is not a valid ONNX element type");
  const DType t = DType(int32_t(to));
  check_cast_type(n, "target", t);
  return t;
}

E8M0Round parse_round_mode(const ir::Node& n) {
  const std::string m = n.attr_string("round_mode", "up");
  if (m == "up") return E8M0Round::Up;
  if (m == "down") return E8M0Round::Down;
  EMBER_CHECK(m == "nearest", InvalidModel, n.describe(), ": attribute 'round_mode' must be "
              "\"up\", \"down\" or \"nearest\", got \"", m, "\"");
  return E8M0Round::Nearest;
}

// x (any Cast type or narrow) -> y where at least one side is narrow.
void cast_narrow(const Tensor& x, Tensor& y, bool saturate, E8M0Round round, const std::string& who) {
  const int64_t n = x.numel();
  std::vector<double> v(static_cast<size_t>(n));
  std::vector<int64_t> iv;  // exact integer values, for integer -> int4/int2 wrapping
  const DType from = x.dtype(), to = y.dtype();
  const bool int_src = dtype_is_integer(from) || dtype_is_narrow_int(from) || from == DType::Bool;
  if (dtype_is_narrow(from)) {
    const auto* p = static_cast<const uint8_t*>(x.raw());
    for (int64_t i = 0; i < n; ++i) v[size_t(i)] = narrow_to_float(from, p[i]);
    if (int_src) {
      iv.resize(size_t(n));
      for (int64_t i = 0; i < n; ++i) iv[size_t(i)] = int64_t(v[size_t(i)]);
    }
  } else {
    dispatch(CastTypes{}, from, who, [&](auto tag) {
      using F = decltype(tag);
      const F* p = x.data<F>();
      for (int64_t i = 0; i < n; ++i) v[size_t(i)] = double(compute_t<F>(p[i]));
      if constexpr (std::is_integral_v<F>) {
        iv.resize(size_t(n));
        for (int64_t i = 0; i < n; ++i) iv[size_t(i)] = int64_t(p[i]);
      }
    });
  }
  if (dtype_is_narrow(to)) {
    auto* q = static_cast<uint8_t*>(y.raw());
    for (int64_t i = 0; i < n; ++i) {
      if (dtype_is_narrow_int(to) && !iv.empty()) q[i] = int_to_narrow_int(to, iv[size_t(i)]);
      else if (to == DType::Float8E8M0) q[i] = float_to_e8m0(float(v[size_t(i)]), saturate, round);
      else q[i] = float_to_narrow(to, v[size_t(i)], saturate);
    }
    return;
  }
  dispatch(CastTypes{}, to, who, [&](auto tag) {
    using T = decltype(tag);
    T* q = y.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (!iv.empty()) { q[i] = convert<T>(iv[size_t(i)]); continue; }
      }
      q[i] = convert<T>(v[size_t(i)]);
    }
  });
}

class CastKernel final : public Kernel {
 public:
  // `to` is Undefined for CastLike: the target is input 1's type.
  CastKernel(const ir::Node& n, DType to)
      : who_(n.describe()), to_(to), saturate_(n.attr_int("saturate", 1) != 0),
        round_(parse_round_mode(n)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType to = to_ != DType::Undefined ? to_ : ctx.input(1).dtype();
    Tensor& y = ctx.output(0, to, x.shape());
    if (to == x.dtype()) {
      y.copy_from(x);
      return;
    }
    if (dtype_is_narrow(x.dtype()) || dtype_is_narrow(to)) {
      cast_narrow(x, y, saturate_, round_, who_);
      return;
    }
    dispatch(CastTypes{}, x.dtype(), who_, [&](auto ftag) {
      using From = decltype(ftag);
      dispatch(CastTypes{}, to, who_, [&](auto ttag) {
        using To = decltype(ttag);
        map_unary(x.data<From>(), y.data<To>(), x.numel(), ctx.pool(), kCheapGrain,
                  [](From v) { return convert<To>(v); });
      });
    });
  }

 private:
  std::string who_;
  DType to_;
  bool saturate_;
  E8M0Round round_;
};

void infer_cast(InferContext& ctx) {
  const DType to = parse_to(ctx.node());
  check_cast_type(ctx.node(), "input", ctx.input_type(0).dtype);
  ctx.set_output(0, with_dtype(ctx.input_type(0), to));
  if (auto v = ctx.input_dims_value(0); v && (to == DType::Int64 || to == DType::Int32))
    ctx.set_output_dims_value(0, std::move(*v));  // Shape -> Cast(int32) -> ...: dims unchanged
}

std::unique_ptr<Kernel> make_cast(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<CastKernel>(n, parse_to(n));
}

void infer_cast_like(InferContext& ctx) {
  const DType to = ctx.input_type(1).dtype;
  check_cast_type(ctx.node(), "input", ctx.input_type(0).dtype);
  check_cast_type(ctx.node(), "target", to);
  ctx.set_output(0, with_dtype(ctx.input_type(0), to));
}

std::unique_ptr<Kernel> make_cast_like(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<CastKernel>(n, DType::Undefined);
}

}  // namespace

void add_cast_ops(OpRegistry& r) {
  // Cast-1 took `to` as a string; opset 6 made it an element-type code.
  r.add(OpSchema{"Cast", "", 6, 1 << 30, &infer_cast, &make_cast, dtypes_of(CastTypes{})});
  r.add(OpSchema{"CastLike", "", 15, 1 << 30, &infer_cast_like, &make_cast_like, dtypes_of(CastTypes{})});
}

}  // namespace ember::ops::ew
