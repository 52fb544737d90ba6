// Tiny ONNX model encoder for the C API and CLI tests: the C API only loads serialized models,
// and these tests must not depend on the Python generators. Uses std types only, so it can be
// included next to either ember.hpp or the internal headers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace capi_test {

struct ValueSpec {
  std::string name;
  int elem_type = 1;          // ONNX TensorProto.DataType
  std::vector<int64_t> dims;  // -1 is written as the symbolic dimension "N"
};

struct NodeSpec {
  std::string op_type;
  std::vector<std::string> inputs, outputs;
  std::vector<std::pair<std::string, int64_t>> int_attrs;
};

struct InitSpec {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> data;  // float32 initializers only
};

std::string make_model(const std::vector<ValueSpec>& inputs, const std::vector<ValueSpec>& outputs,
                       const std::vector<NodeSpec>& nodes, const std::vector<InitSpec>& inits = {},
                       int opset = 17);

// z = x + y, all float32[N, 5].
std::string add_model();
// y = x @ W, x float32[7, 17], W a [17, 3] initializer with values 0.01 * i, y float32[7, 3].
std::string matmul_model();

// A file under the system temp folder, removed (with `path + ".d"`, if a test made that
// folder) when the object goes away.
struct TempFile {
  std::string path;
  explicit TempFile(std::string p) : path(std::move(p)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
};
// Writes bytes to a fresh file under the system temp folder.
TempFile write_temp_file(const std::string& stem, const std::string& bytes);

}  // namespace capi_test
