// Optional (opset 15), OptionalHasElement and OptionalGetElement (15; from 18 they also take
// a plain tensor or sequence, and HasElement's input may be omitted).
//
// An optional value at run time is the contained RtValue itself, or an RtValue with is_none.
// Tensors are cloned on the way through: the input may be a view of the session arena,
// which is reused once the input's slot dies, while the output can live longer.
#include "ops/control/control_ops.h"
#include "ops/op_util.h"

namespace ember::ops::control {
namespace {

TypeInfo optional_of(TypeInfo elem) {
  TypeInfo t;
  t.kind = ir::ValueKind::Optional;
  t.dtype = elem.dtype;
  t.elem = std::make_shared<TypeInfo>(std::move(elem));
  return t;
}

void infer_optional(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  if (ctx.has_input(0)) {
    ctx.set_output(0, optional_of(ctx.input_type(0)));
    return;
  }
  const ir::Attribute* type = node.attr("type");
  EMBER_CHECK(type && type->type_proto, InvalidModel, node.describe(),
              ": an Optional without input needs the 'type' attribute");
  ctx.set_output(0, optional_of(*type->type_proto));
}

void infer_has_element(InferContext& ctx) { ctx.set_output(0, TypeInfo::tensor(DType::Bool, {})); }

void infer_get_element(InferContext& ctx) {
  const TypeInfo& t = ctx.input_type(0);
  if (t.kind == ir::ValueKind::Optional) {
    ctx.set_output(0, t.elem ? *t.elem : TypeInfo{});
    return;
  }
  ctx.set_output(0, t);
}

using RunFn = void (*)(KernelContext&, const std::string&);
class FnKernel final : public Kernel {
 public:
  FnKernel(const ir::Node& node, RunFn fn) : desc_(node.describe()), fn_(fn) {}
  void run(KernelContext& ctx) const override { fn_(ctx, desc_); }

 private:
  std::string desc_;
  RunFn fn_;
};

RtValue owned(const RtValue& v) {
  RtValue out = v;
  if (out.tensor.defined()) out.tensor = out.tensor.clone();
  return out;
}

void run_optional(KernelContext& ctx, const std::string&) {
  if (ctx.has_input(0)) ctx.set_output(0, owned(ctx.input_value(0)));
  else ctx.set_output(0, RtValue{Tensor{}, nullptr, true});
}

// has_input is false both for an omitted input and for an empty optional.
void run_has_element(KernelContext& ctx, const std::string&) {
  ctx.set_output(0, RtValue{Tensor::scalar<bool>(ctx.has_input(0)), nullptr, false});
}

void run_get_element(KernelContext& ctx, const std::string& desc) {
  EMBER_CHECK(ctx.has_input(0), InvalidArgument, desc, ": the optional input is empty");
  ctx.set_output(0, owned(ctx.input_value(0)));
}

template <RunFn F>
std::unique_ptr<Kernel> make(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<FnKernel>(node, F);
}

}  // namespace

void add_optional_ops(OpRegistry& r) {
  r.add(OpSchema{"Optional", "", 15, 1 << 30, infer_optional, make<run_optional>, {}});
  r.add(OpSchema{"OptionalHasElement", "", 15, 1 << 30, infer_has_element, make<run_has_element>, {}});
  r.add(OpSchema{"OptionalGetElement", "", 15, 1 << 30, infer_get_element, make<run_get_element>, {}});
}

}  // namespace ember::ops::control
