// Runs one node two ways and compares: through runtime::Session (which picks Ember's native
// kernel) and through the op's reference kernel from src/ops (run_node_eagerly). Inputs listed
// as constant become initializers, so the native factories see (and prepack) them.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "test_util.h"

namespace ember::test {

struct NativeCase {
  std::string op_type;
  std::string domain;  // "" or "ai.ember"
  int opset = 17;
  std::vector<Tensor> inputs;  // undefined: omitted optional input
  std::vector<ir::Attribute> attrs;
  std::vector<size_t> constant_inputs;
  size_t outputs = 1;  // how many outputs the node has (all are compared)
};

// The native kernel's name for the case ("" when no native kernel takes the node).
std::string native_kernel_name(const NativeCase& c, int threads);

// Runs natively with `threads` threads and by reference; CHECKs the outputs agree within
// `tier` (default Tier::Approximate) for a reduction of length k (absolute floor 1e-5 for
// values that cancel to about zero, none for Tier::Exact; inputs are scaled so outputs are
// O(1)). Returns the native kernel's name.
std::string check_native(const NativeCase& c, int threads, int64_t k, Tier tier = Tier::Approximate);

// Uniform [-scale, scale) float32 tensor.
Tensor uniform(const Dims& shape, double scale = 1.0);

}  // namespace ember::test
