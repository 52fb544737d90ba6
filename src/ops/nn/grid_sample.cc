// GridSample: Y[n, c, o...] samples X[n, c, ...] at the point grid[n, o..., :], a normalised
// coordinate in [-1, 1] per spatial dim given innermost-first (x = width, then y = height, ...).
// Modes: nearest, linear (opset 16 "bilinear"), cubic (opset 16 "bicubic", Keys a = -0.75).
// padding_mode decides what lies outside the image: zeros, the border value, or a reflection.
// N-D interpolation is the tensor product of 1-D interpolations, so it is evaluated as a sum
// over the 2^r (linear) or 4^r (cubic) neighbours of coefficient products.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Pad { Zeros, Border, Reflection };

// Reflects x into [lo, hi] by folding at the nearer border until it lies inside.
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const double dx = lo - x;
    const double n = std::floor(dx / range), r = dx - n * range;
    return std::fmod(n, 2.0) == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi;
    const double n = std::floor(dx / range), r = dx - n * range;
    return std::fmod(n, 2.0) == 0 ? hi - r : lo + r;
  }
  return x;
}

void cubic_coeffs(double t, double c[4]) {
  const double a = -0.75;
  const double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
  c[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
  c[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
  c[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

class GridSampleKernel final : public Kernel {
 public:
  GridSampleKernel(const ir::Node& node, Mode m, Pad p, bool ac)
      : node_(node.describe()), mode_(m), pad_(p), align_(ac) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& g = ctx.input(1);
    const size_t r = x.rank() >= 2 ? x.rank() - 2 : 0;
    EMBER_CHECK(x.rank() >= 3, ShapeMismatch, node_, ": X must be [N, C, D1, ...], given ", dims_str(x.shape()));
    EMBER_CHECK(g.rank() == x.rank() && g.dim(0) == x.dim(0) && g.dim(g.rank() - 1) == int64_t(r), ShapeMismatch,
                node_, ": grid must be [N, O1, ..., ", r, "] for X ", dims_str(x.shape()), ", given ",
                dims_str(g.shape()));
    EMBER_CHECK(dtype_is_float(x.dtype()) && dtype_is_float(g.dtype()), TypeMismatch, node_,
                ": X and grid must be floating point");
    const int64_t N = x.dim(0), C = x.dim(1);
    Dims in(x.shape().begin() + 2, x.shape().end());
    Dims out_shape = {N, C};
    out_shape.insert(out_shape.end(), g.shape().begin() + 1, g.shape().end() - 1);
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    const int64_t npts = N > 0 ? dims_numel(out_shape) / std::max<int64_t>(N * C, 1) : 0;
    if (y.numel() == 0) return;
    for (int64_t d : in)
      EMBER_CHECK(d > 0, ShapeMismatch, node_, ": X has an empty spatial dim with non-empty output");
    const std::vector<double> xv = read_doubles(x), gv = read_doubles(g);
    const Dims istr = dims_strides(in);
    const int64_t plane = dims_numel(in);
    std::vector<double> yv(size_t(y.numel()));
    const int taps = mode_ == Mode::Nearest ? 1 : mode_ == Mode::Linear ? 2 : 4;
    int64_t combos = 1;
    for (size_t i = 0; i < r; ++i) combos *= taps;
    std::vector<int64_t> base(r);
    std::vector<double> coef(r * 4), pos(r);
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t p = 0; p < npts; ++p) {
        // Spatial dim i takes grid component r-1-i (the grid lists x first).
        for (size_t i = 0; i < r; ++i) {
          const double v = gv[size_t((n * npts + p) * int64_t(r) + int64_t(r - 1 - i))];
          const double len = double(in[i]);
          double c = align_ ? (v + 1) / 2 * (len - 1) : ((v + 1) * len - 1) / 2;
          // Hostile grids (NaN, huge values) must not reach an integer cast: far outside
          // the image every padding mode gives the same result as just outside it.
          // (Reflection folds any finite value into the image, so it needs no clamp.)
          const double lo = align_ ? 0 : -0.5, hi = align_ ? len - 1 : len - 0.5;
          if (!std::isfinite(c)) c = pad_ == Pad::Reflection ? lo : -len - 8;
          if (pad_ != Pad::Reflection) c = std::min(std::max(c, -len - 8), 2 * len + 8);
          if (mode_ == Mode::Nearest) c = std::nearbyint(c);
          if (c < lo || c > hi) {
            if (pad_ == Pad::Border) c = std::min(std::max(c, 0.0), len - 1);
            else if (pad_ == Pad::Reflection) c = reflect(c, lo, hi);
          }
          pos[i] = c;
          if (mode_ == Mode::Nearest) {
            base[i] = int64_t(c);  // already integral except after reflection, which truncates
            coef[i * 4] = 1;
          } else {
            base[i] = int64_t(std::floor(c));
            const double t = c - std::floor(c);
            if (mode_ == Mode::Linear) {
              coef[i * 4] = 1 - t;
              coef[i * 4 + 1] = t;
            } else {
              base[i] -= 1;
              cubic_coeffs(t, &coef[i * 4]);
            }
          }
        }
        for (int64_t c = 0; c < C; ++c) {
          const double* xp = xv.data() + (n * C + c) * plane;
          double acc = 0;
          for (int64_t k = 0; k < combos; ++k) {
            double w = 1;
            int64_t off = 0, kk = k;
            bool zero = false;
            for (size_t i = r; i-- > 0;) {
              const int64_t t = kk % taps;
              kk /= taps;
              w *= coef[i * 4 + size_t(t)];
              int64_t idx = base[i] + t;
              const int64_t len = in[i];
              if (idx < 0 || idx >= len) {
                if (pad_ == Pad::Zeros) { zero = true; break; }
                if (pad_ == Pad::Border) idx = std::min<int64_t>(std::max<int64_t>(idx, 0), len - 1);
                else {
                  const double lo = align_ ? 0 : -0.5, hi = align_ ? double(len - 1) : double(len) - 0.5;
                  idx = int64_t(reflect(double(idx), lo, hi));
                  idx = std::min<int64_t>(std::max<int64_t>(idx, 0), len - 1);
                }
              }
              off += idx * istr[i];
            }
            if (!zero) acc += w * xp[off];
          }
          yv[size_t((n * C + c) * npts + p)] = acc;
        }
      }
    }
    store_doubles(yv, y);
  }

 private:
  std::string node_;
  Mode mode_;
  Pad pad_;
  bool align_;
};

void infer_grid_sample(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& g = ctx.input_type(1);
  if (!x.has_shape || !g.has_shape) {
    ctx.set_output(0, TypeInfo::tensor_unknown_shape(x.dtype));
    return;
  }
  EMBER_CHECK(x.dims.size() >= 3 && g.dims.size() == x.dims.size(), ShapeMismatch, ctx.node().describe(),
              ": X ", x.str(), " and grid ", g.str(), " must be [N, C, D...] and [N, O..., r] of the same rank");
  TypeInfo out = x;
  for (size_t i = 2; i < x.dims.size(); ++i) out.dims[i] = g.dims[i - 1];
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_grid_sample(const ir::Node& node, KernelFactoryContext&) {
  const std::string d = node.describe();
  const std::string m = node.attr_string("mode", node.opset < 20 ? "bilinear" : "linear");
  const std::string p = node.attr_string("padding_mode", "zeros");
  const int64_t ac = node.attr_int("align_corners", 0);
  Mode mode;
  if (m == "nearest") mode = Mode::Nearest;
  else if (m == "linear" || m == "bilinear") mode = Mode::Linear;
  else if (m == "cubic" || m == "bicubic") mode = Mode::Cubic;
  else fail(Status::InvalidModel, d, ": mode '", m, "' is not one of nearest, linear, cubic");
  Pad pad;
  if (p == "zeros") pad = Pad::Zeros;
  else if (p == "border") pad = Pad::Border;
  else if (p == "reflection") pad = Pad::Reflection;
  else fail(Status::InvalidModel, d, ": padding_mode '", p, "' is not one of zeros, border, reflection");
  EMBER_CHECK(ac == 0 || ac == 1, InvalidModel, d, ": align_corners must be 0 or 1, given ", ac);
  return std::make_unique<GridSampleKernel>(node, mode, pad, ac == 1);
}

}  // namespace

void add_grid_sample_ops(OpRegistry& r) {
  r.add({"GridSample", "", 16, 1 << 30, infer_grid_sample, make_grid_sample,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
