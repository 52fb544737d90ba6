// Malformed and hostile models: every truncation, random bit flips, and each structural
// error must end in a clear ember::Error, never a crash (run under ASan/UBSan in the dev preset).
#include <doctest/doctest.h>

#include "onnx_test_helpers.h"
#include "proto_builder.h"
#include "test_util.h"

using namespace ember;
using namespace ember::test::pb;
using ember::test::contains;
using ember::test::try_load;

namespace {

constexpr int kFloat = 1, kBool = 9;

// A small but feature-rich valid model: typed inputs, initializers (raw and typed), attributes
// and an If with two bodies, so truncations and flips hit every message type.
std::string valid_model() {
  GraphB then_b, else_b;
  then_b.name = "then";
  then_b.nodes = {node("Add", {"x", "w"}, {"t"}, "add")};
  then_b.outputs = {value_info("t", type_tensor(kFloat, {"2"}))};
  else_b.name = "else";
  else_b.outputs = {value_info("x")};
  GraphB g;
  g.name = "main";
  g.inputs = {value_info("x", type_tensor(kFloat, {"N", "2"})), value_info("c", type_tensor(kBool, {}))};
  g.initializers = {tensor_raw("w", kFloat, {2}, raw_of<float>({1.f, 2.f})),
                    tensor_head("s", 7, {2}).packed_i64(7, {3, 4})};
  g.nodes = {node("If", {"c"}, {"y"}, "if0", {attr_g("then_branch", then_b.build()), attr_g("else_branch", else_b.build())}),
             node("Reshape", {"y", "s"}, {"z"}, "", {attr_i("allowzero", 0), attr_floats("f", {1.f})})};
  g.outputs = {value_info("z", type_tensor(kFloat, {"?", "?"}))};
  return model(g.build()).str();
}

GraphB simple_graph() {
  GraphB g;
  g.inputs = {value_info("x", type_tensor(kFloat, {"2"}))};
  g.nodes = {node("Relu", {"x"}, {"y"}, "relu")};
  g.outputs = {value_info("y")};
  return g;
}

void expect(const std::string& bytes, Status want, const std::string& part) {
  auto res = try_load(bytes);
  CHECK_MESSAGE(res.status == want, res.message);
  CHECK_MESSAGE(contains(res.message, part), res.message);
}

}  // namespace

TEST_CASE("onnx malformed: the valid base model loads") {
  CHECK(try_load(valid_model()).status == Status::Ok);
}

TEST_CASE("onnx malformed: every truncation of a valid model is refused as InvalidModel") {
  const std::string full = valid_model();
  // Protobuf has no end marker, so a cut exactly between two top-level fields is itself a
  // valid (shorter) message; since the graph is the last field, every such prefix lacks it.
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    auto res = try_load(full.substr(0, n));
    CHECK_MESSAGE(res.status == Status::InvalidModel, res.message);
  }
}

TEST_CASE("onnx malformed: random bit flips load or fail with ember::Error, never crash") {
  const std::string full = valid_model();
  int loaded = 0, refused = 0;
  for (int k = 0; k < 3000; ++k) {
    std::string b = full;
    const int flips = 1 + int(test::rng()() % 3);
    for (int f = 0; f < flips; ++f) {
      const size_t bit = test::rng()() % (b.size() * 8);
      b[bit / 8] = char(uint8_t(b[bit / 8]) ^ (1u << (bit % 8)));
    }
    // try_load lets anything but ember::Error escape, which doctest reports as a failure.
    auto res = try_load(b);
    (res.status == Status::Ok ? loaded : refused)++;
  }
  CHECK(refused > 0);
  MESSAGE("bit flips: ", loaded, " loaded, ", refused, " refused");
}

TEST_CASE("onnx malformed: structural errors name the problem") {
  SUBCASE("missing graph") { expect(Msg().i64(1, 8).str(), Status::InvalidModel, "no graph"); }
  SUBCASE("two graph fields") {
    Msg m = model(simple_graph().build());
    m.msg(7, simple_graph().build());
    expect(m.str(), Status::InvalidModel, "more than one graph");
  }
  SUBCASE("duplicate graph input") {
    GraphB g = simple_graph();
    g.inputs.push_back(value_info("x"));
    expect(model(g.build()).str(), Status::InvalidModel, "'x'");
  }
  SUBCASE("duplicate node output") {
    GraphB g = simple_graph();
    g.nodes.push_back(node("Neg", {"x"}, {"y"}, "neg"));
    expect(model(g.build()).str(), Status::InvalidModel, "Neg 'neg'");
  }
  SUBCASE("node output shadowing an input") {
    GraphB g = simple_graph();
    g.nodes.push_back(node("Neg", {"y"}, {"x"}, "neg"));
    expect(model(g.build()).str(), Status::InvalidModel, "output 'x' is already defined");
  }
  SUBCASE("duplicate initializer") {
    GraphB g = simple_graph();
    g.initializers = {tensor_raw("w", kFloat, {1}, raw_of<float>({1})),
                      tensor_raw("w", kFloat, {1}, raw_of<float>({2}))};
    expect(model(g.build()).str(), Status::InvalidModel, "initializer 'w' is defined more than once");
  }
  SUBCASE("initializer type disagrees with its input declaration") {
    GraphB g = simple_graph();
    g.initializers = {tensor_head("x", 7, {2}).packed_i64(7, {1, 2})};
    expect(model(g.build()).str(), Status::InvalidModel, "declared float32[2]");
  }
  SUBCASE("missing initializer: an input nobody produces") {
    GraphB g = simple_graph();
    g.nodes.push_back(node("Add", {"y", "bias"}, {"z"}, "add"));
    expect(model(g.build()).str(), Status::InvalidModel, "input 'bias' is not produced");
  }
  SUBCASE("graph output nobody produces") {
    GraphB g = simple_graph();
    g.outputs.push_back(value_info("ghost"));
    expect(model(g.build()).str(), Status::InvalidModel, "output 'ghost'");
  }
  SUBCASE("cycle") {
    GraphB g = simple_graph();
    g.nodes = {node("Add", {"x", "b"}, {"a"}, "n1"), node("Neg", {"a"}, {"b"}, "n2"),
               node("Relu", {"a"}, {"y"}, "relu")};
    expect(model(g.build()).str(), Status::InvalidModel, "cycle");
  }
  SUBCASE("missing opset import for a used domain") {
    GraphB g = simple_graph();
    g.nodes.push_back(node("Foo", {"y"}, {"z"}, "foo", {}, "com.acme"));
    expect(model(g.build()).str(), Status::InvalidModel, "com.acme");
    expect(model(simple_graph().build(), {opset("com.acme", 1)}).str(), Status::InvalidModel,
           "imports no opset");
  }
  SUBCASE("duplicate or invalid opset import") {
    expect(model(simple_graph().build(), {opset("", 13), opset("ai.onnx", 14)}).str(),
           Status::InvalidModel, "more than once");
    expect(model(simple_graph().build(), {opset("", 0)}).str(), Status::InvalidModel, "invalid version");
  }
  SUBCASE("node without op_type, attribute without name, duplicate attribute") {
    GraphB g = simple_graph();
    Msg n;
    n.bytes(1, "x").bytes(2, "z");
    g.nodes.push_back(n);
    expect(model(g.build()).str(), Status::InvalidModel, "no op_type");
    g = simple_graph();
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_i("", 1)})};
    expect(model(g.build()).str(), Status::InvalidModel, "empty name");
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_i("a", 1), attr_f("a", 2)})};
    expect(model(g.build()).str(), Status::InvalidModel, "more than once");
  }
  SUBCASE("unknown attribute type, and attribute missing its tensor / graph") {
    GraphB g = simple_graph();
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_head("a", 77)})};
    expect(model(g.build()).str(), Status::InvalidModel, "unknown attribute type 77");
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_head("a", 4)})};
    expect(model(g.build()).str(), Status::InvalidModel, "no tensor");
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_head("a", 5)})};
    expect(model(g.build()).str(), Status::InvalidModel, "no graph");
  }
  SUBCASE("negative declared dimension") {
    GraphB g = simple_graph();
    g.inputs = {value_info("x", type_tensor(kFloat, {"-3"}))};
    expect(model(g.build()).str(), Status::InvalidModel, "negative dimension");
  }
  SUBCASE("bad wire type inside a nested message") {
    GraphB g = simple_graph();
    Msg bad;
    bad.bytes(1, "x").raw("\x17");  // field 2 with wire type 7
    g.inputs = {bad};
    expect(model(g.build()).str(), Status::InvalidModel, "wire type 7");
  }
  SUBCASE("a string field given as a varint") {
    GraphB g = simple_graph();
    Msg bad;
    bad.varint(1, 5);  // ValueInfoProto.name must be length-delimited
    g.inputs = {bad};
    expect(model(g.build()).str(), Status::InvalidModel, "name");
  }
}

TEST_CASE("onnx malformed: valid but unsupported features give Unsupported") {
  SUBCASE("model-local function") {
    Msg fn;
    fn.bytes(1, "MyFn").bytes(10, "local");
    GraphB g = simple_graph();
    g.nodes.push_back(node("MyFn", {"y"}, {"z"}, "call", {}, "local"));
    Msg m = model(g.build(), {opset("", 17), opset("local", 1)});
    m.msg(25, fn);
    expect(m.str(), Status::Unsupported, "local.MyFn");
  }
  SUBCASE("a function that is declared but not used does not matter") {
    Msg fn;
    fn.bytes(1, "MyFn").bytes(10, "local");
    Msg m = model(simple_graph().build());
    m.msg(25, fn);
    CHECK(try_load(m.str()).status == Status::Ok);
  }
  SUBCASE("sparse initializer") {
    Msg g = simple_graph().build();
    g.msg(15, Msg());
    expect(model(g).str(), Status::Unsupported, "sparse");
  }
  SUBCASE("ref_attr_name, sparse and type_protos attributes") {
    GraphB g = simple_graph();
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_i("a", 1).bytes(21, "outer")})};
    expect(model(g.build()).str(), Status::Unsupported, "ref_attr_name");
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_head("a", 11)})};
    expect(model(g.build()).str(), Status::Unsupported, "sparse");
    g.nodes = {node("Relu", {"x"}, {"y"}, "relu", {attr_head("a", 14)})};
    expect(model(g.build()).str(), Status::Unsupported, "TYPE_PROTOS");
  }
  SUBCASE("map-typed input") {
    GraphB g = simple_graph();
    Msg map_t;
    map_t.msg(5, Msg().varint(1, 7));
    g.inputs.push_back(value_info("m", map_t));
    expect(model(g.build()).str(), Status::Unsupported, "'m': map types");
  }
}

TEST_CASE("onnx malformed: nesting beyond the limit is refused, reasonable nesting loads") {
  // Each level: an If whose then_branch holds the next level (else_branch is a leaf, so the
  // file grows linearly with depth).
  auto nested = [](int levels) {
    GraphB leaf_b;
    leaf_b.name = "leaf";
    leaf_b.outputs = {value_info("x")};
    const Msg leaf = leaf_b.build();
    Msg inner = leaf;
    for (int k = 0; k < levels; ++k) {
      GraphB b;
      b.name = "level" + std::to_string(k);
      b.nodes = {node("If", {"c"}, {"o" + std::to_string(k)}, "if",
                      {attr_g("then_branch", inner), attr_g("else_branch", leaf)})};
      b.outputs = {value_info("o" + std::to_string(k))};
      inner = b.build();
    }
    GraphB g;
    g.inputs = {value_info("x", type_tensor(kFloat, {"1"})), value_info("c", type_tensor(kBool, {}))};
    g.nodes = {node("If", {"c"}, {"y"}, "top", {attr_g("then_branch", inner), attr_g("else_branch", leaf)})};
    g.outputs = {value_info("y")};
    return model(g.build()).str();
  };
  CHECK(try_load(nested(8)).status == Status::Ok);
  expect(nested(40), Status::InvalidModel, "nested deeper");
}
