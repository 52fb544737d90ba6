// The loop shared by RNN, GRU and LSTM: checks every input's shape against X, W and the
// attributes (a hostile model must get an error, not an out-of-bounds read), then runs each
// direction and batch entry over its valid time steps. Steps past a batch entry's
// sequence_lens value leave zeros in Y; Y_h / Y_c hold the state after its last valid step.
#include <algorithm>

#include "ops/op_util.h"
#include "ops/rnn/rnn_common.h"

namespace ember::ops::rnn {
namespace {

std::vector<double> as_doubles(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::Float32) std::copy(t.data<float>(), t.data<float>() + t.numel(), out.begin());
  else std::copy(t.data<double>(), t.data<double>() + t.numel(), out.begin());
  return out;
}

void check_shape(const Tensor& t, const Dims& want, const char* what, const ir::Node& node) {
  EMBER_CHECK(t.shape() == want, ShapeMismatch, node.describe(), ": ", what, " has shape ", dims_str(t.shape()),
              ", expected ", dims_str(want));
}

void store(Tensor& t, const std::vector<double>& v) {
  if (t.dtype() == DType::Float32) std::copy(v.begin(), v.end(), t.data<float>());
  else std::copy(v.begin(), v.end(), t.data<double>());
}

}  // namespace

void run_rnn(KernelContext& ctx, const ir::Node& node, const CellSpec& spec, const RnnAttrs& a, CellFn cell) {
  const Tensor& X = ctx.input(0);
  const DType dt = X.dtype();
  EMBER_CHECK(dt == DType::Float32 || dt == DType::Float64, Unsupported, node.describe(), ": element type ",
              dtype_name(dt), " is not supported (float32, float64)");
  EMBER_CHECK(X.rank() == 3, ShapeMismatch, node.describe(), ": X must have rank 3, got ", dims_str(X.shape()));
  const int64_t S = X.dim(a.layout == 0 ? 0 : 1), B = X.dim(a.layout == 0 ? 1 : 0), I = X.dim(2);
  const int64_t D = a.directions, G = spec.gates;
  const Tensor& W = ctx.input(1);
  const Tensor& R = ctx.input(2);
  EMBER_CHECK(R.rank() == 3, ShapeMismatch, node.describe(), ": R must have rank 3, got ", dims_str(R.shape()));
  const int64_t H = a.hidden > 0 ? a.hidden : R.dim(2);
  EMBER_CHECK(H > 0, ShapeMismatch, node.describe(), ": hidden size must be positive");
  check_shape(W, {D, G * H, I}, "W", node);
  check_shape(R, {D, G * H, H}, "R", node);
  for (size_t i : {size_t(1), size_t(2), size_t(3), size_t(5), size_t(6), size_t(7)})
    if (ctx.has_input(i))
      EMBER_CHECK(ctx.input(i).dtype() == dt, TypeMismatch, node.describe(), ": input ", i, " is ",
                  dtype_name(ctx.input(i).dtype()), ", X is ", dtype_name(dt));

  const std::vector<double> x = as_doubles(X), w = as_doubles(W), r = as_doubles(R);
  std::vector<double> bias(static_cast<size_t>(D * 2 * G * H), 0.0);
  if (ctx.has_input(3)) {
    check_shape(ctx.input(3), {D, 2 * G * H}, "B", node);
    bias = as_doubles(ctx.input(3));
  }
  std::vector<int64_t> lens(static_cast<size_t>(B), S);
  if (ctx.has_input(4)) {
    const Tensor& sl = ctx.input(4);
    EMBER_CHECK(sl.dtype() == DType::Int32 || sl.dtype() == DType::Int64, TypeMismatch, node.describe(),
                ": sequence_lens must be int32, got ", dtype_name(sl.dtype()));
    check_shape(sl, {B}, "sequence_lens", node);
    for (int64_t b = 0; b < B; ++b) {
      lens[size_t(b)] = sl.int_at(b);
      EMBER_CHECK(lens[size_t(b)] >= 0 && lens[size_t(b)] <= S, InvalidArgument, node.describe(),
                  ": sequence_lens[", b, "]=", lens[size_t(b)], " is outside [0, ", S, "]");
    }
  }
  const Dims state_shape = a.layout == 0 ? Dims{D, B, H} : Dims{B, D, H};
  auto state_index = [&](int64_t d, int64_t b) { return (a.layout == 0 ? d * B + b : b * D + d) * H; };
  std::vector<double> h0(static_cast<size_t>(D * B * H), 0.0), c0(static_cast<size_t>(D * B * H), 0.0);
  if (ctx.has_input(5)) {
    check_shape(ctx.input(5), state_shape, "initial_h", node);
    h0 = as_doubles(ctx.input(5));
  }
  std::vector<double> peep(static_cast<size_t>(D * 3 * H), 0.0);
  if (spec.has_cell_state) {
    if (ctx.has_input(6)) {
      check_shape(ctx.input(6), state_shape, "initial_c", node);
      c0 = as_doubles(ctx.input(6));
    }
    if (ctx.has_input(7)) {
      check_shape(ctx.input(7), {D, 3 * H}, "P", node);
      peep = as_doubles(ctx.input(7));
    }
  }

  const Dims y_shape = a.layout == 0 ? Dims{S, D, B, H} : Dims{B, S, D, H};
  std::vector<double> y(static_cast<size_t>(S * D * B * H), 0.0), yh(h0.size()), yc(c0.size());
  auto x_at = [&](int64_t t, int64_t b) { return x.data() + (a.layout == 0 ? t * B + b : b * S + t) * I; };
  auto y_at = [&](int64_t t, int64_t d, int64_t b) {
    return y.data() + (a.layout == 0 ? (t * D + d) * B + b : (b * S + t) * D + d) * H;
  };
  std::vector<double> xw(static_cast<size_t>(G * H)), h(static_cast<size_t>(H)), c(static_cast<size_t>(H));
  for (int64_t d = 0; d < D; ++d) {
    const bool backwards = a.reverse || d == 1;
    const double* Wd = w.data() + d * G * H * I;
    const double* Wb = bias.data() + d * 2 * G * H;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t len = lens[size_t(b)];
      std::copy_n(h0.begin() + state_index(d, b), H, h.begin());
      std::copy_n(c0.begin() + state_index(d, b), H, c.begin());
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = backwards ? len - 1 - step : step;
        std::copy_n(Wb, G * H, xw.begin());
        matvec_add(Wd, x_at(t, b), G * H, I, xw.data());
        cell(CellArgs{xw.data(), r.data() + d * G * H * H, Wb + G * H, peep.data() + d * 3 * H,
                      a.acts.data() + d * spec.acts_per_direction, a.clip, H, h.data(), c.data()},
             node);
        std::copy(h.begin(), h.end(), y_at(t, d, b));
      }
      std::copy(h.begin(), h.end(), yh.begin() + state_index(d, b));
      std::copy(c.begin(), c.end(), yc.begin() + state_index(d, b));
    }
  }
  if (ctx.output_count() > 0 && ctx.wants_output(0)) store(ctx.output(0, dt, y_shape), y);
  if (ctx.output_count() > 1 && ctx.wants_output(1)) store(ctx.output(1, dt, state_shape), yh);
  if (spec.has_cell_state && ctx.output_count() > 2 && ctx.wants_output(2)) store(ctx.output(2, dt, state_shape), yc);
}

}  // namespace ember::ops::rnn
