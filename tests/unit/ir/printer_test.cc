#include <doctest/doctest.h>

#include <sstream>

#include "ir/printer.h"
#include "test_util.h"

using namespace ember;

TEST_CASE("ir: printer shows nodes, types, constants and subgraphs") {
  ir::Graph g;
  g.name = "main";
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type = ir::TypeInfo::tensor(DType::Float32, {2, 3});
  x->type.dims[0] = ir::Dim{-1, "N"};
  g.inputs.push_back(x);
  ir::Value* w = g.add_value("w");
  w->constant = test::random_tensor(DType::Float32, {3});
  g.initializers.push_back(w);
  ir::Value* y = g.add_value("y");
  y->type = ir::TypeInfo::tensor(DType::Float32, {-1, 3});
  y->is_output = true;
  g.outputs.push_back(y);
  auto body = std::make_shared<ir::Graph>();
  body->name = "then";
  auto n = std::make_unique<ir::Node>();
  n->name = "add1";
  n->op_type = "Add";
  n->inputs = {x, w};
  n->outputs = {y};
  n->attrs["axes"] = test::attr_ints("axes", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  ir::Attribute ga;
  ga.name = "body";
  ga.type = ir::AttrType::Graph;
  ga.g = body;
  n->attrs["body"] = ga;
  g.add_node(std::move(n));
  std::ostringstream os;
  ir::print_graph(g, os);
  const std::string s = os.str();
  CHECK(s.find("%x: float32[N, 3]") != std::string::npos);
  CHECK(s.find("%y: float32[?, 3] = Add(%x, @w)") != std::string::npos);
  CHECK(s.find("... (10 values)") != std::string::npos);
  CHECK(s.find("# add1") != std::string::npos);
  CHECK(s.find("    graph 'then'") != std::string::npos);
}
