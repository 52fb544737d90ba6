// Field numbers follow onnx.proto3 (onnx 1.17+); unknown fields are skipped as protobuf
// requires, so files from newer exporters still load.
#include "onnx/proto_decode.h"

#include "onnx/wire.h"

namespace ember::onnx {

namespace {

// Reads a nested message, counting depth so hostile nesting fails cleanly.
WireReader nested(const WireReader& r, const char* what, const char* message, int depth) {
  if (depth > kMaxMessageDepth)
    r.fail_here(str_cat("messages nested deeper than ", kMaxMessageDepth,
                        " levels (hostile or corrupt file)"));
  return r.as_message(what, message);
}

void decode_type(WireReader r, proto::Type& out, int depth);

void decode_shape(WireReader r, proto::Type& out, int depth) {
  out.has_shape = true;
  while (r.next()) {
    if (r.field() != 1) continue;
    WireReader d = nested(r, "dim", "TensorShapeProto.Dimension", depth + 1);
    proto::Type::Dim dim;
    while (d.next()) {
      if (d.field() == 1) {
        dim.has_value = true;
        dim.value = d.as_int64("dim_value");
      } else if (d.field() == 2) {
        dim.param = d.as_string("dim_param");
      }
    }
    out.dims.push_back(std::move(dim));
  }
}

void decode_type_tensor(WireReader r, proto::Type& out, int depth) {
  while (r.next()) {
    if (r.field() == 1) out.elem_type = r.as_int32("elem_type");
    else if (r.field() == 2) decode_shape(nested(r, "shape", "TensorShapeProto", depth + 1), out, depth + 1);
  }
}

// Sequence and Optional both wrap one TypeProto in field 1.
void decode_type_wrapper(WireReader r, proto::Type& out, int depth) {
  while (r.next()) {
    if (r.field() != 1) continue;
    out.elem = std::make_unique<proto::Type>();
    decode_type(nested(r, "elem_type", "TypeProto", depth + 1), *out.elem, depth + 1);
  }
}

void decode_type(WireReader r, proto::Type& out, int depth) {
  using K = proto::Type::Kind;
  while (r.next()) {
    switch (r.field()) {
      case 1:
        out.kind = K::Tensor;
        decode_type_tensor(nested(r, "tensor_type", "TypeProto.Tensor", depth + 1), out, depth + 1);
        break;
      case 4:
        out.kind = K::Sequence;
        decode_type_wrapper(nested(r, "sequence_type", "TypeProto.Sequence", depth + 1), out, depth + 1);
        break;
      case 9:
        out.kind = K::Optional;
        decode_type_wrapper(nested(r, "optional_type", "TypeProto.Optional", depth + 1), out, depth + 1);
        break;
      case 5: out.kind = K::Map; break;
      case 8: out.kind = K::SparseTensor; break;
      case 7: out.kind = K::Opaque; break;
      default: break;
    }
  }
}

proto::ValueInfo decode_value_info(WireReader r, int depth) {
  proto::ValueInfo v;
  while (r.next()) {
    if (r.field() == 1) {
      v.name = r.as_string("name");
    } else if (r.field() == 2) {
      v.type.emplace();
      decode_type(nested(r, "type", "TypeProto", depth + 1), *v.type, depth + 1);
    }
  }
  return v;
}

std::pair<std::string, std::string> decode_string_entry(WireReader r) {
  std::pair<std::string, std::string> kv;
  while (r.next()) {
    if (r.field() == 1) kv.first = r.as_string("key");
    else if (r.field() == 2) kv.second = r.as_string("value");
  }
  return kv;
}

proto::Tensor decode_tensor(WireReader r, int depth) {
  proto::Tensor t;
  while (r.next()) {
    switch (r.field()) {
      case 1: r.append_int64s("dims", t.dims); break;
      case 2: t.data_type = r.as_int32("data_type"); break;
      case 3: t.has_segment = true; break;
      case 4: r.append_floats("float_data", t.float_data); break;
      case 5: r.append_int32s("int32_data", t.int32_data); break;
      case 6: t.string_data.push_back(r.as_bytes("string_data")); break;
      case 7: r.append_int64s("int64_data", t.int64_data); break;
      case 8: t.name = r.as_string("name"); break;
      case 9:
        t.has_raw_data = true;
        t.raw_data = r.as_bytes("raw_data");
        break;
      case 10: r.append_doubles("double_data", t.double_data); break;
      case 11: r.append_uint64s("uint64_data", t.uint64_data); break;
      case 13:
        t.external_data.push_back(
            decode_string_entry(nested(r, "external_data", "StringStringEntryProto", depth + 1)));
        break;
      case 14: t.data_location = r.as_int32("data_location"); break;
      default: break;
    }
  }
  return t;
}

proto::Graph decode_graph(WireReader r, int depth);

proto::Attribute decode_attribute(WireReader r, int depth) {
  proto::Attribute a;
  const int d = depth + 1;
  while (r.next()) {
    switch (r.field()) {
      case 1: a.name = r.as_string("name"); break;
      case 21: a.ref_attr_name = r.as_string("ref_attr_name"); break;
      case 20: a.type = r.as_int32("type"); break;
      case 2: a.has_f = true; a.f = r.as_float("f"); break;
      case 3: a.has_i = true; a.i = r.as_int64("i"); break;
      case 4: a.has_s = true; a.s = r.as_string("s"); break;
      case 5: a.t = decode_tensor(nested(r, "t", "TensorProto", d), d); break;
      case 6:
        a.g = std::make_unique<proto::Graph>(decode_graph(nested(r, "g", "GraphProto", d), d));
        break;
      case 14:
        a.tp.emplace();
        decode_type(nested(r, "tp", "TypeProto", d), *a.tp, d);
        break;
      case 7: r.append_floats("floats", a.floats); break;
      case 8: r.append_int64s("ints", a.ints); break;
      case 9: a.strings.push_back(r.as_string("strings")); break;
      case 10: a.tensors.push_back(decode_tensor(nested(r, "tensors", "TensorProto", d), d)); break;
      case 11: a.graphs.push_back(decode_graph(nested(r, "graphs", "GraphProto", d), d)); break;
      case 22: case 23: a.has_sparse = true; break;
      case 15: a.has_type_protos = true; break;
      default: break;
    }
  }
  return a;
}

proto::Node decode_node(WireReader r, int depth) {
  proto::Node n;
  while (r.next()) {
    switch (r.field()) {
      case 1: n.input.push_back(r.as_string("input")); break;
      case 2: n.output.push_back(r.as_string("output")); break;
      case 3: n.name = r.as_string("name"); break;
      case 4: n.op_type = r.as_string("op_type"); break;
      case 7: n.domain = r.as_string("domain"); break;
      case 5:
        n.attribute.push_back(
            decode_attribute(nested(r, "attribute", "AttributeProto", depth + 1), depth + 1));
        break;
      default: break;
    }
  }
  return n;
}

proto::Graph decode_graph(WireReader r, int depth) {
  proto::Graph g;
  const int d = depth + 1;
  while (r.next()) {
    switch (r.field()) {
      case 1: g.node.push_back(decode_node(nested(r, "node", "NodeProto", d), d)); break;
      case 2: g.name = r.as_string("name"); break;
      case 5: g.initializer.push_back(decode_tensor(nested(r, "initializer", "TensorProto", d), d)); break;
      case 15: ++g.sparse_initializers; break;
      case 11: g.input.push_back(decode_value_info(nested(r, "input", "ValueInfoProto", d), d)); break;
      case 12: g.output.push_back(decode_value_info(nested(r, "output", "ValueInfoProto", d), d)); break;
      case 13:
        g.value_info.push_back(decode_value_info(nested(r, "value_info", "ValueInfoProto", d), d));
        break;
      default: break;
    }
  }
  return g;
}

std::pair<std::string, int64_t> decode_opset(WireReader r) {
  std::pair<std::string, int64_t> op{"", 0};
  while (r.next()) {
    if (r.field() == 1) op.first = r.as_string("domain");
    else if (r.field() == 2) op.second = r.as_int64("version");
  }
  return op;
}

proto::FunctionId decode_function_id(WireReader r) {
  proto::FunctionId f;
  while (r.next()) {
    if (r.field() == 1) f.name = r.as_string("name");
    else if (r.field() == 10) f.domain = r.as_string("domain");
  }
  return f;
}

}  // namespace

proto::Model decode_model(const uint8_t* data, size_t size) {
  WireReader r(data, data + size, data, "ModelProto");
  proto::Model m;
  while (r.next()) {
    switch (r.field()) {
      case 1: m.ir_version = r.as_int64("ir_version"); break;
      case 2: m.producer_name = r.as_string("producer_name"); break;
      case 3: m.producer_version = r.as_string("producer_version"); break;
      case 7:
        // A second graph field would be merged by libprotobuf; no exporter writes one, so
        // refusing it is clearer than guessing.
        if (m.graph) r.fail_here("more than one graph field");
        m.graph = decode_graph(nested(r, "graph", "GraphProto", 1), 1);
        break;
      case 8: m.opset_import.push_back(decode_opset(nested(r, "opset_import", "OperatorSetIdProto", 1))); break;
      case 14:
        m.metadata_props.push_back(
            decode_string_entry(nested(r, "metadata_props", "StringStringEntryProto", 1)));
        break;
      case 25: m.functions.push_back(decode_function_id(nested(r, "functions", "FunctionProto", 1))); break;
      default: break;
    }
  }
  return m;
}

}  // namespace ember::onnx
