// Ops that pass their input through at inference time: Identity (tensors, sequences and
// optionals) and Dropout (inference mode, or training mode with ratio 0: both keep every
// element, so the optional mask output is all ones). Random dropout is refused.
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

// Training mode drops elements at random unless the ratio is 0; an engine that answers
// deterministically must refuse the random case. `ratio` may be null (not known yet, or
// absent: the default is 0.5), in which case only a known-true training flag with an absent
// ratio is refused here and the kernel checks the rest.
void check_training_mode(const std::string& who, const Tensor* training, const Tensor* ratio,
                         bool ratio_given) {
  if (!training) return;
  EMBER_CHECK(training->dtype() == DType::Bool && training->numel() == 1, TypeMismatch, who,
              ": training_mode must be a bool scalar");
  if (!*training->data<bool>()) return;
  EMBER_CHECK(ratio_given, Unsupported, who,
              ": training_mode=true with the default ratio 0.5 is not supported (random dropout)");
  if (!ratio) return;
  EMBER_CHECK(ratio->numel() == 1, InvalidModel, who, ": ratio must be a scalar");
  double r = 0;
  dispatch(FloatTypes{}, ratio->dtype(), who, [&](auto tag) {
    r = double(*ratio->data<decltype(tag)>());
  });
  EMBER_CHECK(r == 0, Unsupported, who, ": training_mode=true with ratio ", r,
              " is not supported (random dropout; only ratio 0 is deterministic)");
}

class DropoutKernel final : public Kernel {
 public:
  explicit DropoutKernel(const ir::Node& n) : who_(n.describe()), bool_mask_(mask_is_bool(n)) {}

  void run(KernelContext& ctx) const override {
    if (ctx.has_input(2)) {
      const bool has_ratio = ctx.has_input(1);
      check_training_mode(who_, &ctx.input(2), has_ratio ? &ctx.input(1) : nullptr, has_ratio);
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
  const bool has_ratio = ctx.has_input(1);
  check_training_mode(n.describe(), ctx.input_value(2), ctx.input_value(1), has_ratio);
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
