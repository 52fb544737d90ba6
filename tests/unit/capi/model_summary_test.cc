// FLOP estimates and model summaries (tools/flops.h, tools/model_summary.h) on graphs built
// directly in the IR, checked against MAC counts written out by hand.
#include <doctest/doctest.h>

#ifdef EMBER_HAVE_CLI

#include <sstream>

#include "tools/flops.h"
#include "tools/model_summary.h"

namespace {

using ember::DType;
using ember::ir::Dim;
using ember::ir::Graph;
using ember::ir::Node;
using ember::ir::TypeInfo;

ember::ir::Value* value(Graph& g, const std::string& name, std::vector<Dim> dims) {
  ember::ir::Value* v = g.add_value(name);
  v->type.dtype = DType::Float32;
  v->type.has_shape = true;
  v->type.dims = std::move(dims);
  return v;
}

std::vector<Dim> known(std::initializer_list<int64_t> d) {
  std::vector<Dim> out;
  for (int64_t x : d) out.push_back(Dim::of(x));
  return out;
}

Node* node(Graph& g, const std::string& op, std::vector<ember::ir::Value*> in,
           std::vector<ember::ir::Value*> out) {
  auto n = std::make_unique<Node>();
  n->name = op + std::to_string(g.nodes().size());
  n->op_type = op;
  n->inputs = std::move(in);
  n->outputs = std::move(out);
  return g.add_node(std::move(n));
}

double flops_of(const Node* n) {
  const ember::cli::NodeFlops f = ember::cli::estimate_node_flops(*n);
  REQUIRE(f.modelled);
  REQUIRE_FALSE(f.dynamic);
  return f.flops;
}

}  // namespace

TEST_CASE("capi: FLOP estimates of Conv, ConvTranspose, Gemm, MatMul") {
  Graph g;
  // Conv: every output element sums C * KH * KW products.
  Node* conv = node(g, "Conv", {value(g, "x", known({1, 3, 17, 17})), value(g, "w", known({8, 3, 3, 3}))},
                    {value(g, "y", known({1, 8, 15, 15}))});
  CHECK(flops_of(conv) == 2.0 * (1 * 8 * 15 * 15) * (3 * 3 * 3));
  // Grouped: 4 input channels in 2 groups, so each output sums 2 * 3 * 3.
  Node* grouped = node(g, "Conv", {value(g, "x2", known({1, 4, 7, 7})), value(g, "w2", known({6, 2, 3, 3}))},
                       {value(g, "y2", known({1, 6, 5, 5}))});
  CHECK(flops_of(grouped) == 2.0 * (6 * 5 * 5) * (2 * 3 * 3));
  // ConvTranspose: every input element is scattered through M/group * KH * KW weights.
  Node* convt = node(g, "ConvTranspose",
                     {value(g, "x3", known({1, 4, 5, 5})), value(g, "w3", known({4, 3, 3, 3}))},
                     {value(g, "y3", known({1, 3, 7, 7}))});
  CHECK(flops_of(convt) == 2.0 * (4 * 5 * 5) * (3 * 3 * 3));
  // Gemm with transA: A is [K, M].
  Node* gemm = node(g, "Gemm", {value(g, "a", known({17, 7})), value(g, "b", known({17, 3}))},
                    {value(g, "c", known({7, 3}))});
  ember::ir::Attribute trans;
  trans.name = "transA";
  trans.type = ember::ir::AttrType::Int;
  trans.i = 1;
  gemm->attrs["transA"] = trans;
  CHECK(flops_of(gemm) == 2.0 * 7 * 3 * 17);
  // Batched MatMul.
  Node* mm = node(g, "MatMul", {value(g, "p", known({2, 7, 17})), value(g, "q", known({17, 63}))},
                  {value(g, "r", known({2, 7, 63}))});
  CHECK(flops_of(mm) == 2.0 * 2 * 7 * 63 * 17);

  // A dynamic batch is counted as 1 and reported.
  std::vector<Dim> dyn = known({17});
  dyn.insert(dyn.begin(), Dim{-1, "N"});
  std::vector<Dim> dyn_out = known({3});
  dyn_out.insert(dyn_out.begin(), Dim{-1, "N"});
  Node* dmm = node(g, "MatMul", {value(g, "dx", dyn), value(g, "dw", known({17, 3}))},
                   {value(g, "dy", dyn_out)});
  const ember::cli::NodeFlops f = ember::cli::estimate_node_flops(*dmm);
  CHECK(f.modelled);
  CHECK(f.dynamic);
  CHECK(f.flops == 2.0 * 1 * 3 * 17);
  CHECK(f.symbols == std::set<std::string>{"N"});
  // Not a compute-heavy op.
  Node* relu = node(g, "Relu", {g.find("y")}, {value(g, "z", known({1, 8, 15, 15}))});
  CHECK_FALSE(ember::cli::estimate_node_flops(*relu).modelled);
}

TEST_CASE("capi: model summary counts ops, parameters and FLOPs with a dynamic batch") {
  ember::ir::Model model;
  model.graph = std::make_shared<Graph>();
  Graph& g = *model.graph;
  model.producer_name = "unit";
  model.producer_version = "1.0";
  model.opset_imports[""] = 17;
  std::vector<Dim> dyn = known({17});
  dyn.insert(dyn.begin(), Dim{-1, "N"});
  ember::ir::Value* x = value(g, "x", dyn);
  x->is_input = true;
  g.inputs.push_back(x);
  ember::ir::Value* w = value(g, "w", known({17, 3}));
  w->constant = ember::Tensor::zeros(DType::Float32, {17, 3});
  g.initializers.push_back(w);
  std::vector<Dim> dyn_out = known({3});
  dyn_out.insert(dyn_out.begin(), Dim{-1, "N"});
  ember::ir::Value* y = value(g, "y", dyn_out);
  node(g, "MatMul", {x, w}, {y});
  ember::ir::Value* z = value(g, "z", dyn_out);
  z->is_output = true;
  g.outputs.push_back(z);
  node(g, "Relu", {y}, {z});
  Node* custom = node(g, "Thing", {z}, {value(g, "t", dyn_out)});
  custom->domain = "com.example";

  const ember::cli::ModelSummary s = ember::cli::summarize_model(model);
  CHECK(s.node_count == 3);
  CHECK(s.op_counts.at("MatMul") == 1);
  CHECK(s.op_counts.at("Relu") == 1);
  CHECK(s.op_counts.at("com.example.Thing") == 1);
  CHECK(s.param_count == 51);
  CHECK(s.param_bytes == 204);
  CHECK(s.flops == 2.0 * 1 * 3 * 17);
  CHECK(s.dynamic_flop_nodes == 1);
  CHECK(s.dynamic_symbols == std::set<std::string>{"N"});
  CHECK(s.producer == "unit 1.0");
  std::ostringstream os;
  ember::cli::print_model_summary(s, os);
  CHECK(os.str().find("dynamic dimensions N counted as 1 in 1 node(s)") != std::string::npos);
  CHECK(os.str().find("ai.onnx 17") != std::string::npos);

  CHECK(ember::cli::human_count(714) == "714");
  CHECK(ember::cli::human_count(1234567) == "1.23 M");
  CHECK(ember::cli::human_count(4.1e9) == "4.10 G");
}

#endif  // EMBER_HAVE_CLI
