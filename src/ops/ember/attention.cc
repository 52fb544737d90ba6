// ai.ember Attention: multi-head scaled dot-product attention over projected Q, K, V laid
// out [B, S, H*Dh], or one packed QKV [B, S, 3*H*Dh] (docs/ember_ops.md, attention_layout.h).
// The reference works one (batch, head) at a time:
// scores = scale * Q_h K_h^T (a strided GEMM, no copies), + mask, row softmax in double,
// then P V_h written straight into the head's columns of Y.
#include <algorithm>
#include <cmath>

#include "kernels/generic/gemm.h"
#include "ops/ember/attention_layout.h"
#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using namespace ember_op;

int64_t num_heads(const ir::Node& node) {
  const int64_t h = node.attr_int("num_heads");
  EMBER_CHECK(h >= 1, InvalidModel, node.describe(), ": num_heads must be >= 1, given ", h);
  return h;
}

void check_rank3(const ir::Node& node, const TypeInfo& t, const char* what) {
  require_f32(node, t, what);
  EMBER_CHECK(!t.has_shape || t.dims.size() == 3, ShapeMismatch, node.describe(), ": ", what,
              " must be [B, S, H*D], given ", t.str());
}

void infer_attention(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const int64_t h = num_heads(node);
  const TypeInfo& q = ctx.input_type(0);
  if (ctx.has_input(3)) require_f32(node, ctx.input_type(3), "mask");
  EMBER_CHECK(ctx.has_input(1) == ctx.has_input(2), InvalidModel, node.describe(),
              ": K and V must both be given, or both omitted (packed QKV)");
  TypeInfo y = TypeInfo::tensor_unknown_shape(DType::Float32);
  if (!ctx.has_input(1)) {  // packed QKV [B, S, 3*H*Dh]
    check_rank3(node, q, "QKV");
    if (q.has_shape && q.dims[2].known())
      EMBER_CHECK(q.dims[2].value % (3 * h) == 0, ShapeMismatch, node.describe(), ": packed QKV ", q.str(),
                  ": last dim is not divisible by 3*num_heads=", 3 * h);
    if (q.has_shape) {
      y.has_shape = true;
      y.dims = {q.dims[0], q.dims[1], q.dims[2].known() ? ir::Dim::of(q.dims[2].value / 3) : ir::Dim{}};
    }
    ctx.set_output(0, y);
    return;
  }
  const TypeInfo &k = ctx.input_type(1), &v = ctx.input_type(2);
  check_rank3(node, q, "Q");
  check_rank3(node, k, "K");
  check_rank3(node, v, "V");
  auto check_heads = [&](const TypeInfo& t, const char* what) {
    if (t.has_shape && t.dims[2].known())
      EMBER_CHECK(t.dims[2].value % h == 0, ShapeMismatch, node.describe(), ": ", what, " ", t.str(),
                  ": last dim is not divisible by num_heads=", h);
  };
  check_heads(q, "Q");
  check_heads(k, "K");
  check_heads(v, "V");
  if (q.has_shape && k.has_shape && q.dims[2].known() && k.dims[2].known())
    EMBER_CHECK(q.dims[2].value == k.dims[2].value, ShapeMismatch, node.describe(), ": Q ", q.str(), " and K ",
                k.str(), " must have the same last dim");
  if (q.has_shape && v.has_shape) {
    y.has_shape = true;
    y.dims = {q.dims[0], q.dims[1], v.dims[2]};
  }
  ctx.set_output(0, y);
}

class AttentionKernel final : public Kernel {
 public:
  explicit AttentionKernel(const ir::Node& node)
      : node_(node.describe()), heads_(num_heads(node)), scale_attr_(node.has_attr("scale")),
        scale_(node.attr_float("scale", 0.0f)), nan_probs_to_zero_(node.attr_int("nan_probs_to_zero", 0) != 0) {}

  void run(KernelContext& ctx) const override {
    const bool packed = !ctx.has_input(1) && !ctx.has_input(2);
    const AttentionLayout l = attention_layout(node_, heads_, ctx.input(0), packed ? nullptr : &ctx.input(1),
                                               packed ? nullptr : &ctx.input(2));
    const int64_t B = l.B, S = l.S, T = l.T, H = l.H, Dh = l.Dh, Dv = l.Dv;
    const float scale = scale_attr_ ? scale_ : float(1.0 / std::sqrt(double(std::max<int64_t>(Dh, 1))));
    const Dims full = {B, H, S, T};
    const float* mask = nullptr;
    Dims mstride(4, 0);
    if (ctx.has_input(3)) {
      const Tensor& m = ctx.input(3);
      require_f32(node_, m, "mask");
      EMBER_CHECK(m.rank() <= 4 && broadcast_shapes(m.shape(), full) == full, ShapeMismatch, node_, ": mask ",
                  dims_str(m.shape()), " does not broadcast to [B, H, S, T] = ", dims_str(full));
      mask = m.data<float>();
      mstride = broadcast_strides(m.shape(), full);
    }
    Tensor& y = ctx.output(0, DType::Float32, {B, S, H * Dv});
    float* yp = y.data<float>();
    ctx.pool().parallel_for(B * H, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> scores(size_t(S * T));
      for (int64_t bh = begin; bh < end; ++bh) {
        const int64_t b = bh / H, h = bh % H;
        kernels::gemm<float>(S, T, Dh, l.q_head(b, h), l.ldq, false, l.k_head(b, h), l.ldk, true, scores.data(), T,
                             scale, 0.0f);
        for (int64_t s = 0; s < S; ++s) {
          float* row = scores.data() + s * T;
          if (mask) {
            const float* mrow = mask + b * mstride[0] + h * mstride[1] + s * mstride[2];
            for (int64_t t = 0; t < T; ++t) row[t] += mrow[t * mstride[3]];
          }
          float mx = -INFINITY;
          for (int64_t t = 0; t < T; ++t) mx = std::max(mx, row[t]);
          double sum = 0;
          for (int64_t t = 0; t < T; ++t) sum += std::exp(double(row[t]) - double(mx));
          for (int64_t t = 0; t < T; ++t) row[t] = float(std::exp(double(row[t]) - double(mx)) / sum);
          if (nan_probs_to_zero_)
            for (int64_t t = 0; t < T; ++t) row[t] = std::isnan(row[t]) ? 0.0f : row[t];
        }
        kernels::gemm<float>(S, Dv, T, scores.data(), T, false, l.v_head(b, h), l.ldv, false,
                             yp + b * S * H * Dv + h * Dv, H * Dv, 1.0f, 0.0f);
      }
    });
  }

 private:
  std::string node_;
  int64_t heads_;
  bool scale_attr_;
  float scale_;
  bool nan_probs_to_zero_;
};

std::unique_ptr<Kernel> make_attention(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<AttentionKernel>(node);
}

}  // namespace

void add_ember_attention_op(OpRegistry& r) {
  r.add({"Attention", kEmberDomain, 1, 1 << 30, infer_attention, make_attention, {DType::Float32}});
}

}  // namespace ember::ops
