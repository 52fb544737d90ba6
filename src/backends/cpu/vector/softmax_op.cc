// Native Softmax over the last axis, float32. Opset 13+ normalises one axis; before 13 the
// input is coerced to 2-D at `axis`, which is the same computation only when axis is the last
// dimension: the factory returns null for any other axis (and for an unknown rank), so the
// reference kernel runs.
#include <algorithm>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

class SoftmaxKernel final : public NativeKernel {
 public:
  explicit SoftmaxKernel(const ir::Node& node)
      : NativeKernel(kernel_name("softmax", kernels::vector_kernels()), node, true) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The rank was checked at creation; a different one at run time goes to the reference.
    if (x.dtype() != DType::Float32 || x.rank() == 0) return run_reference(ctx);
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    const int64_t len = x.shape().back(), rows = len ? x.numel() / len : 0;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    parallel(ctx, rows, std::max<int64_t>(1, kCostlyGrain / std::max<int64_t>(len, 1)), [&](int64_t s, int64_t e) {
      k_.softmax(e - s, len, xp + s * len, yp + s * len);
    });
  }
};

std::unique_ptr<ops::Kernel> make_softmax(const ir::Node& node, const runtime::BackendOptions&) {
  const int64_t rank = input_rank(node, 0);
  if (!all_inputs_f32(node) || rank < 1) return nullptr;
  int64_t axis = node.attr_int("axis", node.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis != rank - 1) return nullptr;
  return std::make_unique<SoftmaxKernel>(node);
}

}  // namespace

void register_softmax_ops(NativeRegistry& r) { r.add("", "Softmax", make_softmax); }

}  // namespace ember::backends::vector
