// Scan at opset 8: a leading batch axis on every input and output, the scan axis is axis 1,
// `directions` per scan input, and sequence_lens (only full lengths are supported). The body
// inputs are left untyped, so this also covers their typing. References are plain loops.
#include <doctest/doctest.h>

#include <functional>

#include "control_graph.h"
#include "test_util.h"

namespace ember::test {
namespace {

using namespace ember::test::control;
using ir::Graph;

ir::Value* untyped_input(Graph& g, const std::string& name) {
  ir::Value* v = g.add_value(name);
  v->is_input = true;
  g.inputs.push_back(v);
  return v;
}

// Batched running sum: state [B, 2], x [B, T, 2]; body s' = s + row, outputs s' and s'
// (final [B, 2], partials [B, T, 2]). `with_lens` adds the sequence_lens input.
std::shared_ptr<Graph> scan8_sum(int64_t b, int64_t t, int64_t direction, bool with_lens) {
  auto g = std::make_shared<Graph>();
  g->name = "main";
  ir::Value* lens = with_lens ? graph_input(*g, "lens", DType::Int64, {b}) : nullptr;
  ir::Value* init = graph_input(*g, "init", DType::Float32, {b, 2});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {b, t, 2});
  auto body = std::make_shared<Graph>();
  body->name = "body";
  ir::Value* s = untyped_input(*body, "s");
  ir::Value* row = untyped_input(*body, "row");
  ir::Value* next = add_node(*body, "Add", {s, row}, {"next"})->outputs[0];
  body->outputs = {next, next};
  ir::Node* n = add_node(*g, "Scan", {lens, init, x}, {"final", "partials"},
                         {attr_graph("body", body), attr_int("num_scan_inputs", 1), attr_ints("directions", {direction})});
  n->opset = 8;
  for (ir::Value* v : n->outputs) graph_output(*g, v);
  return g;
}

}  // namespace

TEST_CASE("control: Scan-8 sums each batch entry along axis 1, both directions") {
  if (!have_ops({"Add"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  for (int64_t dir : {0, 1})
    for (int64_t b : {1, 3})
      for (int64_t t : {0, 1, 4}) {
        CAPTURE(dir);
        CAPTURE(b);
        CAPTURE(t);
        auto g = scan8_sum(b, t, dir, false);
        auto session = make_session(g);
        const Graph& body = *g->nodes()[0]->attr_graph("body");
        CHECK(body.inputs[0]->type.str() == "float32[2]");
        CHECK(body.inputs[1]->type.str() == "float32[2]");
        CHECK(g->outputs[1]->type.str() == "float32[" + std::to_string(b) + ", " + std::to_string(t) + ", 2]");
        const Tensor init = random_tensor(DType::Float32, {b, 2}), x = random_tensor(DType::Float32, {b, t, 2});
        const std::vector<double> iv = to_doubles(init), xv = to_doubles(x);
        std::vector<double> fin, partial(size_t(b * t * 2));
        for (int64_t e = 0; e < b; ++e) {
          float s[2] = {float(iv[size_t(e * 2)]), float(iv[size_t(e * 2 + 1)])};
          for (int64_t step = 0; step < t; ++step) {
            const int64_t r = dir ? t - 1 - step : step;  // the row read; outputs fill in order
            for (int64_t k = 0; k < 2; ++k) {
              s[k] = s[k] + float(xv[size_t((e * t + r) * 2 + k)]);
              partial[size_t((e * t + step) * 2 + k)] = s[k];
            }
          }
          fin.insert(fin.end(), {s[0], s[1]});
        }
        const auto out = session->run({{"init", init}, {"x", x}});
        check_close(out[0], make_tensor(DType::Float32, {b, 2}, fin), Tier::Exact);
        check_close(out[1], make_tensor(DType::Float32, {b, t, 2}, partial), Tier::Exact);
      }
}

TEST_CASE("control: Scan-8 with an empty batch") {
  if (!have_ops({"Add"})) return;
  const auto out = run_graph(scan8_sum(0, 3, 0, false),
                             {{"init", Tensor(DType::Float32, {0, 2})}, {"x", Tensor(DType::Float32, {0, 3, 2})}});
  CHECK(out[0].shape() == Dims{0, 2});
  CHECK(out[1].shape() == Dims{0, 3, 2});
}

TEST_CASE("control: Scan-8 sequence_lens: full lengths run, shorter ones are refused") {
  if (!have_ops({"Add"})) return;
  auto session = make_session(scan8_sum(2, 3, 0, true));
  const Tensor init = random_tensor(DType::Float32, {2, 2}), x = random_tensor(DType::Float32, {2, 3, 2});
  auto run = [&](std::vector<double> lens) {
    session->run({{"lens", make_tensor(DType::Int64, {2}, lens)}, {"init", init}, {"x", x}});
  };
  CHECK_NOTHROW(run({3, 3}));
  CHECK(status_of([&] { run({3, 2}); }) == Status::Unsupported);
  CHECK(status_of([&] { run({4, 3}); }) == Status::InvalidArgument);
  CHECK(status_of([&] { run({-1, 3}); }) == Status::InvalidArgument);
}

TEST_CASE("control: Scan-8 refuses mismatched batch sizes and a scan input without a scan axis") {
  if (!have_ops({"Add"})) return;
  auto g = std::make_shared<Graph>();
  g->name = "main";
  ir::Value* init = graph_input(*g, "init", DType::Float32, {-1, 2});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {-1, -1, 2});
  auto body = std::make_shared<Graph>();
  body->name = "body";
  ir::Value* s = untyped_input(*body, "s");
  ir::Value* row = untyped_input(*body, "row");
  body->outputs = {add_node(*body, "Add", {s, row}, {"next"})->outputs[0]};
  ir::Node* n = add_node(*g, "Scan", {nullptr, init, x}, {"final"},
                         {attr_graph("body", body), attr_int("num_scan_inputs", 1)});
  n->opset = 8;
  graph_output(*g, n->outputs[0]);
  auto session = make_session(g);
  CHECK_NOTHROW(session->run({{"init", random_tensor(DType::Float32, {2, 2})},
                              {"x", random_tensor(DType::Float32, {2, 5, 2})}}));
  CHECK(status_of([&] {
          session->run({{"init", random_tensor(DType::Float32, {2, 2})}, {"x", random_tensor(DType::Float32, {3, 5, 2})}});
        }) == Status::ShapeMismatch);
}

}  // namespace ember::test
