// Where(condition, X, Y): picks X where condition is true, else Y, with three-way numpy
// broadcasting.
#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"
#include "ops/elementwise/shape_value_infer.h"

namespace ember::ops::ew {
namespace {

class WhereKernel final : public Kernel {
 public:
  explicit WhereKernel(const ir::Node& n) : who_(n.describe()) {}

  void run(KernelContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    EMBER_CHECK(c.dtype() == DType::Bool, TypeMismatch, who_, ": condition has type ",
                dtype_name(c.dtype()), " but must be bool");
    EMBER_CHECK(x.dtype() == y.dtype(), TypeMismatch, who_, ": X has type ", dtype_name(x.dtype()),
                " but Y has type ", dtype_name(y.dtype()));
    const BroadcastPlan p = plan_broadcast({c.shape(), x.shape(), y.shape()}, who_);
    dispatch(NumericOrBoolTypes{}, x.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      const bool* cd = c.data<bool>();
      const T* xd = x.data<T>();
      const T* yd = y.data<T>();
      T* od = ctx.output(0, x.dtype(), p.out_shape).template data<T>();
      const int64_t sc = p.inner_stride[0], sx = p.inner_stride[1], sy = p.inner_stride[2];
      for_each_segment(p, ctx.pool(), kCheapGrain,
                       [&](const std::array<int64_t, kMaxOperands>& offs, int64_t o, int64_t n) {
                         const bool* cs = cd + offs[0];
                         const T* xs = xd + offs[1];
                         const T* ys = yd + offs[2];
                         for (int64_t i = 0; i < n; ++i) od[o + i] = cs[i * sc] ? xs[i * sx] : ys[i * sy];
                       });
    });
  }

 private:
  std::string who_;
};

void infer_where(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  check_type(n, "condition", ctx.input_type(0).dtype, TypeSet::Bool);
  const DType t = common_dtype(ctx, TypeSet::Any, 1);
  ctx.set_output(0, with_dtype(broadcast_all(ctx), t));
  infer_where_values(ctx);  // a shape picked element by element stays a shape
}

std::unique_ptr<Kernel> make_where(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<WhereKernel>(n);
}

}  // namespace

void add_where_ops(OpRegistry& r) {
  r.add(OpSchema{"Where", "", 9, 1 << 30, &infer_where, &make_where, dtypes_of(NumericOrBoolTypes{})});
}

}  // namespace ember::ops::ew
