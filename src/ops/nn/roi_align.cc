// RoiAlign: for every region (x1, y1, x2, y2 in input coordinates times spatial_scale) an
// [output_height, output_width] grid of bins; each bin averages (or maxes) bilinear samples on
// a sampling_ratio x sampling_ratio grid (adaptive ceil(roi / bins) when 0). Sample rules,
// including the max mode's per-corner weighted maximum, follow the ONNX reference.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct Tap {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

Tap make_tap(double y, double x, int64_t H, int64_t W) {
  Tap t;
  if (y < -1.0 || y > double(H) || x < -1.0 || x > double(W)) return t;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t yl = int64_t(y), xl = int64_t(x), yh, xh;
  if (yl >= H - 1) { yh = yl = H - 1; y = double(yl); } else { yh = yl + 1; }
  if (xl >= W - 1) { xh = xl = W - 1; x = double(xl); } else { xh = xl + 1; }
  const double ly = y - double(yl), lx = x - double(xl), hy = 1 - ly, hx = 1 - lx;
  t.pos[0] = yl * W + xl; t.pos[1] = yl * W + xh; t.pos[2] = yh * W + xl; t.pos[3] = yh * W + xh;
  t.w[0] = hy * hx; t.w[1] = hy * lx; t.w[2] = ly * hx; t.w[3] = ly * lx;
  return t;
}

class RoiAlignKernel final : public Kernel {
 public:
  RoiAlignKernel(const ir::Node& node, bool half_pixel, bool max_mode)
      : node_(node.describe()), half_(half_pixel), max_(max_mode), oh_(node.attr_int("output_height", 1)),
        ow_(node.attr_int("output_width", 1)), sr_(node.attr_int("sampling_ratio", 0)),
        scale_(node.attr_float("spatial_scale", 1.0f)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& bi = ctx.input(2);
    EMBER_CHECK(x.rank() == 4 && dtype_is_float(x.dtype()), ShapeMismatch, node_,
                ": X must be a float [N, C, H, W], given ", dims_str(x.shape()));
    EMBER_CHECK(rois.rank() == 2 && rois.dim(1) == 4, ShapeMismatch, node_, ": rois must be [R, 4], given ",
                dims_str(rois.shape()));
    EMBER_CHECK(bi.rank() == 1 && bi.dim(0) == rois.dim(0) && dtype_is_integer(bi.dtype()), ShapeMismatch, node_,
                ": batch_indices must be integer [R]");
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), R = rois.dim(0);
    EMBER_CHECK(H >= 1 && W >= 1, ShapeMismatch, node_, ": X must have non-empty H and W, given ",
                dims_str(x.shape()));
    const std::vector<double> xv = read_doubles(x), rv = read_doubles(rois);
    const std::vector<int64_t> b = bi.to_int64_vector();
    std::vector<double> out(size_t(R * C * oh_ * ow_), 0.0);
    const double off = half_ ? 0.5 : 0.0;
    for (int64_t r = 0; r < R; ++r) {
      EMBER_CHECK(b[size_t(r)] >= 0 && b[size_t(r)] < N, InvalidArgument, node_, ": batch index ", b[size_t(r)],
                  " is outside [0, ", N, ")");
      const double* roi = rv.data() + r * 4;
      for (int k = 0; k < 4; ++k)
        EMBER_CHECK(std::isfinite(roi[k]), InvalidArgument, node_, ": roi ", r, " has a non-finite coordinate");
      const double sw = roi[0] * scale_ - off, sh = roi[1] * scale_ - off;
      double rw = roi[2] * scale_ - off - sw, rh = roi[3] * scale_ - off - sh;
      if (!half_) { rw = std::max(rw, 1.0); rh = std::max(rh, 1.0); }
      const double bh = rh / double(oh_), bw = rw / double(ow_);
      const double gh_d = sr_ > 0 ? double(sr_) : std::ceil(rh / double(oh_));
      const double gw_d = sr_ > 0 ? double(sr_) : std::ceil(rw / double(ow_));
      EMBER_CHECK(gh_d * gw_d <= double(1 << 20), Unsupported, node_, ": roi ", r,
                  " needs a sampling grid of ", gh_d, " x ", gw_d, " per bin (too large)");
      const int64_t gh = std::max<int64_t>(int64_t(gh_d), 0), gw = std::max<int64_t>(int64_t(gw_d), 0);
      const double count = double(std::max<int64_t>(gh * gw, 1));
      std::vector<Tap> taps;
      for (int64_t ph = 0; ph < oh_; ++ph)
        for (int64_t pw = 0; pw < ow_; ++pw)
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix)
              taps.push_back(make_tap(sh + double(ph) * bh + (double(iy) + 0.5) * bh / double(gh),
                                      sw + double(pw) * bw + (double(ix) + 0.5) * bw / double(gw), H, W));
      for (int64_t c = 0; c < C; ++c) {
        const double* img = xv.data() + (b[size_t(r)] * C + c) * H * W;
        size_t t = 0;
        for (int64_t p = 0; p < oh_ * ow_; ++p) {
          double acc = 0;
          bool first = true;
          for (int64_t s = 0; s < gh * gw; ++s, ++t) {
            const Tap& tp = taps[t];
            if (max_) {
              double v = tp.w[0] * img[tp.pos[0]];
              for (int k = 1; k < 4; ++k) v = std::max(v, tp.w[k] * img[tp.pos[k]]);
              acc = first ? v : std::max(acc, v);
              first = false;
            } else {
              for (int k = 0; k < 4; ++k) acc += tp.w[k] * img[tp.pos[k]];
            }
          }
          out[size_t((r * C + c) * oh_ * ow_ + p)] = max_ ? acc : acc / count;
        }
      }
    }
    Tensor& y = ctx.output(0, x.dtype(), {R, C, oh_, ow_});
    store_doubles(out, y);
  }

 private:
  std::string node_;
  bool half_, max_;
  int64_t oh_, ow_, sr_;
  double scale_;
};

void infer_roi_align(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& rois = ctx.input_type(1);
  const ir::Node& n = ctx.node();
  TypeInfo out;
  out.dtype = x.dtype;
  out.has_shape = true;
  out.dims = {rois.has_shape && !rois.dims.empty() ? rois.dims[0] : ir::Dim{},
              x.has_shape && x.dims.size() == 4 ? x.dims[1] : ir::Dim{}, ir::Dim::of(n.attr_int("output_height", 1)),
              ir::Dim::of(n.attr_int("output_width", 1))};
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_roi_align(const ir::Node& node, KernelFactoryContext&) {
  const std::string d = node.describe();
  const std::string mode = node.attr_string("mode", "avg");
  EMBER_CHECK(mode == "avg" || mode == "max", InvalidModel, d, ": mode must be avg or max, given '", mode, "'");
  const std::string ct = node.attr_string("coordinate_transformation_mode", node.opset < 16 ? "output_half_pixel" : "half_pixel");
  EMBER_CHECK(ct == "half_pixel" || ct == "output_half_pixel", InvalidModel, d,
              ": coordinate_transformation_mode must be half_pixel or output_half_pixel, given '", ct, "'");
  const int64_t oh = node.attr_int("output_height", 1), ow = node.attr_int("output_width", 1);
  EMBER_CHECK(oh >= 1 && ow >= 1 && oh * ow <= (1 << 24), InvalidModel, d, ": output_height/width must be >= 1");
  EMBER_CHECK(node.attr_int("sampling_ratio", 0) >= 0 && node.attr_int("sampling_ratio", 0) <= 1024, InvalidModel, d,
              ": sampling_ratio must be in [0, 1024]");
  return std::make_unique<RoiAlignKernel>(node, ct == "half_pixel", mode == "max");
}

}  // namespace

void add_roi_align_ops(OpRegistry& r) {
  r.add({"RoiAlign", "", 10, 1 << 30, infer_roi_align, make_roi_align,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
