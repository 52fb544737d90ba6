// Round trip of a small hand-encoded model into IR: value types, attributes of every kind,
// initializers, optional (empty) names, generated node names, opset per node, topo order.
#include <doctest/doctest.h>

#include "onnx_test_helpers.h"
#include "proto_builder.h"

using namespace ember;
using namespace ember::test::pb;
using ember::test::load_bytes;

namespace {

constexpr int kFloat = 1, kInt64 = 7, kInt32 = 6;

// A subgraph with its own input and output and no outer references.
Msg identity_body(const std::string& name) {
  GraphB b;
  b.name = name;
  b.inputs = {value_info("bi", type_tensor(kFloat, {"2"}))};
  b.outputs = {value_info("bo", type_tensor(kFloat, {"2"}))};
  b.nodes = {node("Identity", {"bi"}, {"bo"}, "id")};
  return b.build();
}

std::string sample_model() {
  GraphB g;
  g.name = "main";
  g.inputs = {value_info("X", type_tensor(kFloat, {"N", "3", "?"})),
              value_info("S", type_sequence(type_tensor(kFloat, {"2"}))),
              value_info("O", type_optional(type_tensor(kInt64, {}))),
              value_info("U", type_tensor(kFloat, {}, /*has_shape=*/false)),
              value_info("D", type_tensor(kInt64, {"2"}))};
  g.initializers = {tensor_raw("W", kFloat, {3}, raw_of<float>({1.f, 2.f, 3.f})),
                    tensor_head("D", kInt64, {2}).packed_i64(7, {-4, 5})};
  const std::vector<Msg> attrs = {
      attr_f("alpha", 0.25f),
      attr_i("axis", -2),
      attr_s("mode", "nearest"),
      attr_t("value", tensor_raw("", kInt32, {2, 2}, raw_of<int32_t>({1, -2, 3, -4}))),
      attr_g("body", identity_body("body_g")),
      attr_floats("scales", {1.5f, -0.5f}),
      attr_ints("pads", {0, 1, -1, 1LL << 40}),
      attr_strings("names", {"a", "", "long name"}),
      attr_tensors("tabs", {tensor_raw("t0", kFloat, {1}, raw_of<float>({7.f})),
                            tensor_head("t1", kInt64, {2}).packed_i64(7, {8, 9})}),
      attr_graphs("branches", {identity_body("br0"), identity_body("br1")}),
      attr_tp("dtype", type_tensor(kInt64, {"K"})),
  };
  // File order is deliberately not topological: relu consumes Z, produced by the next node.
  g.nodes = {node("Relu", {"Z"}, {"R"}, "relu", {}, "ai.onnx"),
             node("Custom", {"Y", "", "D"}, {"Z", ""}, "", attrs, "com.example"),
             node("Add", {"X", "W"}, {"Y"}, "add0")};
  g.outputs = {value_info("R", type_tensor(kFloat, {"N", "3", "?"})), value_info("Z")};
  g.value_infos = {value_info("Y", type_tensor(kFloat, {"N", "3", "5"}))};
  return model(g.build(), {opset("", 13), opset("com.example", 2)}).str();
}

}  // namespace

TEST_CASE("onnx import: model header and opset imports") {
  auto m = load_bytes(sample_model());
  CHECK(m->ir_version == 8);
  CHECK(m->producer_name == "ember-test");
  CHECK(m->producer_version == "0.1");
  CHECK(m->opset_imports == std::map<std::string, int>{{"", 13}, {"com.example", 2}});
  REQUIRE(m->graph);
  CHECK(m->graph->name == "main");
  CHECK(m->backing);
}

TEST_CASE("onnx import: graph input types, symbolic and unknown dims, sequence and optional") {
  auto m = load_bytes(sample_model());
  const ir::Graph& g = *m->graph;
  REQUIRE(g.inputs.size() == 5);
  const ir::TypeInfo& x = g.inputs[0]->type;
  CHECK(g.inputs[0]->name == "X");
  CHECK(g.inputs[0]->is_input);
  CHECK(x.kind == ir::ValueKind::Tensor);
  CHECK(x.dtype == DType::Float32);
  REQUIRE(x.has_shape);
  REQUIRE(x.dims.size() == 3);
  CHECK(x.dims[0].symbol == "N");
  CHECK_FALSE(x.dims[0].known());
  CHECK(x.dims[1].value == 3);
  CHECK_FALSE(x.dims[2].known());
  CHECK(x.dims[2].symbol.empty());

  const ir::TypeInfo& s = g.inputs[1]->type;
  CHECK(s.kind == ir::ValueKind::Sequence);
  REQUIRE(s.elem);
  CHECK(s.elem->dtype == DType::Float32);
  CHECK(s.elem->is_static());
  CHECK(s.elem->static_dims() == Dims{2});

  const ir::TypeInfo& o = g.inputs[2]->type;
  CHECK(o.kind == ir::ValueKind::Optional);
  REQUIRE(o.elem);
  CHECK(o.elem->dtype == DType::Int64);
  CHECK(o.elem->has_shape);
  CHECK(o.elem->dims.empty());  // a scalar: rank 0, known

  CHECK(g.inputs[3]->type.dtype == DType::Float32);
  CHECK_FALSE(g.inputs[3]->type.has_shape);
}

TEST_CASE("onnx import: initializers, and an initializer that is an input with a default") {
  auto m = load_bytes(sample_model());
  const ir::Graph& g = *m->graph;
  const ir::Value* w = g.find("W");
  REQUIRE(w);
  CHECK_FALSE(w->is_input);
  REQUIRE(w->constant);
  CHECK(w->type.str() == "float32[3]");
  const float* wd = w->constant->data<float>();
  CHECK(wd[0] == 1.f);
  CHECK(wd[1] == 2.f);
  CHECK(wd[2] == 3.f);

  const ir::Value* d = g.find("D");
  REQUIRE(d);
  CHECK(d->is_input);
  REQUIRE(d->constant);
  CHECK(d->constant->to_int64_vector() == std::vector<int64_t>{-4, 5});
  CHECK(g.initializers.size() == 2);
}

TEST_CASE("onnx import: nodes are topologically sorted, named, and carry their domain's opset") {
  auto m = load_bytes(sample_model());
  const ir::Graph& g = *m->graph;
  REQUIRE(g.nodes().size() == 3);
  const ir::Node& add = *g.nodes()[0];
  const ir::Node& custom = *g.nodes()[1];
  const ir::Node& relu = *g.nodes()[2];
  CHECK(add.name == "add0");
  CHECK(add.domain == "");
  CHECK(add.opset == 13);
  CHECK(custom.name == "Custom_1");  // generated from op type and file position
  CHECK(custom.domain == "com.example");
  CHECK(custom.opset == 2);
  CHECK(relu.domain == "");  // "ai.onnx" is the default domain
  CHECK(relu.opset == 13);

  REQUIRE(custom.inputs.size() == 3);
  CHECK(custom.inputs[0] == g.find("Y"));
  CHECK(custom.inputs[1] == nullptr);
  CHECK(custom.inputs[2] == g.find("D"));
  CHECK(custom.implicit_inputs == 0);
  REQUIRE(custom.outputs.size() == 2);
  CHECK(custom.outputs[0] == g.find("Z"));
  CHECK(custom.outputs[1] == nullptr);
  CHECK(g.find("Z")->producer == &custom);
  CHECK(g.find("Y")->type.str() == "float32[N, 3, 5]");  // from value_info

  REQUIRE(g.outputs.size() == 2);
  CHECK(g.outputs[0]->name == "R");
  CHECK(g.outputs[0]->is_output);
  CHECK(g.outputs[0]->type.str() == "float32[N, 3, ?]");
  CHECK(g.outputs[1]->name == "Z");
  CHECK(g.outputs[1]->is_output);
}

TEST_CASE("onnx import: attributes of every kind") {
  auto m = load_bytes(sample_model());
  const ir::Node& n = *m->graph->nodes()[1];
  CHECK(n.attrs.size() == 11);
  CHECK(n.attr_float("alpha", 0) == 0.25f);
  CHECK(n.attr_int("axis") == -2);
  CHECK(n.attr_string("mode", "") == "nearest");
  const Tensor* t = n.attr_tensor("value");
  REQUIRE(t);
  CHECK(t->dtype() == DType::Int32);
  CHECK(t->shape() == Dims{2, 2});
  CHECK(t->to_int64_vector() == std::vector<int64_t>{1, -2, 3, -4});
  CHECK(n.attr_floats("scales") == std::vector<float>{1.5f, -0.5f});
  CHECK(n.attr_ints("pads") == std::vector<int64_t>{0, 1, -1, 1LL << 40});
  CHECK(n.attr_strings("names") == std::vector<std::string>{"a", "", "long name"});

  const ir::Attribute* tabs = n.attr("tabs");
  REQUIRE(tabs);
  CHECK(tabs->type == ir::AttrType::Tensors);
  REQUIRE(tabs->tensors.size() == 2);
  CHECK(tabs->tensors[0].data<float>()[0] == 7.f);
  CHECK(tabs->tensors[1].to_int64_vector() == std::vector<int64_t>{8, 9});

  const ir::Graph* body = n.attr_graph("body");
  REQUIRE(body);
  CHECK(body->name == "body_g");
  REQUIRE(body->inputs.size() == 1);
  CHECK(body->inputs[0]->type.str() == "float32[2]");
  REQUIRE(body->nodes().size() == 1);
  CHECK(body->nodes()[0]->op_type == "Identity");
  CHECK(body->nodes()[0]->opset == 13);
  CHECK(body->captures.empty());

  const ir::Attribute* br = n.attr("branches");
  REQUIRE(br);
  CHECK(br->type == ir::AttrType::Graphs);
  REQUIRE(br->graphs.size() == 2);
  CHECK(br->graphs[0]->name == "br0");
  CHECK(br->graphs[1]->name == "br1");

  const ir::Attribute* tp = n.attr("dtype");
  REQUIRE(tp);
  CHECK(tp->type == ir::AttrType::TypeProto);
  REQUIRE(tp->type_proto);
  CHECK(tp->type_proto->str() == "int64[K]");
}

TEST_CASE("onnx import: an attribute without a type field takes the type of its value") {
  Msg untyped_i, untyped_fs;
  untyped_i.bytes(1, "k").i64(3, 5);
  untyped_fs.bytes(1, "fs").packed_f32(7, {1.f, 2.f});
  GraphB g;
  g.inputs = {value_info("x", type_tensor(kFloat, {"1"}))};
  g.outputs = {value_info("y")};
  g.nodes = {node("Foo", {"x"}, {"y"}, "foo", {untyped_i, untyped_fs})};
  auto m = load_bytes(model(g.build()).str());
  const ir::Node& n = *m->graph->nodes()[0];
  CHECK(n.attr_int("k") == 5);
  CHECK(n.attr_floats("fs") == std::vector<float>{1.f, 2.f});

  Msg empty;
  empty.bytes(1, "nothing");
  g.nodes = {node("Foo", {"x"}, {"y"}, "foo", {empty})};
  auto res = test::try_load(model(g.build()).str());
  CHECK(res.status == Status::InvalidModel);
  CHECK(test::contains(res.message, "nothing"));
}

TEST_CASE("onnx import: a graph whose output is its input, and an empty graph name") {
  GraphB g;
  g.name = "";
  g.inputs = {value_info("x", type_tensor(kFloat, {"4"}))};
  g.outputs = {value_info("x")};
  auto m = load_bytes(model(g.build()).str());
  const ir::Value* x = m->graph->find("x");
  REQUIRE(x);
  CHECK(x->is_input);
  CHECK(x->is_output);
  CHECK(x->type.str() == "float32[4]");  // an untyped output keeps the input's type
  CHECK(m->graph->nodes().empty());
}

TEST_CASE("onnx import: unknown fields are skipped") {
  GraphB g;
  g.inputs = {value_info("x", type_tensor(kFloat, {"1"}))};
  g.outputs = {value_info("x")};
  Msg graph = g.build();
  graph.varint(1000, 42).bytes(1001, "future").f32(1002, 1.f).f64(1003, 2.0);
  Msg m = model(graph);
  m.bytes(999, "more future");
  CHECK(load_bytes(m.str())->graph->inputs.size() == 1);
}
