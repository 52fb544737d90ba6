// The ai.ember `activation` / `activation_params` attributes as a GEMM epilogue activation.
#pragma once

#include "ir/graph.h"
#include "kernels/dispatch/f32_gemm.h"

namespace ember::backends::gemm_conv {

struct ActivationAttrs {
  kernels::Activation kind = kernels::Activation::None;
  float alpha = 0.0f, beta = 0.0f;  // GemmEpilogue::act_alpha / act_beta
};

// Parses the node's attributes (InvalidModel naming the node for unknown ones).
ActivationAttrs parse_activation(const ir::Node& node);

// Sets the activation fields of `ep`.
void set_activation(kernels::GemmEpilogue& ep, const ActivationAttrs& a);

}  // namespace ember::backends::gemm_conv
