// NonMaxSuppression: per (batch, class), visit boxes by descending score (ties: lower index
// first), skip those at or below score_threshold, and keep a box unless its IoU with an already
// kept box exceeds iou_threshold; stop at max_output_boxes_per_class. Output rows are
// [batch, class, box] int64 in selection order.
#include <algorithm>
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct Box {
  double x0, y0, x1, y1;  // x0 <= x1, y0 <= y1
};

Box to_box(const double* b, bool center) {
  if (center) {  // [x_center, y_center, width, height]
    const double hw = b[2] / 2, hh = b[3] / 2;
    return {b[0] - hw, b[1] - hh, b[0] + hw, b[1] + hh};
  }
  // [y1, x1, y2, x2], corners in either order.
  return {std::min(b[1], b[3]), std::min(b[0], b[2]), std::max(b[1], b[3]), std::max(b[0], b[2])};
}

// True when the boxes overlap by more than `thr` (intersection over union).
bool suppresses(const Box& a, const Box& b, double thr) {
  const double ix0 = std::max(a.x0, b.x0), ix1 = std::min(a.x1, b.x1);
  if (ix1 <= ix0) return false;
  const double iy0 = std::max(a.y0, b.y0), iy1 = std::min(a.y1, b.y1);
  if (iy1 <= iy0) return false;
  const double inter = (ix1 - ix0) * (iy1 - iy0);
  const double a1 = (a.x1 - a.x0) * (a.y1 - a.y0), a2 = (b.x1 - b.x0) * (b.y1 - b.y0);
  const double uni = a1 + a2 - inter;
  if (inter <= 0 || a1 <= 0 || a2 <= 0 || uni <= 0) return false;
  return inter / uni > thr;
}

// A scalar (or one-element) optional input, read as double; `dflt` when absent or empty.
double scalar_input(KernelContext& ctx, size_t i, double dflt, const std::string& node, const char* what) {
  if (!ctx.has_input(i)) return dflt;
  const Tensor& t = ctx.input(i);
  if (t.numel() == 0) return dflt;
  EMBER_CHECK(t.numel() == 1, ShapeMismatch, node, ": ", what, " must be a scalar, given ", dims_str(t.shape()));
  return read_doubles(t)[0];
}

class NmsKernel final : public Kernel {
 public:
  NmsKernel(const ir::Node& node, bool center) : node_(node.describe()), center_(center) {}

  void run(KernelContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    EMBER_CHECK(boxes.rank() == 3 && boxes.dim(2) == 4, ShapeMismatch, node_,
                ": boxes must be [batches, boxes, 4], given ", dims_str(boxes.shape()));
    EMBER_CHECK(scores.rank() == 3 && scores.dim(0) == boxes.dim(0) && scores.dim(2) == boxes.dim(1),
                ShapeMismatch, node_, ": scores must be [batches, classes, boxes] matching boxes ",
                dims_str(boxes.shape()), ", given ", dims_str(scores.shape()));
    EMBER_CHECK(dtype_is_float(boxes.dtype()) && dtype_is_float(scores.dtype()), TypeMismatch, node_,
                ": boxes and scores must be floating point");
    int64_t max_out = 0;
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
      const Tensor& m = ctx.input(2);
      EMBER_CHECK(m.numel() == 1 && dtype_is_integer(m.dtype()), InvalidModel, node_,
                  ": max_output_boxes_per_class must be one integer, given ", dtype_name(m.dtype()),
                  dims_str(m.shape()));
      max_out = std::max<int64_t>(m.int_at(0), 0);
    }
    const double iou = scalar_input(ctx, 3, 0.0, node_, "iou_threshold");
    const bool has_st = ctx.has_input(4) && ctx.input(4).numel() > 0;
    const double st = scalar_input(ctx, 4, 0.0, node_, "score_threshold");
    const int64_t B = boxes.dim(0), K = scores.dim(1), S = boxes.dim(1);
    const std::vector<double> bv = read_doubles(boxes), sv = read_doubles(scores);
    std::vector<int64_t> rows;
    std::vector<int64_t> order;
    std::vector<Box> kept;
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t k = 0; k < K; ++k) {
        const double* sc = sv.data() + (b * K + k) * S;
        order.clear();
        for (int64_t i = 0; i < S; ++i)
          if (!has_st || sc[i] > st) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](int64_t l, int64_t r) { return sc[l] > sc[r]; });
        kept.clear();
        for (int64_t i : order) {
          if (int64_t(kept.size()) >= max_out) break;
          const Box cand = to_box(bv.data() + (b * S + i) * 4, center_);
          bool keep = true;
          for (const Box& o : kept)
            if (suppresses(o, cand, iou)) { keep = false; break; }
          if (!keep) continue;
          kept.push_back(cand);
          rows.insert(rows.end(), {b, k, i});
        }
      }
    }
    Tensor& out = ctx.output(0, DType::Int64, {int64_t(rows.size() / 3), 3});
    std::copy(rows.begin(), rows.end(), out.data<int64_t>());
  }

 private:
  std::string node_;
  bool center_;
};

void infer_nms(InferContext& ctx) {
  TypeInfo t;
  t.dtype = DType::Int64;
  t.has_shape = true;
  t.dims = {ir::Dim{}, ir::Dim::of(3)};
  ctx.set_output(0, t);
}

std::unique_ptr<Kernel> make_nms(const ir::Node& node, KernelFactoryContext&) {
  const int64_t c = node.attr_int("center_point_box", 0);
  EMBER_CHECK(c == 0 || c == 1, InvalidModel, node.describe(), ": center_point_box must be 0 or 1, given ", c);
  return std::make_unique<NmsKernel>(node, c == 1);
}

}  // namespace

void add_nms_ops(OpRegistry& r) {
  r.add({"NonMaxSuppression", "", 10, 1 << 30, infer_nms, make_nms, {DType::Float32, DType::Float64}});
}

}  // namespace ember::ops
