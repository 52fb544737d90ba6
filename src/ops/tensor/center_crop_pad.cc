// CenterCropPad: resizes the chosen axes to the requested lengths around their centre,
// cropping (start offset floor((dim - len) / 2)) or zero-padding (offset floor((len - dim) / 2))
// each axis independently. Axes not listed keep their length.
#include "ops/op_util.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

// Output length per axis and the input index that output index 0 maps to (may be negative).
struct Plan {
  Dims out, shift;
};

Plan make_plan(const std::string& node, const Dims& in, const std::vector<int64_t>& lens,
               const std::vector<int64_t>& axes_attr) {
  const int64_t rank = int64_t(in.size());
  std::vector<int64_t> axes = axes_attr;
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  EMBER_CHECK(lens.size() == axes.size(), ShapeMismatch, node, ": shape has ", lens.size(),
              " values but there are ", axes.size(), " axes");
  Plan p{in, Dims(in.size(), 0)};
  std::vector<bool> seen(size_t(rank), false);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = axes[k];
    EMBER_CHECK(a >= -rank && a < rank, InvalidModel, node, ": axis ", a, " is out of range for rank ", rank);
    if (a < 0) a += rank;
    EMBER_CHECK(!seen[size_t(a)], InvalidModel, node, ": axis ", a, " is listed twice");
    seen[size_t(a)] = true;
    EMBER_CHECK(lens[k] >= 0, InvalidArgument, node, ": shape values must be >= 0, given ", lens[k]);
    const int64_t dim = in[size_t(a)], len = lens[k];
    p.out[size_t(a)] = len;
    p.shift[size_t(a)] = len <= dim ? (dim - len) / 2 : -((len - dim) / 2);
  }
  return p;
}

class CenterCropPadKernel final : public Kernel {
 public:
  CenterCropPadKernel(const ir::Node& node) : node_(node.describe()), axes_(node.attr_ints("axes")) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    EMBER_CHECK(s.rank() == 1 && dtype_is_integer(s.dtype()), ShapeMismatch, node_,
                ": shape must be a 1-D integer tensor, given ", dims_str(s.shape()));
    const Plan p = make_plan(node_, x.shape(), s.to_int64_vector(), axes_);
    Tensor& y = ctx.output(0, x.dtype(), p.out);
    const int64_t n = y.numel();
    if (n == 0) return;
    const Dims istr = dims_strides(x.shape());
    const size_t rank = p.out.size();
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      Dims idx(rank, 0);
      for (int64_t o = 0; o < n; ++o) {
        int64_t off = 0;
        bool inside = true;
        for (size_t i = 0; i < rank; ++i) {
          const int64_t j = idx[i] + p.shift[i];
          inside = inside && j >= 0 && j < x.dim(i);
          off += j * istr[i];
        }
        yp[o] = inside ? xp[off] : T{};
        for (size_t i = rank; i-- > 0;) {
          if (++idx[i] < p.out[i]) break;
          idx[i] = 0;
        }
      }
    });
  }

 private:
  std::string node_;
  std::vector<int64_t> axes_;
};

void infer_center_crop_pad(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const Tensor* s = ctx.input_value(1);
  if (x.is_static() && s && s->rank() == 1 && dtype_is_integer(s->dtype())) {
    const Plan p = make_plan(ctx.node().describe(), x.static_dims(), s->to_int64_vector(), ctx.node().attr_ints("axes"));
    ctx.set_output(0, TypeInfo::tensor(x.dtype, p.out));
    return;
  }
  TypeInfo out = TypeInfo::tensor_unknown_shape(x.dtype);
  if (x.has_shape) {
    out.has_shape = true;
    out.dims.assign(x.dims.size(), ir::Dim{});
  }
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_center_crop_pad(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<CenterCropPadKernel>(node);
}

}  // namespace

void add_center_crop_pad_ops(OpRegistry& r) {
  r.add({"CenterCropPad", "", 18, 1 << 30, infer_center_crop_pad, make_center_crop_pad,
         {DType::Float32, DType::Float16, DType::Float64, DType::Int32, DType::Int64, DType::UInt8, DType::Bool}});
}

}  // namespace ember::ops
