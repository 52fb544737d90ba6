#include "backends/cpu/gemm_conv/activation.h"

#include "ops/ember/activation.h"

namespace ember::backends::gemm_conv {

ActivationAttrs parse_activation(const ir::Node& node) {
  using ops::ember_op::ActKind;
  using kernels::Activation;
  const ops::ember_op::Activation a = ops::ember_op::Activation::parse(node);
  ActivationAttrs r;
  r.alpha = a.p0;
  r.beta = a.p1;
  switch (a.kind) {
    case ActKind::None: r.kind = Activation::None; break;
    case ActKind::Relu: r.kind = Activation::Relu; break;
    case ActKind::LeakyRelu: r.kind = Activation::LeakyRelu; break;
    case ActKind::Clip: r.kind = Activation::Clip; break;
    case ActKind::Sigmoid: r.kind = Activation::Sigmoid; break;
    case ActKind::HardSigmoid: r.kind = Activation::HardSigmoid; break;
    case ActKind::HardSwish: r.kind = Activation::HardSwish; break;
    case ActKind::Silu: r.kind = Activation::Silu; break;
    case ActKind::Gelu: r.kind = Activation::Gelu; break;
    case ActKind::GeluTanh: r.kind = Activation::GeluTanh; break;
  }
  return r;
}

void set_activation(kernels::GemmEpilogue& ep, const ActivationAttrs& a) {
  ep.activation = a.kind;
  ep.act_alpha = a.alpha;
  ep.act_beta = a.beta;
}

}  // namespace ember::backends::gemm_conv
