#include "ops/rnn/rnn_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ops/op_util.h"

namespace ember::ops::rnn {

double Activation::operator()(double x) const {
  switch (kind) {
    case Kind::Relu: return x > 0 ? x : 0;
    case Kind::Tanh: return std::tanh(x);
    case Kind::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Kind::Affine: return alpha * x + beta;
    case Kind::LeakyRelu: return x >= 0 ? x : alpha * x;
    case Kind::ThresholdedRelu: return x > alpha ? x : 0;
    case Kind::ScaledTanh: return alpha * std::tanh(beta * x);
    case Kind::HardSigmoid: return std::max(0.0, std::min(1.0, alpha * x + beta));
    case Kind::Elu: return x >= 0 ? x : alpha * (std::exp(x) - 1);
    case Kind::Softsign: return x / (1 + std::abs(x));
    case Kind::Softplus: return x > 30 ? x : std::log1p(std::exp(x));
  }
  return x;
}

namespace {

std::string lower(std::string s) {
  for (char& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Name -> kind and the defaults of the corresponding ONNX operator's alpha/beta.
Activation make_activation(const std::string& name, const ir::Node& node) {
  using K = Activation::Kind;
  struct Entry { const char* name; K kind; double alpha, beta; };
  static const Entry kTable[] = {
      {"relu", K::Relu, 0, 0},           {"tanh", K::Tanh, 0, 0},
      {"sigmoid", K::Sigmoid, 0, 0},     {"affine", K::Affine, 1, 0},
      {"leakyrelu", K::LeakyRelu, 0.01, 0}, {"thresholdedrelu", K::ThresholdedRelu, 1, 0},
      {"scaledtanh", K::ScaledTanh, 1, 1}, {"hardsigmoid", K::HardSigmoid, 0.2, 0.5},
      {"elu", K::Elu, 1, 0},             {"softsign", K::Softsign, 0, 0},
      {"softplus", K::Softplus, 0, 0}};
  const std::string l = lower(name);
  for (const Entry& e : kTable)
    if (l == e.name) return Activation{e.kind, e.alpha, e.beta};
  fail(Status::Unsupported, node.describe(), ": activation '", name, "' is not supported");
}

struct Dirs { int count; bool reverse; };
Dirs parse_direction(const ir::Node& node) {
  const std::string d = node.attr_string("direction", "forward");
  if (d == "forward") return {1, false};
  if (d == "reverse") return {1, true};
  if (d == "bidirectional") return {2, false};
  fail(Status::InvalidModel, node.describe(), ": direction='", d, "' is not one of forward, reverse, bidirectional");
}

}  // namespace

RnnAttrs parse_attrs(const ir::Node& node, const CellSpec& spec) {
  RnnAttrs a;
  const Dirs dirs = parse_direction(node);
  a.directions = dirs.count;
  a.reverse = dirs.reverse;
  a.hidden = node.attr_int("hidden_size", -1);
  EMBER_CHECK(a.hidden == -1 || a.hidden > 0, InvalidModel, node.describe(), ": hidden_size=", a.hidden,
              " must be positive");
  a.layout = node.attr_int("layout", 0);
  EMBER_CHECK(a.layout == 0 || a.layout == 1, InvalidModel, node.describe(), ": layout=", a.layout,
              " must be 0 or 1");
  a.clip = node.attr_float("clip", 0.0f);
  EMBER_CHECK(a.clip >= 0 && !std::isnan(a.clip), InvalidModel, node.describe(), ": clip=", a.clip,
              " must be positive");
  if (node.attr_int("output_sequence", 0) != 0) {
    // Opset 1's flag only says whether Y is produced; Y is an optional output anyway.
  }

  std::vector<std::string> names = node.attr_strings("activations");
  const size_t per = size_t(spec.acts_per_direction), want = per * size_t(a.directions);
  if (names.empty()) {
    for (int d = 0; d < a.directions; ++d)
      for (const char* n : spec.default_acts) names.push_back(n);
  } else if (names.size() == per && a.directions == 2) {
    names.insert(names.end(), names.begin(), names.end());  // one list for both directions
  }
  EMBER_CHECK(names.size() == want, InvalidModel, node.describe(), ": activations has ", names.size(),
              " entries, expected ", want, " (", per, " per direction)");
  for (const std::string& n : names) a.acts.push_back(make_activation(n, node));

  // Positional alpha/beta (entry i belongs to activation i) is the only reading on which
  // onnx's reference and runtimes agree; other list lengths are refused, not guessed.
  const std::vector<float> alphas = node.attr_floats("activation_alpha");
  const std::vector<float> betas = node.attr_floats("activation_beta");
  EMBER_CHECK(alphas.empty() || alphas.size() == want, Unsupported, node.describe(), ": activation_alpha with ",
              alphas.size(), " values for ", want, " activations is not supported");
  EMBER_CHECK(betas.empty() || betas.size() == want, Unsupported, node.describe(), ": activation_beta with ",
              betas.size(), " values for ", want, " activations is not supported");
  for (size_t i = 0; i < alphas.size(); ++i) a.acts[i].alpha = alphas[i];
  for (size_t i = 0; i < betas.size(); ++i) a.acts[i].beta = betas[i];
  return a;
}

void infer_rnn(InferContext& ctx, const CellSpec& spec) {
  const ir::Node& node = ctx.node();
  const RnnAttrs a = parse_attrs(node, spec);
  const TypeInfo& x = ctx.input_type(0);
  require_dtype(node, "X", x.dtype, {DType::Float32, DType::Float64, DType::Undefined});
  ir::Dim seq, batch, hidden;
  if (x.has_shape) {
    EMBER_CHECK(x.dims.size() == 3, ShapeMismatch, node.describe(), ": X must have rank 3, got ", x.str());
    seq = x.dims[a.layout == 0 ? 0 : 1];
    batch = x.dims[a.layout == 0 ? 1 : 0];
  }
  if (a.hidden > 0) hidden.value = a.hidden;
  else if (ctx.has_input(2) && ctx.input_type(2).has_shape && ctx.input_type(2).dims.size() == 3)
    hidden = ctx.input_type(2).dims[2];
  ir::Dim dirs;
  dirs.value = a.directions;
  auto make = [&](std::vector<ir::Dim> dims) {
    TypeInfo t;
    t.dtype = x.dtype;
    t.has_shape = x.has_shape;
    if (t.has_shape) t.dims = std::move(dims);
    return t;
  };
  const size_t outs = ctx.output_count();
  if (outs > 0)
    ctx.set_output(0, a.layout == 0 ? make({seq, dirs, batch, hidden}) : make({batch, seq, dirs, hidden}));
  const TypeInfo state = a.layout == 0 ? make({dirs, batch, hidden}) : make({batch, dirs, hidden});
  if (outs > 1) ctx.set_output(1, state);
  if (outs > 2 && spec.has_cell_state) ctx.set_output(2, state);
}

void matvec_add(const double* M, const double* v, int64_t rows, int64_t cols, double* dst) {
  for (int64_t j = 0; j < rows; ++j) {
    double s = 0;
    const double* m = M + j * cols;
    for (int64_t k = 0; k < cols; ++k) s += m[k] * v[k];
    dst[j] += s;
  }
}

}  // namespace ember::ops::rnn
