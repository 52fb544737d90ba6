// If / Loop / Scan through the whole runtime, on small graphs built here. References are
// computed by plain loops in the test.
#include <doctest/doctest.h>

#include "control_graph.h"
#include "test_util.h"

namespace ember::test {
namespace {

using namespace ember::test::control;
using ir::Graph;

Tensor scalar_f(float v) { return Tensor::scalar<float>(v); }

// Elementwise a (+ or -) b on doubles, as a float32 tensor of `shape`.
Tensor combine(const Tensor& a, const Tensor& b, double sign) {
  std::vector<double> x = to_doubles(a), y = to_doubles(b);
  for (size_t i = 0; i < x.size(); ++i) x[i] = sign > 0 ? x[i] + y[i] : y[i] - x[i];
  return make_tensor(DType::Float32, a.shape(), x);
}

}  // namespace

TEST_CASE("control: If picks a branch; captures are wired by name") {
  if (!have_ops({"Add", "Sub"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  auto g = new_graph("main");
  ir::Value* cond = graph_input(*g, "cond", DType::Bool, {});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {3, 7});
  ir::Value* y = graph_input(*g, "y", DType::Float32, {3, 7});
  auto then_b = new_graph("then");
  ir::Node* add = add_node(*then_b, "Add",
                           {capture(*then_b, "x", DType::Float32, {3, 7}), capture(*then_b, "y", DType::Float32, {3, 7})},
                           {"sum"});
  graph_output(*then_b, add->outputs[0]);
  // The else branch lists its captures in the other order: y - x must not become x - y.
  auto else_b = new_graph("else");
  ir::Value* ey = capture(*else_b, "y", DType::Float32, {3, 7});
  ir::Value* ex = capture(*else_b, "x", DType::Float32, {3, 7});
  ir::Node* sub = add_node(*else_b, "Sub", {ey, ex}, {"diff"});
  graph_output(*else_b, sub->outputs[0]);
  ir::Node* n = add_node(*g, "If", {cond}, {"out"}, {attr_graph("then_branch", then_b), attr_graph("else_branch", else_b)});
  // As the ONNX importer does it: each body's captures in turn, bodies in attribute-name order.
  add_implicit_inputs(*n, {y, x, x, y});
  graph_output(*g, n->outputs[0]);

  auto session = make_session(g);
  CHECK(session->outputs()[0].type.str() == "float32[3, 7]");
  const Tensor xv = random_tensor(DType::Float32, {3, 7}), yv = random_tensor(DType::Float32, {3, 7});
  for (bool c : {true, false}) {
    CAPTURE(c);
    const auto out = session->run({{"cond", Tensor::scalar<bool>(c)}, {"x", xv}, {"y", yv}});
    check_close(out[0], combine(xv, yv, c ? 1 : -1), Tier::Close);
  }
}

TEST_CASE("control: If branches with different shapes; bad condition") {
  auto g = new_graph("main");
  ir::Value* cond = graph_input(*g, "cond", DType::Bool, {});
  ir::Value* a = graph_input(*g, "a", DType::Float32, {2, 3});
  ir::Value* b = graph_input(*g, "b", DType::Float32, {5});
  // Branch outputs are the captured values themselves: no op inside, so this runs in any build.
  auto then_b = new_graph("then");
  graph_output(*then_b, capture(*then_b, "a", DType::Float32, {2, 3}));
  auto else_b = new_graph("else");
  graph_output(*else_b, capture(*else_b, "b", DType::Float32, {5}));
  ir::Node* n = add_node(*g, "If", {cond}, {"out"}, {attr_graph("then_branch", then_b), attr_graph("else_branch", else_b)});
  add_implicit_inputs(*n, {b, a});  // else_branch's captures, then then_branch's
  graph_output(*g, n->outputs[0]);
  auto session = make_session(g);
  CHECK_FALSE(session->outputs()[0].type.has_shape);  // [2, 3] vs [5]: rank unknown
  CHECK(session->outputs()[0].type.dtype == DType::Float32);
  const Tensor av = random_tensor(DType::Float32, {2, 3}), bv = random_tensor(DType::Float32, {5});
  check_close(session->run({{"cond", Tensor::scalar<bool>(true)}, {"a", av}, {"b", bv}})[0], av, Tier::Exact);
  check_close(session->run({{"cond", Tensor::scalar<bool>(false)}, {"a", av}, {"b", bv}})[0], bv, Tier::Exact);
}

namespace {

// Loop(M, cond, init) with body: s += step (capture); outputs cond, s, and scans s and i.
std::shared_ptr<Graph> running_sum_loop(bool with_m, bool with_cond) {
  auto g = new_graph("main");
  ir::Value* m = with_m ? graph_input(*g, "M", DType::Int64, {}) : nullptr;
  ir::Value* cond = with_cond ? graph_input(*g, "cond", DType::Bool, {}) : nullptr;
  ir::Value* init = graph_input(*g, "init", DType::Float32, {2});
  ir::Value* step = graph_input(*g, "step", DType::Float32, {2});
  auto body = new_graph("body");
  ir::Value* i = graph_input(*body, "i", DType::Int64, {});
  ir::Value* c = graph_input(*body, "c", DType::Bool, {});
  ir::Value* s = graph_input(*body, "s", DType::Float32, {2});
  ir::Node* add = add_node(*body, "Add", {s, capture(*body, "step", DType::Float32, {2})}, {"s_next"});
  for (ir::Value* v : {c, add->outputs[0], add->outputs[0], i}) body->outputs.push_back(v);
  ir::Node* n = add_node(*g, "Loop", {m, cond, init}, {"final", "scan_s", "scan_i"}, {attr_graph("body", body)});
  add_implicit_inputs(*n, {step});
  for (ir::Value* v : n->outputs) graph_output(*g, v);
  return g;
}

}  // namespace

TEST_CASE("control: Loop running sum with scan outputs, including zero iterations") {
  if (!have_ops({"Add"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  auto session = make_session(running_sum_loop(true, true));
  const Tensor init = random_tensor(DType::Float32, {2}), step = random_tensor(DType::Float32, {2});
  const std::vector<double> iv = to_doubles(init), sv = to_doubles(step);
  for (int64_t trips : {0, 1, 7}) {
    CAPTURE(trips);
    const auto out = session->run(
        {{"M", Tensor::scalar<int64_t>(trips)}, {"cond", Tensor::scalar<bool>(true)}, {"init", init}, {"step", step}});
    // The reference adds in float, exactly as the body does.
    std::vector<float> s(iv.begin(), iv.end());
    std::vector<double> rows, idx;
    for (int64_t t = 0; t < trips; ++t) {
      for (size_t k = 0; k < 2; ++k) s[k] = s[k] + float(sv[k]);
      rows.insert(rows.end(), s.begin(), s.end());
      idx.push_back(double(t));
    }
    check_close(out[0], make_tensor(DType::Float32, {2}, {s[0], s[1]}), Tier::Exact);
    check_close(out[1], make_tensor(DType::Float32, {trips, 2}, rows), Tier::Exact);
    check_close(out[2], make_tensor(DType::Int64, {trips}, idx), Tier::Exact);
  }
  // A false initial condition runs the body zero times even with M > 0.
  const auto out = session->run(
      {{"M", Tensor::scalar<int64_t>(3)}, {"cond", Tensor::scalar<bool>(false)}, {"init", init}, {"step", step}});
  check_close(out[0], init, Tier::Exact);
  CHECK(out[1].shape() == Dims{0, 2});
  // Only M given: a for loop.
  const auto for_only = run_graph(running_sum_loop(true, false),
                                  {{"M", Tensor::scalar<int64_t>(2)}, {"init", init}, {"step", step}});
  CHECK(for_only[1].shape() == Dims{2, 2});
  // Neither M nor cond: would never end, refused.
  CHECK_THROWS_AS(run_graph(running_sum_loop(false, false), {{"init", init}, {"step", step}}), Error);
}

TEST_CASE("control: Loop as a while loop stops on the body's condition") {
  if (!have_ops({"Add", "Less"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  auto g = new_graph("main");
  ir::Value* cond = graph_input(*g, "cond", DType::Bool, {});
  ir::Value* c0 = graph_input(*g, "c0", DType::Float32, {});
  ir::Value* one = graph_input(*g, "one", DType::Float32, {});
  ir::Value* limit = graph_input(*g, "limit", DType::Float32, {});
  auto body = new_graph("body");
  graph_input(*body, "i", DType::Int64, {});
  graph_input(*body, "c_in", DType::Bool, {});
  ir::Value* c = graph_input(*body, "c", DType::Float32, {});
  // Captures listed in the order the importer would find them: limit is used last.
  ir::Value* b_one = capture(*body, "one", DType::Float32, {});
  ir::Value* b_limit = capture(*body, "limit", DType::Float32, {});
  ir::Value* next = add_node(*body, "Add", {c, b_one}, {"next"})->outputs[0];
  ir::Value* go = add_node(*body, "Less", {next, b_limit}, {"go"})->outputs[0];
  for (ir::Value* v : {go, next, next}) body->outputs.push_back(v);
  ir::Node* n = add_node(*g, "Loop", {nullptr, cond, c0}, {"final", "trace"}, {attr_graph("body", body)});
  add_implicit_inputs(*n, {one, limit});
  for (ir::Value* v : n->outputs) graph_output(*g, v);
  auto session = make_session(g);
  auto out = session->run({{"cond", Tensor::scalar<bool>(true)}, {"c0", scalar_f(0)}, {"one", scalar_f(1)},
                           {"limit", scalar_f(3.5f)}});
  check_close(out[0], scalar_f(4), Tier::Exact);
  check_close(out[1], make_tensor(DType::Float32, {4}, {1, 2, 3, 4}), Tier::Exact);
  out = session->run({{"cond", Tensor::scalar<bool>(false)}, {"c0", scalar_f(0)}, {"one", scalar_f(1)},
                      {"limit", scalar_f(3.5f)}});
  check_close(out[0], scalar_f(0), Tier::Exact);
  CHECK(out[1].shape() == Dims{0});
}

namespace {

struct ScanCase {
  int64_t in_axis, in_dir, out_axis, out_dir;
};

// Scan with one state (running row sum) and one scan input of `len` rows of width 4.
std::shared_ptr<Graph> row_sum_scan(const ScanCase& sc, int64_t len) {
  const Dims x_shape = (sc.in_axis == 0) ? Dims{len, 4} : Dims{4, len};
  auto g = new_graph("main");
  ir::Value* init = graph_input(*g, "init", DType::Float32, {4});
  ir::Value* x = graph_input(*g, "x", DType::Float32, x_shape);
  auto body = new_graph("body");
  ir::Value* s = graph_input(*body, "s", DType::Float32, {4});
  ir::Value* row = graph_input(*body, "row", DType::Float32, {4});
  ir::Value* next = add_node(*body, "Add", {s, row}, {"next"})->outputs[0];
  for (ir::Value* v : {next, next}) body->outputs.push_back(v);
  ir::Node* n = add_node(*g, "Scan", {init, x}, {"final", "partials"},
                         {attr_graph("body", body), attr_int("num_scan_inputs", 1),
                          attr_ints("scan_input_axes", {sc.in_axis}), attr_ints("scan_input_directions", {sc.in_dir}),
                          attr_ints("scan_output_axes", {sc.out_axis}),
                          attr_ints("scan_output_directions", {sc.out_dir})});
  for (ir::Value* v : n->outputs) graph_output(*g, v);
  return g;
}

}  // namespace

TEST_CASE("control: Scan sums rows along any axis and direction") {
  if (!have_ops({"Add"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  const ScanCase cases[] = {{0, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}, {-1, 0, -1, 0}, {1, 0, 0, 1}};
  for (const ScanCase& sc : cases) {
    for (int64_t len : {0, 1, 7}) {
      CAPTURE(sc.in_axis);
      CAPTURE(sc.in_dir);
      CAPTURE(sc.out_axis);
      CAPTURE(sc.out_dir);
      CAPTURE(len);
      const bool rows_first = sc.in_axis == 0;
      const Tensor init = random_tensor(DType::Float32, {4});
      const Tensor x = random_tensor(DType::Float32, rows_first ? Dims{len, 4} : Dims{4, len});
      const std::vector<double> xv = to_doubles(x), iv = to_doubles(init);
      // Reference: walk the rows in scan order, record each partial sum at its output slot.
      std::vector<float> s(iv.begin(), iv.end());
      const bool out_rows_first = sc.out_axis == 0;
      std::vector<double> partial(size_t(len * 4));
      for (int64_t t = 0; t < len; ++t) {
        const int64_t r = sc.in_dir ? len - 1 - t : t;
        const int64_t p = sc.out_dir ? len - 1 - t : t;
        for (int64_t k = 0; k < 4; ++k) {
          s[size_t(k)] = s[size_t(k)] + float(xv[size_t(rows_first ? r * 4 + k : k * len + r)]);
          partial[size_t(out_rows_first ? p * 4 + k : k * len + p)] = s[size_t(k)];
        }
      }
      const auto out = run_graph(row_sum_scan(sc, len), {{"init", init}, {"x", x}});
      check_close(out[0], make_tensor(DType::Float32, {4}, {s[0], s[1], s[2], s[3]}), Tier::Exact);
      check_close(out[1], make_tensor(DType::Float32, out_rows_first ? Dims{len, 4} : Dims{4, len}, partial),
                  Tier::Exact);
    }
  }
}

TEST_CASE("control: Scan rejects mismatched scan lengths") {
  if (!have_ops({"Add"})) {
    MESSAGE("skipped: needs the elementwise ops (EMBER_ONLY_OPS build)");
    return;
  }
  auto g = new_graph("main");
  ir::Value* init = graph_input(*g, "init", DType::Float32, {4});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {3, 4});
  ir::Value* y = graph_input(*g, "y", DType::Float32, {-1, 4});
  auto body = new_graph("body");
  ir::Value* s = graph_input(*body, "s", DType::Float32, {4});
  ir::Value* rx = graph_input(*body, "rx", DType::Float32, {4});
  graph_input(*body, "ry", DType::Float32, {4});
  body->outputs.push_back(add_node(*body, "Add", {s, rx}, {"next"})->outputs[0]);
  ir::Node* n = add_node(*g, "Scan", {init, x, y}, {"final"}, {attr_graph("body", body), attr_int("num_scan_inputs", 2)});
  graph_output(*g, n->outputs[0]);
  auto session = make_session(g);
  CHECK_NOTHROW(session->run({{"init", random_tensor(DType::Float32, {4})}, {"x", random_tensor(DType::Float32, {3, 4})},
                              {"y", random_tensor(DType::Float32, {3, 4})}}));
  CHECK_THROWS_AS(session->run({{"init", random_tensor(DType::Float32, {4})}, {"x", random_tensor(DType::Float32, {3, 4})},
                                {"y", random_tensor(DType::Float32, {5, 4})}}),
                  Error);
}

}  // namespace ember::test
