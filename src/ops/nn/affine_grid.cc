// AffineGrid: for theta [N, 2, 3] and size [N, C, H, W] the grid [N, H, W, 2] with
// grid[n, h, w] = theta[n] @ [x_w, y_h, 1]; in 3-D theta [N, 3, 4], size [N, C, D, H, W] and
// grid [N, D, H, W, 3] from [x_w, y_h, z_d, 1]. The base coordinates span [-1, 1]: pixel
// centres (-1 + (2i + 1) / n) normally, the corner pixels themselves with align_corners.
#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

double base_coord(int64_t i, int64_t n, bool align) {
  if (align) return n > 1 ? -1.0 + double(i) * 2.0 / double(n - 1) : -1.0;
  return -1.0 + double(2 * i + 1) / double(n);
}

class AffineGridKernel final : public Kernel {
 public:
  AffineGridKernel(const ir::Node& node, bool align) : node_(node.describe()), align_(align) {}
  void run(KernelContext& ctx) const override {
    const Tensor& theta = ctx.input(0);
    const Tensor& size_t_ = ctx.input(1);
    EMBER_CHECK(dtype_is_float(theta.dtype()), TypeMismatch, node_, ": theta must be floating point");
    EMBER_CHECK(size_t_.rank() == 1 && (size_t_.numel() == 4 || size_t_.numel() == 5) &&
                    dtype_is_integer(size_t_.dtype()),
                ShapeMismatch, node_, ": size must be an integer [N, C, H, W] or [N, C, D, H, W], given ",
                dims_str(size_t_.shape()));
    const std::vector<int64_t> sz = size_t_.to_int64_vector();
    const int64_t r = int64_t(sz.size()) - 2;  // spatial rank, 2 or 3
    const int64_t N = sz[0];
    EMBER_CHECK(theta.rank() == 3 && theta.dim(0) == N && theta.dim(1) == r && theta.dim(2) == r + 1,
                ShapeMismatch, node_, ": theta must be [", N, ", ", r, ", ", r + 1, "], given ",
                dims_str(theta.shape()));
    for (int64_t v : sz)
      EMBER_CHECK(v >= 0 && v < (int64_t(1) << 31), InvalidArgument, node_, ": size values must be in [0, 2^31), given ", v);
    double total = double(r);
    for (size_t i = 0; i < sz.size(); ++i) total *= i == 1 ? 1.0 : double(sz[i]);
    EMBER_CHECK(total < 4e9, InvalidArgument, node_, ": requested grid of ", total, " elements is too large");
    // Spatial sizes in x, y, z order (the reverse of the tensor's dims).
    Dims out_shape = {N};
    for (int64_t i = 2; i < int64_t(sz.size()); ++i) out_shape.push_back(sz[size_t(i)]);
    out_shape.push_back(r);
    const int64_t W = sz[size_t(r + 1)], H = sz[size_t(r)], D = r == 3 ? sz[2] : 1;
    const std::vector<double> th = read_doubles(theta);
    std::vector<double> out(size_t(dims_numel(out_shape)));
    size_t o = 0;
    for (int64_t n = 0; n < N; ++n) {
      const double* t = th.data() + n * r * (r + 1);
      for (int64_t d = 0; d < D; ++d)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t w = 0; w < W; ++w) {
            const double p[4] = {base_coord(w, W, align_), base_coord(h, H, align_),
                                 r == 3 ? base_coord(d, D, align_) : 1.0, 1.0};
            for (int64_t i = 0; i < r; ++i) {
              double acc = 0;
              for (int64_t j = 0; j <= r; ++j) acc += t[i * (r + 1) + j] * p[j];
              out[o++] = acc;
            }
          }
    }
    Tensor& y = ctx.output(0, theta.dtype(), out_shape);
    store_doubles(out, y);
  }

 private:
  std::string node_;
  bool align_;
};

void infer_affine_grid(InferContext& ctx) {
  const TypeInfo& theta = ctx.input_type(0);
  const Tensor* size = ctx.input_value(1);
  if (size && size->rank() == 1 && (size->numel() == 4 || size->numel() == 5) && dtype_is_integer(size->dtype())) {
    const std::vector<int64_t> sz = size->to_int64_vector();
    Dims out = {sz[0]};
    for (size_t i = 2; i < sz.size(); ++i) out.push_back(sz[i]);
    out.push_back(int64_t(sz.size()) - 2);
    bool ok = true;
    for (int64_t v : out) ok = ok && v >= 0;
    if (ok) {
      ctx.set_output(0, TypeInfo::tensor(theta.dtype, out));
      return;
    }
  }
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(theta.dtype));
}

std::unique_ptr<Kernel> make_affine_grid(const ir::Node& node, KernelFactoryContext&) {
  const int64_t ac = node.attr_int("align_corners", 0);
  EMBER_CHECK(ac == 0 || ac == 1, InvalidModel, node.describe(), ": align_corners must be 0 or 1, given ", ac);
  return std::make_unique<AffineGridKernel>(node, ac == 1);
}

}  // namespace

void add_affine_grid_ops(OpRegistry& r) {
  r.add({"AffineGrid", "", 20, 1 << 30, infer_affine_grid, make_affine_grid,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
