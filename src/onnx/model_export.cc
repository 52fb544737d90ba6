// Field numbers follow onnx.proto3 (the same ones proto_decode.cc reads).
#include "onnx/model_export.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ir/narrow_types.h"
#include "onnx/proto_encode.h"
#include "support/error.h"

namespace ember::onnx {

namespace {

constexpr const char* kEmberDomain = "ai.ember";

// Nodes in an order where every producer precedes its consumers (ONNX requires it). The IR
// usually keeps that order already; passes that append nodes may not, so it is recomputed
// here from the nodes' own inputs and outputs, keeping the existing order where it is free.
std::vector<const ir::Node*> topo_order(const ir::Graph& g) {
  std::unordered_map<const ir::Value*, const ir::Node*> producer;
  for (const auto& n : g.nodes())
    for (const ir::Value* o : n->outputs)
      if (o) producer[o] = n.get();
  enum : uint8_t { kNew, kOpen, kDone };
  std::unordered_map<const ir::Node*, uint8_t> state;
  std::vector<const ir::Node*> order;
  order.reserve(g.nodes().size());
  // Iterative depth-first search: long chains (deep networks) must not exhaust the stack.
  std::vector<std::pair<const ir::Node*, size_t>> stack;
  for (const auto& root : g.nodes()) {
    if (state[root.get()] != kNew) continue;
    stack.push_back({root.get(), 0});
    state[root.get()] = kOpen;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next < n->inputs.size()) {
        const ir::Value* in = n->inputs[next++];
        auto p = in ? producer.find(in) : producer.end();
        if (p == producer.end()) continue;
        uint8_t& st = state[p->second];
        EMBER_CHECK(st != kOpen, InvalidModel, "cannot save graph '", g.name, "': ", n->describe(),
                    " is on a cycle (through '", in->name, "')");
        if (st == kNew) {
          st = kOpen;
          stack.push_back({p->second, 0});
        }
        continue;
      }
      state[n] = kDone;
      order.push_back(n);
      stack.pop_back();
    }
  }
  return order;
}

bool type_known(const ir::TypeInfo& t) {
  return t.kind != ir::ValueKind::Tensor || t.dtype != DType::Undefined || t.has_shape;
}

ProtoWriter encode_type(const ir::TypeInfo& t) {
  ProtoWriter w;
  if (t.kind == ir::ValueKind::Tensor) {
    ProtoWriter tensor;
    if (t.dtype != DType::Undefined) tensor.int_field(1, int64_t(t.dtype));
    if (t.has_shape) {
      ProtoWriter shape;
      for (const ir::Dim& d : t.dims) {
        ProtoWriter dim;  // neither field set: an unknown dimension
        if (d.known()) dim.int_field(1, d.value);
        else if (!d.symbol.empty()) dim.string_field(2, d.symbol);
        shape.message_field(1, dim);
      }
      tensor.message_field(2, shape);
    }
    w.message_field(1, tensor);
    return w;
  }
  ProtoWriter wrapper;  // Sequence and Optional both wrap one TypeProto in field 1
  if (t.elem && type_known(*t.elem)) wrapper.message_field(1, encode_type(*t.elem));
  w.message_field(t.kind == ir::ValueKind::Sequence ? 4 : 9, wrapper);
  return w;
}

ProtoWriter encode_value_info(const ir::Value& v) {
  ProtoWriter w;
  w.string_field(1, v.name);
  if (type_known(v.type)) w.message_field(2, encode_type(v.type));
  return w;
}

// TensorProto. With `external`, a large tensor's bytes go to the data file and the proto
// only refers to them.
ProtoWriter encode_tensor(const Tensor& t, const std::string& name, ExternalDataWriter* external,
                          const std::string& what) {
  EMBER_CHECK(t.defined(), InvalidModel, "cannot save ", what, ": the tensor is undefined");
  ProtoWriter w;
  if (t.rank()) w.packed_ints(1, t.shape());
  w.int_field(2, int64_t(t.dtype()));
  if (!name.empty()) w.string_field(8, name);
  if (t.dtype() == DType::String) {
    const std::string* s = t.data<std::string>();
    for (int64_t k = 0; k < t.numel(); ++k) w.bytes_field(6, s[k]);
    return w;
  }
  // Narrow 4- and 2-bit types are stored unpacked in memory but packed on the wire.
  std::string packed;
  std::string_view wire(static_cast<const char*>(t.raw()), t.nbytes());
  if (dtype_is_narrow(t.dtype()) && dtype_wire_bits(t.dtype()) < 8) {
    packed.resize(size_t(packed_narrow_bytes(t.dtype(), t.numel())));
    if (t.numel())
      pack_narrow(t.dtype(), static_cast<const uint8_t*>(t.raw()), t.numel(), reinterpret_cast<uint8_t*>(packed.data()));
    wire = packed;
  }
  if (external) {
    if (auto ref = external->place(wire, t, packed.empty() ? nullptr : &packed)) {
      const std::pair<const char*, std::string> entries[] = {
          {"location", external->location()}, {"offset", std::to_string(ref->offset)},
          {"length", std::to_string(ref->length)}};
      for (const auto& [key, value] : entries) {
        ProtoWriter e;
        e.string_field(1, key);
        e.string_field(2, value);
        w.message_field(13, e);
      }
      w.int_field(14, 1);  // data_location = EXTERNAL
      return w;
    }
  }
  w.bytes_field(9, wire);
  return w;
}

class GraphEncoder {
 public:
  explicit GraphEncoder(ExternalDataWriter* external) : external_(external) {}
  ProtoWriter encode_graph(const ir::Graph& g, bool main);

 private:
  ProtoWriter encode_node(const ir::Node& n);
  ProtoWriter encode_attribute(const ir::Attribute& a, const std::string& node);
  ExternalDataWriter* external_;
};

ProtoWriter GraphEncoder::encode_attribute(const ir::Attribute& a, const std::string& node) {
  using AT = ir::AttrType;
  const std::string what = node + ": attribute '" + a.name + "'";
  ProtoWriter w;
  w.string_field(1, a.name);
  w.int_field(20, int64_t(a.type));
  switch (a.type) {
    case AT::Float: w.float_field(2, a.f); break;
    case AT::Int: w.int_field(3, a.i); break;
    case AT::String: w.string_field(4, a.s); break;
    // Attribute tensors stay embedded: onnxruntime and onnx.save externalise initializers only.
    case AT::Tensor: w.message_field(5, encode_tensor(a.t, "", nullptr, what)); break;
    case AT::Graph:
      EMBER_CHECK(a.g, InvalidModel, "cannot save ", what, ": type GRAPH but no graph");
      w.message_field(6, encode_graph(*a.g, false));
      break;
    case AT::Floats: if (!a.floats.empty()) w.packed_floats(7, a.floats); break;
    case AT::Ints: if (!a.ints.empty()) w.packed_ints(8, a.ints); break;
    case AT::Strings: for (const auto& s : a.strings) w.string_field(9, s); break;
    case AT::Tensors:
      for (size_t k = 0; k < a.tensors.size(); ++k)
        w.message_field(10, encode_tensor(a.tensors[k], "", nullptr, str_cat(what, "[", k, "]")));
      break;
    case AT::Graphs:
      for (const auto& sg : a.graphs) w.message_field(11, encode_graph(*sg, false));
      break;
    case AT::TypeProto:
      EMBER_CHECK(a.type_proto, InvalidModel, "cannot save ", what, ": type TYPE_PROTO but no type");
      w.message_field(14, encode_type(*a.type_proto));
      break;
    default: fail(Status::InvalidModel, "cannot save ", what, ": undefined attribute type");
  }
  return w;
}

ProtoWriter GraphEncoder::encode_node(const ir::Node& n) {
  ProtoWriter w;
  // Implicit inputs (outer values a body captures) are not ONNX inputs: the bodies name them.
  for (size_t k = 0; k < n.explicit_input_count(); ++k) w.string_field(1, n.inputs[k] ? n.inputs[k]->name : "");
  for (const ir::Value* o : n.outputs) w.string_field(2, o ? o->name : "");
  w.string_field(3, n.name);
  w.string_field(4, n.op_type);
  if (!n.domain.empty()) w.string_field(7, n.domain);
  for (const auto& [name, a] : n.attrs) w.message_field(5, encode_attribute(a, n.describe()));
  // Ember's own ops record the nodes they replaced (docs/ember_ops.md: source_nodes).
  if (n.domain == kEmberDomain && !n.fused_from.empty() && !n.attrs.count("source_nodes")) {
    ir::Attribute a;
    a.name = "source_nodes";
    a.type = ir::AttrType::Strings;
    a.strings = n.fused_from;
    w.message_field(5, encode_attribute(a, n.describe()));
  }
  return w;
}

ProtoWriter GraphEncoder::encode_graph(const ir::Graph& g, bool main) {
  ProtoWriter w;
  const std::vector<const ir::Node*> order = topo_order(g);
  for (const ir::Node* n : order) w.message_field(1, encode_node(*n));
  // onnx.checker wants a graph name; the IR may have none for graphs built in memory.
  w.string_field(2, g.name.empty() ? (main ? "main_graph" : "body") : g.name);

  std::unordered_set<const ir::Value*> produced, used, outputs(g.outputs.begin(), g.outputs.end());
  for (const ir::Node* n : order) {
    for (const ir::Value* o : n->outputs) produced.insert(o);
    for (const ir::Value* in : n->inputs) used.insert(in);
  }
  std::unordered_set<const ir::Value*> written(g.initializers.begin(), g.initializers.end());
  for (const ir::Value* v : g.initializers) {
    EMBER_CHECK(v->constant, InvalidModel, "cannot save graph '", g.name, "': initializer '", v->name,
                "' has no value");
    w.message_field(5, encode_tensor(*v->constant, v->name, external_, "initializer '" + v->name + "'"));
  }
  // Constants a pass created without listing them as initializers are saved as initializers.
  std::unordered_set<const ir::Value*> captures(g.captures.begin(), g.captures.end());
  for (const auto& v : g.values()) {
    const ir::Value* p = v.get();
    if (!p->constant || produced.count(p) || written.count(p) || captures.count(p) || p->is_input) continue;
    if (!used.count(p) && !outputs.count(p)) continue;
    w.message_field(5, encode_tensor(*p->constant, p->name, external_, "constant '" + p->name + "'"));
  }
  for (const ir::Value* v : g.inputs) w.message_field(11, encode_value_info(*v));
  for (const ir::Value* v : g.outputs) w.message_field(12, encode_value_info(*v));
  for (const ir::Node* n : order)
    for (const ir::Value* o : n->outputs)
      if (o && !outputs.count(o) && type_known(o->type)) w.message_field(13, encode_value_info(*o));
  return w;
}

// The model's opset imports plus any domain a node uses without one (ai.ember: version 1).
std::map<std::string, int> opsets_to_write(const ir::Model& model) {
  std::map<std::string, int> opsets = model.opset_imports;
  for_each_graph(*model.graph, [&](const ir::Graph& g) {
    for (const auto& n : g.nodes()) {
      if (opsets.count(n->domain)) continue;
      if (n->domain == kEmberDomain) {
        opsets[n->domain] = 1;
        continue;
      }
      EMBER_CHECK(n->opset > 0, InvalidModel, "cannot save ", n->describe(), ": the model imports no opset for domain '",
                  n->domain.empty() ? "ai.onnx" : n->domain, "'");
      opsets[n->domain] = n->opset;
    }
  });
  return opsets;
}

}  // namespace

std::string encode_model(const ir::Model& model, ExternalDataWriter* external) {
  EMBER_CHECK(model.graph, InvalidModel, "cannot save a model without a graph");
  ProtoWriter m;
  m.int_field(1, model.ir_version > 0 ? model.ir_version : kDefaultIrVersion);
  m.string_field(2, "ember");
  m.string_field(3, EMBER_VERSION_STRING);
  for (const auto& [domain, version] : opsets_to_write(model)) {
    ProtoWriter op;
    if (!domain.empty()) op.string_field(1, domain);
    op.int_field(2, version);
    m.message_field(8, op);
  }
  GraphEncoder enc(external);
  m.message_field(7, enc.encode_graph(*model.graph, true));
  for (const auto& [key, value] : model.metadata_props) {
    ProtoWriter e;
    e.string_field(1, key);
    e.string_field(2, value);
    m.message_field(14, e);
  }
  return m.bytes();
}

}  // namespace ember::onnx
