// Ops that pass their input through at inference time: Identity (tensors, sequences and
// optionals) and Dropout (inference mode only; its optional mask output is all ones).
//
// Outputs are copies, not aliases of the input buffer: an alias would outlive the input's
// slot in the session arena, whose memory the planner may hand to another value.
#include <algorithm>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

class IdentityKernel final : public Kernel {
 public:
  void run(KernelContext& ctx) const override {
    const RtValue& v = ctx.input_value(0);
    if (v.is_sequence() || v.is_none) {
      ctx.set_output(0, v);  // sequences are immutable and shared; nothing to copy
    } else if (v.tensor.dtype() == DType::String) {
      ctx.set_output(0, RtValue{v.tensor.clone(), nullptr, false});  // arena memory holds no strings
    } else {
      ctx.output(0, v.tensor.dtype(), v.tensor.shape()).copy_from(v.tensor);
    }
  }
};

void infer_identity(InferContext& ctx) { infer_same_as_input(ctx); }

std::unique_ptr<Kernel> make_identity(const ir::Node&, KernelFactoryContext&) {
  return std::make_unique<IdentityKernel>();
}

// Whether the mask output is bool (opset 10+) or has the data's type (before).
bool mask_is_bool(const ir::Node& n) { return n.opset >= 10; }

class DropoutKernel final : public Kernel {
 public:
  explicit DropoutKernel(const ir::Node& n) : who_(n.describe()), bool_mask_(mask_is_bool(n)) {}

  void run(KernelContext& ctx) const override {
    if (ctx.has_input(2)) {
      const Tensor& t = ctx.input(2);
      EMBER_CHECK(t.dtype() == DType::Bool && t.numel() == 1, TypeMismatch, who_,
                  ": training_mode must be a bool scalar");
      EMBER_CHECK(!*t.data<bool>(), Unsupported, who_,
                  ": training_mode=true is not supported (inference only)");
    }
    const Tensor& x = ctx.input(0);
    ctx.output(0, x.dtype(), x.shape()).copy_from(x);
    if (ctx.output_count() < 2 || !ctx.wants_output(1)) return;
    if (bool_mask_) {
      Tensor& m = ctx.output(1, DType::Bool, x.shape());
      std::fill(m.data<bool>(), m.data<bool>() + m.numel(), true);
      return;
    }
    dispatch(FloatTypes{}, x.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      Tensor& m = ctx.output(1, x.dtype(), x.shape());
      std::fill(m.data<T>(), m.data<T>() + m.numel(), T(1.0f));
    });
  }

 private:
  std::string who_;
  bool bool_mask_;
};

void infer_dropout(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& x = ctx.input_type(0);
  check_type(n, "input 0", x.dtype, TypeSet::Float);
  if (const Tensor* t = ctx.input_value(2)) {
    EMBER_CHECK(t->dtype() == DType::Bool && t->numel() == 1, TypeMismatch, n.describe(),
                ": training_mode must be a bool scalar");
    EMBER_CHECK(!*t->data<bool>(), Unsupported, n.describe(),
                ": training_mode=true is not supported (inference only)");
  }
  ctx.set_output(0, x);
  if (ctx.output_count() > 1) ctx.set_output(1, with_dtype(x, mask_is_bool(n) ? DType::Bool : x.dtype));
}

std::unique_ptr<Kernel> make_dropout(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<DropoutKernel>(n);
}

}  // namespace

void add_passthrough_ops(OpRegistry& r) {
  const std::vector<DType> all = dtypes_of(NumericOrBoolTypes{});
  r.add(OpSchema{"Identity", "", 1, 1 << 30, &infer_identity, &make_identity, all});
  // Before opset 7 Dropout had `is_test`; an inference engine always runs it in test mode.
  r.add(OpSchema{"Dropout", "", 1, 1 << 30, &infer_dropout, &make_dropout, dtypes_of(FloatTypes{})});
}

}  // namespace ember::ops::ew
