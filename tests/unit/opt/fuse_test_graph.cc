#include "opt/fuse_test_graph.h"

#include <doctest/doctest.h>

#include "runtime/session.h"

namespace ember::test {

FusionGraph::FusionGraph(uint64_t seed, int opset) : gen(seed) {
  model = std::make_shared<ir::Model>();
  model->ir_version = 8;
  model->opset_imports[""] = opset;
  model->opset_imports["ai.ember"] = 1;
  model->graph = std::make_shared<ir::Graph>();
  model->graph->name = "fusion_test";
}

ir::Value* FusionGraph::input(const std::string& name, const Dims& shape) { return input(name, shape, {}); }

ir::Value* FusionGraph::input(const std::string& name, const Dims& shape, const std::vector<std::string>& symbols) {
  ir::Value* v = model->graph->add_value(name);
  v->type = ir::TypeInfo::tensor(DType::Float32, shape);
  for (size_t i = 0; i < symbols.size() && i < shape.size(); ++i)
    if (!symbols[i].empty()) v->type.dims[i] = ir::Dim{-1, symbols[i]};
  v->is_input = true;
  model->graph->inputs.push_back(v);
  feed_shapes[name] = shape;
  return v;
}

ir::Value* FusionGraph::constant(const std::string& name, Tensor t) {
  ir::Value* v = model->graph->add_value(name + "_" + std::to_string(counter_++));
  v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
  v->constant = std::move(t);
  model->graph->initializers.push_back(v);
  return v;
}

ir::Value* FusionGraph::weight(const std::string& name, const Dims& shape, double lo, double hi) {
  Tensor t(DType::Float32, shape);
  std::uniform_real_distribution<double> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = float(d(gen));
  return constant(name, std::move(t));
}

ir::Value* FusionGraph::scalar(float v) { return constant("scalar", Tensor::scalar<float>(v)); }

ir::Value* FusionGraph::ints(const std::vector<int64_t>& v) {
  Tensor t(DType::Int64, {int64_t(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return constant("ints", std::move(t));
}

std::vector<ir::Value*> FusionGraph::op_n(const std::string& op_type, const std::vector<ir::Value*>& inputs,
                                           const std::vector<ir::Attribute>& attrs, size_t n) {
  auto node = std::make_unique<ir::Node>();
  node->name = op_type + "_" + std::to_string(counter_++);
  node->op_type = op_type;
  node->opset = model->opset_imports[""];
  node->inputs = inputs;
  for (const ir::Attribute& a : attrs) node->attrs[a.name] = a;
  std::vector<ir::Value*> outs;
  for (size_t i = 0; i < n; ++i) outs.push_back(model->graph->add_value(node->name + "_out" + std::to_string(i)));
  node->outputs = outs;
  model->graph->add_node(std::move(node));
  return outs;
}

ir::Value* FusionGraph::op(const std::string& op_type, const std::vector<ir::Value*>& inputs,
                            const std::vector<ir::Attribute>& attrs, const std::string& domain) {
  ir::Value* v = op_n(op_type, inputs, attrs, 1)[0];
  ir::Node* n = model->graph->nodes().back().get();
  n->domain = domain;
  if (!domain.empty()) n->opset = model->opset_imports[domain];
  return v;
}

void FusionGraph::output(ir::Value* v) {
  v->is_output = true;
  model->graph->outputs.push_back(v);
}

namespace {

// Infers types the way every session does (a session at optimization 0 runs no passes).
void infer(const std::shared_ptr<ir::Model>& model) {
  model->graph->topo_sort();
  runtime::SessionOptions o;
  o.optimization = 0;
  o.threads = 1;
  runtime::Session::from_model(model, o);
  model->graph->rebuild_uses();
}

}  // namespace

std::vector<std::string> apply_passes(const std::shared_ptr<ir::Model>& model,
                                      const std::vector<std::unique_ptr<opt::Pass>>& passes) {
  std::vector<std::string> applied;
  opt::PassContext ctx{3, model.get()};
  for (int round = 0; round < 50; ++round) {
    bool changed = false;
    for (const auto& p : passes) {
      infer(model);
      for (opt::Rewrite& r : p->find(*model->graph, ctx)) {
        r.apply(*model->graph);
        applied.push_back(r.label);
        changed = true;
      }
    }
    if (!changed) break;
  }
  infer(model);
  return applied;
}

std::map<std::string, int> op_counts(const ir::Graph& g) {
  std::map<std::string, int> c;
  for (const auto& n : g.nodes()) ++c[n->domain.empty() ? n->op_type : n->domain + "." + n->op_type];
  return c;
}

std::vector<std::unique_ptr<opt::Pass>> passes_of(std::unique_ptr<opt::Pass> p) {
  std::vector<std::unique_ptr<opt::Pass>> v;
  v.push_back(std::move(p));
  return v;
}

FusionResult check_fusion(const BuildFn& build, std::vector<std::unique_ptr<opt::Pass>> passes, Tier tier, int64_t k,
                          double lo, double hi) {
  const uint64_t s = seed();
  FusionGraph ref(s), fused(s), full(s);
  build(ref);
  build(fused);
  build(full);
  FusionResult r;
  r.before = op_counts(*fused.model->graph);
  r.applied = apply_passes(fused.model, passes);
  r.after = op_counts(*fused.model->graph);
  r.fused = fused.model;

  runtime::Feeds feeds;
  for (const ir::Value* in : ref.model->graph->inputs)
    feeds.emplace_back(in->name, random_tensor(DType::Float32, ref.feed_shapes.at(in->name), lo, hi));
  runtime::SessionOptions o0;
  o0.optimization = 0;
  o0.threads = 2;
  runtime::SessionOptions o3 = o0;
  o3.optimization = 3;
  const std::vector<Tensor> want = runtime::Session::from_model(ref.model, o0)->run(feeds);
  const std::vector<Tensor> got = runtime::Session::from_model(fused.model, o0)->run(feeds);
  const std::vector<Tensor> got3 = runtime::Session::from_model(full.model, o3)->run(feeds);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("output " << i << " (fused by the pass under test)");
    check_close_to_scale(got[i], want[i], tier, k);
  }
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("output " << i << " (session at optimization 3)");
    check_close_to_scale(got3[i], want[i], tier, k);
  }
  return r;
}

}  // namespace ember::test
