// Expand (broadcast to a shape) and Tile (repeat along each axis). Both are strided copies:
// Expand reads with stride 0 on broadcast dims; Tile views each output dim as
// (repeat, dim) with the repeat dim at stride 0.
#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

void infer_expand(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (auto shape = const_ints(ctx, 1)) {
    TypeInfo out;
    try {
      broadcast_types(in, TypeInfo::tensor(in.dtype, *shape), out);
    } catch (const Error& e) {
      fail(Status::ShapeMismatch, ctx.node().describe(), ": ", e.what());
    }
    out.dtype = in.dtype;
    return ctx.set_output(0, out);
  }
  // A target built from Shape pieces ([batch, 1, seq, seq]): its dims, symbols included. An
  // unknown entry broadcasts to an unknown dim.
  if (auto target = ctx.input_dims_value(1); target && in.has_shape) {
    for (ir::Dim& d : *target)
      if (is_minus_one_literal(d)) d = ir::Dim{};  // not a valid Expand size: the kernel says so
    TypeInfo out;
    try {
      if (broadcast_types(in, type_from_dims(in.dtype, *target), out)) {
        out.dtype = in.dtype;
        return ctx.set_output(0, out);
      }
    } catch (const Error&) {  // known sizes that do not broadcast: the kernel reports it at run time
    }
  }
  const TypeInfo& st = ctx.input_type(1);
  if (in.has_shape && st.has_shape && st.dims.size() == 1 && st.dims[0].known())
    return ctx.set_output(0, unknown_dims(in.dtype, std::max(in.dims.size(), size_t(st.dims[0].value))));
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
}

class ExpandKernel : public Kernel {
 public:
  explicit ExpandKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const std::vector<int64_t> shape = input_ints(ctx, 1, &node_);
    Dims out_shape;
    try {
      out_shape = broadcast_shapes(in.shape(), shape);
    } catch (const Error& e) {
      fail(Status::ShapeMismatch, node_.describe(), ": ", e.what());
    }
    Tensor& out = ctx.output(0, in.dtype(), out_shape);
    copy_strided(&ctx.pool(), in.dtype(), out.raw(), in.raw(), 0, out_shape, broadcast_strides(in.shape(), out_shape));
  }
 private:
  ir::Node node_;
};

void infer_tile(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  auto reps = const_ints(ctx, 1);
  TypeInfo out = unknown_dims(in.dtype, in.dims.size());
  if (!reps) return ctx.set_output(0, out);
  EMBER_CHECK(reps->size() == in.dims.size(), ShapeMismatch, ctx.node().describe(), ": repeats ",
              dims_str(*reps), " do not match input rank ", in.dims.size());
  for (size_t i = 0; i < in.dims.size(); ++i) {
    if (in.dims[i].known()) out.dims[i] = ir::Dim::of(in.dims[i].value * (*reps)[i]);
    else if ((*reps)[i] == 1) out.dims[i] = in.dims[i];
  }
  ctx.set_output(0, out);
}

class TileKernel : public Kernel {
 public:
  explicit TileKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const std::vector<int64_t> reps = input_ints(ctx, 1, &node_);
    EMBER_CHECK(reps.size() == in.rank(), ShapeMismatch, node_.describe(), ": repeats ", dims_str(reps),
                " do not match input ", dims_str(in.shape()));
    const Dims st = dims_strides(in.shape());
    Dims out_shape, view, view_strides;
    for (size_t i = 0; i < reps.size(); ++i) {
      EMBER_CHECK(reps[i] >= 0, InvalidArgument, node_.describe(), ": negative repeat in ", dims_str(reps));
      out_shape.push_back(in.dim(i) * reps[i]);
      view.insert(view.end(), {reps[i], in.dim(i)});
      view_strides.insert(view_strides.end(), {0, st[i]});
    }
    Tensor& out = ctx.output(0, in.dtype(), out_shape);
    copy_strided(&ctx.pool(), in.dtype(), out.raw(), in.raw(), 0, view, view_strides);
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_expand_tile_ops(OpRegistry& r) {
  add_schema(r, "Expand", 8, kMaxOpset, infer_expand, make_kernel<ExpandKernel>);
  add_schema(r, "Tile", 6, kMaxOpset, infer_tile, make_kernel<TileKernel>);
}

}  // namespace ember::ops
