// Col2Im: the inverse layout of im2col. Input [N, C * prod(block), L] holds, for every one of
// the L sliding-block positions, the C * prod(block) values of that block; each value is added
// into the image [N, C, image_shape...] at the pixel it came from (overlaps sum, pixels that
// fall into the padding are dropped).
#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

bool next_index(const Dims& shape, Dims& idx) {
  for (size_t i = shape.size(); i-- > 0;) {
    if (++idx[i] < shape[i]) return true;
    idx[i] = 0;
  }
  return false;
}

class Col2ImKernel final : public Kernel {
 public:
  Col2ImKernel(const ir::Node& node)
      : node_(node.describe()), dil_(node.attr_ints("dilations")), pads_(node.attr_ints("pads")),
        strides_(node.attr_ints("strides")) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& img_t = ctx.input(1);
    const Tensor& blk_t = ctx.input(2);
    EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node_, ": input must be floating point");
    EMBER_CHECK(img_t.rank() == 1 && blk_t.rank() == 1 && img_t.numel() == blk_t.numel() && img_t.numel() >= 1 &&
                    dtype_is_integer(img_t.dtype()) && dtype_is_integer(blk_t.dtype()),
                ShapeMismatch, node_, ": image_shape and block_shape must be 1-D integer tensors of equal length");
    const Dims img = img_t.to_int64_vector(), blk = blk_t.to_int64_vector();
    const size_t r = img.size();
    const Dims dil = dil_.empty() ? Dims(r, 1) : dil_, str = strides_.empty() ? Dims(r, 1) : strides_;
    const Dims pads = pads_.empty() ? Dims(2 * r, 0) : pads_;
    EMBER_CHECK(dil.size() == r && str.size() == r && pads.size() == 2 * r, InvalidModel, node_,
                ": dilations/strides need ", r, " values and pads ", 2 * r);
    int64_t block_size = 1, L = 1;
    Dims nblk(r);
    for (size_t i = 0; i < r; ++i) {
      EMBER_CHECK(img[i] >= 1 && blk[i] >= 1 && dil[i] >= 1 && str[i] >= 1 && pads[i] >= 0 && pads[i + r] >= 0,
                  InvalidModel, node_, ": image, block, dilation and stride values must be positive, pads >= 0");
      const int64_t span = dil[i] * (blk[i] - 1) + 1, padded = img[i] + pads[i] + pads[i + r];
      EMBER_CHECK(padded >= span, ShapeMismatch, node_, ": block of extent ", span, " does not fit in padded dim ",
                  padded);
      nblk[i] = (padded - span) / str[i] + 1;
      block_size *= blk[i];
      L *= nblk[i];
    }
    EMBER_CHECK(x.rank() == 3 && x.dim(1) % block_size == 0 && x.dim(2) == L, ShapeMismatch, node_,
                ": input must be [N, C*", block_size, ", ", L, "], given ", dims_str(x.shape()));
    const int64_t N = x.dim(0), C = x.dim(1) / block_size;
    Dims out_shape = {N, C};
    out_shape.insert(out_shape.end(), img.begin(), img.end());
    const std::vector<double> xv = read_doubles(x);
    std::vector<double> out(size_t(dims_numel(out_shape)), 0.0);
    const int64_t plane = dims_numel(img);
    const Dims istr = dims_strides(img);
    for (int64_t nc = 0; nc < N * C; ++nc) {
      double* o = out.data() + nc * plane;
      Dims k(r, 0);
      int64_t row = 0;  // block element index within the channel
      do {
        Dims b(r, 0);
        int64_t col = 0;
        do {
          int64_t off = 0;
          bool inside = true;
          for (size_t i = 0; i < r; ++i) {
            const int64_t p = b[i] * str[i] + k[i] * dil[i] - pads[i];
            inside = inside && p >= 0 && p < img[i];
            off += p * istr[i];
          }
          if (inside) o[off] += xv[size_t((nc * block_size + row) * L + col)];
          ++col;
        } while (next_index(nblk, b));
        ++row;
      } while (next_index(blk, k));
    }
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    store_doubles(out, y);
  }

 private:
  std::string node_;
  Dims dil_, pads_, strides_;
};

void infer_col2im(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const Tensor* img = ctx.input_value(1);
  const Tensor* blk = ctx.input_value(2);
  if (x.has_shape && x.dims.size() == 3 && img && blk && img->rank() == 1 && dtype_is_integer(img->dtype()) &&
      dtype_is_integer(blk->dtype())) {
    const Dims iv = img->to_int64_vector(), bv = blk->to_int64_vector();
    int64_t bs = 1;
    for (int64_t v : bv) bs *= v;
    TypeInfo out;
    out.dtype = x.dtype;
    out.has_shape = true;
    out.dims = {x.dims[0], x.dims[1].known() && bs > 0 ? ir::Dim::of(x.dims[1].value / bs) : ir::Dim{}};
    for (int64_t v : iv) out.dims.push_back(v >= 0 ? ir::Dim::of(v) : ir::Dim{});
    ctx.set_output(0, out);
    return;
  }
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(x.dtype));
}

std::unique_ptr<Kernel> make_col2im(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<Col2ImKernel>(node);
}

}  // namespace

void add_col2im_ops(OpRegistry& r) {
  r.add({"Col2Im", "", 18, 1 << 30, infer_col2im, make_col2im,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
