#include "control_graph.h"

#include "ops/op_registry.h"

namespace ember::test::control {

ir::Value* graph_input(ir::Graph& g, const std::string& name, DType t, const Dims& shape) {
  ir::Value* v = g.add_value(name);
  v->type = ir::TypeInfo::tensor(t, shape);
  v->is_input = true;
  g.inputs.push_back(v);
  return v;
}

ir::Value* capture(ir::Graph& body, const std::string& outer_name, DType t, const Dims& shape) {
  ir::Value* v = body.add_value(outer_name);
  v->type = ir::TypeInfo::tensor(t, shape);
  body.captures.push_back(v);
  return v;
}

ir::Node* add_node(ir::Graph& g, const std::string& op, std::vector<ir::Value*> inputs,
                   const std::vector<std::string>& outputs, std::vector<ir::Attribute> attrs) {
  auto n = std::make_unique<ir::Node>();
  n->name = op + "_" + std::to_string(g.nodes().size());
  n->op_type = op;
  n->opset = kOpset;
  n->inputs = std::move(inputs);
  for (const std::string& o : outputs) n->outputs.push_back(o.empty() ? nullptr : g.add_value(o));
  for (ir::Attribute& a : attrs) n->attrs[a.name] = std::move(a);
  return g.add_node(std::move(n));
}

void add_implicit_inputs(ir::Node& node, const std::vector<ir::Value*>& outer) {
  for (ir::Value* v : outer) node.inputs.push_back(v);
  node.implicit_inputs += outer.size();
}

void graph_output(ir::Graph& g, ir::Value* v) {
  v->is_output = true;
  g.outputs.push_back(v);
}

std::shared_ptr<ir::Graph> new_graph(const std::string& name) {
  auto g = std::make_shared<ir::Graph>();
  g->name = name;
  return g;
}

ir::Attribute attr_graph(const std::string& name, std::shared_ptr<ir::Graph> body) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Graph;
  a.g = std::move(body);
  return a;
}

std::unique_ptr<runtime::Session> make_session(std::shared_ptr<ir::Graph> g) {
  auto model = std::make_shared<ir::Model>();
  model->ir_version = 8;
  model->opset_imports[""] = kOpset;
  model->graph = std::move(g);
  runtime::SessionOptions opts;
  opts.threads = 2;
  return runtime::Session::from_model(model, opts);
}

std::vector<Tensor> run_graph(std::shared_ptr<ir::Graph> g, const runtime::Feeds& feeds) {
  return make_session(std::move(g))->run(feeds);
}

bool have_ops(std::initializer_list<const char*> ops) {
  for (const char* op : ops)
    if (!ops::OpRegistry::global().find(op, "", kOpset)) return false;
  return true;
}

}  // namespace ember::test::control
