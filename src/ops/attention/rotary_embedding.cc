// RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim features of each head by
// position-dependent angles given as cos / sin caches, either indexed by position_ids
// ([max_pos, rot/2] caches) or given per token ([batch, seq, rot/2] caches). Pairs are the two
// halves of the rotated block, or adjacent features when interleaved=1. Input is
// [batch, heads, seq, head_size] or [batch, seq, heads*head_size] (num_heads required).
#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

class RotaryKernel final : public Kernel {
 public:
  RotaryKernel(const ir::Node& node, bool interleaved, int64_t rot, int64_t heads)
      : node_(node.describe()), interleaved_(interleaved), rot_attr_(rot), heads_attr_(heads) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& cc = ctx.input(1);
    const Tensor& sc = ctx.input(2);
    const DType t = x.dtype();
    attn::require_float(node_, "input X", t);
    EMBER_CHECK(cc.dtype() == t && sc.dtype() == t, TypeMismatch, node_, ": cos_cache / sin_cache must have X's type");
    EMBER_CHECK(x.rank() == 3 || x.rank() == 4, ShapeMismatch, node_, ": input must be 3-D or 4-D, given ",
                dims_str(x.shape()));
    // [b, s, h, d] strides of X.
    int64_t B = x.dim(0), S, H, D, sb, ss, sh;
    if (x.rank() == 4) {
      H = x.dim(1), S = x.dim(2), D = x.dim(3);
      sh = S * D, ss = D, sb = H * S * D;
    } else {
      EMBER_CHECK(heads_attr_ > 0 && x.dim(2) % heads_attr_ == 0, InvalidModel, node_,
                  ": 3-D input needs num_heads > 0 dividing the hidden size ", x.dim(2), ", given num_heads=",
                  heads_attr_);
      S = x.dim(1), H = heads_attr_, D = x.dim(2) / H;
      sh = D, ss = H * D, sb = S * H * D;
    }
    const int64_t rot = rot_attr_ == 0 ? D : rot_attr_;
    EMBER_CHECK(rot > 0 && rot <= D && rot % 2 == 0, InvalidModel, node_, ": rotary_embedding_dim ", rot,
                " must be even and at most the head size ", D);
    const int64_t half_rot = rot / 2;
    const bool has_pos = ctx.has_input(3);
    std::vector<int64_t> pos;
    if (has_pos) {
      const Tensor& p = ctx.input(3);
      EMBER_CHECK(p.rank() == 2 && p.dim(0) == B && p.dim(1) == S, ShapeMismatch, node_,
                  ": position_ids must be [batch, seq] = [", B, ", ", S, "], given ", dims_str(p.shape()));
      EMBER_CHECK(cc.rank() == 2 && sc.shape() == cc.shape() && cc.dim(1) == half_rot, ShapeMismatch, node_,
                  ": with position_ids the caches must be [max_position, ", half_rot, "], given ",
                  dims_str(cc.shape()), " and ", dims_str(sc.shape()));
      pos = p.to_int64_vector();
      for (int64_t v : pos)
        EMBER_CHECK(v >= 0 && v < cc.dim(0), InvalidModel, node_, ": position id ", v, " is outside the cache of ",
                    cc.dim(0), " positions");
    } else {
      EMBER_CHECK(cc.rank() == 3 && sc.shape() == cc.shape() && cc.shape() == Dims({B, S, half_rot}), ShapeMismatch,
                  node_, ": without position_ids the caches must be [", B, ", ", S, ", ", half_rot, "], given ",
                  dims_str(cc.shape()), " and ", dims_str(sc.shape()));
    }
    const std::vector<double> xv = read_doubles(x), cv = read_doubles(cc), sv = read_doubles(sc);
    std::vector<double> y = xv;  // features past `rot` pass through unchanged
    for (int64_t b = 0; b < B; ++b)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t row = has_pos ? pos[size_t(b * S + s)] : b * S + s;
        const double* c = cv.data() + row * half_rot;
        const double* sn = sv.data() + row * half_rot;
        for (int64_t h = 0; h < H; ++h) {
          const int64_t base = b * sb + s * ss + h * sh;
          for (int64_t i = 0; i < half_rot; ++i) {
            const int64_t i1 = base + (interleaved_ ? 2 * i : i), i2 = base + (interleaved_ ? 2 * i + 1 : i + half_rot);
            const double x1 = xv[size_t(i1)], x2 = xv[size_t(i2)];
            // Each product and sum rounded to X's type, as the reference computes in that type.
            y[size_t(i1)] = attn::round_to(t, attn::round_to(t, c[i] * x1) - attn::round_to(t, sn[i] * x2));
            y[size_t(i2)] = attn::round_to(t, attn::round_to(t, sn[i] * x1) + attn::round_to(t, c[i] * x2));
          }
        }
      }
    store_doubles(y.data(), ctx.output(0, t, x.shape()));
  }

 private:
  std::string node_;
  bool interleaved_;
  int64_t rot_attr_, heads_attr_;
};

std::unique_ptr<Kernel> make_rotary(const ir::Node& node, KernelFactoryContext&) {
  const int64_t inter = node.attr_int("interleaved", 0), rot = node.attr_int("rotary_embedding_dim", 0);
  const int64_t heads = node.attr_int("num_heads", 0);
  EMBER_CHECK(inter == 0 || inter == 1, InvalidModel, node.describe(), ": interleaved must be 0 or 1, given ", inter);
  EMBER_CHECK(rot >= 0 && heads >= 0, InvalidModel, node.describe(),
              ": rotary_embedding_dim and num_heads must be non-negative");
  return std::make_unique<RotaryKernel>(node, inter == 1, rot, heads);
}

}  // namespace

void add_rotary_embedding_op(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"RotaryEmbedding", "", 23, 1 << 30, infer_same_as_input, make_rotary, f});
}

}  // namespace ember::ops
