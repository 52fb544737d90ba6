// Subgraphs: outer names used inside bodies become captures, every level in between captures
// too, and the owning nodes receive the outer values as implicit inputs in attribute order.
#include <doctest/doctest.h>

#include "onnx_test_helpers.h"
#include "proto_builder.h"

using namespace ember;
using namespace ember::test::pb;
using ember::test::load_bytes;

namespace {

constexpr int kFloat = 1, kBool = 9;

Msg body(const std::string& name, std::vector<Msg> nodes, std::vector<std::string> outputs) {
  GraphB b;
  b.name = name;
  b.nodes = std::move(nodes);
  for (const auto& o : outputs) b.outputs.push_back(value_info(o));
  return b.build();
}

// main:  if0 = If(cond) with
//   then_branch: local = Add(a, w); inner_out = If(cond)[then: Mul(a, local), else: output w]
//   else_branch: e_out = If(cond)[then: Identity(w), else: Identity(w)]   (w used 2 levels down)
std::string nested_model() {
  Msg inner_then = body("inner_then", {node("Mul", {"a", "local"}, {"it_out"}, "mul")}, {"it_out"});
  Msg inner_else = body("inner_else", {}, {"w"});
  Msg then_b = body("then", {node("Add", {"a", "w"}, {"local"}, "add"),
                             node("If", {"cond"}, {"inner_out"}, "inner_if",
                                  {attr_g("then_branch", inner_then), attr_g("else_branch", inner_else)})},
                    {"inner_out"});
  Msg deep_then = body("deep_then", {node("Identity", {"w"}, {"dw"}, "id_t")}, {"dw"});
  Msg deep_else = body("deep_else", {node("Identity", {"w"}, {"dw2"}, "id_e")}, {"dw2"});
  Msg else_b = body("else", {node("If", {"cond"}, {"e_out"}, "e_if",
                                  {attr_g("then_branch", deep_then), attr_g("else_branch", deep_else)})},
                    {"e_out"});
  GraphB g;
  g.name = "main";
  g.inputs = {value_info("cond", type_tensor(kBool, {})), value_info("a", type_tensor(kFloat, {"2"}))};
  g.initializers = {tensor_raw("w", kFloat, {2}, raw_of<float>({1.f, 2.f}))};
  g.nodes = {node("If", {"cond"}, {"out"}, "if0",
                  {attr_g("then_branch", then_b), attr_g("else_branch", else_b)})};
  g.outputs = {value_info("out")};
  return model(g.build(), {opset("", 16)}).str();
}

std::vector<std::string> names(const std::vector<ir::Value*>& vs) {
  std::vector<std::string> out;
  for (const ir::Value* v : vs) out.push_back(v ? v->name : "<null>");
  return out;
}

const ir::Node& only_node_named(const ir::Graph& g, const std::string& name) {
  for (const auto& n : g.nodes())
    if (n->name == name) return *n;
  FAIL("no node " << name);
  throw 0;
}

}  // namespace

TEST_CASE("onnx subgraph: captures one and two levels deep, in attribute order") {
  auto m = load_bytes(nested_model());
  const ir::Graph& g = *m->graph;
  const ir::Node& if0 = only_node_named(g, "if0");
  // Explicit input first, then else_branch's captures, then then_branch's (Node::attrs order).
  CHECK(names(if0.inputs) == std::vector<std::string>{"cond", "cond", "w", "a", "w", "cond"});
  CHECK(if0.implicit_inputs == 5);
  CHECK(if0.explicit_input_count() == 1);
  for (const ir::Value* v : if0.inputs) CHECK(v == g.find(v->name));  // outer values

  const ir::Graph& then_b = *if0.attr_graph("then_branch");
  const ir::Graph& else_b = *if0.attr_graph("else_branch");
  CHECK(names(else_b.captures) == std::vector<std::string>{"cond", "w"});
  CHECK(names(then_b.captures) == std::vector<std::string>{"a", "w", "cond"});
  // Captures are the body's own values and carry the outer type.
  for (const ir::Value* c : then_b.captures) {
    CHECK(then_b.find(c->name) == c);
    CHECK(c != g.find(c->name));
    CHECK(c->type.str() == g.find(c->name)->type.str());
    CHECK(c->producer == nullptr);
  }

  // then_branch: add reads captures; inner_if captures from then's values.
  REQUIRE(then_b.nodes().size() == 2);
  CHECK(then_b.nodes()[0]->name == "add");  // topological order inside the body
  const ir::Node& inner_if = *then_b.nodes()[1];
  CHECK(inner_if.name == "inner_if");
  CHECK(inner_if.opset == 16);
  CHECK(names(inner_if.inputs) == std::vector<std::string>{"cond", "w", "a", "local"});
  CHECK(inner_if.implicit_inputs == 3);
  for (const ir::Value* v : inner_if.inputs) CHECK(v == then_b.find(v->name));
  CHECK(then_b.find("local")->producer == then_b.nodes()[0].get());

  const ir::Graph& inner_else = *inner_if.attr_graph("else_branch");
  CHECK(names(inner_else.captures) == std::vector<std::string>{"w"});
  REQUIRE(inner_else.outputs.size() == 1);
  CHECK(inner_else.outputs[0] == inner_else.captures[0]);  // an output that is an outer value
  CHECK(inner_else.outputs[0]->is_output);
  const ir::Graph& inner_then = *inner_if.attr_graph("then_branch");
  CHECK(names(inner_then.captures) == std::vector<std::string>{"a", "local"});
  CHECK(inner_then.nodes()[0]->inputs[0] == inner_then.captures[0]);

  // else_branch never uses w itself, yet captures it for the body two levels down.
  const ir::Node& e_if = *else_b.nodes()[0];
  CHECK(names(e_if.inputs) == std::vector<std::string>{"cond", "w", "w"});
  CHECK(e_if.implicit_inputs == 2);
  CHECK(e_if.inputs[1] == else_b.captures[1]);
  CHECK(names(e_if.attr_graph("then_branch")->captures) == std::vector<std::string>{"w"});
  CHECK(names(e_if.attr_graph("else_branch")->captures) == std::vector<std::string>{"w"});
}

TEST_CASE("onnx subgraph: body inputs and initializers are local, not captures") {
  GraphB loop_body;
  loop_body.name = "body";
  loop_body.inputs = {value_info("i", type_tensor(7, {})), value_info("c_in", type_tensor(kBool, {})),
                      value_info("x", type_tensor(kFloat, {"2"}))};
  loop_body.initializers = {tensor_raw("k", kFloat, {2}, raw_of<float>({3.f, 4.f}))};
  loop_body.nodes = {node("Mul", {"x", "k"}, {"x_out"}, "m"), node("Identity", {"c_in"}, {"c_out"}, "c")};
  loop_body.outputs = {value_info("c_out"), value_info("x_out")};
  GraphB g;
  // The outer graph also has a value named "k": the body's own initializer wins.
  g.inputs = {value_info("n", type_tensor(7, {})), value_info("x0", type_tensor(kFloat, {"2"})),
              value_info("k", type_tensor(kFloat, {"2"}))};
  g.nodes = {node("Loop", {"n", "", "x0"}, {"xf"}, "loop", {attr_g("body", loop_body.build())})};
  g.outputs = {value_info("xf")};
  auto m = load_bytes(model(g.build()).str());
  const ir::Node& loop = *m->graph->nodes()[0];
  CHECK(loop.implicit_inputs == 0);
  CHECK(names(loop.inputs) == std::vector<std::string>{"n", "<null>", "x0"});
  const ir::Graph& b = *loop.attr_graph("body");
  CHECK(b.captures.empty());
  CHECK(b.find("k")->constant);
  CHECK(b.inputs.size() == 3);
}

TEST_CASE("onnx subgraph: a name found nowhere is reported with the body and node") {
  Msg then_b = body("then", {node("Add", {"a", "nope"}, {"t"}, "bad_add")}, {"t"});
  Msg else_b = body("else", {}, {"a"});
  GraphB g;
  g.inputs = {value_info("cond", type_tensor(kBool, {})), value_info("a", type_tensor(kFloat, {"2"}))};
  g.nodes = {node("If", {"cond"}, {"out"}, "if0",
                  {attr_g("then_branch", then_b), attr_g("else_branch", else_b)})};
  g.outputs = {value_info("out")};
  auto res = test::try_load(model(g.build()).str());
  CHECK(res.status == Status::InvalidModel);
  CHECK_MESSAGE(test::contains(res.message, "then_branch"), res.message);
  CHECK(test::contains(res.message, "'if0'"));
  CHECK(test::contains(res.message, "'bad_add'"));
  CHECK(test::contains(res.message, "'nope'"));
}
