// Native Cast int32 -> float32: the dequantizing step of dynamically quantized graphs
// (MatMulInteger -> Cast -> Mul by the scales), which ran on the reference Cast at ~2 ns per
// element: 18 % of an int8 BERT-base run. float(int32) rounds to nearest even like the
// reference's conversion; the loop is a plain conversion the compiler vectorizes (cvtdq2ps).
// Anything else Cast does stays with the reference (the factory returns null, or run() hands
// an unexpected input type to it).
#include <memory>

#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/quant_ops.h"
#include "backends/cpu/vector/vector_util.h"

namespace ember::backends::quant {
namespace {

constexpr int64_t kGrain = 32768;

void int32_to_float(int64_t n, const int32_t* __restrict x, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] = float(x[i]);
}

class CastInt32ToFloatKernel final : public ops::Kernel {
 public:
  explicit CastInt32ToFloatKernel(const ir::Node& node) : fallback_(vector::reference_kernel(node)) {}
  const char* name() const override { return "cast_int32_to_float32"; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Int32) return fallback_->run(ctx);
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    const int32_t* xp = x.data<int32_t>();
    float* yp = y.data<float>();
    vector::parallel(ctx, x.numel(), kGrain, [&](int64_t b, int64_t e) { int32_to_float(e - b, xp + b, yp + b); });
  }

 private:
  std::unique_ptr<ops::Kernel> fallback_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_cast_int32_to_float(const ir::Node& node, const runtime::BackendOptions&) {
  if (!node.has_attr("to") || node.attr_int("to", 0) != 1 /* FLOAT */) return nullptr;
  if (!gemm_conv::has_input(node, 0) || node.inputs[0]->type.dtype != DType::Int32) return nullptr;
  return std::make_unique<CastInt32ToFloatKernel>(node);
}

}  // namespace ember::backends::quant
