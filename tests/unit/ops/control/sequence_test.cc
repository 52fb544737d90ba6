// Sequence ops through the runtime: chains that start from tensors, build and edit a sequence,
// and end in tensors (SequenceAt, SequenceLength, ConcatFromSequence) the test can compare.
#include <doctest/doctest.h>

#include "control_graph.h"
#include "test_util.h"

namespace ember::test {
namespace {

using namespace ember::test::control;

// Reference concatenation of row-major tensors along `axis` (all other dims equal).
Tensor concat_ref(const std::vector<Tensor>& ts, int64_t axis) {
  Dims shape = ts[0].shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < int64_t(shape.size()); ++d)
    if (d != axis) (d < axis ? outer : inner) *= shape[size_t(d)];
  shape[size_t(axis)] = 0;
  for (const Tensor& t : ts) shape[size_t(axis)] += t.dim(size_t(axis));
  std::vector<double> out;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor& t : ts) {
      const std::vector<double> v = to_doubles(t);
      const int64_t block = t.dim(size_t(axis)) * inner;
      out.insert(out.end(), v.begin() + o * block, v.begin() + (o + 1) * block);
    }
  return make_tensor(ts[0].dtype(), shape, out);
}

}  // namespace

TEST_CASE("control: SequenceConstruct / Insert / Erase / At / Length") {
  auto g = std::make_shared<ir::Graph>();
  g->name = "main";
  ir::Value* a = graph_input(*g, "a", DType::Float32, {2, 3});
  ir::Value* b = graph_input(*g, "b", DType::Float32, {1, 3});
  ir::Value* c = graph_input(*g, "c", DType::Float32, {4, 3});
  ir::Value* pos = graph_input(*g, "pos", DType::Int64, {});
  ir::Value* at = graph_input(*g, "at", DType::Int32, {});
  ir::Value* seq = add_node(*g, "SequenceConstruct", {a, b}, {"seq"})->outputs[0];
  ir::Value* ins = add_node(*g, "SequenceInsert", {seq, c, pos}, {"ins"})->outputs[0];
  ir::Value* er = add_node(*g, "SequenceErase", {ins}, {"er"})->outputs[0];  // drops the last
  graph_output(*g, add_node(*g, "SequenceAt", {ins, at}, {"elem"})->outputs[0]);
  graph_output(*g, add_node(*g, "SequenceLength", {er}, {"len"})->outputs[0]);
  graph_output(*g, add_node(*g, "ConcatFromSequence", {ins}, {"cat"}, {attr_int("axis", 0)})->outputs[0]);
  auto session = make_session(g);
  const Tensor av = random_tensor(DType::Float32, {2, 3}), bv = random_tensor(DType::Float32, {1, 3}),
               cv = random_tensor(DType::Float32, {4, 3});
  // Insert c at every legal position (negative ones too), then read back each element.
  for (int64_t p = -2; p <= 2; ++p) {
    std::vector<Tensor> order = {av, bv};
    order.insert(order.begin() + (p < 0 ? p + 2 : p), cv);
    for (int32_t k = -3; k < 3; ++k) {
      CAPTURE(p);
      CAPTURE(k);
      const auto out = session->run({{"a", av}, {"b", bv}, {"c", cv}, {"pos", Tensor::scalar<int64_t>(p)},
                                     {"at", Tensor::scalar<int32_t>(k)}});
      check_close(out[0], order[size_t(k < 0 ? k + 3 : k)], Tier::Exact);
      check_close(out[1], Tensor::scalar<int64_t>(2), Tier::Exact);
      check_close(out[2], concat_ref(order, 0), Tier::Exact);
    }
  }
  CHECK_THROWS_AS(session->run({{"a", av}, {"b", bv}, {"c", cv}, {"pos", Tensor::scalar<int64_t>(4)},
                                {"at", Tensor::scalar<int32_t>(0)}}),
                  Error);
  CHECK_THROWS_AS(session->run({{"a", av}, {"b", bv}, {"c", cv}, {"pos", Tensor::scalar<int64_t>(0)},
                                {"at", Tensor::scalar<int32_t>(3)}}),
                  Error);
}

TEST_CASE("control: SplitToSequence then ConcatFromSequence round-trips, on every axis") {
  const Dims shape = {3, 7, 5};
  const Tensor x = random_tensor(DType::Float32, shape);
  for (int64_t axis = -3; axis < 3; ++axis) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    // split: none (unit pieces, squeezed or not), scalar chunk 2 (ragged tail), explicit sizes.
    for (int mode = 0; mode < 4; ++mode) {
      CAPTURE(axis);
      CAPTURE(mode);
      auto g = std::make_shared<ir::Graph>();
      g->name = "main";
      ir::Value* xin = graph_input(*g, "x", DType::Float32, shape);
      std::vector<ir::Value*> split_in = {xin};
      runtime::Feeds feeds = {{"x", x}};
      std::vector<ir::Attribute> split_attrs = {attr_int("axis", axis)};
      if (mode == 1) split_attrs.push_back(attr_int("keepdims", 0));
      if (mode == 2) {
        split_in.push_back(graph_input(*g, "split", DType::Int64, {}));
        feeds.emplace_back("split", Tensor::scalar<int64_t>(2));
      }
      if (mode == 3) {
        const int64_t n = shape[size_t(a)];
        split_in.push_back(graph_input(*g, "split", DType::Int64, {2}));
        feeds.emplace_back("split", make_tensor(DType::Int64, {2}, {1, double(n - 1)}));
      }
      ir::Value* seq = add_node(*g, "SplitToSequence", split_in, {"seq"}, split_attrs)->outputs[0];
      std::vector<ir::Attribute> cat_attrs = {attr_int("axis", axis)};
      if (mode == 1) cat_attrs.push_back(attr_int("new_axis", 1));
      graph_output(*g, add_node(*g, "ConcatFromSequence", {seq}, {"y"}, cat_attrs)->outputs[0]);
      graph_output(*g, add_node(*g, "SequenceLength", {seq}, {"n"})->outputs[0]);
      const auto out = run_graph(g, feeds);
      check_close(out[0], x, Tier::Exact);
      const int64_t len = shape[size_t(a)];
      const int64_t pieces = mode == 2 ? (len + 1) / 2 : mode == 3 ? 2 : len;
      check_close(out[1], Tensor::scalar<int64_t>(pieces), Tier::Exact);
    }
  }
}

TEST_CASE("control: SequenceEmpty + SequenceInsert builds a sequence; bad splits are errors") {
  auto g = std::make_shared<ir::Graph>();
  g->name = "main";
  ir::Value* x = graph_input(*g, "x", DType::Int32, {4});
  ir::Value* e = add_node(*g, "SequenceEmpty", {}, {"e"}, {attr_int("dtype", int64_t(DType::Int32))})->outputs[0];
  ir::Value* s1 = add_node(*g, "SequenceInsert", {e, x}, {"s1"})->outputs[0];
  ir::Value* s2 = add_node(*g, "SequenceInsert", {s1, x}, {"s2"})->outputs[0];
  graph_output(*g, add_node(*g, "ConcatFromSequence", {s2}, {"y"}, {attr_int("axis", -1), attr_int("new_axis", 1)})
                       ->outputs[0]);
  const Tensor xv = random_tensor(DType::Int32, {4}, -9, 9);
  const auto out = run_graph(g, {{"x", xv}});
  std::vector<double> want;
  for (double v : to_doubles(xv)) want.insert(want.end(), {v, v});
  check_close(out[0], make_tensor(DType::Int32, {4, 2}, want), Tier::Exact);

  auto bad = std::make_shared<ir::Graph>();
  bad->name = "bad";
  ir::Value* bx = graph_input(*bad, "x", DType::Float32, {5});
  ir::Value* sp = graph_input(*bad, "split", DType::Int64, {2});
  ir::Value* bs = add_node(*bad, "SplitToSequence", {bx, sp}, {"s"})->outputs[0];
  graph_output(*bad, add_node(*bad, "SequenceLength", {bs}, {"n"})->outputs[0]);
  CHECK_THROWS_AS(run_graph(bad, {{"x", random_tensor(DType::Float32, {5})},
                                  {"split", make_tensor(DType::Int64, {2}, {2, 2})}}),
                  Error);
}

}  // namespace ember::test

namespace ember::test {

TEST_CASE("control: Loop carries a sequence across iterations") {
  auto g = std::make_shared<ir::Graph>();
  g->name = "main";
  ir::Value* m = graph_input(*g, "M", DType::Int64, {});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {5});
  ir::Value* empty = add_node(*g, "SequenceEmpty", {}, {"empty"})->outputs[0];
  auto body = std::make_shared<ir::Graph>();
  body->name = "body";
  graph_input(*body, "i", DType::Int64, {});
  ir::Value* c = graph_input(*body, "c", DType::Bool, {});
  ir::Value* s = body->add_value("s");  // a sequence-typed body input
  s->is_input = true;
  s->type.kind = ir::ValueKind::Sequence;
  s->type.dtype = DType::Float32;
  s->type.elem = std::make_shared<ir::TypeInfo>(ir::TypeInfo::tensor_unknown_shape(DType::Float32));
  body->inputs.push_back(s);
  ir::Value* grown = add_node(*body, "SequenceInsert", {s, capture(*body, "x", DType::Float32, {5})}, {"grown"})->outputs[0];
  for (ir::Value* v : {c, grown}) body->outputs.push_back(v);
  ir::Node* loop = add_node(*g, "Loop", {m, nullptr, empty}, {"final"}, {attr_graph("body", body)});
  add_implicit_inputs(*loop, {x});
  ir::Value* stacked = add_node(*g, "ConcatFromSequence", {loop->outputs[0]}, {"stacked"},
                                {attr_int("axis", 0), attr_int("new_axis", 1)})->outputs[0];
  graph_output(*g, stacked);
  auto session = make_session(g);
  const Tensor xv = random_tensor(DType::Float32, {5});
  for (int64_t trips : {1, 4}) {
    CAPTURE(trips);
    std::vector<double> want;
    for (int64_t t = 0; t < trips; ++t) {
      const std::vector<double> v = to_doubles(xv);
      want.insert(want.end(), v.begin(), v.end());
    }
    check_close(session->run({{"M", Tensor::scalar<int64_t>(trips)}, {"x", xv}})[0],
                make_tensor(DType::Float32, {trips, 5}, want), Tier::Exact);
  }
}

}  // namespace ember::test
