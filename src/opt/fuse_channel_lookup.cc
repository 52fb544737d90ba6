// fuse_channel_lookup: the float "glue" between quantized convolutions as one table lookup.
//   DequantizeLinear(x: 8-bit [N, C, ...]) -> elementwise ops with per-channel constants
//   (Mul, Add, Sub, Div, Relu, Clip, ...) -> QuantizeLinear    => ai.ember ChannelLookup(x, table)
// onnxruntime's static quantizer (QOperator) leaves a model's folded batch norms and activations
// in float between QLinearConvs: QLinearConv -> DQ -> Mul -> Add -> Clip -> Q. On an int8
// MobileNetV2 those ops took ~4.7 of ~11.5 ms, more than half of Ember's whole f32 run
// (`ember bench --profile`, 1 thread). Every op of the chain is elementwise and its other
// operands depend on the channel only, so the chain maps each channel's 256 input bytes to
// 256 outputs: the pass evaluates the chain once, with the reference kernels (the one folding
// mechanism, ops::run_node_eagerly), on a tensor holding every byte value in every channel,
// and stores the results as a [C, 256] 8-bit table. Same operations in the same order: the fused graph computes bit for bit what
// the chain did.
#include <cstring>

#include "ops/eager.h"
#include "ops/graph_inference.h"
#include "opt/pattern.h"
#include "support/error.h"
#include "support/thread_pool.h"

namespace ember::opt {
namespace {

// Elementwise float ops whose other inputs may be per-channel constants.
bool is_elementwise(const ir::Node* n) {
  static const char* const ops[] = {"Mul",     "Add",  "Sub",         "Div",       "Relu", "Clip",
                                    "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh"};
  for (const char* op : ops)
    if (is_op(n, op)) return n->outputs.size() == 1 && n->outputs[0] && n->outputs[0]->type.dtype == DType::Float32;
  return false;
}

// `n` reads `v` once and everything else it reads is a per-channel constant.
bool maps_channelwise(const ir::Node* n, const ir::Value* v, size_t r) {
  int uses = 0;
  for (const ir::Value* in : n->inputs) {
    if (!in) continue;
    if (in == v) ++uses;
    else if (!per_channel_constant(in, r)) return false;
  }
  return uses == 1;
}

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

// DequantizeLinear of an 8-bit [N, C, ...] value with constant scale / zero point.
bool is_lookup_start(const ir::Node* dq) {
  if (!is_op(dq, "DequantizeLinear") || dq->inputs.size() < 2 || !dq->inputs[0] || dq->outputs.size() != 1) return false;
  const ir::TypeInfo& x = dq->inputs[0]->type;
  if (!is_8bit(x.dtype) || !x.has_shape || x.dims.size() < 2 || !x.dims[1].known() || x.dims[1].value < 1) return false;
  if (dq->outputs[0]->type.dtype != DType::Float32) return false;
  for (size_t i = 1; i < dq->inputs.size(); ++i)
    if (dq->inputs[i] && !constant_of(dq->inputs[i])) return false;
  const Tensor* scale = constant_of(dq->inputs[1]);
  return scale->numel() == 1 || dq->attr_int("axis", 1) == 1;  // per tensor, or per channel
}

// QuantizeLinear of the chain's float value to 8 bits, per tensor, constants only.
bool is_lookup_end(const ir::Node* q, const ir::Value* v) {
  if (!is_op(q, "QuantizeLinear") || q->inputs.size() < 2 || q->inputs[0] != v || q->outputs.size() != 1) return false;
  const Tensor* scale = constant_of(q->inputs[1]);
  const Tensor* zp = q->inputs.size() > 2 && q->inputs[2] ? constant_of(q->inputs[2]) : nullptr;
  if (!scale || scale->numel() != 1 || (q->inputs.size() > 2 && q->inputs[2] && !zp)) return false;
  return (!zp || (zp->numel() == 1 && is_8bit(zp->dtype()))) && is_8bit(q->outputs[0]->type.dtype);
}

// Runs the chain on every byte value of every channel and returns the [C, 256] table.
Tensor evaluate(const std::vector<const ir::Node*>& chain, DType x_dtype, size_t rank, int64_t C) {
  // [1, C, 256, 1, ...] (rank >= 3) or [256, C] (rank 2): per-channel constants broadcast over it.
  Dims shape(rank, 1);
  if (rank >= 3) shape[1] = C, shape[2] = 256;
  else shape[0] = 256, shape[1] = C;
  Tensor x(x_dtype, shape);
  auto* bytes = static_cast<uint8_t*>(x.raw());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t k = 0; k < 256; ++k) bytes[rank >= 3 ? c * 256 + k : k * C + c] = uint8_t(k);
  ThreadPool pool(1);
  ops::RtValue value{x, nullptr, false};
  for (const ir::Node* n : chain) {
    std::vector<ops::RtValue> held(n->inputs.size());
    std::vector<const ops::RtValue*> inputs;
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const ir::Value* in = n->inputs[i];
      if (in && constant_of(in)) held[i] = ops::RtValue{*constant_of(in), nullptr, false};
      inputs.push_back(!in ? nullptr : constant_of(in) ? &held[i] : &value);
    }
    std::vector<ops::RtValue> out =
        ops::run_node_eagerly(*n, ops::require_schema(*n, ops::OpRegistry::global()), inputs, pool);
    value = out.at(0);
  }
  const Tensor& y = value.tensor;
  const size_t esize = dtype_size(y.dtype());
  Tensor table(y.dtype(), {C, 256});
  const auto* src = static_cast<const uint8_t*>(y.raw());
  auto* dst = static_cast<uint8_t*>(table.raw());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t k = 0; k < 256; ++k)
      std::memcpy(dst + size_t(c * 256 + k) * esize, src + size_t(rank >= 3 ? c * 256 + k : k * C + c) * esize, esize);
  return table;
}

class FuseChannelLookup final : public Pass {
 public:
  const char* name() const override { return "fuse_channel_lookup"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* dq = up.get();
      if (!is_lookup_start(dq)) continue;
      const ir::Value* x = dq->inputs[0];
      const size_t rank = x->type.dims.size();
      std::vector<const ir::Node*> chain = {dq};
      const ir::Value* v = dq->outputs[0];
      for (const ir::Node* n = sole_consumer(v); n && is_elementwise(n) && maps_channelwise(n, v, rank);
           n = sole_consumer(v)) {
        chain.push_back(n);
        v = n->outputs[0];
      }
      // Only chains that end 8-bit: a float table's scalar gather (4 bytes out per element) was
      // slower than the vectorized DQ -> Mul -> Add it replaced (int8 ResNet-50, whose
      // batch-norm chains end in the residual Add: 1.18x the latency, A/B alternated).
      const ir::Node* q = sole_consumer(v);
      if (!is_lookup_end(q, v)) continue;
      chain.push_back(q);
      if (!claims.free(chain)) continue;
      Tensor table;
      try {
        table = evaluate(chain, x->type.dtype, rank, x->type.dims[1].value);
      } catch (const Error&) {
        continue;  // a reference kernel refused the chain: it stays, and reports it when run
      }
      claims.claim(chain);
      out.push_back({std::string(name()) + ": " + join_names(chain), [chain, table](ir::Graph& gr) {
                       for (const ir::Node* n : chain)
                         if (!edit::contains(gr, n)) return;
                       ir::Value* t = edit::add_initializer(gr, chain.front()->name + "_table", table);
                       NewNode f{"ChannelLookup", kEmberDomain, 1, {chain.front()->inputs[0], t},
                                 {chain.back()->outputs[0]}, {}};
                       replace_with(gr, chain, std::move(f));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_channel_lookup() { return std::make_unique<FuseChannelLookup>(); }

}  // namespace ember::opt
