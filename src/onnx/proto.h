// Plain structs mirroring the subset of onnx.proto we read. Decoding (wire bytes -> these
// structs, proto_decode.cc) is kept apart from import (these structs -> IR, *_import.cc) so
// each side has one job: the decoder knows field numbers, the importer knows ONNX semantics.
//
// Byte payloads (raw_data, strings of string tensors) are views into the model buffer, so
// decoding copies no tensor data; the buffer must outlive these structs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember::onnx::proto {

struct Tensor {
  std::string name;
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  bool has_segment = false;
  bool has_raw_data = false;
  std::string_view raw_data;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;
  std::vector<std::string_view> string_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  int32_t data_location = 0;  // 0 DEFAULT, 1 EXTERNAL
  std::vector<std::pair<std::string, std::string>> external_data;
};

// TypeProto. Only the parts Ember can represent are kept; the others are recorded by kind so
// the importer can name them in an Unsupported error.
struct Type {
  enum class Kind { Unset, Tensor, Sequence, Optional, Map, SparseTensor, Opaque };
  struct Dim {
    bool has_value = false;
    int64_t value = 0;
    std::string param;
  };
  Kind kind = Kind::Unset;
  int32_t elem_type = 0;       // Tensor
  bool has_shape = false;      // Tensor: shape present (rank known)
  std::vector<Dim> dims;
  std::unique_ptr<Type> elem;  // Sequence / Optional
};

struct ValueInfo {
  std::string name;
  std::optional<Type> type;
};

struct Graph;

struct Attribute {
  std::string name;
  std::string ref_attr_name;
  int32_t type = 0;  // AttributeProto.AttributeType; 0 when the (old) file leaves it out
  bool has_f = false, has_i = false, has_s = false;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::optional<Tensor> t;
  std::unique_ptr<Graph> g;
  std::optional<Type> tp;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<Graph> graphs;
  bool has_sparse = false;      // sparse_tensor(s): recorded only to refuse them
  bool has_type_protos = false;
};

struct Node {
  std::vector<std::string> input;
  std::vector<std::string> output;
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<Attribute> attribute;
};

struct Graph {
  std::string name;
  std::vector<Node> node;
  std::vector<Tensor> initializer;
  size_t sparse_initializers = 0;  // counted only to refuse them
  std::vector<ValueInfo> input;
  std::vector<ValueInfo> output;
  std::vector<ValueInfo> value_info;
};

struct FunctionId {
  std::string domain;
  std::string name;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<std::pair<std::string, int64_t>> opset_import;  // domain, version
  std::string producer_name;
  std::string producer_version;
  std::optional<Graph> graph;
  std::vector<FunctionId> functions;  // model-local functions (only their ids are read)
  std::vector<std::pair<std::string, std::string>> metadata_props;  // key, value
};

}  // namespace ember::onnx::proto
