// LRN (local response normalisation across channels):
//   y = x / (bias + alpha / size * sum of x^2 over channels [c - floor((size-1)/2),
//                                                            c + ceil((size-1)/2)]) ^ beta
#include <algorithm>
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

class LrnKernel final : public Kernel {
 public:
  LrnKernel(const ir::Node& node, int64_t size, double alpha, double beta, double bias)
      : node_(node.describe()), size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 2, ShapeMismatch, node_, ": input X must be [N, C, ...], given ", dims_str(x.shape()));
    const int64_t N = x.dim(0), C = x.dim(1), sp = N * C > 0 ? x.numel() / (N * C) : 0;
    const int64_t lo = (size_ - 1) / 2, hi = size_ - 1 - lo;
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    auto go = [&](auto tag) {
      using T = decltype(tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      ctx.pool().parallel_for(N * C, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) {
          const int64_t n = p / C, c = p % C;
          const int64_t c0 = std::max<int64_t>(0, c - lo), c1 = std::min<int64_t>(C - 1, c + hi);
          for (int64_t i = 0; i < sp; ++i) {
            double sq = 0;
            for (int64_t k = c0; k <= c1; ++k) {
              const double v = double(xp[(n * C + k) * sp + i]);
              sq += v * v;
            }
            const double v = double(xp[p * sp + i]);
            yp[p * sp + i] = T(v / std::pow(bias_ + alpha_ / double(size_) * sq, beta_));
          }
        }
      });
    };
    switch (x.dtype()) {
      case DType::Float32: return go(float{});
      case DType::Float64: return go(double{});
      case DType::Float16: return go(half{});
      case DType::BFloat16: return go(bfloat16{});
      default: break;
    }
    fail(Status::Unsupported, node_, ": element type ", dtype_name(x.dtype()), " is not supported");
  }

 private:
  std::string node_;
  int64_t size_;
  double alpha_, beta_, bias_;
};

std::unique_ptr<Kernel> make_lrn(const ir::Node& node, KernelFactoryContext&) {
  const int64_t size = node.attr_int("size");
  EMBER_CHECK(size >= 1, InvalidModel, node.describe(), ": size must be >= 1, given ", size);
  return std::make_unique<LrnKernel>(node, size, node.attr_float("alpha", 1e-4f), node.attr_float("beta", 0.75f),
                                     node.attr_float("bias", 1.0f));
}

}  // namespace

void add_lrn_ops(OpRegistry& r) {
  r.add({"LRN", "", 1, 1 << 30, infer_same_as_input, make_lrn,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
