// TensorScatter (opset 24): writes `update` into a copy of `past_cache` along the sequence axis
// starting at write_indices[batch] (default 0); mode "circular" wraps positions modulo the cache
// length. The KV-cache companion of Attention's external-cache mode. Any fixed-size element type
// (copied bytewise); indices are checked, never trusted.
#include <cstring>

#include "ops/attention/attention_ops.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

class TensorScatterKernel final : public Kernel {
 public:
  TensorScatterKernel(const ir::Node& node, bool circular, int64_t axis)
      : node_(node.describe()), circular_(circular), axis_(axis) {}

  void run(KernelContext& ctx) const override {
    const Tensor& past = ctx.input(0);
    const Tensor& upd = ctx.input(1);
    EMBER_CHECK(past.dtype() != DType::String, Unsupported, node_, ": string tensors are not supported");
    EMBER_CHECK(upd.dtype() == past.dtype(), TypeMismatch, node_, ": update must have past_cache's type");
    const int64_t rank = int64_t(past.rank());
    EMBER_CHECK(rank >= 2 && axis_ >= -rank && axis_ < rank, InvalidModel, node_, ": axis ", axis_,
                " is out of range for past_cache of shape ", dims_str(past.shape()));
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    EMBER_CHECK(axis != 0, InvalidModel, node_, ": axis cannot be the batch dimension 0");
    bool ok = upd.rank() == past.rank();
    for (int64_t i = 0; ok && i < rank; ++i)
      ok = i == axis ? upd.dim(size_t(i)) <= past.dim(size_t(i)) : upd.dim(size_t(i)) == past.dim(size_t(i));
    EMBER_CHECK(ok, ShapeMismatch, node_, ": update of shape ", dims_str(upd.shape()),
                " does not fit past_cache of shape ", dims_str(past.shape()), " on axis ", axis);
    const int64_t B = past.dim(0), max_len = past.dim(size_t(axis)), len = upd.dim(size_t(axis));
    std::vector<int64_t> wi(size_t(B), 0);
    if (ctx.has_input(2)) {
      const Tensor& w = ctx.input(2);
      EMBER_CHECK(w.rank() == 1 && w.dim(0) == B, ShapeMismatch, node_, ": write_indices must be [batch] = [", B,
                  "], given ", dims_str(w.shape()));
      wi = w.to_int64_vector();
    }
    for (int64_t b = 0; b < B; ++b) {
      const int64_t w = wi[size_t(b)];
      if (circular_) {
        EMBER_CHECK(w >= 0, InvalidModel, node_, ": write index ", w, " of batch ", b, " is negative");
      } else {
        EMBER_CHECK(w >= 0 && w + len <= max_len, InvalidModel, node_, ": write index ", w, " + update length ", len,
                    " exceeds the cache length ", max_len, " (batch ", b, ")");
      }
    }
    Tensor& out = ctx.output(0, past.dtype(), past.shape());
    out.copy_from(past);
    if (len == 0 || max_len == 0) return;
    const size_t es = dtype_size(past.dtype());
    int64_t mid = 1, inner = 1;  // dims between batch and axis; dims after axis
    for (int64_t i = 1; i < axis; ++i) mid *= past.dim(size_t(i));
    for (int64_t i = axis + 1; i < rank; ++i) inner *= past.dim(size_t(i));
    const auto* src = static_cast<const uint8_t*>(upd.raw());
    auto* dst = static_cast<uint8_t*>(out.raw());
    const size_t row = size_t(inner) * es;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t m = 0; m < mid; ++m)
        for (int64_t s = 0; s < len; ++s) {
          int64_t p = wi[size_t(b)] + s;
          if (circular_) p %= max_len;
          const int64_t prefix = b * mid + m;
          std::memcpy(dst + size_t((prefix * max_len + p) * inner) * es, src + size_t((prefix * len + s) * inner) * es,
                      row);
        }
  }

 private:
  std::string node_;
  bool circular_;
  int64_t axis_;
};

std::unique_ptr<Kernel> make_tensor_scatter(const ir::Node& node, KernelFactoryContext&) {
  const std::string mode = node.attr_string("mode", "linear");
  EMBER_CHECK(mode == "linear" || mode == "circular", InvalidModel, node.describe(), ": mode '", mode,
              "' is not one of linear, circular");
  return std::make_unique<TensorScatterKernel>(node, mode == "circular", node.attr_int("axis", -2));
}

}  // namespace

void add_tensor_scatter_op(OpRegistry& r) {
  r.add({"TensorScatter", "", 24, 1 << 30, infer_same_as_input, make_tensor_scatter,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int8, DType::UInt8, DType::Int16,
          DType::UInt16, DType::Int32, DType::UInt32, DType::Int64, DType::UInt64, DType::Bool}});
}

}  // namespace ember::ops
