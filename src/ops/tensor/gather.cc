// Gather, GatherElements, GatherND: index-driven copies. Every index is checked against the
// dimension it addresses (negative indices count from the end); a bad index is an
// InvalidArgument error naming the node, never an out-of-bounds read.
#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;
using ir::Dim;

// Reads the (int32/int64) index tensor, wrapping negatives into [0, dim) and rejecting the rest.
std::vector<int64_t> checked_indices(const Tensor& ind, int64_t dim, const ir::Node& n) {
  require_dtype(n, "indices", ind.dtype(), {DType::Int32, DType::Int64});
  std::vector<int64_t> v = ind.to_int64_vector();
  for (int64_t& i : v) {
    EMBER_CHECK(i >= -dim && i < dim, InvalidArgument, n.describe(), ": index ", i,
                " is out of range for a dimension of size ", dim);
    if (i < 0) i += dim;
  }
  return v;
}

void infer_gather(InferContext& ctx) {
  const TypeInfo& d = ctx.input_type(0);
  const TypeInfo& ind = ctx.input_type(1);
  if (!d.has_shape || !ind.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(d.dtype));
  const int64_t axis = normalize_axis(ctx.node().attr_int("axis", 0), int64_t(d.dims.size()), ctx.node());
  std::vector<Dim> out(d.dims.begin(), d.dims.begin() + axis);
  out.insert(out.end(), ind.dims.begin(), ind.dims.end());
  out.insert(out.end(), d.dims.begin() + axis + 1, d.dims.end());
  ctx.set_output(0, type_from_dims(d.dtype, out));
  // Picking dims out of a Shape: the picked dims (symbols included) are known.
  const auto dims = ctx.input_dims_value(0);
  const auto idx = const_ints(ctx, 1);
  if (dims && idx && d.dims.size() == 1 && ind.dims.size() <= 1) {
    std::vector<Dim> picked;
    for (int64_t i : *idx) {
      if (i < 0) i += int64_t(dims->size());
      if (i < 0 || i >= int64_t(dims->size())) return;  // the kernel reports it
      picked.push_back((*dims)[size_t(i)]);
    }
    ctx.set_output_dims_value(0, std::move(picked));
  }
}

class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    EMBER_CHECK(data.rank() > 0, ShapeMismatch, node_.describe(), ": data must have rank >= 1");
    const int64_t axis = normalize_axis(node_.attr_int("axis", 0), int64_t(data.rank()), node_);
    const int64_t n = data.dim(size_t(axis));
    const std::vector<int64_t> idx = checked_indices(ind, n, node_);
    Dims shape(data.shape().begin(), data.shape().begin() + axis);
    shape.insert(shape.end(), ind.shape().begin(), ind.shape().end());
    shape.insert(shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    Tensor& out = ctx.output(0, data.dtype(), shape);
    const int64_t outer = dims_numel(Dims(data.shape().begin(), data.shape().begin() + axis));
    const int64_t inner = dims_numel(Dims(data.shape().begin() + axis + 1, data.shape().end()));
    const int64_t k = int64_t(idx.size());
    if (axis == 0 && data.deferred()) {
      // A table the plan left in the model file (a deferred constant, ir/tensor.h) is read row
      // by row where it lies: BERT-base's 94 MB word embeddings are never copied whole.
      auto* o = static_cast<unsigned char*>(out.raw());
      for (int64_t j = 0; j < k; ++j) data.read_rows(idx[size_t(j)], 1, 0, inner, o + size_t(j * inner) * dtype_size(data.dtype()));
      return;
    }
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < k; ++j)
        copy_elems(data.dtype(), out.raw(), (o * k + j) * inner, data.raw(), (o * n + idx[size_t(j)]) * inner, inner);
  }
 private:
  ir::Node node_;
};

void infer_gather_elements(InferContext& ctx) {
  const TypeInfo& d = ctx.input_type(0);
  TypeInfo t = ctx.input_type(1);
  t.dtype = d.dtype;
  ctx.set_output(0, t);
}

class GatherElementsKernel : public Kernel {
 public:
  explicit GatherElementsKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const size_t r = data.rank();
    bool ok = ind.rank() == r && r > 0;
    const int64_t axis = normalize_axis(node_.attr_int("axis", 0), int64_t(r), node_);
    for (size_t d = 0; ok && d < r; ++d) ok = int64_t(d) == axis || ind.dim(d) <= data.dim(d);
    EMBER_CHECK(ok, ShapeMismatch, node_.describe(), ": indices ", dims_str(ind.shape()),
                " do not fit data ", dims_str(data.shape()), " on axis ", axis);
    const std::vector<int64_t> idx = checked_indices(ind, data.dim(size_t(axis)), node_);
    Tensor& out = ctx.output(0, data.dtype(), ind.shape());
    Dims st = dims_strides(data.shape());
    const int64_t axis_stride = st[size_t(axis)];
    st[size_t(axis)] = 0;
    StridedCounter c(ind.shape(), {st});
    for (size_t i = 0; i < idx.size(); ++i, c.next())
      copy_elems(data.dtype(), out.raw(), int64_t(i), data.raw(), c.offset(0) + idx[i] * axis_stride, 1);
  }
 private:
  ir::Node node_;
};

// GatherND geometry shared by inference and the kernel.
std::vector<Dim> gather_nd_dims(const std::vector<Dim>& d, const std::vector<Dim>& ind, int64_t b, const ir::Node& n) {
  EMBER_CHECK(!ind.empty() && ind.back().known(), InvalidModel, n.describe(),
              ": indices need a known last dimension");
  const int64_t last = ind.back().value;
  EMBER_CHECK(b >= 0 && b < int64_t(ind.size()) && b + last <= int64_t(d.size()), ShapeMismatch,
              n.describe(), ": indices of rank ", ind.size(), " with last dim ", last, " and batch_dims ", b,
              " do not fit data of rank ", d.size());
  std::vector<Dim> out(ind.begin(), ind.end() - 1);
  out.insert(out.end(), d.begin() + b + last, d.end());
  return out;
}

void infer_gather_nd(InferContext& ctx) {
  const TypeInfo& d = ctx.input_type(0);
  const TypeInfo& ind = ctx.input_type(1);
  if (!d.has_shape || !ind.has_shape || ind.dims.empty() || !ind.dims.back().known())
    return ctx.set_output(0, TypeInfo::tensor_unknown_shape(d.dtype));
  ctx.set_output(0, type_from_dims(d.dtype, gather_nd_dims(d.dims, ind.dims, ctx.node().attr_int("batch_dims", 0), ctx.node())));
}

class GatherNDKernel : public Kernel {
 public:
  explicit GatherNDKernel(const ir::Node& n) : node_(n), b_(n.attr_int("batch_dims", 0)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    require_dtype(node_, "indices", ind.dtype(), {DType::Int64, DType::Int32});
    const auto od = gather_nd_dims(to_dimvec(data.shape()), to_dimvec(ind.shape()), b_, node_);
    for (int64_t i = 0; i < b_; ++i)
      EMBER_CHECK(data.dim(size_t(i)) == ind.dim(size_t(i)), ShapeMismatch, node_.describe(), ": batch dims of data ",
                  dims_str(data.shape()), " and indices ", dims_str(ind.shape()), " differ");
    Tensor& out = ctx.output(0, data.dtype(), from_dimvec(od));
    const int64_t last = ind.shape().back();
    const int64_t batches = dims_numel(Dims(data.shape().begin(), data.shape().begin() + b_));
    const int64_t tuples = batches ? ind.numel() / last / batches : 0;
    const int64_t slice = dims_numel(Dims(data.shape().begin() + b_ + last, data.shape().end()));
    const int64_t batch_stride = dims_numel(Dims(data.shape().begin() + b_, data.shape().end()));
    const Dims st = dims_strides(data.shape());
    const std::vector<int64_t> idx = ind.to_int64_vector();
    for (int64_t bt = 0; bt < batches; ++bt)
      for (int64_t t = 0; t < tuples; ++t) {
        int64_t off = bt * batch_stride;
        for (int64_t k = 0; k < last; ++k) {
          const int64_t dim = data.dim(size_t(b_ + k));
          int64_t v = idx[size_t((bt * tuples + t) * last + k)];
          EMBER_CHECK(v >= -dim && v < dim, InvalidArgument, node_.describe(), ": index ", v,
                      " is out of range for data dim ", b_ + k, " of size ", dim);
          off += (v < 0 ? v + dim : v) * st[size_t(b_ + k)];
        }
        copy_elems(data.dtype(), out.raw(), (bt * tuples + t) * slice, data.raw(), off, slice);
      }
  }
 private:
  ir::Node node_;
  int64_t b_;
};

}  // namespace

void add_gather_ops(OpRegistry& r) {
  add_schema(r, "Gather", 1, kMaxOpset, infer_gather, make_kernel<GatherKernel>);
  add_schema(r, "GatherElements", 11, kMaxOpset, infer_gather_elements, make_kernel<GatherElementsKernel>);
  add_schema(r, "GatherND", 11, kMaxOpset, infer_gather_nd, make_kernel<GatherNDKernel>);
}

}  // namespace ember::ops
