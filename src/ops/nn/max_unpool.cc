// MaxUnpool: scatters X into a zero tensor at the flat positions given by I (MaxPool's
// Indices, counted over the whole default-sized output [N, C, (in - 1) * stride - pads + k]).
// With output_shape the default-sized result is placed at the origin of a zero tensor of that
// (not smaller) shape, as the ONNX reference does.
#include "ops/nn/nn_ops.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

class MaxUnpoolKernel final : public Kernel {
 public:
  MaxUnpoolKernel(const ir::Node& node)
      : node_(node.describe()), k_(node.attr_ints("kernel_shape")), pads_(node.attr_ints("pads")),
        strides_(node.attr_ints("strides")) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const size_t r = k_.size();
    EMBER_CHECK(x.rank() == r + 2, ShapeMismatch, node_, ": X must be [N, C] plus ", r, " spatial dims, given ",
                dims_str(x.shape()));
    EMBER_CHECK(ind.shape() == x.shape() && dtype_is_integer(ind.dtype()), ShapeMismatch, node_,
                ": I must be an integer tensor shaped like X ", dims_str(x.shape()));
    const Dims pads = pads_.empty() ? Dims(2 * r, 0) : pads_, st = strides_.empty() ? Dims(r, 1) : strides_;
    EMBER_CHECK(pads.size() == 2 * r && st.size() == r, InvalidModel, node_, ": pads/strides do not match kernel_shape");
    Dims inferred = {x.dim(0), x.dim(1)};
    for (size_t i = 0; i < r; ++i) {
      inferred.push_back((x.dim(i + 2) - 1) * st[i] - (pads[i] + pads[r + i]) + k_[i]);
      EMBER_CHECK(inferred.back() >= 0, ShapeMismatch, node_, ": negative output size");
    }
    Dims out_shape = inferred;
    if (ctx.has_input(2)) {
      out_shape = ctx.input(2).to_int64_vector();
      EMBER_CHECK(out_shape.size() == inferred.size(), ShapeMismatch, node_, ": output_shape must have ",
                  inferred.size(), " values");
      for (size_t i = 0; i < out_shape.size(); ++i)
        EMBER_CHECK(out_shape[i] >= inferred[i], Unsupported, node_, ": output_shape ", dims_str(out_shape),
                    " smaller than the unpooled size ", dims_str(inferred), " is not supported");
    }
    const int64_t total = dims_numel(inferred);
    const std::vector<int64_t> idx = ind.to_int64_vector();
    for (int64_t v : idx)
      EMBER_CHECK(v >= 0 && v < total, InvalidArgument, node_, ": index ", v, " is outside [0, ", total, ")");
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    const Dims istr = dims_strides(inferred), ostr = dims_strides(out_shape);
    visit_numeric_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      for (int64_t i = 0; i < y.numel(); ++i) yp[i] = T{};
      for (size_t e = 0; e < idx.size(); ++e) {
        int64_t rem = idx[e], off = 0;  // position in the inferred layout -> output layout
        for (size_t d = 0; d < inferred.size(); ++d) {
          off += (rem / istr[d]) * ostr[d];
          rem %= istr[d];
        }
        yp[off] = xp[e];
      }
    });
  }

 private:
  std::string node_;
  Dims k_, pads_, strides_;
};


std::unique_ptr<Kernel> make_max_unpool(const ir::Node& node, KernelFactoryContext&) {
  const Dims k = node.attr_ints("kernel_shape");
  EMBER_CHECK(!k.empty(), InvalidModel, node.describe(), ": kernel_shape is required");
  for (int64_t v : k) EMBER_CHECK(v >= 1, InvalidModel, node.describe(), ": kernel_shape values must be >= 1");
  for (int64_t v : node.attr_ints("strides"))
    EMBER_CHECK(v >= 1, InvalidModel, node.describe(), ": strides must be >= 1");
  return std::make_unique<MaxUnpoolKernel>(node);
}

}  // namespace

void add_max_unpool_ops(OpRegistry& r) {
  r.add({"MaxUnpool", "", 9, 1 << 30, infer_same_rank_unknown_dims, make_max_unpool,
         {DType::Float32, DType::Float16, DType::Float64}});
}

}  // namespace ember::ops
