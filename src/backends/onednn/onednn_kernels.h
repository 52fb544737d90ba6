// oneDNN as a second provider of fast CPU kernels (Conv, MatMul, Gemm and the fused ai.ember
// forms, float32). Built when EMBER_WITH_ONEDNN is ON (cmake/EmberOneDNN.cmake); otherwise
// onednn_stub.cc provides the same two functions and there are no oneDNN kernels.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends {

// True when this build has the oneDNN kernels.
bool onednn_available();

// A oneDNN kernel for `node`, built now (primitive descriptors created, constant weights
// reordered into oneDNN's preferred layout), or null when oneDNN does not handle this node
// (op, dtype, non-constant weights, dynamic shapes, an epilogue oneDNN cannot express).
std::unique_ptr<ops::Kernel> make_onednn_kernel(const ir::Node& node, const runtime::BackendOptions& options);

}  // namespace ember::backends
