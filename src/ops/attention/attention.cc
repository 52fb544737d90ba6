// Attention (opset 23, 24: nonpad_kv_seqlen, 25: sliding window). Scaled dot-product attention
// over 3-D [batch, seq, heads*head_size] or 4-D [batch, heads, seq, head_size] inputs with
// grouped / multi-query KV heads, past/present KV cache, bool or float mask, causal mask,
// softcap, softmax precision and the four qk_matmul_output modes.
//
// The kernel follows the ONNX reference step by step: Q and K are scaled by sqrt(scale) rounded
// to the input type, each intermediate (scores, softcap, biased scores, probabilities) is rounded
// to the type numpy would hold it in, and sums are accumulated wide. That keeps float16 outputs
// within one unit in the last place of the spec's numbers.
#include <cmath>
#include <limits>

#include "ops/attention/attention_bias.h"
#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using attn::round_to;

struct AttnAttrs {
  double scale = 0;  // 0: 1/sqrt(head_size)
  bool has_scale = false, causal = false;
  int64_t q_heads = 0, kv_heads = 0;  // 0 when absent (4-D inputs)
  double softcap = 0;
  int64_t qk_mode = 0;
  bool has_softmax_type = false;
  DType softmax_type = DType::Float32;
  int64_t left = -1, right = -1;
};

AttnAttrs parse_attrs(const ir::Node& node) {
  const std::string nd = node.describe();
  AttnAttrs a;
  a.has_scale = node.has_attr("scale");
  a.scale = node.attr_float("scale", 0.f);
  EMBER_CHECK(!a.has_scale || (std::isfinite(a.scale) && a.scale > 0), InvalidModel, nd,
              ": scale must be a positive finite number, given ", a.scale);
  const int64_t c = node.attr_int("is_causal", 0);
  EMBER_CHECK(c == 0 || c == 1, InvalidModel, nd, ": is_causal must be 0 or 1, given ", c);
  a.causal = c == 1;
  a.q_heads = node.attr_int("q_num_heads", 0);
  a.kv_heads = node.attr_int("kv_num_heads", 0);
  EMBER_CHECK(a.q_heads >= 0 && a.kv_heads >= 0, InvalidModel, nd, ": q_num_heads / kv_num_heads must be positive");
  a.softcap = node.attr_float("softcap", 0.f);
  EMBER_CHECK(std::isfinite(a.softcap), InvalidModel, nd, ": softcap must be finite");
  a.qk_mode = node.attr_int("qk_matmul_output_mode", 0);
  EMBER_CHECK(a.qk_mode >= 0 && a.qk_mode <= 3, InvalidModel, nd, ": qk_matmul_output_mode must be 0..3, given ",
              a.qk_mode);
  if (node.has_attr("softmax_precision")) {
    a.has_softmax_type = true;
    a.softmax_type = attn::float_type_from_code(nd, "softmax_precision", node.attr_int("softmax_precision"));
  }
  if (node.opset >= 25) {
    a.left = node.attr_int("left_window_size", -1);
    a.right = node.attr_int("right_window_size", -1);
    EMBER_CHECK(a.left >= -1 && a.right >= -1, InvalidModel, nd,
                ": left_window_size / right_window_size must be -1 or non-negative, given ", a.left, " / ", a.right);
  }
  return a;
}

// Element strides of a Q/K/V/Y tensor seen as [batch, head, seq, d] (d contiguous).
struct View {
  int64_t heads = 0, seq = 0, d = 0, sb = 0, sh = 0, ss = 0;
};

View view_of(const std::string& nd, const char* what, const Dims& s, int64_t heads) {
  View v;
  if (s.size() == 4) {
    v.heads = s[1], v.seq = s[2], v.d = s[3];
    v.ss = v.d, v.sh = v.seq * v.d, v.sb = v.heads * v.sh;
  } else {
    EMBER_CHECK(heads > 0 && s[2] % heads == 0, ShapeMismatch, nd, ": ", what, " hidden size ", s[2],
                " is not divisible by its number of heads ", heads);
    v.heads = heads, v.seq = s[1], v.d = s[2] / heads;
    v.sh = v.d, v.ss = heads * v.d, v.sb = v.seq * v.ss;
  }
  return v;
}

// ---- inference ----------------------------------------------------------------------------

void infer_attention(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const AttnAttrs a = parse_attrs(node);
  const TypeInfo& q = ctx.input_type(0);
  const TypeInfo& k = ctx.input_type(1);
  const TypeInfo& v = ctx.input_type(2);
  const DType t = q.dtype;
  auto unknown = [&](DType d) { return TypeInfo::tensor_unknown_shape(d); };
  std::vector<TypeInfo> out = {unknown(t), unknown(t), unknown(t), unknown(t)};
  if (q.has_shape && k.has_shape && v.has_shape) {
    const size_t r = q.dims.size();
    EMBER_CHECK((r == 3 || r == 4) && k.dims.size() == r && v.dims.size() == r, ShapeMismatch, node.describe(),
                ": Q, K and V must all be 3-D or all 4-D, given ", q.str(), ", ", k.str(), ", ", v.str());
    using ir::Dim;
    auto div = [](const Dim& d, int64_t n) { return d.known() && n > 0 ? Dim::of(d.value / n) : Dim{}; };
    auto mul = [](const Dim& d, int64_t n) { return d.known() ? Dim::of(d.value * n) : Dim{}; };
    const Dim B = q.dims[0];
    const Dim hq = r == 4 ? q.dims[1] : Dim::of(a.q_heads), hkv = r == 4 ? k.dims[1] : Dim::of(a.kv_heads);
    const Dim sq = r == 4 ? q.dims[2] : q.dims[1], skv = r == 4 ? k.dims[2] : k.dims[1];
    const Dim dk = r == 4 ? k.dims[3] : div(k.dims[2], a.kv_heads);
    const Dim dv = r == 4 ? v.dims[3] : div(v.dims[2], a.kv_heads);
    Dim st = skv;
    if (ctx.has_input(4)) {
      const TypeInfo& pk = ctx.input_type(4);
      st = pk.has_shape && pk.dims.size() == 4 && pk.dims[2].known() && skv.known()
               ? Dim::of(pk.dims[2].value + skv.value) : Dim{};
    }
    if (r == 4) out[0] = TypeInfo{ir::ValueKind::Tensor, t, true, {B, hq, sq, dv}, nullptr};
    else out[0] = TypeInfo{ir::ValueKind::Tensor, t, true, {B, sq, dv.known() ? mul(dv, a.q_heads) : Dim{}}, nullptr};
    out[1] = TypeInfo{ir::ValueKind::Tensor, t, true, {B, hkv, st, dk}, nullptr};
    out[2] = TypeInfo{ir::ValueKind::Tensor, v.dtype, true, {B, hkv, st, dv}, nullptr};
    out[3] = TypeInfo{ir::ValueKind::Tensor, t, true, {B, hq, sq, st}, nullptr};
  }
  for (size_t i = 0; i < ctx.output_count() && i < 4; ++i) ctx.set_output(i, out[i]);
}

// ---- kernel ---------------------------------------------------------------------------------

class AttentionKernel final : public Kernel {
 public:
  AttentionKernel(const ir::Node& node, AttnAttrs a) : node_(node.describe()), opset_(node.opset), a_(a) {}

  void run(KernelContext& ctx) const override;

 private:
  // Softmax of one row in type `p` (numpy's formula, fully-masked rows -> 0 before the guard).
  static void softmax_row(DType p, const double* x, double* y, int64_t n);

  std::string node_;
  int opset_;
  AttnAttrs a_;
};

void AttentionKernel::softmax_row(DType p, const double* x, double* y, int64_t n) {
  double mx = -std::numeric_limits<double>::infinity();
  bool nan = false;
  for (int64_t j = 0; j < n; ++j) {
    const double v = round_to(p, x[j]);
    if (std::isnan(v)) nan = true;
    else if (v > mx) mx = v;
  }
  if (nan) mx = std::numeric_limits<double>::quiet_NaN();  // np.max propagates NaN
  const double safe = std::isinf(mx) && mx < 0 ? 0.0 : mx;
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    const double d = round_to(p, round_to(p, x[j]) - safe);
    y[j] = round_to(p, p == DType::Float64 ? std::exp(d) : double(std::exp(float(d))));
    sum += y[j];
  }
  sum = round_to(p, sum);
  if (sum == 0) sum = 1;
  for (int64_t j = 0; j < n; ++j) y[j] = round_to(p, y[j] / sum);
}

void AttentionKernel::run(KernelContext& ctx) const {
  const Tensor& Q = ctx.input(0);
  const Tensor& K = ctx.input(1);
  const Tensor& V = ctx.input(2);
  const DType t = Q.dtype();
  attn::require_float(node_, "input Q", t);
  EMBER_CHECK(K.dtype() == t && V.dtype() == t, Unsupported, node_, ": Q, K and V must share one element type, given ",
              dtype_name(t), ", ", dtype_name(K.dtype()), ", ", dtype_name(V.dtype()));
  const size_t r = Q.rank();
  EMBER_CHECK((r == 3 || r == 4) && K.rank() == r && V.rank() == r, ShapeMismatch, node_,
              ": Q, K and V must all be 3-D or all 4-D, given ", dims_str(Q.shape()), ", ", dims_str(K.shape()), ", ",
              dims_str(V.shape()));
  if (r == 3) {
    EMBER_CHECK(a_.q_heads > 0 && a_.kv_heads > 0, InvalidModel, node_,
                ": q_num_heads and kv_num_heads are required for 3-D inputs");
  } else if (opset_ >= 25) {
    EMBER_CHECK(a_.q_heads == 0 && a_.kv_heads == 0, InvalidModel, node_,
                ": q_num_heads and kv_num_heads must not be set for 4-D inputs");
  } else {
    EMBER_CHECK((a_.q_heads == 0 || a_.q_heads == Q.dim(1)) && (a_.kv_heads == 0 || a_.kv_heads == K.dim(1)),
                ShapeMismatch, node_, ": q_num_heads / kv_num_heads disagree with the 4-D input shapes");
  }
  const View q = view_of(node_, "Q", Q.shape(), a_.q_heads), k = view_of(node_, "K", K.shape(), a_.kv_heads),
             v = view_of(node_, "V", V.shape(), a_.kv_heads);
  const int64_t B = Q.dim(0), Hq = q.heads, Hkv = k.heads, Sq = q.seq, D = q.d, Dv = v.d;
  EMBER_CHECK(K.dim(0) == B && V.dim(0) == B && v.heads == Hkv && v.seq == k.seq && k.d == D, ShapeMismatch, node_,
              ": inconsistent Q / K / V shapes ", dims_str(Q.shape()), ", ", dims_str(K.shape()), ", ",
              dims_str(V.shape()));
  EMBER_CHECK(Hkv > 0 && Hq % Hkv == 0, ShapeMismatch, node_, ": q_num_heads ", Hq,
              " is not a multiple of kv_num_heads ", Hkv);
  // KV cache: present = concat(past, new) on the sequence axis.
  const bool has_past = ctx.has_input(4), has_past_v = ctx.has_input(5);
  EMBER_CHECK(has_past == has_past_v, InvalidModel, node_, ": past_key and past_value must be given together");
  int64_t Sp = 0;
  if (has_past) {
    const Tensor& pk = ctx.input(4);
    const Tensor& pv = ctx.input(5);
    EMBER_CHECK(pk.dtype() == t && pv.dtype() == t, Unsupported, node_, ": past_key / past_value must have Q's type");
    Sp = pk.rank() == 4 ? pk.dim(2) : -1;
    EMBER_CHECK(pk.rank() == 4 && pv.rank() == 4 && pk.shape() == Dims({B, Hkv, Sp, D}) &&
                    pv.shape() == Dims({B, Hkv, Sp, Dv}),
                ShapeMismatch, node_, ": past_key / past_value must be [", B, ", ", Hkv, ", past_len, ", D, "] / [..., ",
                Dv, "], given ", dims_str(pk.shape()), " and ", dims_str(pv.shape()));
  }
  const int64_t Skv = k.seq, St = Sp + Skv;

  attn::AttnBias bias;
  bias.batch = B, bias.q_heads = Hq, bias.q_len = Sq, bias.kv_len = St, bias.dtype = t;
  bias.causal = a_.causal, bias.left = a_.left, bias.right = a_.right, bias.past_len = Sp;
  if (ctx.has_input(3)) bias.set_mask(node_, ctx.input(3));
  if (ctx.has_input(6)) {
    EMBER_CHECK(!has_past, InvalidModel, node_, ": nonpad_kv_seqlen cannot be combined with past_key / past_value");
    bias.set_nonpad(node_, ctx.input(6));
  }

  // Gather K / V (with the cache) as [B, Hkv, St, d] doubles.
  auto gather = [&](const Tensor& x, const View& xv, int in_past, int64_t d) {
    std::vector<double> out(size_t(B * Hkv * St * d));
    const std::vector<double> xs = read_doubles(x);
    const std::vector<double> ps = has_past ? read_doubles(ctx.input(size_t(in_past))) : std::vector<double>{};
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < Hkv; ++h)
        for (int64_t s = 0; s < St; ++s) {
          double* o = out.data() + ((b * Hkv + h) * St + s) * d;
          const double* src = s < Sp ? ps.data() + ((b * Hkv + h) * Sp + s) * d
                                     : xs.data() + b * xv.sb + h * xv.sh + (s - Sp) * xv.ss;
          std::copy(src, src + d, o);
        }
    return out;
  };
  const std::vector<double> kall = gather(K, k, 4, D), vall = gather(V, v, 5, Dv);
  const std::vector<double> qs = read_doubles(Q);
  if (ctx.output_count() > 1 && ctx.wants_output(1)) store_doubles(kall.data(), ctx.output(1, t, {B, Hkv, St, D}));
  if (ctx.output_count() > 2 && ctx.wants_output(2)) store_doubles(vall.data(), ctx.output(2, t, {B, Hkv, St, Dv}));

  // Q and K are each scaled by sqrt(scale), rounded to the input type as the spec's function does.
  const double scale = a_.has_scale ? double(float(a_.scale)) : 1.0 / std::sqrt(double(D));
  const double s2 = round_to(t, std::sqrt(scale));
  std::vector<double> ks(kall.size());
  for (size_t i = 0; i < ks.size(); ++i) ks[i] = round_to(t, kall[i] * s2);

  const bool want_qk = ctx.output_count() > 3 && ctx.wants_output(3);
  std::vector<double> y(size_t(B * Hq * Sq * Dv)), qk(want_qk ? size_t(B * Hq * Sq * St) : 0);
  const View yv = view_of(node_, "Y", r == 4 ? Dims{B, Hq, Sq, Dv} : Dims{B, Sq, Hq * Dv}, Hq);
  const DType pt = a_.has_softmax_type ? a_.softmax_type : t;
  const int64_t group = Hq / Hkv;
  ctx.pool().parallel_for(B * Hq, 1, [&](int64_t lo, int64_t hi) {
    const size_t n = static_cast<size_t>(St);
    std::vector<double> qrow(static_cast<size_t>(D)), raw(n), capped(n), br(n), wb(n), p(n);
    for (int64_t bh = lo; bh < hi; ++bh) {
      const int64_t b = bh / Hq, h = bh % Hq, hk = h / group;
      const double* kh = ks.data() + (b * Hkv + hk) * St * D;
      const double* vh = vall.data() + (b * Hkv + hk) * St * Dv;
      for (int64_t i = 0; i < Sq; ++i) {
        const double* qr = qs.data() + b * q.sb + h * q.sh + i * q.ss;
        for (int64_t d = 0; d < D; ++d) qrow[size_t(d)] = round_to(t, qr[d] * s2);
        bias.row(b, h, i, br.data());
        bool all_masked = true;
        for (int64_t j = 0; j < St; ++j) {
          double acc = 0;
          for (int64_t d = 0; d < D; ++d) acc += qrow[size_t(d)] * kh[j * D + d];
          raw[size_t(j)] = round_to(t, acc);
          double c = raw[size_t(j)];
          if (a_.softcap > 0) {
            const double sc = double(float(a_.softcap));
            c = round_to(t, round_to(t, std::tanh(round_to(t, c / sc))) * sc);
          }
          capped[size_t(j)] = c;
          wb[size_t(j)] = round_to(t, c + br[size_t(j)]);
          all_masked = all_masked && std::isinf(br[size_t(j)]) && br[size_t(j)] < 0;
        }
        softmax_row(pt, wb.data(), p.data(), St);
        // A row whose bias masks every key has no attendable key: its probabilities are 0.
        for (int64_t j = 0; j < St; ++j) p[size_t(j)] = all_masked ? 0.0 : round_to(t, p[size_t(j)]);
        if (want_qk) {
          const std::vector<double>& src = a_.qk_mode == 0 ? raw : a_.qk_mode == 1 ? capped : a_.qk_mode == 2 ? wb : p;
          std::copy(src.begin(), src.end(), qk.begin() + ((b * Hq + h) * Sq + i) * St);
        }
        double* yr = y.data() + b * yv.sb + h * yv.sh + i * yv.ss;
        for (int64_t d = 0; d < Dv; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < St; ++j) acc += p[size_t(j)] * vh[j * Dv + d];
          yr[d] = round_to(t, acc);
        }
      }
    }
  });
  store_doubles(y.data(), ctx.output(0, t, r == 4 ? Dims{B, Hq, Sq, Dv} : Dims{B, Sq, Hq * Dv}));
  if (want_qk) store_doubles(qk.data(), ctx.output(3, t, {B, Hq, Sq, St}));
}

std::unique_ptr<Kernel> make_attention(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<AttentionKernel>(node, parse_attrs(node));
}

}  // namespace

void add_attention_op(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"Attention", "", 23, 1 << 30, infer_attention, make_attention, f});
}

}  // namespace ember::ops
