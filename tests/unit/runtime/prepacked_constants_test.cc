// Constants that only weight prepacking reads (ops::Kernel::prepacked_input): the plan binds no
// slot for them and a session that owns its model frees them once packed. Checked: which
// constants go (every reader prepacked them) and which stay (another reader, a graph output, a
// caller still holding the model), and that the outputs do not change, against a naive
// product in double and a session that kept every constant. Random inputs (seed printed).
#include <doctest/doctest.h>

#include "runtime/plan.h"
#include "runtime/session.h"
#include "test_util.h"

using namespace ember;

namespace {

constexpr int64_t kN = 20;

struct Chain {
  std::shared_ptr<ir::Model> model;
  Tensor x, wa, wb, wc;
};

ir::Value* add_node(ir::Graph& g, const std::string& op, std::vector<ir::Value*> in, const std::string& out,
                    std::map<std::string, ir::Attribute> attrs = {}) {
  ir::Value* v = g.add_value(out);
  auto nd = std::make_unique<ir::Node>();
  nd->name = out + "_node";
  nd->op_type = op;
  nd->opset = 17;
  nd->inputs = std::move(in);
  nd->outputs = {v};
  nd->attrs = std::move(attrs);
  g.add_node(std::move(nd));
  return v;
}

// y = MatMul(h3, Wc) + Wc with h3 = Gemm(MatMul(x, Wa), Wb^T) * Wb, all [20, 20]: Wa is read
// by one MatMul, Wb by a Gemm (transB) and a MatMul, Wc by a MatMul and an Add (which reads it
// at run time). Optionally Wb is also a graph output.
Chain chain(bool wb_is_output) {
  Chain c;
  c.x = test::random_tensor(DType::Float32, {kN, kN});
  c.wa = test::random_tensor(DType::Float32, {kN, kN}, -0.3, 0.3);
  c.wb = test::random_tensor(DType::Float32, {kN, kN}, -0.3, 0.3);
  c.wc = test::random_tensor(DType::Float32, {kN, kN}, -0.3, 0.3);
  c.model = std::make_shared<ir::Model>();
  c.model->opset_imports[""] = 17;
  c.model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *c.model->graph;
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type = ir::TypeInfo::tensor(DType::Float32, {kN, kN});
  g.inputs.push_back(x);
  auto weight = [&](const std::string& name, const Tensor& t) {
    ir::Value* w = g.add_value(name);
    w->constant = t.clone();
    g.initializers.push_back(w);
    return w;
  };
  ir::Value* wa = weight("Wa", c.wa);
  ir::Value* wb = weight("Wb", c.wb);
  ir::Value* wc = weight("Wc", c.wc);
  ir::Value* h1 = add_node(g, "MatMul", {x, wa}, "h1");
  ir::Value* h2 = add_node(g, "Gemm", {h1, wb}, "h2", {{"transB", test::attr_int("transB", 1)}});
  ir::Value* h3 = add_node(g, "MatMul", {h2, wb}, "h3");
  ir::Value* h4 = add_node(g, "MatMul", {h3, wc}, "h4");
  ir::Value* y = add_node(g, "Add", {h4, wc}, "y");
  y->is_output = true;
  g.outputs.push_back(y);
  if (wb_is_output) {
    wb->is_output = true;
    g.outputs.push_back(wb);
  }
  return c;
}

// The same chain in double, straight from the definition.
std::vector<double> naive(const Chain& c) {
  const auto x = test::to_doubles(c.x), a = test::to_doubles(c.wa), b = test::to_doubles(c.wb),
             w = test::to_doubles(c.wc);
  auto mm = [](const std::vector<double>& p, const std::vector<double>& q, bool tq) {
    std::vector<double> r(size_t(kN * kN), 0.0);
    for (int64_t i = 0; i < kN; ++i)
      for (int64_t j = 0; j < kN; ++j)
        for (int64_t k = 0; k < kN; ++k) r[size_t(i * kN + j)] += p[size_t(i * kN + k)] * q[size_t(tq ? j * kN + k : k * kN + j)];
    return r;
  };
  std::vector<double> y = mm(mm(mm(mm(x, a, false), b, true), b, false), w, false);
  for (size_t i = 0; i < y.size(); ++i) y[i] += w[i];
  return y;
}

runtime::SessionOptions native_options(int threads) {
  runtime::SessionOptions o;
  o.threads = threads;
  o.optimization = 0;  // no fusion: the plan sees the nodes as built above
  o.cpu_backend = "native";
  return o;
}

bool has_constant(const runtime::Session& s, const char* name) {
  return s.model().graph->find(name)->constant.has_value();
}

}  // namespace

TEST_CASE("prepacked constants: freed when only prepacking reads them, kept otherwise; outputs unchanged") {
  for (int threads : {1, 2})
    for (bool wb_is_output : {false, true}) {
      CAPTURE(threads);
      CAPTURE(wb_is_output);
      Chain c = chain(wb_is_output);
      const std::vector<double> want = naive(c);
      auto owned = runtime::Session::from_model(std::move(c.model), native_options(threads));
      // Wa (one MatMul) and, unless it is an output, Wb (Gemm + MatMul) are only packed.
      CHECK(owned->plan_stats().prepacked_only_constants == (wb_is_output ? 1u : 2u));
      CHECK(owned->plan_stats().prepacked_only_bytes == (wb_is_output ? 1u : 2u) * kN * kN * sizeof(float));
      CHECK_FALSE(has_constant(*owned, "Wa"));
      CHECK(has_constant(*owned, "Wb") == wb_is_output);
      CHECK(has_constant(*owned, "Wc"));  // the Add reads it at run time

      // A caller that keeps the model keeps its constants; the plan still binds none of them.
      Chain k = chain(wb_is_output);
      k.x = c.x;
      k.model->graph->find("Wa")->constant = c.wa.clone();
      k.model->graph->find("Wb")->constant = c.wb.clone();
      k.model->graph->find("Wc")->constant = c.wc.clone();
      auto kept = runtime::Session::from_model(k.model, native_options(threads));
      CHECK(has_constant(*kept, "Wa"));
      CHECK(has_constant(*kept, "Wb"));
      CHECK(kept->plan_stats().prepacked_only_constants == owned->plan_stats().prepacked_only_constants);

      for (int run = 0; run < 2; ++run) {  // a second run: nothing was lost after the first
        const std::vector<Tensor> got = owned->run({{"x", c.x}});
        const std::vector<Tensor> ref = kept->run({{"x", c.x}});
        REQUIRE(got.size() == (wb_is_output ? 2u : 1u));
        test::check_close(got[0], ref[0], test::Tier::Exact);
        const std::vector<double> g = test::to_doubles(got[0]);
        for (size_t i = 0; i < want.size(); ++i) CHECK(std::abs(g[i] - want[i]) <= 1e-4 * (1.0 + std::abs(want[i])));
        if (wb_is_output) test::check_close(got[1], c.wb, test::Tier::Exact);
      }
    }
}

TEST_CASE("prepacked constants: a Conv weight is freed once packed; outputs unchanged") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const Tensor x = test::random_tensor(DType::Float32, {1, 3, 9, 9});
    const Tensor w = test::random_tensor(DType::Float32, {5, 3, 3, 3}, -0.3, 0.3);
    auto build = [&] {
      auto m = std::make_shared<ir::Model>();
      m->opset_imports[""] = 17;
      m->graph = std::make_shared<ir::Graph>();
      ir::Graph& g = *m->graph;
      ir::Value* xv = g.add_value("x");
      xv->is_input = true;
      xv->type = ir::TypeInfo::tensor(DType::Float32, {1, 3, 9, 9});
      g.inputs.push_back(xv);
      ir::Value* wv = g.add_value("W");
      wv->constant = w.clone();
      g.initializers.push_back(wv);
      ir::Value* y = add_node(g, "Conv", {xv, wv}, "y", {{"pads", test::attr_ints("pads", {1, 1, 1, 1})}});
      y->is_output = true;
      g.outputs.push_back(y);
      return m;
    };
    auto owned = runtime::Session::from_model(build(), native_options(threads));
    CHECK(owned->plan_stats().prepacked_only_constants == 1u);
    CHECK_FALSE(has_constant(*owned, "W"));
    auto kept_model = build();
    auto kept = runtime::Session::from_model(kept_model, native_options(threads));
    CHECK(has_constant(*kept, "W"));
    test::check_close(owned->run({{"x", x}})[0], kept->run({{"x", x}})[0], test::Tier::Exact);
  }
}
