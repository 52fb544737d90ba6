// FlexAttention (ai.onnx.preview, opset 1): scaled dot-product attention over 4-D inputs with
// optional user graphs: score_mod rewrites the [B, Hq, L, S] score tensor before softmax and
// prob_mod rewrites the probabilities after it. Scores are computed in the input type (Q, K each
// scaled by sqrt(scale)); softmax and the final product run in the softmax type (float32 for
// half types, else the input type, or softmax_precision), then round to V's type. A row that is
// -inf everywhere gives NaN, as the spec's reference does (no fully-masked-row guard here).
#include <cmath>
#include <limits>

#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using attn::round_to;

// A compiled mod graph and the node inputs that feed its captures.
struct ModGraph {
  std::shared_ptr<const Subgraph> body;
  std::vector<size_t> captures;
};

ModGraph compile_mod(const ir::Node& node, const char* attr, KernelFactoryContext& f) {
  ModGraph m;
  const ir::Graph* g = node.attr_graph(attr);
  if (!g) return m;
  EMBER_CHECK(g->inputs.size() == 1 && g->outputs.size() == 1, InvalidModel, node.describe(), ": ", attr,
              " must take one input and give one output, it takes ", g->inputs.size(), " and gives ",
              g->outputs.size());
  // A capture carries the name of the outer value it stands for (see the ONNX importer).
  for (const ir::Value* cap : g->captures) {
    size_t idx = node.inputs.size();
    for (size_t k = node.explicit_input_count(); k < node.inputs.size(); ++k)
      if (node.inputs[k] && node.inputs[k]->name == cap->name) idx = k;
    EMBER_CHECK(idx < node.inputs.size(), InvalidModel, node.describe(), ": ", attr, " uses '", cap->name,
                "', which is not an input of the node");
    m.captures.push_back(idx);
  }
  m.body = f.compile_subgraph(*g);
  return m;
}

// Runs `m` on `x` (type p, shape `shape`) and returns its output as doubles in type p.
std::vector<double> apply_mod(KernelContext& ctx, const ModGraph& m, const std::string& node, const char* what,
                              DType p, const Dims& shape, const std::vector<double>& x) {
  Tensor in(p, shape);
  store_doubles(x.data(), in);
  std::vector<RtValue> inputs(1);
  inputs[0].tensor = in;
  for (size_t k : m.captures) inputs.push_back(ctx.input_value(k));
  std::vector<RtValue> out = m.body->run(ctx, std::move(inputs));
  EMBER_CHECK(out.size() == 1 && !out[0].is_sequence() && out[0].tensor.defined(), InvalidModel, node, ": ", what,
              " must give one tensor");
  const Tensor& t = out[0].tensor;
  EMBER_CHECK(t.shape() == shape, ShapeMismatch, node, ": ", what, " must keep the shape ", dims_str(shape),
              ", it gave ", dims_str(t.shape()));
  EMBER_CHECK(attn::is_float_type(t.dtype()), TypeMismatch, node, ": ", what, " must give a float tensor");
  std::vector<double> r = read_doubles(t);
  for (double& v : r) v = round_to(p, v);
  return r;
}

class FlexAttentionKernel final : public Kernel {
 public:
  FlexAttentionKernel(const ir::Node& node, KernelFactoryContext& f)
      : node_(node.describe()), has_scale_(node.has_attr("scale")), scale_(node.attr_float("scale", 0.f)),
        score_mod_(compile_mod(node, "score_mod", f)), prob_mod_(compile_mod(node, "prob_mod", f)) {
    if (node.has_attr("softmax_precision"))
      softmax_type_ = attn::float_type_from_code(node_, "softmax_precision", node.attr_int("softmax_precision"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& Q = ctx.input(0);
    const Tensor& K = ctx.input(1);
    const Tensor& V = ctx.input(2);
    const DType t = Q.dtype();
    attn::require_float(node_, "Q", t);
    EMBER_CHECK(K.dtype() == t, TypeMismatch, node_, ": K must have Q's type");
    attn::require_float(node_, "V", V.dtype());
    EMBER_CHECK(Q.rank() == 4 && K.rank() == 4 && V.rank() == 4, ShapeMismatch, node_,
                ": Q, K and V must be 4-D [batch, heads, seq, head_size]");
    const int64_t B = Q.dim(0), Hq = Q.dim(1), L = Q.dim(2), E = Q.dim(3), Hkv = K.dim(1), S = K.dim(2),
                  Ev = V.dim(3);
    EMBER_CHECK(K.dim(0) == B && V.dim(0) == B && V.dim(1) == Hkv && V.dim(2) == S && K.dim(3) == E, ShapeMismatch,
                node_, ": inconsistent shapes Q ", dims_str(Q.shape()), ", K ", dims_str(K.shape()), ", V ",
                dims_str(V.shape()));
    EMBER_CHECK(Hkv > 0 && Hq % Hkv == 0, ShapeMismatch, node_, ": Q heads ", Hq, " not a multiple of K heads ", Hkv);
    const DType p = softmax_type_ != DType::Undefined ? softmax_type_
                    : (t == DType::Float64 ? DType::Float64 : DType::Float32);
    const double scale = has_scale_ ? double(scale_) : 1.0 / std::sqrt(double(E));
    const double s2 = round_to(t, double(std::sqrt(float(scale))));
    const std::vector<double> q = read_doubles(Q), k = read_doubles(K), v = read_doubles(V);
    const Dims sshape = {B, Hq, L, S};
    std::vector<double> sc(static_cast<size_t>(B * Hq * L * S));
    const int64_t group = Hq / Hkv;
    for (int64_t bh = 0; bh < B * Hq; ++bh) {
      const int64_t b = bh / Hq, hk = (bh % Hq) / group;
      for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < S; ++j) {
          double acc = 0;
          for (int64_t d = 0; d < E; ++d)
            acc += round_to(t, q[size_t((bh * L + i) * E + d)] * s2) *
                   round_to(t, k[size_t(((b * Hkv + hk) * S + j) * E + d)] * s2);
          sc[size_t((bh * L + i) * S + j)] = round_to(p, round_to(t, acc));
        }
    }
    if (score_mod_.body) sc = apply_mod(ctx, score_mod_, node_, "score_mod", p, sshape, sc);
    for (int64_t r = 0; r < B * Hq * L; ++r) {
      double* x = sc.data() + r * S;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < S; ++j) mx = std::isnan(x[j]) || std::isnan(mx) ? std::nan("") : std::max(mx, x[j]);
      double sum = 0;
      for (int64_t j = 0; j < S; ++j) {
        const double d = round_to(p, x[j] - mx);
        x[j] = round_to(p, p == DType::Float64 ? std::exp(d) : double(std::exp(float(d))));
        sum += x[j];
      }
      sum = round_to(p, sum);
      for (int64_t j = 0; j < S; ++j) x[j] = round_to(p, x[j] / sum);
    }
    if (prob_mod_.body) sc = apply_mod(ctx, prob_mod_, node_, "prob_mod", p, sshape, sc);
    std::vector<double> y(static_cast<size_t>(B * Hq * L * Ev));
    for (int64_t bh = 0; bh < B * Hq; ++bh) {
      const int64_t b = bh / Hq, hk = (bh % Hq) / group;
      for (int64_t i = 0; i < L; ++i)
        for (int64_t m = 0; m < Ev; ++m) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j)
            acc += sc[size_t((bh * L + i) * S + j)] * round_to(p, v[size_t(((b * Hkv + hk) * S + j) * Ev + m)]);
          y[size_t((bh * L + i) * Ev + m)] = round_to(p, acc);
        }
    }
    store_doubles(y.data(), ctx.output(0, V.dtype(), {B, Hq, L, Ev}));
  }

 private:
  std::string node_;
  bool has_scale_;
  float scale_;
  DType softmax_type_ = DType::Undefined;
  ModGraph score_mod_, prob_mod_;
};

void infer_flex_attention(InferContext& ctx) {
  const TypeInfo& q = ctx.input_type(0);
  const TypeInfo& v = ctx.input_type(2);
  TypeInfo y = TypeInfo::tensor_unknown_shape(v.dtype);
  if (q.has_shape && v.has_shape && q.dims.size() == 4 && v.dims.size() == 4) {
    y.has_shape = true;
    y.dims = {q.dims[0], q.dims[1], q.dims[2], v.dims[3]};
  }
  ctx.set_output(0, y);
}

std::unique_ptr<Kernel> make_flex_attention(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<FlexAttentionKernel>(node, f);
}

}  // namespace

void add_flex_attention_op(OpRegistry& r) {
  r.add({"FlexAttention", "ai.onnx.preview", 1, 1 << 30, infer_flex_attention, make_flex_attention,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
