// The Reduce* family. Axes come from the `axes` attribute (ReduceSum before opset 13, the
// others before opset 18) or from the optional second input (after); both forms are read, so
// one schema covers every opset. noop_with_empty_axes only exists in the input form but is
// harmless to read in the attribute form, where it defaults to 0.
#include <optional>

#include "ops/op_util.h"
#include "ops/reduce/reduce_engine.h"
#include "ops/reduce/reduce_ops.h"

namespace ember::ops::reduce {
namespace {

struct KindName {
  const char* op;
  ReduceKind kind;
};
constexpr KindName kKinds[] = {
    {"ReduceSum", ReduceKind::Sum},       {"ReduceMean", ReduceKind::Mean},
    {"ReduceMax", ReduceKind::Max},       {"ReduceMin", ReduceKind::Min},
    {"ReduceProd", ReduceKind::Prod},     {"ReduceL1", ReduceKind::L1},
    {"ReduceL2", ReduceKind::L2},         {"ReduceLogSum", ReduceKind::LogSum},
    {"ReduceLogSumExp", ReduceKind::LogSumExp}, {"ReduceSumSquare", ReduceKind::SumSquare},
};

ReduceKind kind_of(const ir::Node& node) {
  for (const KindName& k : kKinds)
    if (node.op_type == k.op) return k.kind;
  fail(Status::Unsupported, node.describe(), ": not a Reduce op");
}

// Element types the reference kernels handle. Bool only for Max/Min (opset 20); the log ops
// are defined through Exp/Log and take floating types only, as in the ONNX reference.
void check_dtype(const ir::Node& node, ReduceKind kind, DType t) {
  const bool floating = dtype_is_float(t);
  bool ok = floating || t == DType::Int8 || t == DType::UInt8 || t == DType::Int32 ||
            t == DType::Int64 || t == DType::UInt32 || t == DType::UInt64;
  if (kind == ReduceKind::Max || kind == ReduceKind::Min) ok = ok || t == DType::Bool;
  if (kind == ReduceKind::LogSum || kind == ReduceKind::LogSumExp) ok = floating;
  EMBER_CHECK(ok, Unsupported, node.describe(), ": input type ", dtype_name(t), " is not supported");
}

// The axes of a node given the attribute form, or the input-form value when known.
// Returns nullopt when they come from an input whose value is not known yet.
std::optional<std::vector<int64_t>> static_axes(InferContext& ctx, const AxesSpec& spec) {
  const ir::Node& node = ctx.node();
  const bool has_input = ctx.has_input(1);
  EMBER_CHECK(!(spec.attr_axes && has_input), InvalidModel, node.describe(),
              ": axes given both as attribute and as input");
  if (spec.attr_axes) return spec.attr_axes;
  if (!has_input) return std::vector<int64_t>{};
  if (const Tensor* v = ctx.input_value(1)) return v->to_int64_vector();
  const TypeInfo& t = ctx.input_type(1);
  if (t.has_shape && t.dims.size() == 1 && t.dims[0].known() && t.dims[0].value == 0)
    return std::vector<int64_t>{};
  return std::nullopt;
}

void infer_reduce(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (in.dtype != DType::Undefined) check_dtype(node, kind_of(node), in.dtype);
  const AxesSpec spec = AxesSpec::parse(node);
  const auto axes = static_axes(ctx, spec);
  TypeInfo out = TypeInfo::tensor_unknown_shape(in.dtype);
  if (!in.has_shape) return ctx.set_output(0, out);
  if (!axes) {
    // Unknown axes: with keepdims the rank survives, and size-1 dims stay 1 either way.
    if (spec.keepdims) {
      out.has_shape = true;
      for (const ir::Dim& d : in.dims) out.dims.push_back(d.known() && d.value == 1 ? d : ir::Dim{});
    }
    return ctx.set_output(0, out);
  }
  const auto mask = reduce_mask(*axes, spec.noop_with_empty_axes, int64_t(in.dims.size()), node);
  out.has_shape = true;
  for (size_t i = 0; i < in.dims.size(); ++i) {
    if (!mask[i]) out.dims.push_back(in.dims[i]);
    else if (spec.keepdims) out.dims.push_back(ir::Dim::of(1));
  }
  ctx.set_output(0, out);
}

template <class T>
void dispatch(ReduceKind kind, const ReducePlan& p, const T* in, T* out, ThreadPool& pool) {
  using K = ReduceKind;
  constexpr bool is_bool = std::is_same_v<T, bool>;
  constexpr bool floating = is_floating_v<T>;
  switch (kind) {
    case K::Max: return run_reduction<Reducer<K::Max, T>>(p, in, out, pool);
    case K::Min: return run_reduction<Reducer<K::Min, T>>(p, in, out, pool);
    default: break;
  }
  if constexpr (!is_bool) {
    switch (kind) {
      case K::Sum: return run_reduction<Reducer<K::Sum, T>>(p, in, out, pool);
      case K::Mean: return run_reduction<Reducer<K::Mean, T>>(p, in, out, pool);
      case K::Prod: return run_reduction<Reducer<K::Prod, T>>(p, in, out, pool);
      case K::L1: return run_reduction<Reducer<K::L1, T>>(p, in, out, pool);
      case K::L2: return run_reduction<Reducer<K::L2, T>>(p, in, out, pool);
      case K::SumSquare: return run_reduction<Reducer<K::SumSquare, T>>(p, in, out, pool);
      default: break;
    }
    if constexpr (floating) {
      if (kind == K::LogSum) return run_reduction<Reducer<K::LogSum, T>>(p, in, out, pool);
      if (kind == K::LogSumExp) return run_reduction<Reducer<K::LogSumExp, T>>(p, in, out, pool);
    }
  }
  fail(Status::Unsupported, "reduction kind ", int(kind), " is not available for ", dtype_name(dtype_of<T>::value));
}

class ReduceKernel final : public Kernel {
 public:
  explicit ReduceKernel(const ir::Node& node)
      : label_(node_label(node)), kind_(kind_of(node)), spec_(AxesSpec::parse(node)) {
    EMBER_CHECK(!(spec_.attr_axes && node.explicit_input_count() > 1 && node.inputs[1]), InvalidModel,
                node.describe(), ": axes given both as attribute and as input");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_dtype(label_, kind_, x.dtype());
    std::vector<int64_t> axes;
    if (spec_.attr_axes) axes = *spec_.attr_axes;
    else if (ctx.has_input(1)) axes = ctx.input(1).to_int64_vector();
    const auto mask = reduce_mask(axes, spec_.noop_with_empty_axes, int64_t(x.rank()), label_);
    const ReducePlan plan = ReducePlan::make(x.shape(), mask, spec_.keepdims);
    EMBER_CHECK(!(kind_ == ReduceKind::Mean && plan.reduce_count == 0 && plan.out_count > 0 &&
                  !dtype_is_float(x.dtype())),
                InvalidArgument, label_.describe(), ": the mean of an empty set of ", dtype_name(x.dtype()),
                " values is undefined (input shape ", dims_str(x.shape()), ")");
    Tensor& y = ctx.output(0, x.dtype(), plan.out_shape);
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, int16_t> ||
                    std::is_same_v<T, uint16_t>) {
        fail(Status::Unsupported, label_.describe(), ": input type ", dtype_name(x.dtype()), " is not supported");
      } else {
        dispatch<T>(kind_, plan, x.data<T>(), y.data<T>(), ctx.pool());
      }
    });
  }

 private:
  ir::Node label_;
  ReduceKind kind_;
  AxesSpec spec_;
};

std::unique_ptr<Kernel> make_reduce(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<ReduceKernel>(node);
}

}  // namespace

void add_reduce_ops(OpRegistry& r) {
  const std::vector<DType> common = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64,
                                     DType::Int8,    DType::UInt8,   DType::Int32,    DType::Int64,
                                     DType::UInt32,  DType::UInt64};
  for (const KindName& k : kKinds) {
    std::vector<DType> dtypes = common;
    if (k.kind == ReduceKind::Max || k.kind == ReduceKind::Min) dtypes.push_back(DType::Bool);
    if (k.kind == ReduceKind::LogSum || k.kind == ReduceKind::LogSumExp)
      dtypes = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
    r.add(OpSchema{k.op, "", 1, 1 << 30, infer_reduce, make_reduce, dtypes});
  }
}

}  // namespace ember::ops::reduce
