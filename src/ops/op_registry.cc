#include "ops/op_registry.h"

#include "ops/register_all.h"

namespace ember::ops {

const Tensor& KernelContext::input(size_t i) const {
  EMBER_CHECK(i < inputs_.size() && inputs_[i] && inputs_[i]->tensor.defined(), InvalidModel,
              "required input ", i, " is missing");
  return inputs_[i]->tensor;
}

const RtValue& KernelContext::input_value(size_t i) const {
  EMBER_CHECK(i < inputs_.size() && inputs_[i], InvalidModel, "required input ", i, " is missing");
  return *inputs_[i];
}

InferContext::InferContext(const ir::Node& node, std::vector<const TypeInfo*> in_types,
                           std::vector<const Tensor*> in_values)
    : node_(node), in_types_(std::move(in_types)), in_values_(std::move(in_values)),
      out_types_(node.outputs.size()) {}

const TypeInfo& InferContext::input_type(size_t i) const {
  EMBER_CHECK(has_input(i), InvalidModel, node_.describe(), ": required input ", i, " is missing");
  return *in_types_[i];
}

void InferContext::set_output(size_t i, TypeInfo t) {
  t.dims_value.reset();
  if (i < out_types_.size()) out_types_[i] = std::move(t);
}

void InferContext::set_output_dims_value(size_t i, std::vector<ir::Dim> v) {
  if (i < out_types_.size()) out_types_[i].dims_value = std::move(v);
}

std::optional<std::vector<ir::Dim>> InferContext::input_dims_value(size_t i) const {
  if (!has_input(i)) return std::nullopt;
  if (in_types_[i]->dims_value) return in_types_[i]->dims_value;
  const Tensor* t = input_value(i);
  if (!t || t->rank() > 1 || (t->dtype() != DType::Int64 && t->dtype() != DType::Int32)) return std::nullopt;
  std::vector<ir::Dim> v;
  for (int64_t x : t->to_int64_vector()) v.push_back(x == -1 ? minus_one_literal() : ir::Dim{x, {}});
  return v;
}

const OpRegistry& OpRegistry::global() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_all_ops(r);
    return r;
  }();
  return registry;
}

void OpRegistry::add(OpSchema s) { schemas_.push_back(std::move(s)); }

const OpSchema* OpRegistry::find(const std::string& op_type, const std::string& domain, int opset) const {
  const std::string dom = domain == "ai.onnx" ? "" : domain;
  for (const OpSchema& s : schemas_)
    if (s.op_type == op_type && s.domain == dom && opset >= s.since_version && opset <= s.last_version)
      return &s;
  return nullptr;
}

bool OpRegistry::knows(const std::string& op_type, const std::string& domain) const {
  const std::string dom = domain == "ai.onnx" ? "" : domain;
  for (const OpSchema& s : schemas_)
    if (s.op_type == op_type && s.domain == dom) return true;
  return false;
}

}  // namespace ember::ops
