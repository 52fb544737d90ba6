#include "tools/flops.h"

#include <optional>

namespace ember::cli {

namespace {

std::optional<Dims> static_shape(const ir::Node& n, size_t input_or_output, bool is_input) {
  const auto& list = is_input ? n.inputs : n.outputs;
  if (input_or_output >= list.size() || !list[input_or_output]) return std::nullopt;
  const ir::TypeInfo& t = list[input_or_output]->type;
  if (t.kind != ir::ValueKind::Tensor || !t.is_static()) return std::nullopt;
  return t.static_dims();
}

double numel(const Dims& d, size_t from = 0) {
  double n = 1;
  for (size_t i = from; i < d.size(); ++i) n *= double(d[i]);
  return n;
}

// Conv-like: every output element is a dot product over (input channels / group) * kernel,
// which is exactly the weight's dims after the first.
std::optional<double> conv_macs(const ir::Node& n, size_t weight_index) {
  auto y = static_shape(n, 0, false);
  auto w = static_shape(n, weight_index, true);
  if (!y || !w || w->size() < 2) return std::nullopt;
  return numel(*y) * numel(*w, 1);
}

// ConvTranspose scatters every input element through (output channels / group) * kernel
// weights: the weight is [C, M/group, k...].
std::optional<double> conv_transpose_macs(const ir::Node& n) {
  auto x = static_shape(n, 0, true);
  auto w = static_shape(n, 1, true);
  if (!x || !w || w->size() < 2) return std::nullopt;
  return numel(*x) * numel(*w, 1);
}

// MatMul-like: each output element reduces over K, A's last dim (or first for Gemm's transA).
std::optional<double> matmul_macs(const ir::Node& n, bool gemm) {
  auto y = static_shape(n, 0, false);
  auto a = static_shape(n, 0, true);
  if (!y || !a || a->empty()) return std::nullopt;
  int64_t k = a->back();
  if (gemm && a->size() == 2 && n.attr_int("transA", 0)) k = (*a)[0];
  return numel(*y) * double(k);
}

}  // namespace

NodeFlops estimate_node_flops(const ir::Node& n) {
  NodeFlops r;
  if (!n.domain.empty() && n.domain != "ai.onnx") return r;
  std::optional<double> macs;
  const std::string& op = n.op_type;
  if (op == "Conv" || op == "ConvInteger") {
    macs = conv_macs(n, 1);
  } else if (op == "QLinearConv") {
    macs = conv_macs(n, 3);  // x, x_scale, x_zero_point, w, ...
  } else if (op == "ConvTranspose") {
    macs = conv_transpose_macs(n);
  } else if (op == "Gemm") {
    macs = matmul_macs(n, true);
  } else if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") {
    macs = matmul_macs(n, false);
  } else {
    return r;
  }
  r.modelled = true;
  r.dynamic = !macs.has_value();
  r.flops = macs ? 2 * *macs : 0;
  return r;
}

}  // namespace ember::cli
