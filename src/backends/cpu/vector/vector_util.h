// Shared by the native vector ops (src/backends/cpu/vector/): dtype checks on the node's
// inferred types, kernel names, a reference kernel to fall back on at run time for shapes a
// native kernel does not cover, and work splitting.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kernels/dispatch/f32_vector.h"
#include "ops/op_registry.h"

namespace ember::backends::vector {

// True when input i exists and its inferred element type is float32.
bool input_is_f32(const ir::Node& node, size_t i);
// True when every present input of the node is float32.
bool all_inputs_f32(const ir::Node& node);
// True when output i is present (not omitted) in the model.
bool has_output(const ir::Node& node, size_t i);
// The rank of input i when inference knows it, else -1.
int64_t input_rank(const ir::Node& node, size_t i);

// "f32_<what>__<isa>" for profiles.
std::string kernel_name(const std::string& what, const kernels::F32VectorKernels& k);

// The op's reference kernel (src/ops), built for run-time fallback; null when the op has no
// reference schema in this build (ai.ember ops whose reference is not there yet).
std::unique_ptr<ops::Kernel> reference_kernel(const ir::Node& node);

// A base for native kernels that hold their name and, optionally, a reference fallback.
class NativeKernel : public ops::Kernel {
 public:
  NativeKernel(std::string name, const ir::Node& node, bool with_fallback);
  const char* name() const override { return name_.c_str(); }

 protected:
  // Runs the reference kernel; throws Unsupported naming the node when there is none.
  void run_reference(ops::KernelContext& ctx) const;

  std::string name_;
  std::string node_;  // node description for error messages
  const kernels::F32VectorKernels& k_;

 private:
  std::unique_ptr<ops::Kernel> fallback_;
};

// Splits [0, n) across the pool with chunks of at least `grain` (1 thread when n is small).
void parallel(ops::KernelContext& ctx, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Grain sizes in elements: a chunk must cost a few microseconds for a second thread to pay.
constexpr int64_t kCheapGrain = 32768;   // add, relu, clip
constexpr int64_t kCostlyGrain = 8192;   // exp, tanh, erf

}  // namespace ember::backends::vector
