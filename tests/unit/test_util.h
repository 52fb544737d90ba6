// Shared helpers for the doctest suites: a reproducible random source, random tensors,
// named tolerance tiers, and `run_op`, which runs one operator through the whole stack
// (inference, kernel selection, memory plan, execution) on the given inputs.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/error.h"
#include "ir/tensor.h"

namespace ember::test {

uint64_t seed();          // from EMBER_TEST_SEED, else time-based; fixed for the process
std::mt19937_64& rng();   // seeded with seed()

// Uniform in [lo, hi) for floats; integers in [lo, hi] for integer dtypes; bool 0/1.
Tensor random_tensor(DType dtype, const Dims& shape, double lo = -1.0, double hi = 1.0);
// Builds a tensor from values (converted to the dtype).
Tensor make_tensor(DType dtype, const Dims& shape, const std::vector<double>& values);
// Reads any numeric tensor as doubles.
std::vector<double> to_doubles(const Tensor& t);

// Tolerance tiers. Tolerances grow with the reduction length k (sqrt(k) scaling).
enum class Tier { Exact, Close, Approximate };
double tier_rtol(Tier t, int64_t reduction_length = 1);
// Checks same dtype, same shape and all elements |a-b| <= atol + rtol*|b| (NaN == NaN);
// on failure reports the first mismatching index with both values.
void check_close(const Tensor& got, const Tensor& want, Tier tier, int64_t reduction_length = 1,
                 double atol = 1e-6);
// check_close for results of reordered or rescaled sums (fusions, sparse forms): their rounding
// follows the size of the terms, not of each result, so an output that cancels to near zero
// gets the absolute bound rtol * max|want| (rtol of the tier) instead of 1e-6. A wrong rewrite
// is off by the order of the outputs themselves, far beyond this. Other dtypes: check_close.
void check_close_to_scale(const Tensor& got, const Tensor& want, Tier tier, int64_t reduction_length = 1);

// Attribute builders for run_op.
ir::Attribute attr_int(const std::string& name, int64_t v);
ir::Attribute attr_float(const std::string& name, float v);
ir::Attribute attr_string(const std::string& name, const std::string& v);
ir::Attribute attr_ints(const std::string& name, std::vector<int64_t> v);
ir::Attribute attr_floats(const std::string& name, std::vector<float> v);
ir::Attribute attr_tensor(const std::string& name, Tensor v);
ir::Attribute attr_strings(const std::string& name, std::vector<std::string> v);

struct OpRun {
  std::string op_type;
  std::vector<Tensor> inputs;        // an undefined Tensor means "omitted optional input"
  std::vector<ir::Attribute> attrs;
  size_t num_outputs = 1;
  int opset = 17;
  std::string domain;
  // Inputs listed here become initializers (constant at session creation) instead of graph
  // inputs, so inference sees their values (e.g. Reshape's shape).
  std::vector<size_t> constant_inputs;
};
// Runs the op in a one-node model through runtime::Session and returns its outputs.
std::vector<Tensor> run_op(const OpRun& r);

// The Status of the ember::Error that `fn` (or running `r`) throws; Status::Ok when nothing
// is thrown, so `CHECK(status_of(...) == Status::X)` fails then.
template <std::invocable F>
Status status_of(F&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.status();
  }
  return Status::Ok;
}
inline Status status_of(const OpRun& r) {
  return status_of([&] { run_op(r); });
}

}  // namespace ember::test
