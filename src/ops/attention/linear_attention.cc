// LinearAttention (opset 27): recurrent linear attention over 3-D [B, T, H*D] inputs with a
// per-head state S [d_k, d_v] carried in past_state / present_state. Per token:
//   gated rules:  S *= exp(decay_t)                (decay per head or per key feature)
//   delta rules:  v_t = beta_t * (v_t - S^T k_t)   (delta-rule correction)
//   all rules:    S += k_t v_t^T ;  o_t = scale * S^T q_t  (query heads share kv heads in groups)
// chunk_size is a tuning hint and does not change results. Computed in double, outputs
// rounded once to their types (the reference computes in float32).
#include <cmath>

#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct LaAttrs {
  int64_t hq = 0, hkv = 0;
  double scale = 0;
  bool gating = false, delta = false;
};

class LinearAttentionKernel final : public Kernel {
 public:
  LinearAttentionKernel(const ir::Node& node, LaAttrs a) : node_(node.describe()), a_(a) {}

  void run(KernelContext& ctx) const override {
    const Tensor& q = ctx.input(0);
    const Tensor& k = ctx.input(1);
    const Tensor& v = ctx.input(2);
    const DType t = q.dtype();
    attn::require_float(node_, "query", t);
    EMBER_CHECK(k.dtype() == t && v.dtype() == t, TypeMismatch, node_, ": query, key and value must share one type");
    EMBER_CHECK(q.rank() == 3 && k.rank() == 3 && v.rank() == 3, ShapeMismatch, node_,
                ": query, key and value must be [batch, seq, heads*head_size]");
    const int64_t B = q.dim(0), T = q.dim(1), Hq = a_.hq, Hkv = a_.hkv;
    EMBER_CHECK(q.dim(2) % Hq == 0 && v.dim(2) % Hkv == 0, ShapeMismatch, node_,
                ": hidden sizes are not divisible by the head counts");
    const int64_t dk = q.dim(2) / Hq, dv = v.dim(2) / Hkv, group = Hq / Hkv;
    EMBER_CHECK(k.dim(0) == B && v.dim(0) == B && k.dim(1) == T && v.dim(1) == T && k.dim(2) == Hkv * dk,
                ShapeMismatch, node_, ": inconsistent shapes query ", dims_str(q.shape()), ", key ",
                dims_str(k.shape()), ", value ", dims_str(v.shape()));
    const bool has_decay = ctx.has_input(4), has_beta = ctx.has_input(5);
    EMBER_CHECK(has_decay == a_.gating, InvalidModel, node_, ": decay is ", a_.gating ? "required" : "not allowed",
                " by this update_rule");
    EMBER_CHECK(has_beta == a_.delta, InvalidModel, node_, ": beta is ", a_.delta ? "required" : "not allowed",
                " by this update_rule");
    std::vector<double> decay, beta;
    int64_t decay_w = 0, beta_w = 0;
    if (has_decay) {
      const Tensor& d = ctx.input(4);
      decay_w = d.rank() == 3 ? d.dim(2) : -1;
      EMBER_CHECK(d.rank() == 3 && d.dim(0) == B && d.dim(1) == T && (decay_w == Hkv || decay_w == Hkv * dk),
                  ShapeMismatch, node_, ": decay must be [", B, ", ", T, ", ", Hkv, " or ", Hkv * dk, "], given ",
                  dims_str(d.shape()));
      attn::require_float(node_, "decay", d.dtype());
      decay = read_doubles(d);
    }
    if (has_beta) {
      const Tensor& bt = ctx.input(5);
      beta_w = bt.rank() == 3 ? bt.dim(2) : -1;
      EMBER_CHECK(bt.rank() == 3 && bt.dim(0) == B && bt.dim(1) == T && (beta_w == Hkv || beta_w == 1), ShapeMismatch,
                  node_, ": beta must be [", B, ", ", T, ", ", Hkv, " or 1], given ", dims_str(bt.shape()));
      attn::require_float(node_, "beta", bt.dtype());
      beta = read_doubles(bt);
    }
    DType st = t;
    std::vector<double> S(size_t(B * Hkv * dk * dv), 0.0);
    if (ctx.has_input(3)) {
      const Tensor& ps = ctx.input(3);
      attn::require_float(node_, "past_state", ps.dtype());
      EMBER_CHECK(ps.shape() == Dims({B, Hkv, dk, dv}), ShapeMismatch, node_, ": past_state must be [", B, ", ", Hkv,
                  ", ", dk, ", ", dv, "], given ", dims_str(ps.shape()));
      st = ps.dtype();
      S = read_doubles(ps);
    }
    const double scale = a_.scale != 0 ? a_.scale : 1.0 / std::sqrt(double(dk));
    const std::vector<double> qv = read_doubles(q), kv = read_doubles(k), vv = read_doubles(v);
    std::vector<double> out(static_cast<size_t>(B * T * Hq * dv)), vt(static_cast<size_t>(dv));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < T; ++i) {
        const int64_t tok = b * T + i;
        for (int64_t h = 0; h < Hkv; ++h) {
          double* s = S.data() + (b * Hkv + h) * dk * dv;
          const double* kt = kv.data() + tok * Hkv * dk + h * dk;
          const double* vsrc = vv.data() + tok * Hkv * dv + h * dv;
          if (has_decay)
            for (int64_t d = 0; d < dk; ++d) {
              const double g = std::exp(decay[size_t(tok * decay_w + (decay_w == Hkv ? h : h * dk + d))]);
              for (int64_t m = 0; m < dv; ++m) s[d * dv + m] *= g;
            }
          for (int64_t m = 0; m < dv; ++m) vt[size_t(m)] = vsrc[m];
          if (has_beta) {
            const double bb = beta[size_t(tok * beta_w + (beta_w == 1 ? 0 : h))];
            for (int64_t m = 0; m < dv; ++m) {
              double r = 0;
              for (int64_t d = 0; d < dk; ++d) r += s[d * dv + m] * kt[d];
              vt[size_t(m)] = bb * (vt[size_t(m)] - r);
            }
          }
          for (int64_t d = 0; d < dk; ++d)
            for (int64_t m = 0; m < dv; ++m) s[d * dv + m] += kt[d] * vt[size_t(m)];
          // Query heads of this kv group read the updated state.
          for (int64_t hq = h * group; hq < (h + 1) * group; ++hq) {
            const double* qt = qv.data() + tok * Hq * dk + hq * dk;
            double* o = out.data() + tok * Hq * dv + hq * dv;
            for (int64_t m = 0; m < dv; ++m) {
              double acc = 0;
              for (int64_t d = 0; d < dk; ++d) acc += qt[d] * s[d * dv + m];
              o[m] = scale * acc;
            }
          }
        }
      }
    store_doubles(out.data(), ctx.output(0, t, {B, T, Hq * dv}));
    if (ctx.output_count() > 1 && ctx.wants_output(1)) store_doubles(S.data(), ctx.output(1, st, {B, Hkv, dk, dv}));
  }

 private:
  std::string node_;
  LaAttrs a_;
};

LaAttrs parse(const ir::Node& node) {
  const std::string nd = node.describe();
  LaAttrs a;
  EMBER_CHECK(node.has_attr("q_num_heads") && node.has_attr("kv_num_heads"), InvalidModel, nd,
              ": q_num_heads and kv_num_heads are required");
  a.hq = node.attr_int("q_num_heads");
  a.hkv = node.attr_int("kv_num_heads");
  EMBER_CHECK(a.hq > 0 && a.hkv > 0 && a.hq % a.hkv == 0, InvalidModel, nd, ": q_num_heads (", a.hq,
              ") must be a positive multiple of kv_num_heads (", a.hkv, ")");
  const float sc = node.attr_float("scale", 0.f);
  EMBER_CHECK(std::isfinite(sc), InvalidModel, nd, ": scale must be finite");
  a.scale = double(sc);
  const std::string rule = node.attr_string("update_rule", "gated_delta");
  EMBER_CHECK(rule == "linear" || rule == "gated" || rule == "delta" || rule == "gated_delta", InvalidModel, nd,
              ": update_rule '", rule, "' is not one of linear, gated, delta, gated_delta");
  a.gating = rule == "gated" || rule == "gated_delta";
  a.delta = rule == "delta" || rule == "gated_delta";
  return a;
}

void infer_linear_attention(InferContext& ctx) {
  const LaAttrs a = parse(ctx.node());
  const TypeInfo& q = ctx.input_type(0);
  const TypeInfo& v = ctx.input_type(2);
  TypeInfo y = TypeInfo::tensor_unknown_shape(q.dtype);
  TypeInfo s = TypeInfo::tensor_unknown_shape(ctx.has_input(3) ? ctx.input_type(3).dtype : q.dtype);
  if (q.has_shape && v.has_shape && q.dims.size() == 3 && v.dims.size() == 3) {
    const ir::Dim dv = v.dims[2].known() ? ir::Dim::of(v.dims[2].value / a.hkv) : ir::Dim{};
    const ir::Dim dk = q.dims[2].known() ? ir::Dim::of(q.dims[2].value / a.hq) : ir::Dim{};
    y.has_shape = s.has_shape = true;
    y.dims = {q.dims[0], q.dims[1], dv.known() ? ir::Dim::of(dv.value * a.hq) : ir::Dim{}};
    s.dims = {q.dims[0], ir::Dim::of(a.hkv), dk, dv};
  }
  ctx.set_output(0, y);
  if (ctx.output_count() > 1) ctx.set_output(1, s);
}

std::unique_ptr<Kernel> make_linear_attention(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<LinearAttentionKernel>(node, parse(node));
}

}  // namespace

void add_linear_attention_op(OpRegistry& r) {
  r.add({"LinearAttention", "", 27, 1 << 30, infer_linear_attention, make_linear_attention,
         {DType::Float32, DType::Float16, DType::BFloat16}});
}

}  // namespace ember::ops
