// fuse_conv_bn: inference BatchNormalization folded away.
//  - Conv -> BN: the BN's per-channel scale s = gamma / sqrt(var + eps) and shift
//    beta - mean * s go into the Conv's weights (W * s per output channel) and bias.
//  - BN -> Conv (the BN feeds only an unpadded Conv): s scales the Conv's input channels and
//    the shift becomes bias (zero padding would see the shift, hence unpadded only).
//  - any other BN: a per-channel affine Mul + Add with constants shaped [C, 1, ...].
//  - Conv -> Mul or Add by a per-output-channel constant (a BN that an exporter already wrote
//    in that affine form: tf2onnx leaves Keras' depthwise BNs as Conv -> Mul [-> Add]) folds
//    into the Conv like Conv -> BN.
// Conv -> BN (and Conv -> Mul) does not rewrite W: the new weight is W with a pending scale per
// output channel (Tensor::with_row_scale), which the prepacking kernels apply as they read W
// from the model file, so the weights take one pass from the file to the packed layout. Only
// the bias is computed here. BN -> Conv scales input channels: the folded weights overwrite W
// in place when this Conv is W's only reader and W's storage is its own, else a new tensor.
#include <algorithm>
#include <cmath>

#include "ops/op_util.h"
#include "opt/pattern.h"

namespace ember::opt {
namespace {

struct BnAffine {
  std::vector<double> scale, shift;  // per channel
};

// The BN's affine form when it is an inference BN over float32 with constant parameters.
std::optional<BnAffine> bn_affine(const ir::Node* bn) {
  if (!is_op(bn, "BatchNormalization") || !has_inputs(bn, 5)) return std::nullopt;
  if (bn->attr_int("training_mode", 0) != 0 || bn->opset < 7) return std::nullopt;
  for (size_t i = 1; i < bn->outputs.size(); ++i)
    if (bn->outputs[i] && !bn->outputs[i]->consumers.empty()) return std::nullopt;
  if (bn->inputs[0]->type.dtype != DType::Float32) return std::nullopt;
  std::vector<std::vector<double>> p;
  for (size_t i = 1; i < 5; ++i) {
    const Tensor* t = constant_of(bn->inputs[i]);
    if (!t || t->rank() != 1 || t->dtype() != DType::Float32) return std::nullopt;
    p.push_back(ops::read_doubles(*t));
    if (p.back().size() != p[0].size()) return std::nullopt;
  }
  const double eps = bn->attr_float("epsilon", 1e-5f);
  BnAffine a;
  for (size_t c = 0; c < p[0].size(); ++c) {
    const double s = p[0][c] / std::sqrt(p[3][c] + eps);
    a.scale.push_back(s);
    a.shift.push_back(p[1][c] - p[2][c] * s);
  }
  return a;
}

// Mul / Add of `x` by a float32 constant that broadcasts along the channel axis (dim 1) of a
// rank-`rank` x with `channels` channels only: [], [1], [C, 1, 1], [1, C, 1, 1], [1, 1, 1]...
// Returns it as an affine map per channel (Mul: scale, Add: shift).
std::optional<BnAffine> channel_affine(const ir::Node* n, const ir::Value* x, size_t rank, int64_t channels) {
  if (!n || (!is_op(n, "Mul") && !is_op(n, "Add")) || n->inputs.size() != 2) return std::nullopt;
  const ir::Value* cv = other_input(n, x);
  if (!cv || !per_channel_constant(cv, rank)) return std::nullopt;
  const Tensor* c = constant_of(cv);
  if (c->dtype() != DType::Float32 || (c->numel() != 1 && c->numel() != channels)) return std::nullopt;
  const std::vector<double> v = ops::read_doubles(*c);
  BnAffine a{std::vector<double>(size_t(channels), 1.0), std::vector<double>(size_t(channels), 0.0)};
  std::vector<double>& set = is_op(n, "Mul") ? a.scale : a.shift;
  for (int64_t m = 0; m < channels; ++m) set[size_t(m)] = v[v.size() == 1 ? 0 : size_t(m)];
  return a;
}

// A float32 Conv with constant weights (and constant bias when present).
bool foldable_conv(const ir::Node* conv) {
  if (!is_op(conv, "Conv") || conv->explicit_input_count() < 2 || conv->implicit_inputs) return false;
  const Tensor* w = constant_of(conv->inputs[1]);
  if (!w || w->dtype() != DType::Float32 || w->rank() < 3) return false;
  if (conv->inputs.size() > 2 && conv->inputs[2]) {
    const Tensor* b = constant_of(conv->inputs[2]);
    if (!b || b->dtype() != DType::Float32 || b->numel() != w->dim(0)) return false;
  }
  return true;
}

std::vector<double> conv_bias(const ir::Node* conv, int64_t M) {
  if (conv->inputs.size() > 2 && conv->inputs[2]) return ops::read_doubles(*constant_of(conv->inputs[2]));
  return std::vector<double>(size_t(M), 0.0);
}

Tensor f32_tensor(const Dims& shape, const std::vector<double>& v) {
  Tensor t(DType::Float32, shape);
  float* p = t.data<float>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = float(v[i]);
  return t;
}

std::vector<ir::Attribute> attrs_of(const ir::Node* n) {
  std::vector<ir::Attribute> a;
  for (const auto& [k, v] : n->attrs) a.push_back(v);
  return a;
}

// Where the folded weights go: W's own storage when the Conv being folded is its only reader
// and nothing else holds that storage, else a new tensor. In place, ResNet-50 (77 of its 102 MB
// of weights are such copies) skips allocating and first-touching most of 100 MB: optimize
// phase 93.7 -> 58.3 ms, peak RSS 224 -> 205 MB (MobileNetV2 69 -> 61 MB; creation_ab.py, 11
// rounds, load 10).
Tensor folded_weight_storage(const ir::Value* wv) {
  const Tensor& w = *wv->constant;
  if (wv->consumers.size() == 1 && !wv->is_output && w.sole_owner()) return w;  // shares the storage
  return Tensor(DType::Float32, w.shape());
}

// Conv -> BN: W'[m] = W[m] * s[m] (pending: products taken in double when W is read, as an
// eager fold did), B' = B * s + shift. Deferring the product took ResNet-50's weights from
// three passes (reader's copy, fold, packing) to one: see end_to_end.md "Eighth pass".
void fold_into_producer(ir::Graph& g, const ir::Node* conv, const ir::Node* bn, const BnAffine& a) {
  const Tensor& w = *constant_of(conv->inputs[1]);
  const int64_t M = w.dim(0);
  std::vector<double> bias = conv_bias(conv, M);
  for (int64_t m = 0; m < M; ++m) bias[size_t(m)] = bias[size_t(m)] * a.scale[size_t(m)] + a.shift[size_t(m)];
  const bool unit = std::all_of(a.scale.begin(), a.scale.end(), [](double x) { return x == 1.0; });
  Tensor nwt = unit ? w : w.with_row_scale(a.scale);  // Conv -> Add: the weights stay as they are
  ir::Value* nw = edit::add_initializer(g, conv->inputs[1]->name + "_bnfold", std::move(nwt));
  ir::Value* nb = edit::add_initializer(g, bn->name + "_bias", f32_tensor({M}, bias));
  replace_with(g, {conv, bn}, NewNode{"Conv", "", conv->opset, {conv->inputs[0], nw, nb}, {bn->outputs[0]}, attrs_of(conv)});
}

// BN -> Conv: W'[m, c] = W[m, c] * s[c], B'[m] = B[m] + sum_{c,k} W[m, c, k] * shift[c].
void fold_into_consumer(ir::Graph& g, const ir::Node* bn, const ir::Node* conv, const BnAffine& a) {
  const Tensor& w = *constant_of(conv->inputs[1]);
  const int64_t M = w.dim(0), Cg = w.dim(1), K = w.numel() / std::max<int64_t>(M * Cg, 1);
  const int64_t group = conv->attr_int("group", 1), Mg = M / group;
  std::vector<double> bias = conv_bias(conv, M);
  Tensor nwt = folded_weight_storage(conv->inputs[1]);
  const float* src = w.data<float>();
  float* dst = nwt.data<float>();  // may be src: each element is read before it is written
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < Cg; ++c) {
      const size_t ch = size_t((m / Mg) * Cg + c);
      for (int64_t k = 0; k < K; ++k) {
        const int64_t i = (m * Cg + c) * K + k;
        bias[size_t(m)] += double(src[i]) * a.shift[ch];
        dst[i] = float(double(src[i]) * a.scale[ch]);
      }
    }
  ir::Value* nw = edit::add_initializer(g, conv->inputs[1]->name + "_bnfold", std::move(nwt));
  ir::Value* nb = edit::add_initializer(g, bn->name + "_bias", f32_tensor({M}, bias));
  replace_with(g, {bn, conv}, NewNode{"Conv", "", conv->opset, {bn->inputs[0], nw, nb}, {conv->outputs[0]}, attrs_of(conv)});
}

bool unpadded(const ir::Node* conv) {
  const std::string ap = conv->attr_string("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID") return false;
  for (int64_t p : conv->attr_ints("pads"))
    if (p != 0) return false;
  return true;
}

// BN -> Mul(scale) -> Add(shift), constants shaped [C, 1, ...] to broadcast over X's spatial dims.
void to_affine(ir::Graph& g, const ir::Node* bn, const BnAffine& a, size_t rank) {
  Dims shape = {int64_t(a.scale.size())};
  for (size_t i = 2; i < rank; ++i) shape.push_back(1);
  ir::Value* s = edit::add_initializer(g, bn->name + "_scale", f32_tensor(shape, a.scale));
  ir::Value* t = edit::add_initializer(g, bn->name + "_shift", f32_tensor(shape, a.shift));
  ir::Value* mid = g.add_temp_value(bn->name + "_scaled");
  mid->type = bn->inputs[0]->type;
  ir::Value* x = bn->inputs[0];
  ir::Value* y = bn->outputs[0];
  const std::string name = bn->name;
  const int opset = bn->opset < 7 ? 7 : std::max(bn->opset, 7);
  edit::remove_nodes(g, {bn});
  for (auto [op, in, c, out] : {std::tuple{"Mul", x, s, mid}, std::tuple{"Add", mid, t, y}}) {
    const std::string suffix = std::string(op) == "Mul" ? "_scale" : "_shift";
    edit::make_node(g, {op, "", opset, {in, c}, {out}, {}, name + suffix})->fused_from = {name};
  }
  g.topo_sort();
}

class FuseConvBn final : public Pass {
 public:
  const char* name() const override { return "fuse_conv_bn"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* bn = up.get();
      if (foldable_conv(bn) && has_single_use(bn->outputs[0])) {  // Conv -> Mul / Add by a constant
        const ir::Node* next = sole_consumer(bn->outputs[0]);
        const Tensor& w = *constant_of(bn->inputs[1]);
        const std::optional<BnAffine> a = channel_affine(next, bn->outputs[0], w.rank(), w.dim(0));
        if (a && !bn->outputs[0]->is_output && claims.claim({bn, next}))
          out.push_back({std::string(name()) + ": " + join_names({bn, next}) + " (constant " + next->op_type + ")",
                         [conv = bn, next, a = *a](ir::Graph& gr) { fold_into_producer(gr, conv, next, a); }});
        continue;
      }
      const std::optional<BnAffine> a = bn_affine(bn);
      if (!a) continue;
      const ir::Node* conv = bn->inputs[0]->producer;
      if (foldable_conv(conv) && has_single_use(conv->outputs[0]) && constant_of(conv->inputs[1])->dim(0) == int64_t(a->scale.size())) {
        if (!claims.claim({conv, bn})) continue;
        out.push_back({std::string(name()) + ": " + join_names({conv, bn}),
                       [conv, bn, a = *a](ir::Graph& gr) { fold_into_producer(gr, conv, bn, a); }});
        continue;
      }
      const ir::Node* next = sole_consumer(bn->outputs[0]);
      if (foldable_conv(next) && next->inputs[0] == bn->outputs[0] && unpadded(next) &&
          constant_of(next->inputs[1])->dim(1) * next->attr_int("group", 1) == int64_t(a->scale.size())) {
        if (!claims.claim({bn, next})) continue;
        out.push_back({std::string(name()) + ": " + join_names({bn, next}),
                       [bn, next, a = *a](ir::Graph& gr) { fold_into_consumer(gr, bn, next, a); }});
        continue;
      }
      const ir::TypeInfo& xt = bn->inputs[0]->type;
      if (!xt.has_shape || xt.dims.size() < 2 || (xt.dims[1].known() && xt.dims[1].value != int64_t(a->scale.size())))
        continue;
      if (!claims.claim({bn})) continue;
      out.push_back({std::string(name()) + ": " + join_names({bn}) + " (affine)",
                     [bn, a = *a, rank = xt.dims.size()](ir::Graph& gr) { to_affine(gr, bn, a, rank); }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_conv_bn() { return std::make_unique<FuseConvBn>(); }

}  // namespace ember::opt
