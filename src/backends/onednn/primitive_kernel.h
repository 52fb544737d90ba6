// The one Kernel class behind every oneDNN op: a primitive built at session creation, the
// memory descriptors of its arguments, and which argument comes from which node input (or
// from a constant prepared at creation: reordered weights, bias). Conv and MatMul factories
// (conv.cc, matmul.cc) only differ in how they build it.
//
// Tensors cross the kernel boundary in Ember's plain row-major layout (NCHW for Conv); only
// constant weights live in oneDNN's preferred (blocked) layout.
#pragma once

#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op_registry.h"

namespace ember::backends::onednn {

dnnl::engine& cpu_engine();

// oneDNN's CPU runtime in the Debian build is OpenMP: its thread count is an OpenMP setting
// of the calling thread. Set before creating a primitive (oneDNN sizes scratchpads and work
// splits by it) and before each execution (the session may run from any thread).
void use_threads(int threads);

dnnl::memory::dims to_dnnl(const Dims& d);
// Row-major strides of `d` (element units) as oneDNN dims.
dnnl::memory::dims row_major_strides(const Dims& d);
dnnl::memory::desc plain_desc(const Dims& d);

// A primitive_attr with a user scratchpad (so concurrent runs never share one) and `ops`.
dnnl::primitive_attr make_attr(const dnnl::post_ops& ops);

// Appends the ai.ember `activation` / `activation_params` of `node` (docs/ember_ops.md) as
// eltwise post-ops. False when the attribute names something oneDNN cannot express, or is
// malformed (the reference kernel then runs and reports it).
bool append_activation(const ir::Node& node, dnnl::post_ops& ops);

// Copies a constant tensor (plain layout `plain`) into a new oneDNN memory of layout `want`,
// scaling it by `scale` on the way (Gemm/FusedMatMul alpha folded into constant weights).
dnnl::memory prepare_constant(const Tensor& t, const dnnl::memory::desc& plain, const dnnl::memory::desc& want,
                              float scale = 1.0f);

struct Arg {
  int dnnl_arg = 0;
  dnnl::memory::desc desc;
  int input = -1;            // node input fed each run, or -1 ...
  dnnl::memory constant;     // ... a memory prepared at creation
};

class PrimitiveKernel final : public ops::Kernel {
 public:
  struct Spec {
    std::string node;                  // description for errors
    const char* name = "onednn";
    dnnl::primitive primitive;
    dnnl::memory::desc scratchpad;
    std::vector<Arg> args;             // everything but DNNL_ARG_DST and the scratchpad
    std::vector<std::pair<int, Dims>> input_shapes;  // the shapes the primitive was built for
    dnnl::memory::desc dst;
    Dims out_shape;
    int sum_input = -1;                // copied into the output before a sum post-op adds it
    int threads = 1;
  };
  explicit PrimitiveKernel(Spec spec) : s_(std::move(spec)) {}
  const char* name() const override { return s_.name; }
  void run(ops::KernelContext& ctx) const override;

 private:
  Spec s_;
};

}  // namespace ember::backends::onednn
