// Native ReduceMean / ReduceSum on float32 when the reduced axes are the innermost ones (after
// size-1 dims are dropped): each output folds one contiguous run. This is the form unfused
// models use most: a decomposed LayerNorm's two means over the hidden axis, x.mean([2, 3]) at
// the end of a CNN (torchvision's MNASNet), squeeze-and-excitation blocks written with
// ReduceMean. Other axis sets run the reference kernel.
//
// Like the reference, the sum is accumulated in double (a float accumulator loses every term
// below its ulp: tests/unit/ops/reduce "long float32 sums"); what is saved is the reference's
// generic plan walk, 0.9 ns an element (BERT-base level 1: 48 ReduceMean calls over 128 x 768
// took 4.2 ms a run).
#include <algorithm>
#include <vector>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "ops/reduce/reduce_plan.h"

namespace ember::backends::vector {
namespace {

// Sum of n floats in double, in four independent chains (the compiler vectorises the
// float -> double conversions and adds).
double sum_in_double(int64_t n, const float* x) {
  double a[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; ++j) a[j] += double(x[i + j]);
  for (; i < n; ++i) a[0] += double(x[i]);
  return (a[0] + a[1]) + (a[2] + a[3]);
}

class InnerReduceKernel final : public NativeKernel {
 public:
  InnerReduceKernel(const ir::Node& node, bool mean)
      : NativeKernel(kernel_name(mean ? "reduce_mean" : "reduce_sum", kernels::vector_kernels()), node, true),
        mean_(mean),
        spec_(ops::reduce::AxesSpec::parse(node)),
        label_(node) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Float32) return run_reference(ctx);
    std::vector<int64_t> axes;
    if (spec_.attr_axes) axes = *spec_.attr_axes;
    else if (ctx.has_input(1)) axes = ctx.input(1).to_int64_vector();
    const auto mask = ops::reduce::reduce_mask(axes, spec_.noop_with_empty_axes, int64_t(x.rank()), label_);
    const auto plan = ops::reduce::ReducePlan::make(x.shape(), mask, spec_.keepdims);
    // One reduced group, and it is the innermost: out_count rows of reduce_count floats. (No
    // reduced group, as with noop_with_empty_axes, and empty runs go to the reference.)
    const int g = plan.single_reduced_group();
    if (g < 0 || size_t(g) + 1 != plan.sizes.size() || plan.reduce_count == 0) return run_reference(ctx);
    Tensor& y = ctx.output(0, DType::Float32, plan.out_shape);
    const int64_t len = plan.reduce_count;
    const double divisor = mean_ ? double(len) : 1.0;  // divided, not scaled: the reference's rounding
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    parallel(ctx, plan.out_count, std::max<int64_t>(1, kCheapGrain / len), [&](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; ++r) yp[r] = float(sum_in_double(len, xp + r * len) / divisor);
    });
  }

 private:
  bool mean_;
  ops::reduce::AxesSpec spec_;
  ir::Node label_;
};

template <bool kMean>
std::unique_ptr<ops::Kernel> make_inner_reduce(const ir::Node& node, const runtime::BackendOptions&) {
  if (!input_is_f32(node, 0) || has_output(node, 1)) return nullptr;
  return std::make_unique<InnerReduceKernel>(node, kMean);
}

}  // namespace

void register_reduce_ops(NativeRegistry& r) {
  r.add("", "ReduceMean", make_inner_reduce<true>);
  r.add("", "ReduceSum", make_inner_reduce<false>);
}

}  // namespace ember::backends::vector
