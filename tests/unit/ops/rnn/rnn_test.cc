// RNN / GRU / LSTM on tiny cases whose results follow from the equations by hand (values
// computed here with std::tanh and a plain sigmoid, not with Ember), plus the error paths.
#include <cmath>

#include <doctest/doctest.h>

#include "support/error.h"
#include "test_util.h"

namespace ember::test {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

Tensor f32(const Dims& shape, const std::vector<double>& v) { return make_tensor(DType::Float32, shape, v); }

}  // namespace

TEST_CASE("rnn: RNN forward, reverse and bidirectional with H=I=1") {
  // Ht = tanh(2*x + 0.5*H(t-1) + 0.1 + 0.2)
  const Tensor X = f32({3, 1, 1}, {1, -1, 0.5});
  const Tensor W = f32({1, 1, 1}, {2}), R = f32({1, 1, 1}, {0.5}), B = f32({1, 2}, {0.1, 0.2});
  auto step = [](double x, double h) { return std::tanh(2 * x + 0.5 * h + 0.3); };
  const double f0 = step(1, 0), f1 = step(-1, f0), f2 = step(0.5, f1);
  auto out = run_op({"RNN", {X, W, R, B}, {attr_int("hidden_size", 1)}, 2, 14});
  check_close(out[0], f32({3, 1, 1, 1}, {f0, f1, f2}), Tier::Close);
  check_close(out[1], f32({1, 1, 1}, {f2}), Tier::Close);

  const double r2 = step(0.5, 0), r1 = step(-1, r2), r0 = step(1, r1);
  out = run_op({"RNN", {X, W, R, B}, {attr_string("direction", "reverse")}, 2, 14});
  check_close(out[0], f32({3, 1, 1, 1}, {r0, r1, r2}), Tier::Close);
  check_close(out[1], f32({1, 1, 1}, {r0}), Tier::Close);

  const Tensor W2 = f32({2, 1, 1}, {2, 2}), R2 = f32({2, 1, 1}, {0.5, 0.5}), B2 = f32({2, 2}, {0.1, 0.2, 0.1, 0.2});
  out = run_op({"RNN", {X, W2, R2, B2}, {attr_string("direction", "bidirectional")}, 2, 14});
  check_close(out[0], f32({3, 2, 1, 1}, {f0, r0, f1, r1, f2, r2}), Tier::Close);
  check_close(out[1], f32({2, 1, 1}, {f2, r0}), Tier::Close);
}

TEST_CASE("rnn: sequence_lens stops each batch entry early; layout=1 transposes") {
  // Relu with W=1, R=1: H accumulates x; batch entry 0 stops after one step.
  const Tensor X = f32({2, 2, 1}, {1, 10, 2, 20});  // [seq, batch, input]
  const Tensor W = f32({1, 1, 1}, {1}), R = f32({1, 1, 1}, {1});
  const Tensor lens = make_tensor(DType::Int32, {2}, {1, 2});
  auto out = run_op({"RNN", {X, W, R, Tensor{}, lens}, {attr_strings("activations", {"Relu"})}, 2, 14});
  check_close(out[0], f32({2, 1, 2, 1}, {1, 10, 0, 30}), Tier::Exact);
  check_close(out[1], f32({1, 2, 1}, {1, 30}), Tier::Exact);

  const Tensor Xb = f32({2, 2, 1}, {1, 2, 10, 20});  // [batch, seq, input]
  out = run_op({"RNN", {Xb, W, R}, {attr_int("layout", 1),
                attr_strings("activations", {"Relu"})}, 2, 14});
  check_close(out[0], f32({2, 2, 1, 1}, {1, 3, 10, 30}), Tier::Exact);
  check_close(out[1], f32({2, 1, 1}, {3, 30}), Tier::Exact);
}

TEST_CASE("rnn: GRU and LSTM with zero weights follow the gate equations") {
  const Tensor X = f32({1, 1, 1}, {0.7});
  // GRU, all weights zero: z = r = 0.5, n = tanh(0) = 0, H = 0.5*H0.
  auto out = run_op({"GRU", {X, f32({1, 3, 1}, {0, 0, 0}), f32({1, 3, 1}, {0, 0, 0}), Tensor{}, Tensor{},
                             f32({1, 1, 1}, {0.8})}, {}, 2, 14});
  check_close(out[1], f32({1, 1, 1}, {0.4}), Tier::Close);
  // LSTM, all zero but C0=1: i = f = o = 0.5, c~ = 0, C = 0.5, H = 0.5*tanh(0.5).
  out = run_op({"LSTM", {X, f32({1, 4, 1}, {0, 0, 0, 0}), f32({1, 4, 1}, {0, 0, 0, 0}), Tensor{}, Tensor{}, Tensor{},
                        f32({1, 1, 1}, {1})}, {}, 3, 14});
  check_close(out[1], f32({1, 1, 1}, {0.5 * std::tanh(0.5)}), Tier::Close);
  check_close(out[2], f32({1, 1, 1}, {0.5}), Tier::Close);
  // Peepholes: i = sigmoid(Pi*C0) = sigmoid(1), f = sigmoid(2), C = f*1, o = sigmoid(3*C).
  out = run_op({"LSTM", {X, f32({1, 4, 1}, {0, 0, 0, 0}), f32({1, 4, 1}, {0, 0, 0, 0}), Tensor{}, Tensor{}, Tensor{},
                        f32({1, 1, 1}, {1}), f32({1, 3}, {1, 3, 2})}, {}, 3, 14});
  const double C = sigmoid(2);
  check_close(out[2], f32({1, 1, 1}, {C}), Tier::Close);
  check_close(out[1], f32({1, 1, 1}, {sigmoid(3 * C) * std::tanh(C)}), Tier::Close);
}

TEST_CASE("rnn: bad attributes and shapes are clear errors") {
  const Tensor X = f32({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor W = f32({1, 4, 3}, std::vector<double>(12, 0.1)), R = f32({1, 4, 4}, std::vector<double>(16, 0.1));
  CHECK(status_of({"RNN", {X, W, R}, {}, 1, 14}) == Status::Ok);
  CHECK(status_of({"RNN", {X, W, R}, {attr_string("direction", "sideways")}, 1, 14}) == Status::InvalidModel);
  CHECK(status_of({"RNN", {X, W, R}, {attr_int("hidden_size", 5)}, 1, 14}) == Status::ShapeMismatch);
  CHECK(status_of({"RNN", {X, f32({1, 4, 2}, std::vector<double>(8, 0)), R}, {}, 1, 14}) == Status::ShapeMismatch);
  CHECK(status_of({"RNN", {X, W, R, f32({1, 3}, {0, 0, 0})}, {}, 1, 14}) == Status::ShapeMismatch);
  CHECK(status_of({"RNN", {X, W, R}, {attr_strings("activations", {"Swish"})}, 1, 14}) == Status::Unsupported);
  CHECK(status_of({"RNN", {X, W, R, Tensor{}, make_tensor(DType::Int32, {1}, {3})}, {}, 1, 14}) != Status::Ok);
  CHECK(status_of({"RNN", {X, W, R}, {attr_int("layout", 2)}, 1, 14}) == Status::InvalidModel);
  CHECK(status_of({"GRU", {X, W, R}, {}, 1, 14}) == Status::ShapeMismatch);  // GRU needs 3 gates
  CHECK(status_of({"LSTM", {X, f32({1, 16, 3}, std::vector<double>(48, 0)), f32({1, 16, 4}, std::vector<double>(64, 0))},
                   {attr_int("input_forget", 3)}, 1, 14}) == Status::InvalidModel);
}

}  // namespace ember::test
