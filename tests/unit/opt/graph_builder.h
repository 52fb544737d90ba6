// Builds small models by hand for the optimizer tests: inputs, initializers, nodes, outputs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::test {

class GraphBuilder {
 public:
  explicit GraphBuilder(int opset = 17) : model(std::make_shared<ir::Model>()) {
    model->opset_imports[""] = opset;
    model->graph = std::make_shared<ir::Graph>();
    model->graph->name = "test";
    opset_ = opset;
  }
  ir::Graph& g() { return *model->graph; }

  ir::Value* input(const std::string& name, DType dt, const Dims& dims) {
    ir::Value* v = g().add_value(name);
    v->is_input = true;
    v->type = ir::TypeInfo::tensor(dt, dims);
    g().inputs.push_back(v);
    return v;
  }
  ir::Value* constant(const std::string& name, Tensor t) {
    ir::Value* v = g().add_value(name);
    v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
    v->constant = std::move(t);
    g().initializers.push_back(v);
    return v;
  }
  std::vector<ir::Value*> nodes(const std::string& op, std::vector<ir::Value*> in, size_t outs,
                                std::vector<ir::Attribute> attrs = {}, const std::string& name = "") {
    auto n = std::make_unique<ir::Node>();
    n->name = name.empty() ? op + "_" + std::to_string(counter_++) : name;
    n->op_type = op;
    n->opset = opset_;
    n->inputs = std::move(in);
    for (ir::Attribute& a : attrs) n->attrs[a.name] = std::move(a);
    std::vector<ir::Value*> out;
    for (size_t k = 0; k < outs; ++k) out.push_back(g().add_value(n->name + "_out" + std::to_string(k)));
    n->outputs = out;
    g().add_node(std::move(n));
    g().rebuild_uses();
    return out;
  }
  ir::Value* node(const std::string& op, std::vector<ir::Value*> in, std::vector<ir::Attribute> attrs = {},
                  const std::string& name = "") {
    return nodes(op, std::move(in), 1, std::move(attrs), name)[0];
  }
  void output(ir::Value* v) {
    v->is_output = true;
    g().outputs.push_back(v);
  }
  size_t count(const std::string& op) {
    size_t c = 0;
    for (const auto& n : g().nodes()) c += n->op_type == op;
    return c;
  }

  std::shared_ptr<ir::Model> model;

 private:
  int opset_;
  int counter_ = 0;
};

}  // namespace ember::test
