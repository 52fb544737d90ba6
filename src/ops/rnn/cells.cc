// RNN, GRU and LSTM: the per-step cell equations of the ONNX spec, and their schemas. The
// loop, layouts, directions and sequence lengths live in rnn_driver.cc.
//
// Gate order in W/R/B: GRU z, r, h; LSTM i, o, f, c; LSTM peepholes P: i, o, f.
#include <vector>

#include "ops/op_registry.h"
#include "ops/rnn/rnn_common.h"

namespace ember::ops::rnn {
namespace {

// Ht = f(W x + R h + Wb + Rb)
void rnn_cell(const CellArgs& a, const ir::Node&) {
  std::vector<double> g(a.Rb, a.Rb + a.H);
  matvec_add(a.R, a.h, a.H, a.H, g.data());
  for (int64_t j = 0; j < a.H; ++j) a.h[j] = a.acts[0](clip_value(a.xw[j] + g[j], a.clip));
}

// z = f(..), r = f(..), n = g(W x + Wbh + (r*h)·Rh + Rbh) or, with linear_before_reset,
// g(W x + Wbh + r*(h·Rh + Rbh)); Ht = (1-z)*n + z*h.
template <bool kLinearBeforeReset>
void gru_cell(const CellArgs& a, const ir::Node&) {
  const int64_t H = a.H;
  std::vector<double> zr(a.Rb, a.Rb + 2 * H);  // recurrent part of z and r
  matvec_add(a.R, a.h, 2 * H, H, zr.data());
  std::vector<double> z(static_cast<size_t>(H)), r(static_cast<size_t>(H));
  for (int64_t j = 0; j < H; ++j) {
    z[size_t(j)] = a.acts[0](clip_value(a.xw[j] + zr[size_t(j)], a.clip));
    r[size_t(j)] = a.acts[0](clip_value(a.xw[H + j] + zr[size_t(H + j)], a.clip));
  }
  const double* Rh = a.R + 2 * H * H;
  std::vector<double> n(static_cast<size_t>(H), 0.0);
  if (kLinearBeforeReset) {
    matvec_add(Rh, a.h, H, H, n.data());
    for (int64_t j = 0; j < H; ++j) n[size_t(j)] = r[size_t(j)] * (n[size_t(j)] + a.Rb[2 * H + j]);
  } else {
    std::vector<double> rh(static_cast<size_t>(H));
    for (int64_t j = 0; j < H; ++j) rh[size_t(j)] = r[size_t(j)] * a.h[j];
    matvec_add(Rh, rh.data(), H, H, n.data());
    for (int64_t j = 0; j < H; ++j) n[size_t(j)] += a.Rb[2 * H + j];
  }
  for (int64_t j = 0; j < H; ++j) {
    const double nj = a.acts[1](clip_value(a.xw[2 * H + j] + n[size_t(j)], a.clip));
    a.h[j] = (1 - z[size_t(j)]) * nj + z[size_t(j)] * a.h[j];
  }
}

// i = f(.. + Pi*C), f = f(.. + Pf*C) (or 1-i with input_forget), c~ = g(..), C' = f*C + i*c~,
// o = f(.. + Po*C'), Ht = o*h(C').
template <bool kInputForget>
void lstm_cell(const CellArgs& a, const ir::Node&) {
  const int64_t H = a.H;
  std::vector<double> g(a.Rb, a.Rb + 4 * H);
  matvec_add(a.R, a.h, 4 * H, H, g.data());
  for (int64_t j = 0; j < 4 * H; ++j) g[size_t(j)] += a.xw[j];
  const double* Pi = a.P;
  const double* Po = a.P + H;
  const double* Pf = a.P + 2 * H;
  for (int64_t j = 0; j < H; ++j) {
    const double i = a.acts[0](clip_value(g[size_t(j)] + Pi[j] * a.c[j], a.clip));
    const double f = kInputForget ? 1 - i : a.acts[0](clip_value(g[size_t(2 * H + j)] + Pf[j] * a.c[j], a.clip));
    const double ct = a.acts[1](clip_value(g[size_t(3 * H + j)], a.clip));
    const double C = f * a.c[j] + i * ct;
    const double o = a.acts[0](clip_value(g[size_t(H + j)] + Po[j] * C, a.clip));
    a.c[j] = C;
    a.h[j] = o * a.acts[2](C);
  }
}

const CellSpec kRnn{"RNN", 1, 1, {"Tanh"}, false};
const CellSpec kGru{"GRU", 3, 2, {"Sigmoid", "Tanh"}, false};
const CellSpec kLstm{"LSTM", 4, 3, {"Sigmoid", "Tanh", "Tanh"}, true};

class RnnKernel final : public Kernel {
 public:
  RnnKernel(const ir::Node& node, const CellSpec& spec, CellFn cell)
      : node_(node), spec_(spec), attrs_(parse_attrs(node, spec)), cell_(cell) {
    node_.inputs.clear();  // identity and attributes only
    node_.outputs.clear();
  }
  void run(KernelContext& ctx) const override { run_rnn(ctx, node_, spec_, attrs_, cell_); }

 private:
  ir::Node node_;
  const CellSpec& spec_;
  RnnAttrs attrs_;
  CellFn cell_;
};

void infer_rnn_op(InferContext& ctx) { infer_rnn(ctx, kRnn); }
void infer_gru_op(InferContext& ctx) { infer_rnn(ctx, kGru); }
void infer_lstm_op(InferContext& ctx) { infer_rnn(ctx, kLstm); }

std::unique_ptr<Kernel> make_rnn(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<RnnKernel>(node, kRnn, rnn_cell);
}
std::unique_ptr<Kernel> make_gru(const ir::Node& node, KernelFactoryContext&) {
  const int64_t lbr = node.attr_int("linear_before_reset", 0);
  EMBER_CHECK(lbr == 0 || lbr == 1, InvalidModel, node.describe(), ": linear_before_reset=", lbr, " must be 0 or 1");
  return std::make_unique<RnnKernel>(node, kGru, lbr ? gru_cell<true> : gru_cell<false>);
}
std::unique_ptr<Kernel> make_lstm(const ir::Node& node, KernelFactoryContext&) {
  const int64_t inf = node.attr_int("input_forget", 0);
  EMBER_CHECK(inf == 0 || inf == 1, InvalidModel, node.describe(), ": input_forget=", inf, " must be 0 or 1");
  return std::make_unique<RnnKernel>(node, kLstm, inf ? lstm_cell<true> : lstm_cell<false>);
}

}  // namespace
}  // namespace ember::ops::rnn

namespace ember::ops::rnn {

// One entry per op from opset 1: later versions (3, 7, 14, 22) add attributes (layout,
// linear_before_reset) and types without changing what the existing ones mean.
void add_cell_ops(OpRegistry& r) {
  const std::vector<DType> types = {DType::Float32, DType::Float64};
  r.add(OpSchema{"RNN", "", 1, 1 << 30, infer_rnn_op, make_rnn, types});
  r.add(OpSchema{"GRU", "", 1, 1 << 30, infer_gru_op, make_gru, types});
  r.add(OpSchema{"LSTM", "", 1, 1 << 30, infer_lstm_op, make_lstm, types});
}

}  // namespace ember::ops::rnn
