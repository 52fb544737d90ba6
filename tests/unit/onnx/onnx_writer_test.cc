// The ONNX writer: read -> write -> read gives the same graph (every attribute type,
// subgraphs with captures, sequence/optional types, symbolic dims, narrow and string tensors,
// ai.ember nodes, metadata_props) and the same outputs.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include "onnx/model_export.h"
#include "onnx/onnx_writer.h"
#include "onnx_test_helpers.h"
#include "proto_builder.h"
#include "runtime/session.h"
#include "test_util.h"
#include "writer_test_util.h"

using namespace ember;
using ember::test::TempDir;

namespace {

ir::Value* add_init(ir::Graph& g, const std::string& name, Tensor t) {
  ir::Value* v = g.add_value(name);
  v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
  v->constant = std::move(t);
  g.initializers.push_back(v);
  return v;
}

ir::Node* add_node(ir::Graph& g, const std::string& name, const std::string& op, std::vector<ir::Value*> in,
                   std::vector<ir::Value*> out, int opset, const std::string& domain = "") {
  auto n = std::make_unique<ir::Node>();
  n->name = name;
  n->op_type = op;
  n->domain = domain;
  n->opset = opset;
  n->inputs = std::move(in);
  n->outputs = std::move(out);
  return g.add_node(std::move(n));
}

ir::Attribute attr(const std::string& name, ir::AttrType t) {
  ir::Attribute a;
  a.name = name;
  a.type = t;
  return a;
}

ir::TypeInfo seq_of(ir::TypeInfo elem, ir::ValueKind kind = ir::ValueKind::Sequence) {
  ir::TypeInfo t;
  t.kind = kind;
  t.dtype = elem.dtype;
  t.elem = std::make_shared<ir::TypeInfo>(std::move(elem));
  return t;
}

// A model that exercises everything the writer must express; it is not meant to run.
std::shared_ptr<ir::Model> rich_model() {
  auto m = std::make_shared<ir::Model>();
  m->ir_version = 9;
  m->opset_imports = {{"", 17}, {"ai.ember", 1}, {"test.domain", 3}};
  m->metadata_props = {{"ember.optimized", "3"}, {"note", "a\nb"}};
  m->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *m->graph;
  g.name = "rich";
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type.dtype = DType::Float32;
  x->type.has_shape = true;
  x->type.dims = {ir::Dim{-1, "batch"}, ir::Dim{-1, ""}, ir::Dim::of(8)};
  g.inputs = {x};
  // 8 x 64 floats = 2 KB: external; the bias (256 B) stays embedded.
  ir::Value* w = add_init(g, "w", test::random_tensor(DType::Float32, {8, 64}));
  ir::Value* b = add_init(g, "b", test::random_tensor(DType::Float32, {64}));
  ir::Value* h = add_init(g, "h", test::random_tensor(DType::Float16, {700}));  // 1400 B: external
  Tensor s(DType::String, {2});
  s.data<std::string>()[0] = "";
  s.data<std::string>()[1] = std::string("n\0ul", 4);
  ir::Value* sv = add_init(g, "s", s);
  // Narrow types are stored unpacked (int4 sign-extended in an int8); the wire packs them.
  Tensor i4(DType::Int4, {5});
  const int8_t i4_vals[] = {-8, -1, 0, 3, 7};
  std::memcpy(i4.raw(), i4_vals, 5);
  ir::Value* q = add_init(g, "q", i4);
  Tensor u4(DType::UInt4, {3001});  // 1501 bytes packed: external
  for (int64_t k = 0; k < u4.numel(); ++k) static_cast<uint8_t*>(u4.raw())[k] = uint8_t((k * 7 + 3) % 16);
  ir::Value* q2 = add_init(g, "q_big", u4);
  ir::Value* bo = add_init(g, "flags", test::make_tensor(DType::Bool, {3}, {1, 0, 1}));
  ir::Value* e = add_init(g, "empty", Tensor(DType::Float32, {0, 4}));
  (void)e;

  ir::Value* y = g.add_value("y");
  y->type = x->type;
  y->type.dims[2] = ir::Dim::of(64);
  ir::Node* fused = add_node(g, "fused_mm", "FusedMatMul", {x, w, b, nullptr}, {y}, 1, "ai.ember");
  fused->fused_from = {"mm", "add", "relu"};
  ir::Attribute src = attr("source_nodes", ir::AttrType::Strings);
  src.strings = fused->fused_from;
  fused->attrs["source_nodes"] = src;
  ir::Attribute act = attr("activation", ir::AttrType::String);
  act.s = "Relu";
  fused->attrs["activation"] = act;
  ir::Attribute alpha = attr("alpha", ir::AttrType::Float);
  alpha.f = 0.0f;  // a zero scalar must still be written
  fused->attrs["alpha"] = alpha;
  fused->attrs["activation_params"] = attr("activation_params", ir::AttrType::Floats);

  // A body that captures `b` from the enclosing graph: an implicit input of its node.
  auto body = std::make_shared<ir::Graph>();
  body->name = "body";
  ir::Value* cap = body->add_value("b");
  cap->type = b->type;
  body->captures = {cap};
  ir::Value* bin = body->add_value("body_in");
  bin->is_input = true;
  bin->type = ir::TypeInfo::tensor(DType::Int64, {});
  body->inputs = {bin};
  ir::Value* bout = body->add_value("body_out");
  bout->type = b->type;
  bout->is_output = true;
  body->outputs = {bout};
  add_node(*body, "body_id", "Identity", {cap}, {bout}, 17);

  ir::Value* z = g.add_value("z");
  z->type = seq_of(ir::TypeInfo::tensor(DType::Float32, {2, 3}));
  ir::Value* o = g.add_value("o");
  o->type = seq_of(ir::TypeInfo::tensor_unknown_shape(DType::Int64), ir::ValueKind::Optional);
  ir::Node* foo = add_node(g, "foo", "Foo", {y, sv, q, q2, bo, h, nullptr, b}, {z, nullptr, o}, 3, "test.domain");
  foo->implicit_inputs = 1;
  ir::Attribute a;
  a = attr("i", ir::AttrType::Int); a.i = -5; foo->attrs[a.name] = a;
  a = attr("ints", ir::AttrType::Ints); a.ints = {1, -2, 1LL << 40}; foo->attrs[a.name] = a;
  a = attr("floats", ir::AttrType::Floats); a.floats = {0.5f, -1e30f}; foo->attrs[a.name] = a;
  a = attr("strings", ir::AttrType::Strings); a.strings = {"x", ""}; foo->attrs[a.name] = a;
  a = attr("t", ir::AttrType::Tensor); a.t = test::random_tensor(DType::Float32, {300}); foo->attrs[a.name] = a;
  a = attr("ts", ir::AttrType::Tensors);
  a.tensors = {test::make_tensor(DType::Int64, {2}, {4, 5}), test::make_tensor(DType::Int32, {}, {7})};
  foo->attrs[a.name] = a;
  a = attr("tp", ir::AttrType::TypeProto); a.type_proto = seq_of(ir::TypeInfo::tensor(DType::UInt8, {4}));
  foo->attrs[a.name] = a;
  a = attr("body", ir::AttrType::Graph); a.g = body; foo->attrs[a.name] = a;
  a = attr("no_bodies", ir::AttrType::Graphs); foo->attrs[a.name] = a;

  z->is_output = o->is_output = true;
  g.outputs = {z, o};
  return m;
}

}  // namespace

TEST_CASE("onnx writer: read -> write -> read keeps every node, attribute, type and tensor") {
  TempDir dir;
  auto original = rich_model();
  const std::string p1 = (dir.path() / "a.onnx").string();
  const onnx::SaveResult r1 = onnx::save_model_file(*original, p1);
  // w (2 KB), h (1400 B) and q_big (1501 packed bytes) go external; the rest is embedded.
  CHECK(r1.external_tensors == 3);
  CHECK(r1.data_path == p1 + ".data");
  auto first = onnx::load_model_file(p1);
  CHECK(first->producer_name == "ember");
  CHECK(first->ir_version == 9);
  const std::string dump = test::model_dump(*first);
  CHECK(dump == test::model_dump(*original));

  // Saving what was read (tensors now mapped from a.onnx.data) and reading again: same again.
  const std::string p2 = (dir.path() / "b.onnx").string();
  onnx::save_model_file(*first, p2);
  CHECK(test::model_dump(*onnx::load_model_file(p2)) == dump);
  // Fully embedded (no data file) reads back the same too.
  onnx::SaveOptions embed;
  embed.external_data = false;
  const onnx::SaveResult r3 = onnx::save_model_file(*first, (dir.path() / "c.onnx").string(), embed);
  CHECK(r3.data_path.empty());
  CHECK(!std::filesystem::exists(dir.path() / "c.onnx.data"));
  CHECK(test::model_dump(*onnx::load_model_file((dir.path() / "c.onnx").string())) == dump);
}

TEST_CASE("onnx writer: external tensors sit at 64-byte aligned offsets and load in place") {
  TempDir dir;
  auto original = rich_model();
  const std::string path = (dir.path() / "m.onnx").string();
  const onnx::SaveResult r = onnx::save_model_file(*original, path);
  CHECK(std::filesystem::file_size(r.data_path) == r.data_bytes);
  auto m = onnx::load_model_file(path);
  for (const char* name : {"w", "h"}) {
    const Tensor& t = *m->graph->find(name)->constant;
    INFO(name);
    CHECK(reinterpret_cast<uintptr_t>(t.raw()) % 64 == 0);
    // Zero copy: the tensor's bytes are the data file's pages, not a heap copy.
    CHECK(test::mapped_file_of(t.raw()) == std::filesystem::canonical(r.data_path).string());
    CHECK(std::memcmp(t.raw(), original->graph->find(name)->constant->raw(), t.nbytes()) == 0);
  }
  // The small embedded bias lives in the model file's mapping.
  CHECK(test::mapped_file_of(m->graph->find("b")->constant->raw()) == std::filesystem::canonical(path).string());
}

TEST_CASE("onnx writer: subgraphs read from a file (nested If with captures) round-trip") {
  using namespace ember::test::pb;
  // then: Add(a, w) -> nested If capturing a and w two levels down; else: Identity(w).
  GraphB inner_then;
  inner_then.name = "inner_then";
  inner_then.nodes = {node("Mul", {"a", "local"}, {"it_out"}, "mul")};
  inner_then.outputs = {value_info("it_out")};
  GraphB inner_else;
  inner_else.name = "inner_else";
  inner_else.outputs = {value_info("w")};
  GraphB then_b;
  then_b.name = "then";
  then_b.nodes = {node("Add", {"a", "w"}, {"local"}, "add"),
                  node("If", {"cond"}, {"inner_out"}, "inner_if",
                       {attr_g("then_branch", inner_then.build()), attr_g("else_branch", inner_else.build())})};
  then_b.outputs = {value_info("inner_out")};
  GraphB else_b;
  else_b.name = "else";
  else_b.nodes = {node("Identity", {"w"}, {"e_out"}, "id_e")};
  else_b.outputs = {value_info("e_out")};
  GraphB g;
  g.name = "main";
  g.inputs = {value_info("cond", type_tensor(9, {})), value_info("a", type_tensor(1, {"2"}))};
  g.initializers = {tensor_raw("w", 1, {2}, raw_of<float>({1.f, 2.f}))};
  g.nodes = {node("If", {"cond"}, {"out"}, "if0",
                  {attr_g("then_branch", then_b.build()), attr_g("else_branch", else_b.build())})};
  g.outputs = {value_info("out", type_tensor(1, {"2"}))};
  TempDir dir;
  const std::string src = dir.write("src.onnx", model(g.build(), {opset("", 16)}).str());
  auto a = onnx::load_model_file(src);
  const std::string out = (dir.path() / "out.onnx").string();
  onnx::save_model_file(*a, out);
  auto b = onnx::load_model_file(out);
  CHECK(test::model_dump(*b) == test::model_dump(*a));

  // Same outputs for both branches.
  runtime::SessionOptions opts;
  opts.threads = 1;
  auto sa = runtime::Session::from_model(a, opts);
  auto sb = runtime::Session::from_model(b, opts);
  const Tensor x = test::make_tensor(DType::Float32, {2}, {3, -4});
  for (bool c : {true, false}) {
    const runtime::Feeds feeds = {{"cond", Tensor::scalar(c)}, {"a", x}};
    test::check_close(sb->run(feeds)[0], sa->run(feeds)[0], test::Tier::Exact);
  }
}

TEST_CASE("onnx writer: a runnable model gives the same outputs after a round trip") {
  // y = Relu(x @ W + B); nodes added out of order: the writer must sort them.
  auto m = std::make_shared<ir::Model>();
  m->opset_imports = {{"", 17}};
  m->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *m->graph;
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type.dtype = DType::Float32;
  x->type.has_shape = true;
  x->type.dims = {ir::Dim{-1, "n"}, ir::Dim::of(129)};
  g.inputs = {x};
  ir::Value* w = add_init(g, "W", test::random_tensor(DType::Float32, {129, 17}));
  ir::Value* bias = add_init(g, "B", test::random_tensor(DType::Float32, {17}));
  ir::Value* mm = g.add_value("mm");
  ir::Value* sum = g.add_value("sum");
  ir::Value* y = g.add_value("y");
  y->is_output = true;
  g.outputs = {y};
  add_node(g, "relu", "Relu", {sum}, {y}, 17);
  add_node(g, "add", "Add", {mm, bias}, {sum}, 17);
  add_node(g, "matmul", "MatMul", {x, w}, {mm}, 17);
  TempDir dir;
  const std::string path = (dir.path() / "mlp.onnx").string();
  const std::string bytes = onnx::encode_model(*m, nullptr);
  onnx::save_model_file(*m, path);
  auto back = onnx::load_model_file(path);
  CHECK(back->graph->nodes().front()->name == "matmul");
  // The in-memory encoding is the same model (embedded weights). Compared before the sessions
  // below, which infer types into the models they run.
  CHECK(test::model_dump(*test::load_bytes(bytes)) == test::model_dump(*back));
  runtime::SessionOptions opts;
  opts.threads = 1;
  const Tensor in = test::random_tensor(DType::Float32, {7, 129});
  MESSAGE("seed = " << test::seed());
  const Tensor want = runtime::Session::from_model(m, opts)->run({{"x", in}})[0];
  const Tensor got = runtime::Session::from_model(back, opts)->run({{"x", in}})[0];
  test::check_close(got, want, test::Tier::Exact);
}

TEST_CASE("onnx writer: an ai.ember node's fused_from is saved as source_nodes and read back") {
  auto m = rich_model();
  ir::Node* fused = m->graph->nodes().front().get();
  REQUIRE(fused->domain == "ai.ember");
  fused->attrs.erase("source_nodes");
  fused->fused_from = {"conv_3", "bn_3"};
  auto back = test::load_bytes(onnx::encode_model(*m, nullptr));
  const ir::Node& n = *back->graph->nodes().front();
  CHECK(n.fused_from == std::vector<std::string>{"conv_3", "bn_3"});
  CHECK(n.attr_strings("source_nodes") == std::vector<std::string>{"conv_3", "bn_3"});
  // Standard nodes never get the attribute (onnx.checker would refuse it).
  for (const auto& other : back->graph->nodes())
    if (other->domain != "ai.ember") CHECK(!other->has_attr("source_nodes"));
}

TEST_CASE("onnx writer: refuses what ONNX cannot express, naming it") {
  auto m = rich_model();
  m->opset_imports.erase("test.domain");
  for (auto& n : m->graph->nodes()) n->opset = 0;
  TempDir dir;
  const auto res = test::try_run([&] { onnx::save_model_file(*m, (dir.path() / "x.onnx").string()); });
  CHECK(res.status == Status::InvalidModel);
  CHECK(test::contains(res.message, "test.domain"));
  CHECK(std::filesystem::is_empty(dir.path()));
}
