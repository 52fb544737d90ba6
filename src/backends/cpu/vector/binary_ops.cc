// Native Add / Sub / Mul / Div for float32 with the broadcasting patterns that matter in
// practice; any other pattern runs the reference kernel (held as a fallback):
//  - same shape;
//  - one operand a single value (a scalar or all-ones shape);
//  - one operand a row [.., C] (all leading dims 1) over the other's last axis;
//  - one operand per channel, [C, 1, 1] / [1, C, 1, 1] over NCHW (dim 1 of a rank >= 3 output).
// The larger operand must have the output's shape in the last three cases.
#include <algorithm>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

using kernels::BinaryOp;

enum class Pattern { SameShape, Scalar, Row, Channel, Other };

// Dims of `small` right-aligned to `rank` with leading 1s.
Dims aligned(const Dims& small, size_t rank) {
  Dims d(rank - std::min(rank, small.size()), 1);
  d.insert(d.end(), small.begin(), small.end());
  return d;
}

// How `small` broadcasts over `big` (which is the output shape).
Pattern classify(const Dims& big, const Dims& small) {
  if (small.size() > big.size()) return Pattern::Other;
  if (small == big) return Pattern::SameShape;
  if (dims_numel(small) == 1) return Pattern::Scalar;
  const Dims s = aligned(small, big.size());
  const size_t r = big.size();
  bool row = s[r - 1] == big[r - 1];
  for (size_t i = 0; i + 1 < r; ++i) row = row && s[i] == 1;
  if (row) return Pattern::Row;
  if (r >= 3 && s[1] == big[1]) {
    bool channel = true;
    for (size_t i = 0; i < r; ++i) channel = channel && (i == 1 || s[i] == 1);
    if (channel) return Pattern::Channel;
  }
  return Pattern::Other;
}

class BinaryKernel final : public NativeKernel {
 public:
  BinaryKernel(const ir::Node& node, BinaryOp op)
      : NativeKernel(kernel_name(kernels::binary_op_name(op), kernels::vector_kernels()), node, true), op_(op) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != DType::Float32 || b.dtype() != DType::Float32) return run_reference(ctx);
    // The larger operand fixes the output shape; the smaller must broadcast into it.
    const bool a_big = a.rank() > b.rank() || (a.rank() == b.rank() && a.numel() >= b.numel());
    const Tensor& big = a_big ? a : b;
    const Tensor& small = a_big ? b : a;
    const Pattern p = classify(big.shape(), small.shape());
    if (p == Pattern::Other) return run_reference(ctx);
    Tensor& y = ctx.output(0, DType::Float32, big.shape());
    const float* bp = big.data<float>();
    const float* sp = small.data<float>();
    float* yp = y.data<float>();
    const int64_t n = big.numel();
    const bool small_left = !a_big;  // the small operand is the left one (a) of a op b
    switch (p) {
      case Pattern::SameShape:
        parallel(ctx, n, kCheapGrain, [&](int64_t s, int64_t e) {
          k_.binary(op_, e - s, a.data<float>() + s, b.data<float>() + s, yp + s);
        });
        return;
      case Pattern::Scalar: {
        const float v = sp[0];
        parallel(ctx, n, kCheapGrain, [&](int64_t s, int64_t e) {
          k_.binary_scalar(op_, e - s, bp + s, v, small_left, yp + s);
        });
        return;
      }
      case Pattern::Row: {
        const int64_t c = big.shape().back(), rows = c ? n / c : 0;
        parallel(ctx, rows, std::max<int64_t>(1, kCheapGrain / std::max<int64_t>(c, 1)), [&](int64_t s, int64_t e) {
          for (int64_t r = s; r < e; ++r) {
            const float* row = bp + r * c;
            if (small_left) k_.binary(op_, c, sp, row, yp + r * c);
            else k_.binary(op_, c, row, sp, yp + r * c);
          }
        });
        return;
      }
      case Pattern::Channel: {
        const int64_t channels = big.dim(1), planes = big.dim(0) * channels;
        const int64_t plane = planes ? n / planes : 0;
        parallel(ctx, planes, std::max<int64_t>(1, kCheapGrain / std::max<int64_t>(plane, 1)), [&](int64_t s, int64_t e) {
          for (int64_t q = s; q < e; ++q)
            k_.binary_scalar(op_, plane, bp + q * plane, sp[q % channels], small_left, yp + q * plane);
        });
        return;
      }
      case Pattern::Other: break;
    }
  }

 private:
  BinaryOp op_;
};

template <BinaryOp kOp>
std::unique_ptr<ops::Kernel> make_binary(const ir::Node& node, const runtime::BackendOptions&) {
  // Before opset 7 broadcasting was opt-in with 'broadcast'/'axis' attributes: reference only.
  if (node.opset < 7 || node.explicit_input_count() != 2 || !all_inputs_f32(node)) return nullptr;
  return std::make_unique<BinaryKernel>(node, kOp);
}

}  // namespace

void register_binary_ops(NativeRegistry& r) {
  r.add("", "Add", make_binary<BinaryOp::Add>);
  r.add("", "Sub", make_binary<BinaryOp::Sub>);
  r.add("", "Mul", make_binary<BinaryOp::Mul>);
  r.add("", "Div", make_binary<BinaryOp::Div>);
}

}  // namespace ember::backends::vector
