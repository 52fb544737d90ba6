#include "native_check.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "backends/cpu/native_registry.h"
#include "ops/eager.h"
#include "ops/graph_inference.h"
#include "runtime/session.h"

namespace ember::test {
namespace {

struct Built {
  std::shared_ptr<ir::Model> model;
  ir::Node* node = nullptr;
  runtime::Feeds feeds;
};

Built build(const NativeCase& c) {
  Built b;
  b.model = std::make_shared<ir::Model>();
  b.model->ir_version = 8;
  b.model->opset_imports[""] = 17;
  if (!c.domain.empty()) b.model->opset_imports[c.domain] = c.opset;
  else b.model->opset_imports[""] = c.opset;
  b.model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *b.model->graph;
  g.name = "native_" + c.op_type;
  auto node = std::make_unique<ir::Node>();
  node->name = c.op_type + "_under_test";
  node->op_type = c.op_type;
  node->domain = c.domain;
  node->opset = c.opset;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    if (!c.inputs[i].defined()) {
      node->inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = g.add_value("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor(c.inputs[i].dtype(), c.inputs[i].shape());
    if (std::find(c.constant_inputs.begin(), c.constant_inputs.end(), i) != c.constant_inputs.end()) {
      v->constant = c.inputs[i];
      g.initializers.push_back(v);
    } else {
      v->is_input = true;
      g.inputs.push_back(v);
      b.feeds.emplace_back(v->name, c.inputs[i]);
    }
    node->inputs.push_back(v);
  }
  for (size_t i = 0; i < c.outputs; ++i) {
    ir::Value* out = g.add_value(i ? "out" + std::to_string(i) : "out");
    out->is_output = true;
    g.outputs.push_back(out);
    node->outputs.push_back(out);
  }
  for (const ir::Attribute& a : c.attrs) node->attrs[a.name] = a;
  b.node = node.get();
  g.add_node(std::move(node));
  return b;
}

std::vector<Tensor> reference(const NativeCase& c) {
  Built b = build(c);
  const ops::OpSchema* schema = ops::OpRegistry::global().find(c.op_type, c.domain, c.opset);
  REQUIRE_MESSAGE(schema, "no reference schema for ", c.op_type);
  std::vector<ops::RtValue> values(c.inputs.size());
  std::vector<const ops::RtValue*> ptrs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    values[i].tensor = c.inputs[i];
    values[i].is_none = !c.inputs[i].defined();
    ptrs.push_back(c.inputs[i].defined() ? &values[i] : nullptr);
  }
  ThreadPool pool(1);
  std::vector<Tensor> out;
  for (const ops::RtValue& v : ops::run_node_eagerly(*b.node, *schema, ptrs, pool)) out.push_back(v.tensor);
  return out;
}

}  // namespace

std::string native_kernel_name(const NativeCase& c, int threads) {
  Built b = build(c);
  // Types inferred as the session's plan sees them: kernels choose their form from known shapes.
  ops::infer_graph(*b.model->graph, ops::OpRegistry::global());
  auto k = backends::make_native_kernel(*b.node, runtime::BackendOptions{"auto", threads});
  return k ? k->name() : "";
}

std::string check_native(const NativeCase& c, int threads, int64_t k, Tier tier) {
  const std::string name = native_kernel_name(c, threads);
  Built b = build(c);
  runtime::SessionOptions opts;
  opts.threads = threads;
  opts.cpu_backend = "native";  // never a oneDNN kernel picked by "auto": this tests ours
  auto session = runtime::Session::from_model(b.model, opts);
  const std::vector<Tensor> got = session->run(b.feeds);
  const std::vector<Tensor> want = reference(c);
  INFO("native kernel '", name, "', threads ", threads, ", seed ", seed());
  REQUIRE(got.size() == c.outputs);
  REQUIRE(want.size() >= c.outputs);
  for (size_t i = 0; i < c.outputs; ++i) {
    CAPTURE(i);
    check_close(got[i], want[i], tier, k, 1e-5);
  }
  return name;
}

Tensor uniform(const Dims& shape, double scale) { return random_tensor(DType::Float32, shape, -scale, scale); }

}  // namespace ember::test
