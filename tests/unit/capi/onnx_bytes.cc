// Protobuf wire format, hand-encoded: varints and length-delimited fields are all the ONNX
// subset below needs (field numbers from onnx.proto).
#include "onnx_bytes.h"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace capi_test {

namespace {

void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}
void field_varint(std::string& out, int field, uint64_t v) {
  varint(out, uint64_t(field) << 3 | 0);
  varint(out, v);
}
void field_bytes(std::string& out, int field, const std::string& bytes) {
  varint(out, uint64_t(field) << 3 | 2);
  varint(out, bytes.size());
  out += bytes;
}

std::string value_info(const ValueSpec& v) {
  std::string shape;
  for (int64_t d : v.dims) {
    std::string dim;
    if (d >= 0) field_varint(dim, 1, uint64_t(d));  // dim_value
    else field_bytes(dim, 2, "N");                   // dim_param
    field_bytes(shape, 1, dim);
  }
  std::string tensor_type;
  field_varint(tensor_type, 1, uint64_t(v.elem_type));
  field_bytes(tensor_type, 2, shape);
  std::string type;
  field_bytes(type, 1, tensor_type);
  std::string out;
  field_bytes(out, 1, v.name);
  field_bytes(out, 2, type);
  return out;
}

std::string node(const NodeSpec& n, size_t index) {
  std::string out;
  for (const auto& i : n.inputs) field_bytes(out, 1, i);
  for (const auto& o : n.outputs) field_bytes(out, 2, o);
  field_bytes(out, 3, n.op_type + "_" + std::to_string(index));
  field_bytes(out, 4, n.op_type);
  for (const auto& [name, value] : n.int_attrs) {
    std::string a;
    field_bytes(a, 1, name);
    field_varint(a, 3, uint64_t(value));  // i
    field_varint(a, 20, 2);               // type = INT
    field_bytes(out, 5, a);
  }
  return out;
}

std::string initializer(const InitSpec& t) {
  std::string out;
  for (int64_t d : t.dims) field_varint(out, 1, uint64_t(d));
  field_varint(out, 2, 1);  // FLOAT
  field_bytes(out, 8, t.name);
  std::string raw(t.data.size() * sizeof(float), '\0');
  if (!raw.empty()) std::memcpy(raw.data(), t.data.data(), raw.size());
  field_bytes(out, 9, raw);
  return out;
}

}  // namespace

std::string make_model(const std::vector<ValueSpec>& inputs, const std::vector<ValueSpec>& outputs,
                       const std::vector<NodeSpec>& nodes, const std::vector<InitSpec>& inits,
                       int opset) {
  std::string graph;
  for (size_t i = 0; i < nodes.size(); ++i) field_bytes(graph, 1, node(nodes[i], i));
  field_bytes(graph, 2, "capi_test_graph");
  for (const auto& t : inits) field_bytes(graph, 5, initializer(t));
  for (const auto& v : inputs) field_bytes(graph, 11, value_info(v));
  for (const auto& v : outputs) field_bytes(graph, 12, value_info(v));

  std::string opset_id;
  field_bytes(opset_id, 1, "");
  field_varint(opset_id, 2, uint64_t(opset));
  std::string model;
  field_varint(model, 1, 8);  // ir_version
  field_bytes(model, 2, "capi-tests");
  field_bytes(model, 7, graph);
  field_bytes(model, 8, opset_id);
  return model;
}

std::string add_model() {
  return make_model({{"x", 1, {-1, 5}}, {"y", 1, {-1, 5}}}, {{"z", 1, {-1, 5}}},
                    {{"Add", {"x", "y"}, {"z"}, {}}});
}

std::string matmul_model() {
  InitSpec w{"W", {17, 3}, {}};
  for (int i = 0; i < 17 * 3; ++i) w.data.push_back(0.01f * float(i));
  return make_model({{"x", 1, {7, 17}}}, {{"y", 1, {7, 3}}}, {{"MatMul", {"x", "W"}, {"y"}, {}}},
                    {w});
}

TempFile::~TempFile() {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::filesystem::remove_all(path + ".d", ignored);
}

TempFile write_temp_file(const std::string& stem, const std::string& bytes) {
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("ember_capi_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + "_" + stem);
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  return TempFile(path.string());
}

}  // namespace capi_test
