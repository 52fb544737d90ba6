// Binarizer (ml 1) and ArrayFeatureExtractor (ml 1).
#include <cstring>

#include "ops/ml/ml_ops.h"
#include "ops/op_util.h"

namespace ember::ops::ml {

double float_at(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data<float>()[i];
    case DType::Float64: return t.data<double>()[i];
    case DType::Float16: return half_to_float(static_cast<const uint16_t*>(t.raw())[i]);
    default: break;
  }
  fail(Status::TypeMismatch, "expected a float tensor, got ", dtype_name(t.dtype()));
}

namespace {

using RunFn = void (*)(KernelContext&, const ir::Node&);
class FnKernel final : public Kernel {
 public:
  FnKernel(const ir::Node& node, RunFn fn) : node_(node), fn_(fn) {
    node_.inputs.clear();
    node_.outputs.clear();
  }
  void run(KernelContext& ctx) const override { fn_(ctx, node_); }

 private:
  ir::Node node_;
  RunFn fn_;
};
template <RunFn F>
std::unique_ptr<Kernel> make(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<FnKernel>(node, F);
}

// ---- Binarizer: 1 where x > threshold, else 0, in the input's type.

void infer_binarizer(InferContext& ctx) {
  require_dtype(ctx.node(), "X", ctx.input_type(0).dtype,
                {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::Undefined});
  infer_same_as_input(ctx);
}

template <class T>
void binarize(const Tensor& x, Tensor& y, double threshold) {
  const T* in = x.data<T>();
  T* out = y.data<T>();
  // NaN is not above the threshold, so it gives 0 (onnx's reference: (x > threshold)).
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = double(in[i]) > threshold ? T(1) : T(0);
}

void run_binarizer(KernelContext& ctx, const ir::Node& node) {
  const Tensor& x = ctx.input(0);
  const double threshold = node.attr_float("threshold", 0.0f);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  switch (x.dtype()) {
    case DType::Float32: binarize<float>(x, y, threshold); break;
    case DType::Float64: binarize<double>(x, y, threshold); break;
    case DType::Int32: binarize<int32_t>(x, y, threshold); break;
    case DType::Int64: binarize<int64_t>(x, y, threshold); break;
    default:
      fail(Status::Unsupported, node.describe(), ": element type ", dtype_name(x.dtype()), " is not supported");
  }
}

// ---- ArrayFeatureExtractor: picks entries of the last axis; a 1-D input gives one row.

void infer_afe(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  require_dtype(ctx.node(), "Y", ctx.input_type(1).dtype, {DType::Int64, DType::Undefined});
  TypeInfo out = TypeInfo::tensor_unknown_shape(x.dtype);
  const TypeInfo& y = ctx.input_type(1);
  if (x.has_shape && y.is_static()) {
    out.has_shape = true;
    if (x.dims.size() <= 1) out.dims.push_back(ir::Dim{1, {}});
    else out.dims.assign(x.dims.begin(), x.dims.end() - 1);
    out.dims.push_back(ir::Dim{dims_numel(y.static_dims()), {}});
  }
  ctx.set_output(0, out);
}

void run_afe(KernelContext& ctx, const ir::Node& node) {
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  EMBER_CHECK(idx.dtype() == DType::Int64, TypeMismatch, node.describe(), ": Y must be int64");
  EMBER_CHECK(x.rank() >= 1, ShapeMismatch, node.describe(), ": X must have rank >= 1");
  const int64_t last = x.dim(x.rank() - 1), k = idx.numel();
  for (int64_t j = 0; j < k; ++j)
    EMBER_CHECK(idx.int_at(j) >= 0 && idx.int_at(j) < last, InvalidArgument, node.describe(), ": index ",
                idx.int_at(j), " is out of range for a last axis of ", last);
  Dims shape = x.rank() == 1 ? Dims{1} : Dims(x.shape().begin(), x.shape().end() - 1);
  shape.push_back(k);
  Tensor& y = ctx.output(0, x.dtype(), shape);
  const int64_t rows = last == 0 ? 0 : x.numel() / last;
  const size_t es = dtype_size(x.dtype());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) {
      const int64_t src = r * last + idx.int_at(j), dst = r * k + j;
      if (x.dtype() == DType::String) y.data<std::string>()[dst] = x.data<std::string>()[src];
      else std::memcpy(static_cast<char*>(y.raw()) + dst * es, static_cast<const char*>(x.raw()) + src * es, es);
    }
}

}  // namespace

void add_simple_ops(OpRegistry& r) {
  r.add(OpSchema{"Binarizer", kDomain, 1, 1 << 30, infer_binarizer, make<run_binarizer>,
                 {DType::Float32, DType::Float64, DType::Int32, DType::Int64}});
  r.add(OpSchema{"ArrayFeatureExtractor", kDomain, 1, 1 << 30, infer_afe, make<run_afe>,
                 {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::String}});
}

}  // namespace ember::ops::ml
