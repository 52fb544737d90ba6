#include "runtime/flops.h"

namespace ember::runtime {

namespace {

// Where an estimate gets shapes from: the IR's inferred types or one run's actual tensors.
class ShapeSource {
 public:
  virtual ~ShapeSource() = default;
  virtual std::optional<Dims> get(size_t index, bool is_input) = 0;
};

// Inferred shapes with unknown dims counted as 1 (recorded in `f`); nullopt when even the
// rank is unknown.
class InferredShapes final : public ShapeSource {
 public:
  InferredShapes(const ir::Node& n, NodeFlops& f) : n_(n), f_(f) {}
  std::optional<Dims> get(size_t index, bool is_input) override {
    const auto& list = is_input ? n_.inputs : n_.outputs;
    if (index >= list.size() || !list[index]) return std::nullopt;
    const ir::TypeInfo& t = list[index]->type;
    if (t.kind != ir::ValueKind::Tensor || !t.has_shape) return std::nullopt;
    Dims dims;
    for (const ir::Dim& d : t.dims) {
      if (!d.known()) {
        f_.dynamic = true;
        f_.symbols.insert(d.symbol.empty() ? "?" : d.symbol);
      }
      dims.push_back(d.known() ? d.value : 1);
    }
    return dims;
  }

 private:
  const ir::Node& n_;
  NodeFlops& f_;
};

class RunShapes final : public ShapeSource {
 public:
  RunShapes(const std::vector<std::optional<Dims>>& in, const std::vector<std::optional<Dims>>& out)
      : in_(in), out_(out) {}
  std::optional<Dims> get(size_t index, bool is_input) override {
    const auto& list = is_input ? in_ : out_;
    return index < list.size() ? list[index] : std::nullopt;
  }

 private:
  const std::vector<std::optional<Dims>>& in_;
  const std::vector<std::optional<Dims>>& out_;
};

double numel(const Dims& d, size_t from = 0) {
  double n = 1;
  for (size_t i = from; i < d.size(); ++i) n *= double(d[i]);
  return n;
}

// Conv-like: every output element is a dot product over (input channels / group) * kernel,
// which is exactly the weight's dims after the first.
std::optional<double> conv_macs(ShapeSource& s, size_t weight_index) {
  auto y = s.get(0, false);
  auto w = s.get(weight_index, true);
  if (!y || !w || w->size() < 2) return std::nullopt;
  return numel(*y) * numel(*w, 1);
}

// ConvTranspose scatters every input element through (output channels / group) * kernel
// weights: the weight is [C, M/group, k...].
std::optional<double> conv_transpose_macs(ShapeSource& s) {
  auto x = s.get(0, true);
  auto w = s.get(1, true);
  if (!x || !w || w->size() < 2) return std::nullopt;
  return numel(*x) * numel(*w, 1);
}

// MatMul-like: each output element reduces over K, A's last dim (the one before it when A
// is transposed).
std::optional<double> matmul_macs(ShapeSource& s, bool trans_a) {
  auto y = s.get(0, false);
  auto a = s.get(0, true);
  if (!y || !a || a->empty()) return std::nullopt;
  int64_t k = a->back();
  if (trans_a && a->size() >= 2) k = (*a)[a->size() - 2];
  return numel(*y) * double(k);
}

// ai.ember Attention: Q.K^T over the head dims, then the weights times V:
// B*S*T*(H*Dh) + B*S*T*(H*Dv) with Q [B,S,H*Dh], K [B,T,H*Dh], V [B,T,H*Dv].
std::optional<double> attention_macs(ShapeSource& s) {
  auto q = s.get(0, true);
  auto k = s.get(1, true);
  auto v = s.get(2, true);
  if (!q || !k || !v || q->size() != 3 || k->size() != 3 || v->size() != 3) return std::nullopt;
  return double((*q)[0]) * double((*q)[1]) * double((*k)[1]) * double((*q)[2] + (*v)[2]);
}

// nullopt when the op is not modelled; otherwise the MACs (nullopt inside: shapes unknown).
std::optional<std::optional<double>> macs_of(const ir::Node& n, ShapeSource& s) {
  const std::string& op = n.op_type;
  if (n.domain == "ai.ember") {
    if (op == "FusedConv") return conv_macs(s, 1);
    if (op == "FusedMatMul") return matmul_macs(s, n.attr_int("transA", 0) != 0);
    if (op == "Attention") return attention_macs(s);
    return std::nullopt;
  }
  if (!n.domain.empty() && n.domain != "ai.onnx") return std::nullopt;
  if (op == "Conv" || op == "ConvInteger") return conv_macs(s, 1);
  if (op == "QLinearConv") return conv_macs(s, 3);  // x, x_scale, x_zero_point, w, ...
  if (op == "ConvTranspose") return conv_transpose_macs(s);
  if (op == "Gemm") {
    auto a = s.get(0, true);
    return matmul_macs(s, a && a->size() == 2 && n.attr_int("transA", 0) != 0);
  }
  if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") return matmul_macs(s, false);
  return std::nullopt;
}

}  // namespace

NodeFlops estimate_node_flops(const ir::Node& n) {
  NodeFlops r;
  InferredShapes shapes(n, r);
  const auto macs = macs_of(n, shapes);
  if (!macs) return NodeFlops{};
  r.modelled = true;
  r.dynamic = r.dynamic || !macs->has_value();
  r.flops = macs->has_value() ? 2 * **macs : 0;
  return r;
}

double node_flops_for_shapes(const ir::Node& n, const std::vector<std::optional<Dims>>& inputs,
                             const std::vector<std::optional<Dims>>& outputs) {
  RunShapes shapes(inputs, outputs);
  const auto macs = macs_of(n, shapes);
  return macs && macs->has_value() ? 2 * **macs : 0;
}

}  // namespace ember::runtime
