// DeformConv (2-D): a convolution whose kernel taps are moved by learned offsets. For output
// pixel (i, j) and kernel tap (a, b) of offset group g the input is sampled bilinearly (zero
// outside the image) at
//   (i * stride_h - pad_top  + a * dil_h + offset[n, g, a, b, 0, i, j],
//    j * stride_w - pad_left + b * dil_w + offset[n, g, a, b, 1, i, j])
// and weighted by W and, when given, by mask[n, g, a, b, i, j].
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

double bilinear(const double* img, int64_t H, int64_t W, double y, double x) {
  if (!(y > -1 && y < double(H) && x > -1 && x < double(W))) return 0;  // also rejects NaN
  const double fy = std::floor(y), fx = std::floor(x);
  const int64_t y0 = int64_t(fy), x0 = int64_t(fx);
  const double ty = y - fy, tx = x - fx;
  double acc = 0;
  for (int dy = 0; dy < 2; ++dy)
    for (int dx = 0; dx < 2; ++dx) {
      const int64_t yy = y0 + dy, xx = x0 + dx;
      if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
      acc += (dy ? ty : 1 - ty) * (dx ? tx : 1 - tx) * img[yy * W + xx];
    }
  return acc;
}

class DeformConvKernel final : public Kernel {
 public:
  DeformConvKernel(const ir::Node& node)
      : node_(node.describe()), dil_(node.attr_ints("dilations")), pads_(node.attr_ints("pads")),
        strides_(node.attr_ints("strides")), kshape_(node.attr_ints("kernel_shape")),
        group_(node.attr_int("group", 1)), og_(node.attr_int("offset_group", 1)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor& off = ctx.input(2);
    EMBER_CHECK(x.rank() == 4, Unsupported, node_, ": only 2-D DeformConv (X of rank 4) is supported, given ",
                dims_str(x.shape()));
    EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node_, ": X must be floating point");
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), Wd = x.dim(3);
    EMBER_CHECK(w.rank() == 4 && group_ >= 1 && og_ >= 1 && C == w.dim(1) * group_ && w.dim(0) % group_ == 0 &&
                    C % og_ == 0,
                ShapeMismatch, node_, ": W ", dims_str(w.shape()), " does not fit X ", dims_str(x.shape()),
                " with group ", group_, " and offset_group ", og_);
    const int64_t M = w.dim(0), kh = w.dim(2), kw = w.dim(3);
    EMBER_CHECK(kshape_.empty() || (kshape_.size() == 2 && kshape_[0] == kh && kshape_[1] == kw), InvalidModel,
                node_, ": kernel_shape does not match W");
    const Dims dil = dil_.empty() ? Dims{1, 1} : dil_, st = strides_.empty() ? Dims{1, 1} : strides_;
    const Dims pads = pads_.empty() ? Dims{0, 0, 0, 0} : pads_;
    EMBER_CHECK(dil.size() == 2 && st.size() == 2 && pads.size() == 4 && dil[0] >= 1 && dil[1] >= 1 && st[0] >= 1 &&
                    st[1] >= 1,
                InvalidModel, node_, ": bad dilations/strides/pads");
    const int64_t oh = (H + pads[0] + pads[2] - ((kh - 1) * dil[0] + 1)) / st[0] + 1;
    const int64_t ow = (Wd + pads[1] + pads[3] - ((kw - 1) * dil[1] + 1)) / st[1] + 1;
    EMBER_CHECK(oh >= 1 && ow >= 1, ShapeMismatch, node_, ": kernel does not fit the padded input");
    EMBER_CHECK(off.rank() == 4 && off.dim(0) == N && off.dim(1) == og_ * kh * kw * 2 && off.dim(2) == oh &&
                    off.dim(3) == ow,
                ShapeMismatch, node_, ": offset must be [", N, ", ", og_ * kh * kw * 2, ", ", oh, ", ", ow,
                "], given ", dims_str(off.shape()));
    std::vector<double> bias(static_cast<size_t>(M), 0.0), mask;
    if (ctx.has_input(3)) {
      EMBER_CHECK(ctx.input(3).numel() == M, ShapeMismatch, node_, ": B must have ", M, " values");
      bias = read_doubles(ctx.input(3));
    }
    if (ctx.has_input(4)) {
      const Tensor& mk = ctx.input(4);
      EMBER_CHECK(mk.rank() == 4 && mk.dim(0) == N && mk.dim(1) == og_ * kh * kw && mk.dim(2) == oh && mk.dim(3) == ow,
                  ShapeMismatch, node_, ": mask must be [", N, ", ", og_ * kh * kw, ", ", oh, ", ", ow, "], given ",
                  dims_str(mk.shape()));
      mask = read_doubles(mk);
    }
    const std::vector<double> xv = read_doubles(x), wv = read_doubles(w), ov = read_doubles(off);
    const int64_t cpg = C / group_, mpg = M / group_, cpo = C / og_, K = kh * kw;
    std::vector<double> out(size_t(N * M * oh * ow));
    std::vector<double> samp(size_t(C * K));  // sampled input for one output pixel
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          for (int64_t c = 0; c < C; ++c) {
            const int64_t g = c / cpo;
            for (int64_t a = 0; a < kh; ++a)
              for (int64_t b = 0; b < kw; ++b) {
                const int64_t k = a * kw + b;
                const int64_t obase = ((n * og_ + g) * K + k) * 2;
                const double dy = ov[size_t((obase * oh + i) * ow + j)];
                const double dx = ov[size_t(((obase + 1) * oh + i) * ow + j)];
                const double y = double(i * st[0] - pads[0] + a * dil[0]) + dy;
                const double xx = double(j * st[1] - pads[1] + b * dil[1]) + dx;
                double v = bilinear(xv.data() + (n * C + c) * H * Wd, H, Wd, y, xx);
                if (!mask.empty()) v *= mask[size_t((((n * og_ + g) * K + k) * oh + i) * ow + j)];
                samp[size_t(c * K + k)] = v;
              }
          }
          for (int64_t m = 0; m < M; ++m) {
            const int64_t g = m / mpg;
            double acc = bias[size_t(m)];
            for (int64_t c = 0; c < cpg; ++c)
              for (int64_t k = 0; k < K; ++k) acc += wv[size_t((m * cpg + c) * K + k)] * samp[size_t((g * cpg + c) * K + k)];
            out[size_t(((n * M + m) * oh + i) * ow + j)] = acc;
          }
        }
    Tensor& yt = ctx.output(0, x.dtype(), {N, M, oh, ow});
    store_doubles(out, yt);
  }

 private:
  std::string node_;
  Dims dil_, pads_, strides_, kshape_;
  int64_t group_, og_;
};


std::unique_ptr<Kernel> make_deform_conv(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<DeformConvKernel>(node);
}

}  // namespace

void add_deform_conv_ops(OpRegistry& r) {
  r.add({"DeformConv", "", 19, 1 << 30, infer_same_rank_unknown_dims, make_deform_conv,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
