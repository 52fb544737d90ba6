#include "tools/flops.h"

#include <optional>

namespace ember::cli {

namespace {

// The shape of one input or output with unknown dims counted as 1 (recorded in `f`); nullopt
// when even the rank is unknown.
std::optional<Dims> shape_of(const ir::Node& n, size_t index, bool is_input, NodeFlops& f) {
  const auto& list = is_input ? n.inputs : n.outputs;
  if (index >= list.size() || !list[index]) return std::nullopt;
  const ir::TypeInfo& t = list[index]->type;
  if (t.kind != ir::ValueKind::Tensor || !t.has_shape) return std::nullopt;
  Dims dims;
  for (const ir::Dim& d : t.dims) {
    if (!d.known()) {
      f.dynamic = true;
      f.symbols.insert(d.symbol.empty() ? "?" : d.symbol);
    }
    dims.push_back(d.known() ? d.value : 1);
  }
  return dims;
}

double numel(const Dims& d, size_t from = 0) {
  double n = 1;
  for (size_t i = from; i < d.size(); ++i) n *= double(d[i]);
  return n;
}

// Conv-like: every output element is a dot product over (input channels / group) * kernel,
// which is exactly the weight's dims after the first.
std::optional<double> conv_macs(const ir::Node& n, size_t weight_index, NodeFlops& f) {
  auto y = shape_of(n, 0, false, f);
  auto w = shape_of(n, weight_index, true, f);
  if (!y || !w || w->size() < 2) return std::nullopt;
  return numel(*y) * numel(*w, 1);
}

// ConvTranspose scatters every input element through (output channels / group) * kernel
// weights: the weight is [C, M/group, k...].
std::optional<double> conv_transpose_macs(const ir::Node& n, NodeFlops& f) {
  auto x = shape_of(n, 0, true, f);
  auto w = shape_of(n, 1, true, f);
  if (!x || !w || w->size() < 2) return std::nullopt;
  return numel(*x) * numel(*w, 1);
}

// MatMul-like: each output element reduces over K, A's last dim (or first for Gemm's transA).
std::optional<double> matmul_macs(const ir::Node& n, bool gemm, NodeFlops& f) {
  auto y = shape_of(n, 0, false, f);
  auto a = shape_of(n, 0, true, f);
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
    macs = conv_macs(n, 1, r);
  } else if (op == "QLinearConv") {
    macs = conv_macs(n, 3, r);  // x, x_scale, x_zero_point, w, ...
  } else if (op == "ConvTranspose") {
    macs = conv_transpose_macs(n, r);
  } else if (op == "Gemm") {
    macs = matmul_macs(n, true, r);
  } else if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") {
    macs = matmul_macs(n, false, r);
  } else {
    return r;
  }
  r.modelled = true;
  r.dynamic = r.dynamic || !macs.has_value();
  r.flops = macs ? 2 * *macs : 0;
  return r;
}

}  // namespace ember::cli
