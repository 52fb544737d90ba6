// Clip and PRelu: activations whose parameters are tensors (or, for Clip before opset 11,
// attributes).
//
// Clip computes min(max(x, lo), hi) in that order, so lo > hi yields hi everywhere, as the
// spec says; NaN inputs stay NaN. Before opset 11, `min`/`max` are float attributes; from 11
// they are optional scalar inputs of the input's type.
#include <limits>
#include <optional>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

template <class T>
T lowest_of() {
  if constexpr (is_floating_v<T>) return T(-std::numeric_limits<float>::infinity());
  else return std::numeric_limits<T>::lowest();
}
template <class T>
T highest_of() {
  if constexpr (is_floating_v<T>) return T(std::numeric_limits<float>::infinity());
  else return std::numeric_limits<T>::max();
}

class ClipKernel final : public Kernel {
 public:
  explicit ClipKernel(const ir::Node& n) : who_(n.describe()), bounds_from_attrs_(n.opset < 11) {
    if (bounds_from_attrs_) {
      if (n.has_attr("min")) attr_min_ = n.attr_float("min", 0);
      if (n.has_attr("max")) attr_max_ = n.attr_float("max", 0);
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    dispatch(NumericTypes{}, x.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const C lo = bound<T>(ctx, 1, attr_min_, lowest_of<T>());
      const C hi = bound<T>(ctx, 2, attr_max_, highest_of<T>());
      Tensor& y = ctx.output(0, x.dtype(), x.shape());
      map_unary(x.data<T>(), y.data<T>(), x.numel(), ctx.pool(), kCheapGrain, [lo, hi](T v) {
        C c = C(v) < lo ? lo : C(v);
        return c > hi ? hi : c;
      });
    });
  }

 private:
  template <class T>
  compute_t<T> bound(KernelContext& ctx, size_t i, std::optional<float> attr, T dflt) const {
    if (bounds_from_attrs_) return attr ? compute_t<T>(*attr) : compute_t<T>(dflt);
    if (!ctx.has_input(i)) return compute_t<T>(dflt);
    const Tensor& b = ctx.input(i);
    EMBER_CHECK(b.dtype() == ctx.input(0).dtype(), TypeMismatch, who_, ": input ", i, " (",
                i == 1 ? "min" : "max", ") has type ", dtype_name(b.dtype()), " but the input has type ",
                dtype_name(ctx.input(0).dtype()));
    EMBER_CHECK(b.numel() == 1, ShapeMismatch, who_, ": input ", i, " (", i == 1 ? "min" : "max",
                ") must be a scalar, got shape ", dims_str(b.shape()));
    return compute_t<T>(b.data<T>()[0]);
  }

  std::string who_;
  bool bounds_from_attrs_;
  std::optional<float> attr_min_, attr_max_;
};

void infer_clip(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const DType t = ctx.input_type(0).dtype;
  check_type(n, "input 0", t, n.opset < 12 ? TypeSet::Float : TypeSet::Numeric);
  for (size_t i = 1; i <= 2 && n.opset >= 11; ++i) {
    if (!ctx.has_input(i)) continue;
    const TypeInfo& b = ctx.input_type(i);
    EMBER_CHECK(b.dtype == t || b.dtype == DType::Undefined || t == DType::Undefined, TypeMismatch,
                n.describe(), ": input ", i, " (", i == 1 ? "min" : "max", ") has type ",
                dtype_name(b.dtype), " but input 0 has type ", dtype_name(t));
    if (const Tensor* v = ctx.input_value(i))
      EMBER_CHECK(v->numel() == 1, ShapeMismatch, n.describe(), ": input ", i,
                  " must be a scalar, got shape ", dims_str(v->shape()));
  }
  infer_same_as_input(ctx);
}

std::unique_ptr<Kernel> make_clip(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<ClipKernel>(n);
}

struct PRelu {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = true;
  explicit PRelu(const ir::Node&) {}
  template <class C> C operator()(C x, C slope) const { return x < C(0) ? slope * x : x; }
};

// The slope broadcasts to X's shape (unidirectionally): the output never grows beyond X.
// Before opset 7 the slope is shared, elementwise or per channel (legacy_broadcast.h).
void infer_prelu(InferContext& ctx) {
  const LegacyRhs lr = LegacyRhs::of(ctx.node(), true);
  if (lr.active()) return infer_legacy_binary(ctx, lr, common_dtype(ctx, TypeSet::Signed));
  infer_broadcast<TypeSet::Signed>(ctx);
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& out = ctx.outputs()[0];
  if (x.is_static() && out.is_static())
    EMBER_CHECK(x.static_dims() == out.static_dims(), ShapeMismatch, ctx.node().describe(),
                ": slope of shape ", ctx.input_type(1).str(), " does not broadcast to input shape ",
                x.str());
  ctx.set_output(0, x);
}

}  // namespace

void add_clip_prelu_ops(OpRegistry& r) {
  r.add(OpSchema{"Clip", "", 1, 1 << 30, &infer_clip, &make_clip, dtypes_of(NumericTypes{})});
  r.add(OpSchema{"PRelu", "", 1, 1 << 30, &infer_prelu, &make_binary<PRelu, TypeSet::Signed>,
                 dtypes_of(SignedTypes{})});
}

}  // namespace ember::ops::ew
