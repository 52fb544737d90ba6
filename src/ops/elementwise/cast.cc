// Cast and CastLike between all numeric types, bool, float16 and bfloat16 (see ew_convert.h
// for the float -> integer rule). float8 / 4-bit / complex / string targets are Unsupported;
// Cast's `saturate` attribute only concerns float8 targets, so it is accepted and ignored.
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
  EMBER_CHECK(contains(CastTypes{}, t), Unsupported, n.describe(), ": ", what, " type ",
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

class CastKernel final : public Kernel {
 public:
  // `to` is Undefined for CastLike: the target is input 1's type.
  CastKernel(const ir::Node& n, DType to) : who_(n.describe()), to_(to) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType to = to_ != DType::Undefined ? to_ : ctx.input(1).dtype();
    Tensor& y = ctx.output(0, to, x.shape());
    if (to == x.dtype()) {
      y.copy_from(x);
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
};

void infer_cast(InferContext& ctx) {
  const DType to = parse_to(ctx.node());
  check_cast_type(ctx.node(), "input", ctx.input_type(0).dtype);
  ctx.set_output(0, with_dtype(ctx.input_type(0), to));
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
