// The `activation` / `activation_params` attributes FusedConv and FusedMatMul share
// (docs/ember_ops.md), parsed once and applied to float data in place.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::ops::ember_op {

enum class ActKind { None, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Silu, Gelu, GeluTanh };

struct Activation {
  ActKind kind = ActKind::None;
  float p0 = 0, p1 = 0;  // LeakyRelu alpha; Clip min, max; HardSigmoid alpha, beta

  // Reads the node's attributes; throws InvalidModel naming the node for an unknown
  // activation or a wrong number of parameters.
  static Activation parse(const ir::Node& node);
  // The attribute spelling of `kind` ("" for None).
  static const char* name_of(ActKind kind);
  // How many activation_params `kind` takes.
  static size_t param_count(ActKind kind);

  float apply(float x) const;
  void apply(float* data, int64_t n) const;
};

}  // namespace ember::ops::ember_op
