// Native ai.ember Attention (docs/ember_ops.md), float32:
//   Y[b, s, h*Dv + d] = sum_t softmax_t(scale * Q_h[b,s,:] . K_h[b,t,:] + mask[b,h,s,t]) V_h[b,t,d]
// Q, K, V separate or packed in one QKV tensor (ops/ember/attention_layout.h). One task per
// (batch, head): scores = scale * Q_h K_h^T + mask through the f32 GEMM (K_h packed per call
// into thread-local scratch, the mask added by its epilogue), Softmax over t, then
// Y_h = P V_h through the GEMM again, written straight into Y's strided head columns.
#include <cmath>
#include <vector>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "kernels/dispatch/kernel_table.h"
#include "ops/ember/attention_layout.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

class AttentionKernel final : public NativeKernel {
 public:
  AttentionKernel(const ir::Node& node, int64_t heads, float scale, bool has_scale, bool nan_probs_to_zero)
      : NativeKernel(kernel_name("attention", kernels::vector_kernels()), node, false),
        gemm_(*kernels::kernel_table().f32_gemm), heads_(heads), scale_(scale), has_scale_(has_scale),
        nan_probs_to_zero_(nan_probs_to_zero) {}

  void run(ops::KernelContext& ctx) const override {
    const bool packed = !ctx.has_input(1) && !ctx.has_input(2);
    const ops::ember_op::AttentionLayout l = ops::ember_op::attention_layout(
        node_, heads_, ctx.input(0), packed ? nullptr : &ctx.input(1), packed ? nullptr : &ctx.input(2));
    const int64_t B = l.B, S = l.S, T = l.T, H = l.H, Dh = l.Dh, Dv = l.Dv;
    // Mask strides over [B, H, S, T] (0 where the mask broadcasts).
    const float* mask = nullptr;
    int64_t ms[4] = {0, 0, 0, 0};
    if (ctx.has_input(3)) {
      const Tensor& m = ctx.input(3);
      EMBER_CHECK(m.dtype() == DType::Float32, TypeMismatch, node_, ": mask must be float32, given ",
                  dtype_name(m.dtype()));
      const int64_t full[4] = {B, H, S, T};
      EMBER_CHECK(m.rank() <= 4, ShapeMismatch, node_, ": mask ", dims_str(m.shape()),
                  " cannot be broadcast to [B, H, S, T] = [", B, ", ", H, ", ", S, ", ", T, "]");
      int64_t stride = 1;
      for (int64_t i = int64_t(m.rank()) - 1, j = 3; i >= 0; --i, --j) {
        const int64_t d = m.dim(size_t(i));
        EMBER_CHECK(d == full[j] || d == 1, ShapeMismatch, node_, ": mask ", dims_str(m.shape()),
                    " cannot be broadcast to [B, H, S, T] = [", B, ", ", H, ", ", S, ", ", T, "]");
        ms[j] = d == 1 ? 0 : stride;
        stride *= d;
      }
      mask = m.data<float>();
    }
    Tensor& y = ctx.output(0, DType::Float32, {B, S, H * Dv});
    if (y.numel() == 0) return;
    const float scale = has_scale_ ? scale_ : 1.0f / std::sqrt(float(std::max<int64_t>(Dh, 1)));
    float* yp = y.data<float>();
    // A mask row that varies along t is added by the score GEMM's epilogue, on the tile still
    // in registers: as its per-column bias when every query row s shares it (BERT's padding
    // mask [B, 1, 1, T]), else as its residual with row stride ms[2]. Only a mask constant
    // along t (ms[3] == 0, which softmax ignores up to rounding) takes the row loop below.
    const bool mask_in_gemm = mask && ms[3] == 1;
    const int64_t work = std::max<int64_t>(1, S * T * (Dh + Dv));  // multiply-adds per (b, h)
    parallel(ctx, B * H, std::max<int64_t>(1, 65536 / work), [&](int64_t s0, int64_t s1) {
      const size_t kb = gemm_.packed_b_size(Dh, T), vb = gemm_.packed_b_size(T, Dv);
      thread_local std::vector<float> scratch;  // grows once per thread to the largest need
      const size_t need = kb + vb + size_t(S * T);
      if (scratch.size() < need) scratch.resize(need);
      float* packed_k = scratch.data();
      float* packed_v = packed_k + kb;
      float* scores = packed_v + vb;
      for (int64_t bh = s0; bh < s1; ++bh) {
        const int64_t b = bh / H, h = bh % H;
        const float* mhead = mask ? mask + b * ms[0] + h * ms[1] : nullptr;
        kernels::GemmEpilogue score_ep;
        if (mask_in_gemm && ms[2] == 0) {
          score_ep.bias = mhead;
        } else if (mask_in_gemm) {
          score_ep.residual = mhead;
          score_ep.ldr = ms[2];
        }
        // scores[S, T] = scale * Q_h[S, Dh] K_h[T, Dh]^T (+ mask)
        gemm_.pack_b(Dh, T, l.k_head(b, h), l.ldk, true, packed_k);
        gemm_.gemm_packed(S, T, Dh, l.q_head(b, h), l.ldq, false, packed_k, scores, T, scale, 0.0f, score_ep);
        if (mask && !mask_in_gemm)
          for (int64_t s = 0; s < S; ++s)
            k_.binary_scalar(kernels::BinaryOp::Add, T, scores + s * T, mhead[s * ms[2]], false, scores + s * T);
        k_.softmax(S, T, scores, scores);
        if (nan_probs_to_zero_)  // a query whose keys are all masked (-inf): its NaN row becomes 0
          for (int64_t i = 0; i < S * T; ++i) scores[i] = scores[i] == scores[i] ? scores[i] : 0.0f;
        // Y_h[S, Dv] = P[S, T] V_h[T, Dv], into Y's columns h*Dv.. of row stride H*Dv.
        gemm_.pack_b(T, Dv, l.v_head(b, h), l.ldv, false, packed_v);
        gemm_.gemm_packed(S, Dv, T, scores, T, false, packed_v, yp + b * S * H * Dv + h * Dv, H * Dv, 1.0f, 0.0f,
                          kernels::GemmEpilogue{});
      }
    });
  }

 private:
  const kernels::F32GemmKernels& gemm_;
  int64_t heads_;
  float scale_;
  bool has_scale_;
  bool nan_probs_to_zero_;
};

std::unique_ptr<ops::Kernel> make_attention(const ir::Node& node, const runtime::BackendOptions&) {
  if (!all_inputs_f32(node)) return nullptr;
  const int64_t heads = node.attr_int("num_heads");
  EMBER_CHECK(heads >= 1, InvalidModel, node.describe(), ": num_heads must be >= 1, given ", heads);
  return std::make_unique<AttentionKernel>(node, heads, node.attr_float("scale", 0.0f), node.has_attr("scale"),
                                           node.attr_int("nan_probs_to_zero", 0) != 0);
}

}  // namespace

void register_attention_ops(NativeRegistry& r) { r.add("ai.ember", "Attention", make_attention); }

}  // namespace ember::backends::vector
