// Native ai.ember Attention (docs/ember_ops.md), float32:
//   Y[b, s, h*Dv + d] = sum_t softmax_t(scale * Q_h[b,s,:] . K_h[b,t,:] + mask[b,h,s,t]) V_h[b,t,d]
// One task per (batch, head): scores = scale * Q_h K_h^T through the f32 GEMM (K_h packed per
// call into thread-local scratch), the mask added row by row, Softmax over t, then
// Y_h = P V_h through the GEMM again, written straight into Y's strided head columns.
#include <cmath>
#include <vector>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "kernels/dispatch/kernel_table.h"
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
    const Tensor& q = ctx.input(0);
    const Tensor& k = ctx.input(1);
    const Tensor& v = ctx.input(2);
    EMBER_CHECK(q.dtype() == DType::Float32 && k.dtype() == DType::Float32 && v.dtype() == DType::Float32,
                TypeMismatch, node_, ": Q, K and V must be float32");
    EMBER_CHECK(q.rank() == 3 && k.rank() == 3 && v.rank() == 3, ShapeMismatch, node_,
                ": Q, K, V must be [B, S, H*D], given ", dims_str(q.shape()), ", ", dims_str(k.shape()), ", ",
                dims_str(v.shape()));
    const int64_t B = q.dim(0), S = q.dim(1), T = k.dim(1), H = heads_;
    EMBER_CHECK(q.dim(2) % H == 0 && v.dim(2) % H == 0, ShapeMismatch, node_, ": num_heads=", H,
                " does not divide the hidden sizes of Q ", dims_str(q.shape()), " and V ", dims_str(v.shape()));
    const int64_t Dh = q.dim(2) / H, Dv = v.dim(2) / H;
    EMBER_CHECK(k.dim(0) == B && v.dim(0) == B && k.dim(2) == q.dim(2) && v.dim(1) == T, ShapeMismatch, node_,
                ": K must be [", B, ", T, ", q.dim(2), "] and V [", B, ", T, H*Dv] with the same T, given K ",
                dims_str(k.shape()), " and V ", dims_str(v.shape()));
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
    const float* qp = q.data<float>();
    const float* kp = k.data<float>();
    const float* vp = v.data<float>();
    float* yp = y.data<float>();
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
        const float* qh = qp + b * S * H * Dh + h * Dh;
        const float* kh = kp + b * T * H * Dh + h * Dh;
        const float* vh = vp + b * T * H * Dv + h * Dv;
        // scores[S, T] = scale * Q_h[S, Dh] K_h[T, Dh]^T
        gemm_.pack_b(Dh, T, kh, H * Dh, true, packed_k);
        gemm_.gemm_packed(S, T, Dh, qh, H * Dh, false, packed_k, scores, T, scale, 0.0f, kernels::GemmEpilogue{});
        if (mask) {
          for (int64_t s = 0; s < S; ++s) {
            const float* mrow = mask + b * ms[0] + h * ms[1] + s * ms[2];
            if (ms[3]) k_.binary(kernels::BinaryOp::Add, T, scores + s * T, mrow, scores + s * T);
            else k_.binary_scalar(kernels::BinaryOp::Add, T, scores + s * T, mrow[0], false, scores + s * T);
          }
        }
        k_.softmax(S, T, scores, scores);
        if (nan_probs_to_zero_)  // a query whose keys are all masked (-inf): its NaN row becomes 0
          for (int64_t i = 0; i < S * T; ++i) scores[i] = scores[i] == scores[i] ? scores[i] : 0.0f;
        // Y_h[S, Dv] = P[S, T] V_h[T, Dv], into Y's columns h*Dv.. of row stride H*Dv.
        gemm_.pack_b(T, Dv, vh, H * Dv, false, packed_v);
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
