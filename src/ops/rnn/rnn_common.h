// Shared machinery of the recurrent ops (RNN, GRU, LSTM): attribute parsing (direction,
// hidden_size, layout, clip, activation lists), input validation, shape inference, and a
// driver that walks every (direction, batch entry) over its valid time steps and lets the
// op's cell update the hidden (and cell) state. Everything is computed in double from
// float32/float64 inputs; the cells are tiny compared with the bookkeeping, and one code
// path for both types keeps the reference simple.
#pragma once

#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::rnn {

// One activation function of an RNN cell, with its alpha/beta.
struct Activation {
  enum class Kind { Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu,
                    Softsign, Softplus };
  Kind kind = Kind::Tanh;
  double alpha = 0, beta = 0;
  double operator()(double x) const;
};

// What distinguishes the three ops for the shared code.
struct CellSpec {
  const char* op;                      // "RNN", "GRU", "LSTM"
  int gates;                           // 1, 3, 4
  int acts_per_direction;              // 1, 2, 3
  std::vector<const char*> default_acts;
  bool has_cell_state;                 // LSTM: initial_c input, Y_c output
};

struct RnnAttrs {
  int directions = 1;
  bool reverse = false;                // forward-only node running backwards
  int64_t hidden = -1;                 // -1: taken from R
  int64_t layout = 0;
  double clip = 0;                     // 0: no clipping
  std::vector<Activation> acts;        // acts_per_direction * directions
};

// Parses and validates the attributes (Unsupported / InvalidModel naming the node).
RnnAttrs parse_attrs(const ir::Node& node, const CellSpec& spec);

// Shapes: Y, Y_h (and Y_c) from X, W/R and the attributes.
void infer_rnn(InferContext& ctx, const CellSpec& spec);

// The per-step update: `xw` is W·x_t + Wb for all gates (gates*H values); the cell reads and
// replaces h (and c) in place. R, Rb (and P) point at this direction's weights.
struct CellArgs {
  const double* xw;
  const double* R;      // [gates*H, H]
  const double* Rb;     // [gates*H]
  const double* P;      // LSTM peepholes [3*H] (zeros when absent)
  const Activation* acts;
  double clip;
  int64_t H;
  double* h;
  double* c;            // LSTM only
};
using CellFn = void (*)(const CellArgs&, const ir::Node& node);

// Runs the whole op: validates inputs, iterates, writes the wanted outputs.
void run_rnn(KernelContext& ctx, const ir::Node& node, const CellSpec& spec, const RnnAttrs& attrs, CellFn cell);

// dst[j] = sum_k M[j, k] * v[k] for j < rows (M row-major, cols wide).
void matvec_add(const double* M, const double* v, int64_t rows, int64_t cols, double* dst);
inline double clip_value(double x, double clip) { return clip > 0 ? (x > clip ? clip : (x < -clip ? -clip : x)) : x; }

// Registers RNN, GRU and LSTM (cells.cc).
void add_cell_ops(OpRegistry& r);

}  // namespace ember::ops::rnn
