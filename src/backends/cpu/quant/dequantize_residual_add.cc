// Native ai.ember DequantizeResidualAdd (op: src/ops/quant/dequantize_residual_add.h): the float
// tail of an int8 residual block (DequantizeLinear -> batch-norm Mul / Add -> residual Add ->
// Relu -> QuantizeLinear, which onnxruntime's Conv-only QOperator files leave in float) as one
// pass over each channel plane, in blocks that stay in L1: a vectorizable float loop, then the
// shared SSE2 quantizer (quantize_vec.h, the native QuantizeLinear's). The six separate passes
// it replaces moved ~45 bytes per element; this one reads 5 and writes 5.
#include <algorithm>
#include <memory>

#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/quant_ops.h"
#include "backends/cpu/quant/quantize_vec.h"
#include "ops/quant/dequantize_residual_add.h"

namespace ember::backends::quant {
namespace {

// Elements per block: the float block (4 KiB) stays in L1 between the two loops.
constexpr int64_t kBlock = 1024;

// y[i] = [relu](((float(x[i] - zp) * s) * m + b) + r[i]): the unfused ops' float steps in their
// order. m = 1 and b = -0 stand for an absent Mul / Add: both leave every value (signed zeros
// included) as it was. Relu is x > 0 ? x : 0 like the reference's (NaN -> 0).
template <class X, bool kRelu>
void dequantize_add(int64_t n, const X* __restrict x, int32_t zp, float s, float m, float b, const float* __restrict r,
                    float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) {
    float v = float(int32_t(x[i]) - zp) * s;
    v = v * m;
    v = v + b;
    v = v + r[i];
    if constexpr (kRelu) v = v > 0.0f ? v : 0.0f;
    y[i] = v;
  }
}

template <class X>
void plane(const ops::quant::ResidualAddArgs& a, int64_t c, int64_t n, const X* x, const float* r, float* y, void* yq) {
  const float m = a.mul.empty() ? 1.0f : a.mul[size_t(c)];
  const float b = a.shift.empty() ? -0.0f : a.shift[size_t(c)];
  alignas(64) float buf[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t len = std::min(kBlock, n - i0);
    float* out = y ? y + i0 : buf;
    if (a.relu) dequantize_add<X, true>(len, x + i0, a.x_zero_point, a.x_scale, m, b, r + i0, out);
    else dequantize_add<X, false>(len, x + i0, a.x_zero_point, a.x_scale, m, b, r + i0, out);
    if (!yq) continue;
    if (a.y_type == DType::Int8) quantize(len, out, a.y_scale, float(a.y_zero_point), static_cast<int8_t*>(yq) + i0);
    else quantize(len, out, a.y_scale, float(a.y_zero_point), static_cast<uint8_t*>(yq) + i0);
  }
}

class DequantizeResidualAddKernel final : public ops::Kernel {
 public:
  explicit DequantizeResidualAddKernel(const ir::Node& node)
      : who_(node.describe()), relu_(node.attr_int("relu", 0) != 0),
        // A float Y nobody reads (the block's last use was its quantized copy) is allocated
        // but not written.
        write_float_(node.outputs[0]->is_output || !node.outputs[0]->consumers.empty()) {}
  const char* name() const override { return "dequantize_residual_add"; }

  void run(ops::KernelContext& ctx) const override {
    const ops::quant::ResidualAddArgs a = ops::quant::residual_add_args(ctx, relu_, who_);
    const Tensor& x = ctx.input(0);
    const float* r = ctx.input(5).data<float>();
    Tensor* y = ctx.wants_output(0) ? &ctx.output(0, DType::Float32, x.shape()) : nullptr;
    Tensor* yq = a.quantized_out && ctx.output_count() > 1 && ctx.wants_output(1) ? &ctx.output(1, a.y_type, x.shape()) : nullptr;
    float* yp = y && write_float_ ? y->data<float>() : nullptr;
    auto* yqp = yq ? static_cast<uint8_t*>(yq->raw()) : nullptr;
    const int64_t inner = a.inner;
    if (x.numel() == 0 || (!yp && !yqp)) return;
    ctx.pool().parallel_for(a.planes, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t o = p * inner, c = p % a.channels;
        float* yo = yp ? yp + o : nullptr;
        void* qo = yqp ? yqp + o : nullptr;
        if (x.dtype() == DType::Int8) plane(a, c, inner, x.data<int8_t>() + o, r + o, yo, qo);
        else plane(a, c, inner, x.data<uint8_t>() + o, r + o, yo, qo);
      }
    });
  }

 private:
  std::string who_;
  bool relu_, write_float_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_dequantize_residual_add(const ir::Node& node, const runtime::BackendOptions&) {
  if (node.outputs.empty() || !node.outputs[0]) return nullptr;
  return std::make_unique<DequantizeResidualAddKernel>(node);
}

}  // namespace ember::backends::quant
