// Optional, OptionalHasElement and OptionalGetElement through the runtime: wrapping a tensor
// and unwrapping it again, and an empty optional (from the 'type' attribute) whose element
// is asked for, which must be a clear error.
#include <doctest/doctest.h>

#include "control_graph.h"
#include "support/error.h"
#include "test_util.h"

namespace ember::test {

using namespace ember::test::control;

TEST_CASE("control: Optional wraps and OptionalGetElement unwraps; an empty optional is an error") {
  auto g = std::make_shared<ir::Graph>();
  g->name = "main";
  ir::Value* x = graph_input(*g, "x", DType::Float32, {3});
  ir::Value* opt = add_node(*g, "Optional", {x}, {"opt"})->outputs[0];
  graph_output(*g, add_node(*g, "OptionalGetElement", {opt}, {"back"})->outputs[0]);
  graph_output(*g, add_node(*g, "OptionalHasElement", {opt}, {"has"})->outputs[0]);
  const Tensor xv = random_tensor(DType::Float32, {3});
  auto out = run_graph(g, {{"x", xv}});
  check_close(out[0], xv, Tier::Exact);
  CHECK(to_doubles(out[1]) == std::vector<double>{1});

  auto e = std::make_shared<ir::Graph>();
  e->name = "empty";
  ir::Attribute type;
  type.name = "type";
  type.type = ir::AttrType::TypeProto;
  type.type_proto = ir::TypeInfo::tensor_unknown_shape(DType::Float32);
  ir::Value* none = add_node(*e, "Optional", {}, {"none"}, {type})->outputs[0];
  graph_output(*e, add_node(*e, "OptionalGetElement", {none}, {"elem"})->outputs[0]);
  CHECK_THROWS_AS(run_graph(e, {}), Error);
}

}  // namespace ember::test
