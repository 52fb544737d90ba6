#include "opt/prune/channel_spaces.h"

#include <set>

namespace ember::opt::prune {
namespace {

const std::set<std::string>& preserving_ops() {
  static const std::set<std::string> ops = {
      "Relu",  "LeakyRelu", "Sigmoid", "Tanh",    "Clip",        "HardSigmoid",       "HardSwish",      "Elu",
      "Selu",  "Softplus",  "Gelu",    "Erf",     "Identity",    "Dropout",           "MaxPool",        "AveragePool",
      "GlobalAveragePool",  "GlobalMaxPool",      "LpPool",      "Neg",               "Abs"};
  return ops;
}

const std::set<std::string>& elementwise_ops() {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean"};
  return ops;
}

bool f32_const(const ir::Value* v) { return v && v->constant && !v->is_input && v->constant->dtype() == DType::Float32; }

// A Conv whose output channels can be removed: group 1, constant float32 weights and bias.
bool prunable_producer(const ir::Node* n) {
  if (n->op_type != "Conv" || !n->domain.empty() || n->inputs.size() < 2 || n->implicit_inputs) return false;
  if (n->attr_int("group", 1) != 1 || !f32_const(n->inputs[1]) || n->inputs[1]->constant->rank() < 3) return false;
  return n->inputs.size() < 3 || !n->inputs[2] || f32_const(n->inputs[2]);
}

bool is_scalar_const(const ir::Value* v) { return v && v->constant && v->constant->numel() == 1; }

class Walker {
 public:
  explicit Walker(ir::Graph& g) : g_(g) {}

  ChannelPlan run() {
    for (const auto& up : g_.nodes()) visit(up.get());
    for (const ir::Value* o : g_.outputs) reject(o, "its channels reach graph output '" + o->name + "'");
    return std::move(plan_);
  }

 private:
  const ChannelDesc* desc_of(const ir::Value* v) const {
    const auto it = desc_.find(v);
    return it == desc_.end() ? nullptr : &it->second;
  }
  void reject(const ChannelDesc& d, const std::string& why) {
    for (const Segment& s : d)
      if (s.space >= 0 && plan_.why_not[size_t(s.space)].empty()) plan_.why_not[size_t(s.space)] = why;
  }
  void reject(const ir::Value* v, const std::string& why) {
    if (const ChannelDesc* d = desc_of(v)) reject(*d, why);
  }
  void reject_inputs(const ir::Node* n, const std::string& why) {
    for (const ir::Value* v : n->inputs) reject(v, why);
  }
  std::string used_by(const ir::Node* n) const { return "used by " + n->op_type + " '" + n->name + "'"; }

  void visit(ir::Node* n) {
    const ir::Value* x = n->inputs.empty() ? nullptr : n->inputs[0];
    const ChannelDesc* in = x ? desc_of(x) : nullptr;
    bool handled = false;
    if (!n->domain.empty() || n->implicit_inputs) {
      // ai.ember ops and subgraph owners: not understood here.
    } else if (n->op_type == "Conv") {
      handled = conv(n, in);
    } else if (in && preserving_ops().count(n->op_type)) {
      handled = true;
      for (size_t i = 1; i < n->inputs.size(); ++i) handled = handled && (!n->inputs[i] || is_scalar_const(n->inputs[i]));
      for (size_t i = 1; i < n->outputs.size(); ++i) handled = handled && (!n->outputs[i] || n->outputs[i]->consumers.empty());
      if (handled) desc_[n->outputs[0]] = *in;
    } else if (in && n->op_type == "BatchNormalization") {
      handled = n->inputs.size() >= 5;
      for (size_t i = 1; handled && i < 5; ++i) handled = f32_const(n->inputs[i]) && !desc_of(n->inputs[i]);
      for (size_t i = 1; i < n->outputs.size(); ++i) handled = handled && (!n->outputs[i] || n->outputs[i]->consumers.empty());
      if (handled) {
        plan_.rewires.push_back({Rewire::BatchNorm, n, *in, 1});
        desc_[n->outputs[0]] = *in;
      }
    } else if (elementwise_ops().count(n->op_type)) {
      handled = elementwise(n);
    } else if (n->op_type == "Concat") {
      handled = concat(n);
    } else if (in && n->op_type == "Flatten") {
      handled = flatten(n, *in);
    }
    if (!handled) reject_inputs(n, used_by(n));
  }

  bool conv(ir::Node* n, const ChannelDesc* in) {
    for (size_t i = 1; i < n->inputs.size(); ++i)
      if (desc_of(n->inputs[i])) return false;
    if (in) {
      const int64_t group = n->attr_int("group", 1);
      if (!f32_const(n->inputs[1])) return false;
      const Tensor& w = *n->inputs[1]->constant;
      if (group == 1) {
        plan_.rewires.push_back({Rewire::ConvInput, n, *in, 1});
      } else if (w.rank() >= 3 && w.dim(1) == 1 && group == w.dim(0) &&
                 (n->inputs.size() < 3 || !n->inputs[2] || f32_const(n->inputs[2]))) {
        // Depthwise: its filters follow the input channels, and its output carries them on.
        plan_.rewires.push_back({Rewire::Depthwise, n, *in, 1});
        desc_[n->outputs[0]] = *in;
        return true;
      } else {
        return false;
      }
    }
    if (prunable_producer(n)) {
      const int space = int(plan_.producers.size());
      plan_.producers.push_back(n);
      plan_.parent.push_back(space);
      plan_.why_not.emplace_back();
      desc_[n->outputs[0]] = {Segment{space, n->inputs[1]->constant->dim(0)}};
    }
    return true;
  }

  // Operands with channels must line up segment by segment; their spaces are tied.
  bool elementwise(ir::Node* n) {
    const ChannelDesc* first = nullptr;
    for (const ir::Value* v : n->inputs) {
      if (!v) continue;
      const ChannelDesc* d = desc_of(v);
      if (!d) {
        if (!is_scalar_const(v)) return false;
        continue;
      }
      if (!first) {
        first = d;
        continue;
      }
      if (d->size() != first->size()) return false;
      for (size_t i = 0; i < d->size(); ++i)
        if ((*d)[i].length != (*first)[i].length || ((*d)[i].space < 0) != ((*first)[i].space < 0)) return false;
    }
    if (!first) return false;
    for (const ir::Value* v : n->inputs)
      if (const ChannelDesc* d = v ? desc_of(v) : nullptr)
        for (size_t i = 0; i < d->size(); ++i)
          if ((*d)[i].space >= 0) unite((*d)[i].space, (*first)[i].space);
    desc_[n->outputs[0]] = *first;
    return true;
  }

  bool concat(ir::Node* n) {
    const ir::Value* y = n->outputs[0];
    if (!y->type.has_shape) return false;
    int64_t axis = n->attr_int("axis", 0);
    if (axis < 0) axis += int64_t(y->type.dims.size());
    bool any = false;
    ChannelDesc out;
    for (const ir::Value* v : n->inputs) {
      const ChannelDesc* d = desc_of(v);
      if (d) {
        any = true;
        out.insert(out.end(), d->begin(), d->end());
        continue;
      }
      if (!v->type.has_shape || v->type.dims.size() < 2 || !v->type.dims[1].known()) return false;
      out.push_back({-1, v->type.dims[1].value});
    }
    if (!any) return true;
    if (axis != 1) return false;
    desc_[n->outputs[0]] = out;
    return true;
  }

  // Flatten(axis 1) of [N, C, spatial...] feeding only Gemm / MatMul with a constant 2-D weight.
  bool flatten(ir::Node* n, const ChannelDesc& in) {
    const ir::Value* x = n->inputs[0];
    if (n->attr_int("axis", 1) != 1 || !x->type.has_shape || x->type.dims.size() < 2) return false;
    int64_t inner = 1;  // the batch dim may be symbolic; the spatial ones must be known
    for (size_t i = 2; i < x->type.dims.size(); ++i) {
      if (!x->type.dims[i].known()) return false;
      inner *= x->type.dims[i].value;
    }
    const ir::Value* y = n->outputs[0];
    if (y->is_output || y->consumers.empty()) return false;
    for (ir::Node* c : y->consumers) {
      const bool gemm = c->op_type == "Gemm" && c->domain.empty() && c->attr_int("transA", 0) == 0;
      const bool matmul = c->op_type == "MatMul" && c->domain.empty();
      if (!(gemm || matmul) || c->inputs[0] != y || c->inputs[1] == y || !f32_const(c->inputs[1]) ||
          c->inputs[1]->constant->rank() != 2)
        return false;
    }
    for (ir::Node* c : y->consumers) plan_.rewires.push_back({Rewire::FlattenGemm, c, in, inner});
    return true;
  }

  void unite(int a, int b) {
    a = plan_.find(a);
    b = plan_.find(b);
    if (a != b) plan_.parent[size_t(a)] = b;
  }

  ir::Graph& g_;
  ChannelPlan plan_;
  std::map<const ir::Value*, ChannelDesc> desc_;
};

}  // namespace

int ChannelPlan::find(int s) {
  while (parent[size_t(s)] != s) s = parent[size_t(s)] = parent[size_t(parent[size_t(s)])];
  return s;
}

ChannelPlan analyse_channels(ir::Graph& g) { return Walker(g).run(); }

}  // namespace ember::opt::prune
