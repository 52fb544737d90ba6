// CausalConvWithState (opset 27): depthwise causal 1-D convolution with a carried state, as in
// Mamba / linear-attention blocks. The input [B, C, L] is prefixed with past_state [B, C, k-1]
// (zeros when absent), convolved per channel with weight [C, 1, k] (+ bias [C]), optionally
// passed through SiLU ("silu" / "swish"); present_state is the last k-1 columns of the padded
// input. The convolution is summed in double and rounded to the input type, and SiLU is
// computed on that rounded value, as the ONNX reference does.
#include <cmath>

#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using attn::round_to;

class CausalConvKernel final : public Kernel {
 public:
  CausalConvKernel(const ir::Node& node, bool silu) : node_(node.describe()), silu_(silu) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const DType t = x.dtype();
    attn::require_float(node_, "input", t);
    EMBER_CHECK(w.dtype() == t, TypeMismatch, node_, ": weight must have the input's type");
    EMBER_CHECK(x.rank() == 3, ShapeMismatch, node_, ": input must be [batch, channels, length], given ",
                dims_str(x.shape()));
    const int64_t B = x.dim(0), C = x.dim(1), L = x.dim(2);
    EMBER_CHECK(w.rank() == 3 && w.dim(0) == C && w.dim(1) == 1 && w.dim(2) >= 1, ShapeMismatch, node_,
                ": weight must be [channels=", C, ", 1, kernel_size>=1], given ", dims_str(w.shape()));
    const int64_t k = w.dim(2), P = k - 1, total = P + L;
    std::vector<double> bias(size_t(C), 0.0);
    if (ctx.has_input(2)) {
      const Tensor& b = ctx.input(2);
      EMBER_CHECK(b.dtype() == t && b.rank() == 1 && b.dim(0) == C, ShapeMismatch, node_,
                  ": bias must be [channels] = [", C, "] of the input's type, given ", dims_str(b.shape()));
      bias = read_doubles(b);
    }
    // padded = concat(past_state or zeros, input) on the length axis: [B, C, P + L].
    std::vector<double> padded(size_t(B * C * total), 0.0);
    const std::vector<double> xv = read_doubles(x), wv = read_doubles(w);
    std::vector<double> pv;
    if (ctx.has_input(3)) {
      const Tensor& ps = ctx.input(3);
      EMBER_CHECK(ps.dtype() == t && ps.shape() == Dims({B, C, P}), ShapeMismatch, node_,
                  ": past_state must be [", B, ", ", C, ", ", P, "] of the input's type, given ", dims_str(ps.shape()));
      pv = read_doubles(ps);
    }
    for (int64_t bc = 0; bc < B * C; ++bc) {
      double* row = padded.data() + bc * total;
      if (!pv.empty()) std::copy(pv.begin() + bc * P, pv.begin() + (bc + 1) * P, row);
      std::copy(xv.begin() + bc * L, xv.begin() + (bc + 1) * L, row + P);
    }
    std::vector<double> y(size_t(B * C * L)), state(size_t(B * C * P));
    for (int64_t bc = 0; bc < B * C; ++bc) {
      const int64_t c = bc % C;
      const double* row = padded.data() + bc * total;
      for (int64_t i = 0; i < L; ++i) {
        double acc = 0;
        for (int64_t j = 0; j < k; ++j) acc += row[i + j] * wv[size_t(c * k + j)];
        double v = round_to(t, acc + bias[size_t(c)]);
        // SiLU in float32 on the rounded convolution, rounded back once.
        if (silu_) v = round_to(t, double(float(v) * (1.0f / (1.0f + std::exp(-float(v))))));
        y[size_t(bc * L + i)] = v;
      }
      std::copy(row + L, row + total, state.begin() + bc * P);
    }
    store_doubles(y.data(), ctx.output(0, t, x.shape()));
    if (ctx.output_count() > 1 && ctx.wants_output(1)) store_doubles(state.data(), ctx.output(1, t, {B, C, P}));
  }

 private:
  std::string node_;
  bool silu_;
};

void infer_causal_conv(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  ctx.set_output(0, x);
  if (ctx.output_count() > 1) {
    TypeInfo st = TypeInfo::tensor_unknown_shape(x.dtype);
    const TypeInfo& w = ctx.input_type(1);
    if (x.has_shape && x.dims.size() == 3 && w.has_shape && w.dims.size() == 3 && w.dims[2].known()) {
      st.has_shape = true;
      st.dims = {x.dims[0], x.dims[1], ir::Dim::of(std::max<int64_t>(w.dims[2].value - 1, 0))};
    }
    ctx.set_output(1, st);
  }
}

std::unique_ptr<Kernel> make_causal_conv(const ir::Node& node, KernelFactoryContext&) {
  const std::string act = node.attr_string("activation", "none");
  EMBER_CHECK(act == "none" || act == "silu" || act == "swish", InvalidModel, node.describe(), ": activation '", act,
              "' is not one of none, silu, swish");
  return std::make_unique<CausalConvKernel>(node, act != "none");
}

}  // namespace

void add_causal_conv_op(OpRegistry& r) {
  r.add({"CausalConvWithState", "", 27, 1 << 30, infer_causal_conv, make_causal_conv,
         {DType::Float32, DType::Float16, DType::BFloat16}});
}

}  // namespace ember::ops
